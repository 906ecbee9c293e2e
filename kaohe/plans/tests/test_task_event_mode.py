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
