from django.urls import include, path

from kaohe.scoring import views

app_name = "scoring"
urlpatterns = [
    path("evaluate/", views.grid, name="grid"),
    path("evaluate/bulk", views.evaluate_bulk, name="evaluate_bulk"),
    path("evaluate/<int:unit_id>/", views.unit_page, name="unit"),
    path("evaluate/<int:unit_id>/tasks/<int:task_id>/", views.evaluate, name="evaluate"),
    path("evaluate/<int:unit_id>/tasks/<int:task_id>/history/", views.history, name="history"),
    path("applicability/", views.applicability, name="applicability"),
    path("applicability/<int:na_id>/clear", views.applicability_clear, name="applicability_clear"),
    path("", include("kaohe.scoring.urls_adjustments")),
]
