"""URLs of the good-practice pages (典型经验), under /plans/<plan_id>/ in the "practices" namespace."""

from django.urls import path

from kaohe.results import views_practice

app_name = "practices"
urlpatterns = [
    path("practices/", views_practice.index, name="index"),
    path("practices/mark", views_practice.mark, name="mark"),
    path("practices/<int:practice_id>/publish", views_practice.publish, name="publish"),
    path("practices/<int:practice_id>/withdraw", views_practice.withdraw, name="withdraw"),
]
