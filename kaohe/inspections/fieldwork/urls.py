"""URLs of 实地考核, under /plans/<plan_id>/ in the "fieldwork" namespace."""

from django.urls import URLPattern

app_name = "fieldwork"
urlpatterns: list[URLPattern] = []
