from django.urls import path

from kaohe.submissions import views, views_events

app_name = "submissions"
urlpatterns = [
    path("evidence/", views.workspace, name="workspace"),
    path("evidence/overview/", views.overview, name="overview"),
    path("evidence/remind", views.remind, name="remind"),
    path("evidence/extensions/", views.extensions, name="extensions"),
    path("evidence/queue/", views.queue, name="queue"),
    path("evidence/<int:unit_id>/tasks/<int:task_id>/", views.task_page, name="task"),
    path("evidence/<int:unit_id>/tasks/<int:task_id>/upload", views.upload, name="upload"),
    path("evidence/<int:unit_id>/tasks/<int:task_id>/details", views.details, name="details"),
    path("evidence/<int:unit_id>/tasks/<int:task_id>/return", views.return_for_supplement, name="return"),
    path("evidence/<int:unit_id>/tasks/<int:task_id>/resubmit", views.resubmit, name="resubmit"),
    path("evidence/<int:unit_id>/tasks/<int:task_id>/events/add", views_events.event_record, name="event_record"),
    path("evidence/<int:unit_id>/tasks/<int:task_id>/events/<int:event_id>/edit", views_events.event_update, name="event_update"),
    path(
        "evidence/<int:unit_id>/tasks/<int:task_id>/events/<int:event_id>/delete",
        views_events.event_delete,
        name="event_delete",
    ),
    path("evidence/<int:unit_id>/tasks/<int:task_id>/archive.zip", views.task_archive, name="task_archive"),
    path("evidence/<int:unit_id>/archive.zip", views.unit_archive, name="unit_archive"),
    path("files/<int:file_id>/download", views.download, name="download"),
    path("files/<int:file_id>/preview", views.preview, name="preview"),
    path("files/<int:file_id>/withdraw", views.withdraw, name="withdraw"),
]
