"""Results (考核结果), mounted under /plans/<plan_id>/."""

from django.urls import path

from kaohe.results import views, views_commendation, views_use

app_name = "results"
urlpatterns = [
    path("results/", views.index, name="index"),
    path("results/compute", views.compute, name="compute"),
    path("results/<int:snapshot_id>/", views.snapshot, name="snapshot"),
    path("results/<int:snapshot_id>/units/<int:unit_id>/", views.breakdown, name="breakdown"),
    path("results/<int:snapshot_id>/export.xlsx", views.export, name="export"),
    path("results/<int:snapshot_id>/bulletin.docx", views.bulletin, name="bulletin"),
    path("results/<int:snapshot_id>/export/job", views.snapshot_file_job, {"what": "export"}, name="export_job"),
    path("results/<int:snapshot_id>/bulletin/job", views.snapshot_file_job, {"what": "bulletin"}, name="bulletin_job"),
    path("results/<int:snapshot_id>/categories/<int:category_id>/score-sheet.xlsx", views.score_sheet, name="score_sheet"),
    # 结果审定与公布 (the office)
    path("results/release/", views.release, name="release"),
    path("results/release/start", views.release_start, name="release_start"),
    path("results/release/close", views.consultation_close, name="consultation_close"),
    path("results/release/approve", views.approve, name="approve"),
    path("results/release/bulletin", views.bulletin_edit, name="bulletin_edit"),
    path("results/release/bulletin.docx", views.release_bulletin, name="release_bulletin"),
    path("results/release/commendation.docx", views_commendation.commendation, name="commendation"),
    path("results/release/recipients/add", views.recipient_add, name="recipient_add"),
    path("results/release/recipients/<int:recipient_id>/remove", views.recipient_remove, name="recipient_remove"),
    path("results/release/publish", views.publish, name="publish"),
    path("results/release/reopen", views.reopen, name="reopen"),
    # member units (征求意见) and recipients of the published results
    path("results/consultation/", views.consult, name="consult"),
    path("results/consultation/comment", views.comment, name="comment"),
    path("results/published/", views.published, name="published"),
    path("results/published/units/<int:unit_id>/", views.published_unit, name="published_unit"),
    # 结果运用 (the office): receiving assessments and the export in their shape
    path("results/uses/", views_use.uses, name="uses"),
    path("results/uses/<int:use_id>/remove", views_use.use_remove, name="use_remove"),
    path("results/uses/<int:use_id>/export.xlsx", views_use.use_export, name="use_export"),
]
