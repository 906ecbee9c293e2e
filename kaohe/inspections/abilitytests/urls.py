"""URLs of 依法行政能力测试, under /plans/<plan_id>/ability-tests/ in the "abilitytests" namespace."""

from django.urls import URLPattern, path

from kaohe.inspections.abilitytests import views, views_sittings

app_name = "abilitytests"
urlpatterns: list[URLPattern] = [
    path("", views.index, name="index"),
    # 测试人员名册
    path("rosters/", views.rosters, name="rosters"),
    path("rosters/template.xlsx", views.roster_template, name="roster_template"),
    path("rosters/<int:unit_id>/", views.roster, name="roster"),
    path("rosters/<int:unit_id>/add", views.roster_add, name="roster_add"),
    path("rosters/<int:unit_id>/remove", views.roster_remove, name="roster_remove"),
    path("rosters/<int:unit_id>/import", views.roster_import, name="roster_import"),
    # 题库
    path("bank/", views.bank, name="bank"),
    path("bank/template.xlsx", views.bank_template, name="bank_template"),
    path("bank/import", views.bank_import, name="bank_import"),
    path("bank/imports/<int:bank_import_id>/", views.bank_import_preview, name="bank_import_preview"),
    path("bank/imports/<int:bank_import_id>/apply", views.bank_import_apply, name="bank_import_apply"),
    path("bank/imports/<int:bank_import_id>/discard", views.bank_import_discard, name="bank_import_discard"),
    # 测试：抽取、组卷、开考、评分、计分
    path("tests/new", views.test_new, name="test_new"),
    path("tests/<int:test_id>/", views.test_detail, name="test"),
    path("tests/<int:test_id>/draw", views.draw, name="draw"),
    path("tests/<int:test_id>/draw/replay", views.draw_replay, name="draw_replay"),
    path("tests/<int:test_id>/paper", views.paper_make, name="paper"),
    path("tests/<int:test_id>/paper/replay", views.paper_replay, name="paper_replay"),
    path("tests/<int:test_id>/open", views.sitting_open, name="open"),
    path("tests/<int:test_id>/close", views.sitting_close, name="close"),
    path("tests/<int:test_id>/testees/<int:testee_id>/code", views.code_reissue, name="code_reissue"),
    path("tests/<int:test_id>/oral", views.oral, name="oral"),
    path("tests/<int:test_id>/oral/save", views.oral_save, name="oral_save"),
    path("tests/<int:test_id>/marking", views.marking, name="marking"),
    path("tests/<int:test_id>/marking/save", views.marking_save, name="marking_save"),
    path("tests/<int:test_id>/record", views.record, name="record"),
    # 统一考试场次：多个考核对象同场考试
    path("sittings/new", views_sittings.sitting_new, name="sitting_new"),
    path("sittings/<int:sitting_id>/", views_sittings.sitting, name="sitting"),
    path("sittings/<int:sitting_id>/results", views_sittings.sitting_results, name="sitting_results"),
    path(
        "sittings/<int:sitting_id>/roster/template.xlsx", views_sittings.sitting_roster_template, name="sitting_roster_template"
    ),
    path("sittings/<int:sitting_id>/roster", views_sittings.sitting_roster, name="sitting_roster"),
    path("sittings/<int:sitting_id>/paper", views_sittings.sitting_paper, name="sitting_paper"),
    path("sittings/<int:sitting_id>/open", views_sittings.sitting_open, name="sitting_open"),
    path("sittings/<int:sitting_id>/close", views_sittings.sitting_close, name="sitting_close"),
    path("sittings/<int:sitting_id>/record", views_sittings.sitting_record, name="sitting_record"),
]
