"""URLs of the exchange between installations, under /exchange/ in the "api" namespace (the API itself is
served under /api/)."""

from django.urls import URLPattern

app_name = "api"
urlpatterns: list[URLPattern] = []
