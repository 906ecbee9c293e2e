"""URLs of results — filled in by the results work."""

from django.urls import URLPattern

app_name = "results"
urlpatterns: list[URLPattern] = []
