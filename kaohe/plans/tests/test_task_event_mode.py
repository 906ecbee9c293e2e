"""事件触发报送 in the tree editor: the office marks a task event-driven (触发事件, N working days); next year keeps it."""

from __future__ import annotations

import pytest

from kaohe.core.models import AuditEvent
from kaohe.plans.constants import DEFAULT_EVENT_DAYS, Method
from kaohe.plans.copy import plan_copy
from kaohe.plans.models import Indicator
from kaohe.plans.tests.test_tree_editor import _node, _task, _url, draft  # noqa: F401 - the fixture


def test_office_sets_event_mode_in_the_editor_and_the_copy_keeps_it(personas, draft):  # noqa: F811
    plan, category = draft
    client = personas.client(personas.office)
    t1 = _node(category, "1.1.1")
    assert (t1.event_label, t1.event_days, t1.is_event_driven) == ("", DEFAULT_EVENT_DAYS, False)
    response = client.post(
        _url("indicator_edit", plan, category, t1),
        _task(name="负责人出庭应诉情况", points="4", event_label=" 出庭应诉 ", event_days="7"),
    )
    assert response.status_code == 302
    t1.refresh_from_db()
    assert (t1.event_label, t1.event_days, t1.is_event_driven) == ("出庭应诉", 7, True)
    change = AuditEvent.objects.filter(action="indicator.update", plan_id=plan.pk).get()
    assert change.before["event_label"] == "" and change.after["event_label"] == "出庭应诉"
    page = client.get(_url("tree_edit", plan, category)).content.decode()
    assert "事件触发：出庭应诉·7个工作日" in page
    copy = plan_copy(actor=personas.office, plan=plan, title="2022年度依法行政考核（事件测试）")
    copied = Indicator.objects.get(plan=copy, code="1.1.1")
    assert (copied.event_label, copied.event_days) == ("出庭应诉", 7)
    # cleared: an ordinary task again
    client.post(_url("indicator_edit", plan, category, t1), _task(name="负责人出庭应诉情况", points="4", event_label=""))
    t1.refresh_from_db()
    assert not t1.is_event_driven


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"event_label": "出庭应诉", "event_days": "0"}, "报送期限须在1至60个工作日之间"),
        ({"event_label": "出庭应诉", "event_days": "61"}, "报送期限须在1至60个工作日之间"),
        ({"event_label": "出庭应诉", "event_days": "五"}, "报送期限须为整数（工作日）"),
        ({"event_label": "长" * 41}, "触发事件不能超过40个字"),
        ({"event_label": "出庭应诉", "method": Method.DAILY}, "事件触发报送只适用于需要报送资料的工作任务"),
    ],
)
def test_bad_event_settings_are_refused_in_chinese(personas, draft, data, message):  # noqa: F811
    plan, category = draft
    t1 = _node(category, "1.1.1")
    response = personas.client(personas.office).post(_url("indicator_edit", plan, category, t1), _task(**data))
    assert response.status_code == 400
    assert message in response.content.decode()
    t1.refresh_from_db()
    assert t1.event_label == ""


def test_a_service_caller_that_knows_nothing_of_event_mode_keeps_the_days(personas, draft):  # noqa: F811
    from kaohe.plans.services_tree import indicator_update

    plan, category = draft
    t1 = _node(category, "1.1.1")
    Indicator.objects.filter(pk=t1.pk).update(event_label="履行复议决定", event_days=3)
    t1.refresh_from_db()
    indicator_update(
        actor=personas.office,
        plan=plan,
        node=t1,
        name="t1",
        points=t1.points,
        method=Method.SUBMISSION,
        event_label="履行复议决定",
    )
    t1.refresh_from_db()
    assert (t1.event_label, t1.event_days) == ("履行复议决定", 3)


# ------------------------------------------------------------------------------------------------ the importer


def _event_table(*events: str | None) -> bytes:
    from kaohe.plans.tests.excel_factories import WIDE_HEADER, sheet, task_row

    rows = [
        [*task_row(task="负责人出庭应诉情况", method="报送资料:行政负责人出庭应诉的证据材料 1分", assessor=None), events[0]],
        [*task_row(task="复议决定履行情况", method="报送资料:履行回执单 1分", assessor=None), events[1]],
        [*task_row(task="案件办理情况", method="日常掌握 1分", assessor=None), events[2]],
    ]
    return sheet([*WIDE_HEADER, "触发事件"], *rows)


def test_a_trigger_column_in_the_table_imports_event_mode():
    from kaohe.plans.excel import parse_indicator_workbook

    table = parse_indicator_workbook(_event_table("出庭应诉", "", "出庭应诉"))
    assert table.columns.get("event") == "H"
    tasks = [t for l1 in table.level1 for l2 in l1.children for t in l2.tasks]
    assert [t.event_label for t in tasks] == ["出庭应诉", "", ""]
    # a 日常掌握 task takes no evidence: its trigger is not imported, and the preview says so
    assert any(p.code == "event_not_evidence" and "未导入" in p.message for p in table.problems)
    too_long = parse_indicator_workbook(_event_table("长" * 41, None, None))
    assert any(p.code == "event_too_long" and p.severity == "error" for p in too_long.problems)


def test_the_import_writes_event_mode_to_the_tasks(personas, plan):
    from kaohe.plans import services
    from kaohe.plans.models import PlanImport

    new_plan = services.plan_create(
        actor=personas.office,
        organiser=plan.organiser,
        year=2021,
        title="2021年度依法行政考核（导入事件测试）",
        period_start=plan.period_start.replace(year=2021),
        period_end=plan.period_end.replace(year=2021),
    )
    record = services.plan_import_upload(
        actor=personas.office,
        plan=new_plan,
        kind=PlanImport.Kind.INDICATORS,
        data=_event_table("出庭应诉", "履行复议决定", None),
        original_name="指标.xlsx",
        category_name="县区政府",
    )
    assert not record.error_count, record.problems
    services.plan_import_apply(actor=personas.office, plan_import=record, accept_warnings=True)
    imported = dict(Indicator.objects.filter(plan=new_plan).exclude(event_label="").values_list("name", "event_label"))
    assert imported == {"负责人出庭应诉情况": "出庭应诉", "复议决定履行情况": "履行复议决定"}
    assert set(Indicator.objects.filter(plan=new_plan).exclude(event_label="").values_list("event_days", flat=True)) == {
        DEFAULT_EVENT_DAYS
    }
