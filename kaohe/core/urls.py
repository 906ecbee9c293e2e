from django.urls import path

from kaohe.core import views, views_calendar

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("notifications/read", views.notifications_read, name="notifications_read"),
    path("calendar/", views_calendar.calendar_page, name="calendar"),
    path("calendar/copy", views_calendar.calendar_copy, name="calendar_copy"),
    path("calendar/dates/<int:date_id>/delete", views_calendar.calendar_date_delete, name="calendar_date_delete"),
]
