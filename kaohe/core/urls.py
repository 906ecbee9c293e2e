from django.urls import path

from kaohe.core import views, views_calendar, views_jobs

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("notifications/read", views.notifications_read, name="notifications_read"),
    path("calendar/", views_calendar.calendar_page, name="calendar"),
    path("calendar/copy", views_calendar.calendar_copy, name="calendar_copy"),
    path("calendar/dates/<int:date_id>/delete", views_calendar.calendar_date_delete, name="calendar_date_delete"),
    path("jobs/", views_jobs.job_list, name="jobs"),
    path("jobs/<int:job_id>/", views_jobs.job_page, name="job"),
    path("jobs/<int:job_id>/progress", views_jobs.job_progress, name="job_progress"),
    path("jobs/<int:job_id>/download", views_jobs.job_download, name="job_download"),
]
