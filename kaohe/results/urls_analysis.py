"""URLs of the analysis pages (考核分析), under /plans/<plan_id>/ in the "analysis" namespace."""

from django.urls import URLPattern

app_name = "analysis"
urlpatterns: list[URLPattern] = []
