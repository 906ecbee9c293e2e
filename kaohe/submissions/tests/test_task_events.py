"""事件触发报送: a unit records each event of an event-driven task (出庭应诉 …) and uploads its evidence within N working
days of it; each event shows its deadline and 按时 / 逾期, the desk sees the counts beside its grade."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kaohe.core.calendar import Calendar
from kaohe.core.models import AuditEvent
from kaohe.plans.models import Indicator
from kaohe.submissions.events import EventTally, event_deadline, event_state, tally
from kaohe.submissions.models import EventState, EvidenceFile, Submission, TaskEvent
from kaohe.submissions.tests.conftest import SHANGHAI, pdf, set_now

CAL = Calendar.builtin()


def at(y: int, m: int, d: int, hh: int = 10) -> dt.datetime:
    return dt.datetime(y, m, d, hh, 0, tzinfo=SHANGHAI)


@pytest.fixture
def event_task(task):
    """The desk's 报送资料 task of the county table, made event-driven: 出庭应诉, 5 working days."""
    Indicator.objects.filter(pk=task.pk).update(event_label="出庭应诉", event_days=5)
    task.refresh_from_db()
    return task


def _url(name, plan, unit, task, *extra):
    return reverse(f"submissions:{name}", args=[plan.pk, unit.pk, task.pk, *extra])


def _record(client, plan, unit, task, occurred_on="2020-12-10", description="（2020）豫0481行初12号"):
    return client.post(_url("event_record", plan, unit, task), {"occurred_on": occurred_on, "description": description})


def later(monkeypatch, personas, moment: dt.datetime, user=None):
    """Move the clock and log in again (a session idles out after 30 minutes)."""
    set_now(monkeypatch, moment)
    return personas.client(user or personas.unit)


def _messages(response) -> str:
    return " ".join(str(m) for m in response.context["messages"]) if response.context else ""


# ------------------------------------------------------------------------------------------------ the rule


def test_the_deadline_counts_working_days_on_the_holiday_calendar():
    assert event_deadline(CAL, dt.date(2020, 12, 18), 5) == dt.date(2020, 12, 25)  # Fri → next Fri
    # 国庆+中秋 2020: 1–8 Oct off, Sat 10 Oct worked: 30 Sep + 5 → 9, 10, 12, 13, 14 Oct
    assert event_deadline(CAL, dt.date(2020, 9, 30), 5) == dt.date(2020, 10, 14)
    assert event_deadline(Calendar({}), dt.date(2020, 9, 30), 5) is None  # an unknown year: no wrong date


@pytest.mark.parametrize(
    ("arrived", "now", "state"),
    [
        (None, at(2020, 12, 25, 23), EventState.PENDING),  # the last day, before 24:00
        (None, at(2020, 12, 26, 0), EventState.MISSING),
        (at(2020, 12, 25, 23), at(2020, 12, 30), EventState.ON_TIME),
        (at(2020, 12, 26, 0), at(2020, 12, 30), EventState.LATE),
    ],
)
def test_on_time_late_and_missing(arrived, now, state):
    assert event_state(deadline=dt.date(2020, 12, 25), arrived=arrived, now=now) == state
    assert event_state(deadline=None, arrived=arrived, now=now) == EventState.UNKNOWN


def test_tally_counts_late_and_missing_as_overdue():
    counts = tally([EventState.ON_TIME, EventState.LATE, EventState.MISSING, EventState.PENDING])
    assert counts == EventTally(total=4, on_time=1, late=1, missing=1)
    assert counts.summary == "事件 4 件：按时 1 件，逾期 2 件"


# ------------------------------------------------------------------------------------------------ the unit


