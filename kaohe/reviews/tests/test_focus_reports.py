"""重点单位 report their rectification progress more often: every N working days (the office's setting) from the
day they were marked or from their last 整改报告; the unit sees the date and a to-do line, the office sees it on the
整改 list with 逾期 in red. Without an interval, or for a unit that is not a 重点单位, nothing is due."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from kaohe.core.calendar import Calendar
from kaohe.core.models import AuditEvent
from kaohe.plans.models import PlanUnit
from kaohe.plans.todos import todos_for_user
from kaohe.reviews import services_talks
from kaohe.reviews.models import RectificationItem, RectificationSetting
from kaohe.reviews.selectors_focus import report_due
from kaohe.reviews.tests.conftest import beijing, set_now

SHANGHAI_MARK = beijing(2021, 9, 28)  # a Tuesday, three days before 国庆 (1–7 October off, Saturday 9 October worked)


def _url(name: str, plan, *args) -> str:
    return reverse(f"reviews:{name}", args=[plan.pk, *args])


def _messages(response) -> str:
    return " ".join(str(m) for m in response.context["messages"]) if response.context else ""


def _problems(personas, plan, unit, *texts):
    office = personas.client(personas.office)
    for text in texts:
        assert office.post(_url("problem_add", plan), {"unit": unit.pk, "text": text}).status_code == 302
    assert office.post(_url("release", plan), {"unit": unit.pk}).status_code == 302
    return list(RectificationItem.objects.filter(unit=unit).order_by("pk"))


def _interval(personas, plan, days, user=None):
    return personas.client(user or personas.office).post(
        _url("rectification_setting", plan), {"due_date": "2022-05-31", "focus_report_days": days}, follow=True
    )


@pytest.fixture
def focus(personas, plan, wugang, monkeypatch):
    """舞钢 has two open items and is marked a 重点单位 on Tuesday 2021-09-28; the interval is 5 working days."""
    set_now(monkeypatch, SHANGHAI_MARK)
    items = _problems(personas, plan, wugang, "规范性文件备案审查不及时", "法治政府建设年度报告未按时公开")
    services_talks.focus_unit_set(actor=personas.office, plan=plan, unit=wugang, reason="排名后5名，已约谈")
    assert "重点单位每 5 个工作日报送一次整改进展" in _messages(_interval(personas, plan, "5"))
    return items


def _unit_due(office_page, name="舞钢市人民政府"):
    return next(u.report_due for u in office_page.units if u.name == name)


def _todo_labels(user, plan) -> list[tuple[str, bool]]:
    return [(t.label, t.urgent) for todos in todos_for_user(user, [plan]) for t in todos.items if "进展报告" in t.label]


def test_the_next_report_is_counted_in_working_days_across_national_day():
    calendar = Calendar.builtin()
    due = report_due(calendar, marked_at=SHANGHAI_MARK, last_report_at=None, days=5, on=dt.date(2021, 9, 28))
    # 29, 30 September, 8 October, Saturday 9 October (worked), Monday 11 October
    assert (due.since, due.by_report, due.due, due.overdue) == (dt.date(2021, 9, 28), False, dt.date(2021, 10, 11), False)
    later = report_due(calendar, marked_at=SHANGHAI_MARK, last_report_at=beijing(2021, 9, 30), days=5, on=dt.date(2021, 10, 12))
    assert (later.since, later.by_report, later.due, later.overdue) == (dt.date(2021, 9, 30), True, dt.date(2021, 10, 13), False)
    earlier = report_due(calendar, marked_at=SHANGHAI_MARK, last_report_at=beijing(2021, 9, 1), days=5, on=dt.date(2021, 10, 12))
    assert (earlier.since, earlier.due, earlier.overdue) == (dt.date(2021, 9, 28), dt.date(2021, 10, 11), True)
    unknown = report_due(calendar, marked_at=beijing(2026, 12, 28), last_report_at=None, days=10, on=dt.date(2026, 12, 28))
    assert unknown.due is None and unknown.missing_year == 2027  # never guessed as "weekdays only"


def test_the_unit_and_the_office_see_the_due_date_then_overdue_in_red(personas, plan, wugang, focus, monkeypatch):
    first, _ = focus
    unit_page = personas.client(personas.unit).get(_url("rectification_unit", plan)).content.decode()
    assert "下次整改进展报告应于 <strong>2021-10-11</strong> 前报送" in unit_page and "已逾期" not in unit_page
    office = personas.client(personas.office).get(_url("rectification_office", plan))
    due = _unit_due(office.context["page"])
    assert due.due == dt.date(2021, 10, 11) and not due.overdue
    assert "下次进展报告 2021-10-11" in office.content.decode()
    assert 'data-testid="focus-report-overdue"' not in office.content.decode()
    assert _todo_labels(personas.unit, plan) == []  # more than 3 working days ahead: no to-do yet

    set_now(monkeypatch, beijing(2021, 10, 8))  # 2 working days before (8th, 9th … 11th)
    assert _todo_labels(personas.unit, plan) == [("重点单位整改进展报告：应于 2021-10-11 前报送", False)]

    set_now(monkeypatch, beijing(2021, 10, 12))
    office_html = personas.client(personas.office).get(_url("rectification_office", plan)).content.decode()
    assert 'text-danger" data-testid="focus-report-due"' in office_html and 'data-testid="focus-report-overdue"' in office_html
    assert "alert-danger" in personas.client(personas.unit).get(_url("rectification_unit", plan)).content.decode()
    assert _todo_labels(personas.unit, plan) == [("重点单位整改进展报告：应于 2021-10-11 前报送（已逾期）", True)]
    assert _todo_labels(personas.unit2, plan) == []  # another unit's user sees nothing of 舞钢

    # reporting on one item is a progress report: the next is counted from today
    response = personas.client(personas.unit).post(_url("rectification_report", plan, first.pk), {"text": "已完成备案审查"})
    assert response.status_code == 302
    unit_page = personas.client(personas.unit).get(_url("rectification_unit", plan)).content.decode()
    assert "下次整改进展报告应于 <strong>2021-10-19</strong> 前报送" in unit_page and "最近一次报送" in unit_page
    assert _todo_labels(personas.unit, plan) == []


def test_items_awaiting_acceptance_owe_nothing(personas, plan, wugang, focus, monkeypatch):
    set_now(monkeypatch, beijing(2021, 10, 12))
    for item in focus:
        personas.client(personas.unit).post(_url("rectification_report", plan, item.pk), {"text": "已整改"})
    office = personas.client(personas.office).get(_url("rectification_office", plan))
    assert _unit_due(office.context["page"]) is None
    assert (
        'data-testid="focus-report-due"'
        not in personas.client(personas.unit).get(_url("rectification_unit", plan)).content.decode()
    )
    # sent back: the unit owes a report again, counted from its last one
    personas.client(personas.office).post(
        _url("rectification_decide", plan, focus[0].pk), {"decision": "return", "reason": "佐证不足"}
    )
    due = _unit_due(personas.client(personas.office).get(_url("rectification_office", plan)).context["page"])
    assert due.due == dt.date(2021, 10, 19) and due.by_report


def test_no_interval_no_due_dates(personas, plan, wugang, focus, monkeypatch):
    response = _interval(personas, plan, "")
    assert "不要求重点单位定期报送整改进展" in _messages(response)
    assert RectificationSetting.objects.get(plan=plan).focus_report_days is None
    assert AuditEvent.objects.filter(action="rectification.setting").latest("seq").after["focus_report_days"] is None
    set_now(monkeypatch, beijing(2021, 10, 12))
    office = personas.client(personas.office).get(_url("rectification_office", plan))
    assert _unit_due(office.context["page"]) is None and "下次进展报告" not in office.content.decode()
    assert (
        'data-testid="focus-report-due"'
        not in personas.client(personas.unit).get(_url("rectification_unit", plan)).content.decode()
    )
    assert _todo_labels(personas.unit, plan) == []


def test_a_unit_that_is_not_a_focus_unit_owes_nothing(personas, plan, wugang, focus, monkeypatch):
    sfj = PlanUnit.objects.get(plan=plan, organisation__name="市司法局")
    _problems(personas, plan, sfj, "行政复议应诉工作不规范")
    set_now(monkeypatch, beijing(2021, 10, 12))
    page = personas.client(personas.office).get(_url("rectification_office", plan)).context["page"]
    assert _unit_due(page, "市司法局") is None and _unit_due(page, "舞钢市人民政府").overdue
    assert (
        'data-testid="focus-report-due"'
        not in personas.client(personas.unit2).get(_url("rectification_unit", plan)).content.decode()
    )
    assert _todo_labels(personas.unit2, plan) == []
    # no longer a 重点单位: nothing is due any more
    services_talks.focus_unit_clear(actor=personas.office, plan=plan, unit=wugang, reason="整改到位")
    assert _unit_due(personas.client(personas.office).get(_url("rectification_office", plan)).context["page"]) is None
    assert _todo_labels(personas.unit, plan) == []


@pytest.mark.parametrize(
    ("value", "message"),
    [("0", "1 至 120 个工作日"), ("121", "1 至 120 个工作日"), ("abc", "整数个工作日"), ("2.5", "整数个工作日")],
)
def test_bad_intervals_are_refused(personas, plan, value, message):
    _interval(personas, plan, "10")
    response = _interval(personas, plan, value)
    assert message in _messages(response)
    assert RectificationSetting.objects.get(plan=plan).focus_report_days == 10


def test_the_due_date_alone_keeps_the_interval(personas, plan):
    from kaohe.reviews import services_rectification

    _interval(personas, plan, "10")
    services_rectification.rectification_setting_set(actor=personas.office, plan=plan, due_date=dt.date(2022, 6, 30))
    assert RectificationSetting.objects.get(plan=plan).focus_report_days == 10


def test_wrong_roles_and_outsiders_cannot_set_the_interval(personas, plan):
    for user in (personas.unit, personas.unit2, personas.desk, personas.viewer):
        assert _interval(personas, plan, "10", user=user).status_code == 403
    for user in (personas.other_office, personas.other_unit, personas.sysadmin):
        assert _interval(personas, plan, "10", user=user).status_code == 404
    assert not RectificationSetting.objects.exists()


def test_office_list_query_count_does_not_grow_with_focus_units(
    personas, plan, wugang, focus, monkeypatch, django_assert_max_num_queries
):
    set_now(monkeypatch, beijing(2021, 10, 12))
    office = personas.client(personas.office)
    url = _url("rectification_office", plan)
    personas.client(personas.unit).post(_url("rectification_report", plan, focus[0].pk), {"text": "已完成备案审查"})
    with django_assert_max_num_queries(17):
        assert office.get(url).status_code == 200
    for name in ("市司法局", "宝丰县人民政府", "郏县人民政府"):
        unit = PlanUnit.objects.get(plan=plan, organisation__name=name)
        _problems(personas, plan, unit, f"{name}问题一", f"{name}问题二")
        services_talks.focus_unit_set(actor=personas.office, plan=plan, unit=unit, reason="排名靠后")
    with django_assert_max_num_queries(17):
        page = office.get(url).context["page"]
    assert sum(1 for u in page.units if u.report_due is not None) == 4


def test_demo_sets_the_interval_once_and_keeps_the_offices(personas, plan):
    from kaohe.reviews import demo

    demo.load_demo_data(plan, personas.office)
    setting = RectificationSetting.objects.get(plan=plan)
    assert setting.focus_report_days == demo.FOCUS_REPORT_DAYS and setting.due_date == dt.date(plan.year + 1, 5, 31)
    _interval(personas, plan, "15")
    demo.load_demo_data(plan, personas.office)
    assert RectificationSetting.objects.get(plan=plan).focus_report_days == 15


def test_copying_the_plan_carries_the_interval(personas, plan):
    from kaohe.plans.copy import plan_copy

    _interval(personas, plan, "10")
    copied = plan_copy(actor=personas.office, plan=plan, title="下一年度考核方案")
    setting = RectificationSetting.objects.get(plan=copied)
    assert (setting.focus_report_days, setting.due_date) == (10, dt.date(2023, 5, 31))
