"""URLs of 下级考核汇总 (an office's roll-up of the lower offices' plans), under /rollup/."""

from django.urls import path

from kaohe.results import views_rollup

app_name = "rollup"
urlpatterns = [
    path("", views_rollup.index, name="index"),
    path("plans/<int:plan_id>/", views_rollup.plan, name="plan"),
    path("plans/<int:plan_id>/bulletin.docx", views_rollup.bulletin, name="bulletin"),
]
