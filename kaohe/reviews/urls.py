"""URLs of 问题反馈与复核, under /plans/<plan_id>/ in the "reviews" namespace."""

from django.urls import URLPattern, path

from kaohe.reviews import views, views_rectification, views_talks, views_unit_report

app_name = "reviews"
urlpatterns: list[URLPattern] = [
    path("feedback/", views.feedback_unit, name="unit"),
    path("feedback/acknowledge", views.feedback_acknowledge, name="acknowledge"),
    path("feedback/tasks/<int:task_id>/review", views.review_file, name="request"),
    path("feedback/units/<int:unit_id>/letter.docx", views.letter, name="letter"),
    path("feedback/office/", views.feedback_office, name="office"),
    path("feedback/release", views.feedback_release, name="release"),
    path("feedback/rounds/<int:feedback_id>/deem", views.feedback_deem, name="deem"),
    path("feedback/problems/add", views.problem_add, name="problem_add"),
    path("feedback/requests/<int:request_id>/attachment", views.attachment, name="attachment"),
    path("feedback/requests/<int:request_id>/decide", views.review_decide, name="decide"),
    # 整改 (rectification)
    path("rectification/", views_rectification.rectification_unit, name="rectification_unit"),
    path("rectification/items/<int:item_id>/report", views_rectification.rectification_report, name="rectification_report"),
    path(
        "rectification/reports/<int:report_id>/attachment",
        views_rectification.rectification_attachment,
        name="rectification_attachment",
    ),
    path("rectification/office/", views_rectification.rectification_office, name="rectification_office"),
    path("rectification/create", views_rectification.rectification_create, name="rectification_create"),
    path("rectification/setting", views_rectification.rectification_setting, name="rectification_setting"),
    path("rectification/items/<int:item_id>/decide", views_rectification.rectification_decide, name="rectification_decide"),
    path("rectification/items/<int:item_id>/due", views_rectification.rectification_due, name="rectification_due"),
    # 整改情况报告 (the unit's one formal report)
    path("rectification/units/<int:unit_id>/report", views_unit_report.unit_report_submit, name="unit_report_submit"),
    path("rectification/unit-reports/", views_unit_report.unit_reports, name="unit_reports"),
    path("rectification/unit-reports/<int:report_id>/decide", views_unit_report.unit_report_decide, name="unit_report_decide"),
    path(
        "rectification/unit-reports/versions/<int:version_id>/file", views_unit_report.unit_report_file, name="unit_report_file"
    ),
    # 约谈 and 重点单位
    path("talks/", views_talks.talks, name="talks"),
    path("talks/add", views_talks.talk_create, name="talk_create"),
    path("talks/<int:talk_id>/minutes", views_talks.talk_minutes, name="talk_minutes"),
    path("talks/focus", views_talks.focus_set, name="focus_set"),
    path("talks/focus/<int:unit_id>/clear", views_talks.focus_clear, name="focus_clear"),
]
