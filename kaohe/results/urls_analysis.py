"""URLs of the analysis pages (考核分析), under /plans/<plan_id>/ in the "analysis" namespace."""

from django.urls import path

from kaohe.results import views_analysis

app_name = "analysis"
urlpatterns = [
    path("analysis/", views_analysis.index, name="index"),
    path("analysis/export.xlsx", views_analysis.export, name="export"),
]
