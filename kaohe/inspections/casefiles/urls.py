"""URLs of 案卷集中评查, under /plans/<plan_id>/ in the "casefiles" namespace."""

from django.urls import URLPattern

app_name = "casefiles"
urlpatterns: list[URLPattern] = []
