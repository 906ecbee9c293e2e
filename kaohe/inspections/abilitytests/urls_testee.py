"""URLs a testee uses with a one-time code (no account), under /test/ in the "testee" namespace."""

from django.urls import URLPattern

app_name = "testee"
urlpatterns: list[URLPattern] = []