def test_unit_records_events_uploads_per_event_and_sees_each_deadline(personas, plan, wugang, event_task, monkeypatch):
    client = personas.client(personas.unit)
    set_now(monkeypatch, at(2020, 12, 11))
    assert _record(client, plan, wugang, event_task, "2020-12-10").status_code == 302
    client = later(monkeypatch, personas, at(2020, 12, 18))
    assert _record(client, plan, wugang, event_task, "2020-12-18", "行政负责人出庭（案二）").status_code == 302
    first, second = TaskEvent.objects.filter(unit=wugang, task=event_task).order_by("occurred_on")
    assert first.recorded_by == personas.unit and first.description == "（2020）豫0481行初12号"
    assert AuditEvent.objects.filter(action="task_event.record", plan_id=plan.pk).count() == 2
    # evidence for the first event, on time (deadline 2020-12-17)
    client = later(monkeypatch, personas, at(2020, 12, 11))
    response = client.post(_url("upload", plan, wugang, event_task), {"files": [pdf("出庭笔录.pdf")], "event": first.pk})
    assert response.status_code == 302
    evidence = EvidenceFile.objects.get(submission__unit=wugang, submission__task=event_task)
    assert evidence.event == first
    upload = AuditEvent.objects.filter(action="evidence.upload", plan_id=plan.pk).get()
    assert upload.after["event"] == first.pk
    # 2020-12-28: the second event (deadline 2020-12-25) has nothing → 逾期未报
    client = later(monkeypatch, personas, at(2020, 12, 28))
    page = client.get(_url("task", plan, wugang, event_task))
    html = page.content.decode()
    assert "事件 2 件：按时 1 件，逾期 1 件" in html
    rows = page.context["events"]
    assert [(r.deadline, r.state) for r in rows] == [
        (dt.date(2020, 12, 17), EventState.ON_TIME),
        (dt.date(2020, 12, 25), EventState.MISSING),
    ]
    assert "2020-12-17 24:00" in html and "逾期未报" in html and "出庭笔录.pdf" in html
    # a late upload for the second event turns it into 逾期上传, still counted as 逾期
    client.post(_url("upload", plan, wugang, event_task), {"files": [pdf("出庭通知.pdf")], "event": second.pk})
    rows = client.get(_url("task", plan, wugang, event_task)).context["events"]
    assert [r.state for r in rows] == [EventState.ON_TIME, EventState.LATE]


def test_future_dates_dates_outside_the_year_and_empty_text_are_refused(personas, plan, wugang, event_task, in_window):
    client = personas.client(personas.unit)
    for date, text, message in [
        ("2020-12-21", "案一", "事件日期不能晚于今天"),  # now is 2020-12-20
        ("2019-12-31", "案一", "事件日期须在考核年度（2020年）内"),
        ("2020-12-01", "   ", "请填写事件说明"),
        ("not-a-date", "案一", "事件日期不是有效的日期"),
        ("2020-12-01", "案" * 201, "事件说明不能超过 200 字"),
    ]:
        response = client.post(
            _url("event_record", plan, wugang, event_task), {"occurred_on": date, "description": text}, follow=True
        )
        assert message in _messages(response), (date, text)
    assert not TaskEvent.objects.exists()
    assert not AuditEvent.objects.filter(action="task_event.record").exists()


def test_edit_and_delete_are_audited_and_a_deleted_event_leaves_a_trace(personas, plan, wugang, event_task, in_window):
    client = personas.client(personas.unit)
    _record(client, plan, wugang, event_task, "2020-12-10")
    event = TaskEvent.objects.get()
    client.post(_url("upload", plan, wugang, event_task), {"files": [pdf()], "event": event.pk})
    response = client.post(
        _url("event_update", plan, wugang, event_task, event.pk), {"occurred_on": "2020-12-11", "description": "改正后的案号"}
    )
    assert response.status_code == 302
    event.refresh_from_db()
    assert (event.occurred_on, event.description) == (dt.date(2020, 12, 11), "改正后的案号")
    change = AuditEvent.objects.get(action="task_event.update")
    assert change.before["description"] == "（2020）豫0481行初12号" and change.after["description"] == "改正后的案号"
    assert client.post(_url("event_delete", plan, wugang, event_task, event.pk)).status_code == 302
    event.refresh_from_db()
    assert event.deleted_at is not None and event.deleted_by == personas.unit
    assert AuditEvent.objects.get(action="task_event.delete").after == {"deleted": True, "files": 1}
    page = client.get(_url("task", plan, wugang, event_task))
    assert page.context["events"] == [] and page.context["deleted_events"] == [event]
    assert "已删除" in page.content.decode() and "事件 0 件" in page.content.decode()
    assert EvidenceFile.objects.get().withdrawn_at is None  # its file stays in the submission
    # a deleted event can be neither edited, deleted again, nor given files
    assert client.post(_url("event_delete", plan, wugang, event_task, event.pk)).status_code == 404
    assert client.post(_url("upload", plan, wugang, event_task), {"files": [pdf()], "event": event.pk}).status_code == 404


