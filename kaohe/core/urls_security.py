"""URLs of the security and audit administrators' pages — filled in by the trust work."""

from django.urls import URLPattern

app_name = "security"
urlpatterns: list[URLPattern] = []
