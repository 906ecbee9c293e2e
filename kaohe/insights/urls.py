"""URLs of the evidence insights, under /plans/<plan_id>/insights/ in the "insights" namespace."""

from django.urls import URLPattern

app_name = "insights"
urlpatterns: list[URLPattern] = []