def test_events_freeze_once_the_desk_has_graded_and_after_the_deadline(personas, plan, wugang, event_task, monkeypatch):
    set_now(monkeypatch, at(2020, 12, 20))
    client = personas.client(personas.unit)
    _record(client, plan, wugang, event_task, "2020-12-10")
    event = TaskEvent.objects.get()
    Submission.objects.update_or_create(plan=plan, unit=wugang, task=event_task, defaults={"status": Submission.Status.EVALUATED})
    response = client.post(
        _url("event_record", plan, wugang, event_task), {"occurred_on": "2020-12-11", "description": "案"}, follow=True
    )
    assert "考核主体已评价该任务，事件不能再登记、修改或删除" in _messages(response)
    response = client.post(_url("event_delete", plan, wugang, event_task, event.pk), follow=True)
    assert "考核主体已评价该任务" in _messages(response)
    assert TaskEvent.objects.filter(deleted_at__isnull=True).count() == 1
    assert 'data-testid="events-locked"' in response.content.decode()
    Submission.objects.filter(unit=wugang, task=event_task).update(status=Submission.Status.SUBMITTED)
    client = later(monkeypatch, personas, at(2021, 1, 1, 0))  # the task's deadline (2020-12-31) has passed
    response = client.post(
        _url("event_record", plan, wugang, event_task), {"occurred_on": "2020-12-30", "description": "案"}, follow=True
    )
    assert "该任务已于 2020-12-31 截止" in _messages(response)
    assert TaskEvent.objects.count() == 1


# ------------------------------------------------------------------------------------------------ who may


def test_only_the_unit_itself_records_and_nobody_reaches_another_units_events(personas, plan, wugang, event_task, in_window):
    _record(personas.client(personas.unit), plan, wugang, event_task, "2020-12-10")
    event = TaskEvent.objects.get()
    for user in (personas.office, personas.desk, personas.unit2, personas.viewer, personas.other_office):
        client = personas.client(user)
        assert _record(client, plan, wugang, event_task).status_code == 404, user
        assert client.post(_url("event_delete", plan, wugang, event_task, event.pk)).status_code == 404, user
    assert personas.client(None).post(_url("event_record", plan, wugang, event_task)).status_code == 302  # to login
    assert TaskEvent.objects.count() == 1 and TaskEvent.objects.get().deleted_at is None
    # the desk and the office read the events; the other unit does not
    for user in (personas.desk, personas.office):
        page = personas.client(user).get(_url("task", plan, wugang, event_task))
        assert page.status_code == 200 and "（2020）豫0481行初12号" in page.content.decode()
        assert 'data-testid="event-form"' not in page.content.decode()
    assert personas.client(personas.unit2).get(_url("task", plan, wugang, event_task)).status_code == 404


