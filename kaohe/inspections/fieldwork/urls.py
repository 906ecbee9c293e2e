"""URLs of 实地考核, under /plans/<plan_id>/fieldwork/ in the "fieldwork" namespace."""

from django.urls import URLPattern, path

from . import views, views_member

app_name = "fieldwork"
urlpatterns: list[URLPattern] = [
    # 考核办
    path("", views.office, name="office"),
    path("window", views.window, name="window"),
    path("groups/new", views.group_create, name="group_create"),
    path("groups/<int:group_id>/", views.group_edit, name="group_edit"),
    path("groups/<int:group_id>/delete", views.group_delete, name="group_delete"),
    path("groups/<int:group_id>/schedule.xlsx", views.group_xlsx, name="group_xlsx"),
    path("assign", views.assign, name="assign"),
    path("assignments/<int:assignment_id>/remove", views.unassign, name="unassign"),
    path("schedule/", views.schedule, name="schedule"),
    # 实地考察组成员 (phone)
    path("mine/", views_member.mine, name="mine"),
    path("mine/<int:unit_id>/", views_member.unit_page, name="unit"),
    path("mine/<int:unit_id>/tasks/<int:task_id>/score", views_member.score, name="score"),
    path("mine/<int:unit_id>/tasks/<int:task_id>/photos", views_member.photo_upload, name="photo_upload"),
    path("photos/<int:photo_id>", views_member.photo, name="photo"),
    path("photos/<int:photo_id>/delete", views_member.photo_delete, name="photo_delete"),
]
