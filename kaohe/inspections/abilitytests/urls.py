"""URLs of 依法行政能力测试, under /plans/<plan_id>/ in the "abilitytests" namespace."""

from django.urls import URLPattern

app_name = "abilitytests"
urlpatterns: list[URLPattern] = []