def test_an_ordinary_task_takes_no_events_and_an_event_id_must_be_this_tasks(
    personas, plan, wugang, task, other_desk_task, in_window
):
    client = personas.client(personas.unit)
    assert _record(client, plan, wugang, task).status_code == 403
    Indicator.objects.filter(pk=other_desk_task.pk).update(event_label="履行复议决定")
    _record(client, plan, wugang, other_desk_task)
    foreign = TaskEvent.objects.get()
    # the event belongs to another task: 404, nothing stored
    assert client.post(_url("upload", plan, wugang, task), {"files": [pdf()], "event": foreign.pk}).status_code == 404
    assert not EvidenceFile.objects.exists()
    assert client.post(_url("event_delete", plan, wugang, task, foreign.pk)).status_code == 404


# ------------------------------------------------------------------------------------------------ the desk and the office


def test_the_desks_grid_shows_the_counts_beside_the_grade_in_constant_queries(personas, plan, wugang, event_task, monkeypatch):
    set_now(monkeypatch, at(2020, 12, 11))
    unit = personas.client(personas.unit)
    _record(unit, plan, wugang, event_task, "2020-12-01")  # deadline 2020-12-08: missing by now
    desk = personas.client(personas.desk)
    grid_url = reverse("scoring:grid", args=[plan.pk]) + f"?category={event_task.category_id}"
    desk.get(grid_url)
    with CaptureQueriesContext(connection) as one:
        page = desk.get(grid_url).content.decode()
    assert "事件 1 件：按时 0 件，逾期 1 件" in page
    for day in range(2, 8):
        _record(unit, plan, wugang, event_task, f"2020-12-{day:02d}")
    with CaptureQueriesContext(connection) as many:
        page = desk.get(grid_url).content.decode()
    assert "事件 7 件：按时 0 件，逾期" in page
    assert len(many.captured_queries) == len(one.captured_queries)
    unit_page = desk.get(reverse("scoring:unit", args=[plan.pk, wugang.pk])).content.decode()
    assert 'data-testid="unit-events"' in unit_page and "期限 2020-12-08" in unit_page and "逾期未报" in unit_page
    cell = desk.get(reverse("scoring:evaluate", args=[plan.pk, wugang.pk, event_task.pk])).content.decode()
    assert "事件 7 件" in cell


def test_overdue_events_reach_the_office_and_the_units_to_do_lists(personas, plan, wugang, event_task, monkeypatch):
    set_now(monkeypatch, at(2020, 12, 20))
    unit = personas.client(personas.unit)
    _record(unit, plan, wugang, event_task, "2020-12-01")  # overdue, nothing uploaded
    _record(unit, plan, wugang, event_task, "2020-12-18")  # due 2020-12-25
    home = personas.client(personas.office).get(reverse("core:home")).content.decode()
    assert "逾期未上传资料的事件（事件触发报送）" in home
    unit_home = unit.get(reverse("core:home")).content.decode()
    assert "已登记、待上传资料的事件" in unit_home and "逾期未上传资料的事件" in unit_home


def test_the_offices_overview_lists_the_overdue_events(personas, plan, wugang, event_task, monkeypatch):
    set_now(monkeypatch, at(2020, 12, 20))
    unit = personas.client(personas.unit)
    _record(unit, plan, wugang, event_task, "2020-12-01", "逾期的案件")  # due 2020-12-08, nothing uploaded
    _record(unit, plan, wugang, event_task, "2020-12-18", "未到期的案件")
    late = TaskEvent.objects.get(description="逾期的案件")
    unit.post(_url("upload", plan, wugang, event_task), {"files": [pdf()], "event": late.pk})  # late, but uploaded
    _record(unit, plan, wugang, event_task, "2020-12-02", "仍未上传的案件")
    office = personas.client(personas.office)
    response = office.get(reverse("submissions:overview", args=[plan.pk]))
    rows = response.context["overdue_events"]
    assert [(r.event.description, r.deadline) for r in rows] == [("仍未上传的案件", dt.date(2020, 12, 9))]
    assert "逾期未上传资料的事件（事件触发报送，1）" in response.content.decode()
    workspace = unit.get(reverse("submissions:workspace", args=[plan.pk])).content.decode()
    assert "事件触发：出庭应诉" in workspace
