"""URLs a testee uses with a one-time code (no account), under /test/ in the "testee" namespace."""

from django.urls import URLPattern, path

from kaohe.inspections.abilitytests import views_testee

app_name = "testee"
urlpatterns: list[URLPattern] = [
    path("", views_testee.enter, name="enter"),
    path("paper/", views_testee.paper, name="paper"),
    path("paper/submit", views_testee.submit, name="submit"),
]
