"""URLs of 案卷集中评查, under /plans/<plan_id>/case-files/ in the "casefiles" namespace."""

from django.urls import URLPattern, path

from kaohe.inspections.casefiles import views

app_name = "casefiles"
urlpatterns: list[URLPattern] = [
    path("", views.index, name="index"),
    # the unit's list (案卷目录)
    path("units/<int:unit_id>/", views.unit_list, name="unit_list"),
    path("units/<int:unit_id>/add", views.file_add, name="file_add"),
    path("units/<int:unit_id>/import", views.file_import, name="file_import"),
    path("units/<int:unit_id>/extend", views.extend, name="extend"),
    path("files/<int:file_id>/edit", views.file_edit, name="file_edit"),
    path("files/<int:file_id>/delete", views.file_delete, name="file_delete"),
    path("template.xlsx", views.import_template, name="import_template"),
    # the office: sampling, progress, derivation
    path("office/", views.office, name="office"),
    path("sample", views.sample, name="sample"),
    path("samples/<int:sample_id>/cancel", views.sample_cancel, name="sample_cancel"),
    path("samples/<int:sample_id>/replay", views.sample_replay, name="sample_replay"),
    path("derive", views.derive, name="derive"),
    # the office: checklist (评查表) and settings
    path("checklist/", views.checklist, name="checklist"),
    path("checklist/add", views.checklist_add, name="checklist_add"),
    path("checklist/<int:item_id>/edit", views.checklist_edit, name="checklist_edit"),
    path("checklist/<int:item_id>/delete", views.checklist_delete, name="checklist_delete"),
    path("checklist/import", views.checklist_import, name="checklist_import"),
    path("checklist/default", views.checklist_default, name="checklist_default"),
    path("checklist/setting", views.setting, name="setting"),
    # the office: panel and assignment
    path("panel/", views.panel, name="panel"),
    path("panel/add", views.reviewer_add, name="reviewer_add"),
    path("panel/<int:reviewer_id>/remove", views.reviewer_remove, name="reviewer_remove"),
    path("panel/auto", views.assign_auto, name="assign_auto"),
    path("sampled/<int:sampled_id>/assign", views.assign, name="assign"),
    path("sampled/<int:sampled_id>/return", views.case_review_return, name="review_return"),
    # the reviewer (评查)
    path("reviews/", views.assigned, name="assigned"),
    path("reviews/<int:sampled_id>/", views.case_review, name="review"),
    path("reviews/<int:sampled_id>/save", views.case_review_save, name="review_save"),
]
