"""Results (考核结果), mounted under /plans/<plan_id>/."""

from django.urls import path

from kaohe.results import views

app_name = "results"
urlpatterns = [
    path("results/", views.index, name="index"),
    path("results/compute", views.compute, name="compute"),
    path("results/<int:snapshot_id>/", views.snapshot, name="snapshot"),
    path("results/<int:snapshot_id>/units/<int:unit_id>/", views.breakdown, name="breakdown"),
    path("results/<int:snapshot_id>/export.xlsx", views.export, name="export"),
    path("results/<int:snapshot_id>/bulletin.docx", views.bulletin, name="bulletin"),
]
