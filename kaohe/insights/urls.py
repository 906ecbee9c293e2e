"""URLs of the evidence insights, under /plans/<plan_id>/insights/ in the "insights" namespace."""

from django.urls import URLPattern, path

from kaohe.insights import views, views_reports

app_name = "insights"
urlpatterns: list[URLPattern] = [
    path("search/", views.search, name="search"),
    path("<int:unit_id>/tasks/<int:task_id>/", views.submission, name="submission"),
    path("hints/<int:hint_id>/dismiss", views.dismiss, name="dismiss"),
    path("reports/", views_reports.reports, name="reports"),
    path("reports/settings", views_reports.report_settings, name="report_settings"),
    path("reports/mine", views_reports.report_mine, name="report_mine"),
    path("reports/units/<int:unit_id>/", views_reports.report_unit, name="report_unit"),
    path("reports/units/<int:unit_id>/submit", views_reports.report_submit, name="report_submit"),
    path("reports/versions/<int:version_id>/file", views_reports.report_file, name="report_file"),
]
