"""URLs of the evidence insights, under /plans/<plan_id>/insights/ in the "insights" namespace."""

from django.urls import URLPattern, path

from kaohe.insights import views

app_name = "insights"
urlpatterns: list[URLPattern] = [
    path("search/", views.search, name="search"),
    path("<int:unit_id>/tasks/<int:task_id>/", views.submission, name="submission"),
    path("hints/<int:hint_id>/dismiss", views.dismiss, name="dismiss"),
]
