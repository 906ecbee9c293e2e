"""The office records deductions (1–3 points, the related task scores 0, the same matter once) and veto flags."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kaohe.core.models import AuditEvent
from kaohe.core.models_notification import Notification
from kaohe.plans.constants import Level
from kaohe.plans.models import Indicator
from kaohe.scoring import services_adjustments
from kaohe.scoring.models import BonusApplication, Deduction, VetoFlag
from kaohe.scoring.tests.conftest_adjustments import *  # noqa: F403
from kaohe.scoring.tests.conftest_adjustments import deduction, messages_of, record_deduction, url


def _summary(client, plan, unit):
    page = client.get(url("adjustments_office", plan)).context["page"]
    return next(s for s in page.summaries if s.unit == unit)


def test_office_records_a_deduction_the_task_scores_zero_and_the_unit_sees_it(personas, plan, wugang, county_task):
    office = personas.client(personas.office)
    response = record_deduction(office, plan, wugang, points="2.5", task=county_task)
    assert response.status_code == 302, response.content.decode()
    recorded = deduction("超越法定权限作出重大行政决策")
    assert recorded.points == Decimal("2.50") and recorded.task == county_task and recorded.recorded_by == personas.office
    event = AuditEvent.objects.get(action="deduction.record", object_id=str(recorded.pk))
    assert event.after["points"] == "2.50" and event.after["task"] == county_task.code
    assert Notification.objects.filter(user=personas.unit, title__startswith="减分").exists()

    summary = _summary(office, plan, wugang)
    assert summary.deduction_total == Decimal("2.50")
    assert summary.counted_deductions[0].task_ids == (county_task.pk,)
    page = personas.client(personas.unit).get(url("adjustments_unit", plan))
    assert page.context["page"].summary.deduction_total == Decimal("2.50")
    assert county_task.code in page.content.decode() and "按零分计算" in page.content.decode()
    other = personas.client(personas.unit2).get(url("adjustments_unit", plan)).content.decode()
    assert "超越法定权限作出重大行政决策" not in other


@pytest.mark.parametrize(
    ("points", "ok"),
    [
        ("1", True),
        ("3", True),
        ("2.5", True),
        ("1.25", True),
        ("0", False),
        ("0.5", False),
        ("4", False),
        ("3.01", False),
        ("1.005", False),
        ("abc", False),
    ],
)
def test_deduction_points_are_1_to_3(personas, plan, wugang, points, ok):
    response = record_deduction(personas.client(personas.office), plan, wugang, points=points)
    assert Deduction.objects.exists() is ok
    if not ok:
        assert response.status_code == 400
        text = response.content.decode()
        assert "减分须在 1 至 3 分之间" in text or "小数" in text or "数字" in text, text
        assert not AuditEvent.objects.filter(action="deduction.record").exists()


@pytest.mark.parametrize(("points", "ok"), [("4.5", True), ("0.5", True), ("5.01", False), ("0.4", False)])
def test_deduction_points_follow_the_plans_range(personas, plan, wugang, points, ok):
    """A plan whose rules say 扣0.5至5分: the row takes what the plan allows (not Pingdingshan's fixed 1–3)."""
    from kaohe.plans.models import ScoringPolicy

    ScoringPolicy.objects.filter(plan=plan).update(deduction_min=Decimal("0.5"), deduction_max=Decimal(5))
    response = record_deduction(personas.client(personas.office), plan, wugang, points=points)
    assert Deduction.objects.exists() is ok
    if ok:
        assert Deduction.objects.get().points == Decimal(points)
    else:
        assert response.status_code == 400 and "减分须在 0.5 至 5 分之间" in response.content.decode()


def test_the_related_task_must_be_of_the_units_category(personas, plan, sfj, county_task, dept_task):
    office = personas.client(personas.office)
    response = record_deduction(office, plan, sfj, task=county_task)
    assert response.status_code == 400
    assert "不在市司法局所属类别（部门2）的指标体系中" in response.content.decode()
    assert not Deduction.objects.exists()
    assert record_deduction(office, plan, sfj, task=dept_task).status_code == 302
    assert Deduction.objects.get().task == dept_task


def test_bad_input_is_refused_with_a_message(personas, plan, wugang):
    office = personas.client(personas.office)
    assert "请填写减分事项" in record_deduction(office, plan, wugang, matter="  ").content.decode()
    assert "请填写情况说明" in record_deduction(office, plan, wugang, reason="").content.decode()
    response = record_deduction(office, plan, wugang, kind="")
    assert response.status_code == 400 and "请选择减分情形" in response.content.decode()
    response = office.post(
        url("deduction_record", plan), {"unit": 999999, "kind": "other", "matter": "m", "points": "1", "reason": "r"}
    )
    assert response.status_code == 400
    assert not Deduction.objects.exists()


def test_the_same_deduction_matter_counts_once(personas, plan, wugang, county_task):
    office = personas.client(personas.office)
    second_task = (
        Indicator.objects.filter(category=county_task.category, level=Level.TASK)
        .exclude(pk=county_task.pk)
        .order_by("order")
        .first()
    )
    record_deduction(office, plan, wugang, matter="违法拆除民房引发群体性事件", points="2", task=county_task)
    first = deduction("违法拆除民房引发群体性事件")
    response = record_deduction(office, plan, wugang, matter="违法拆除民房 引发群体性事件", points="3", task=second_task)
    assert response.status_code == 400 and "同一事项不重复扣分" in response.content.decode()
    response = record_deduction(
        office, plan, wugang, matter="违法拆除民房 引发群体性事件", points="3", task=second_task, duplicate_of=first.pk
    )
    assert response.status_code == 302
    assert Deduction.objects.get(task=second_task).duplicate_of == first

    # A third wording, linked afterwards by the office.
    record_deduction(office, plan, wugang, matter="强拆事件（媒体曝光）", points="1")
    third = deduction("强拆事件（媒体曝光）")
    assert office.post(url("deduction_link", plan, third.pk), {"duplicate_of": first.pk}).status_code == 302
    third.refresh_from_db()
    assert third.duplicate_of == first
    assert AuditEvent.objects.get(action="deduction.link", object_id=str(third.pk)).after["duplicate_of"] == first.pk

    summary = _summary(office, plan, wugang)
    assert summary.deduction_total == Decimal("3.00")  # one matter, at the higher points
    assert len(summary.counted_deductions) == 1
    assert set(summary.counted_deductions[0].task_ids) == {county_task.pk, second_task.pk}  # both tasks score 0
    # Cannot link a deduction to itself or to another unit's.
    assert office.post(url("deduction_link", plan, third.pk), {"duplicate_of": third.pk}).status_code == 302
    third.refresh_from_db()
    assert third.duplicate_of == first


def test_withdrawal_is_logged_and_never_deletes(personas, plan, wugang):
    office = personas.client(personas.office)
    record_deduction(office, plan, wugang)
    item = deduction("超越法定权限作出重大行政决策")
    target = url("deduction_withdraw", plan, item.pk)
    for user, status in (
        (personas.unit, 403),
        (personas.unit2, 404),
        (personas.desk, 404),
        (personas.viewer, 404),
        (personas.other_office, 404),
    ):
        assert personas.client(user).post(target, {"reason": "越权"}).status_code == status, user
    response = office.post(target, {"reason": ""})
    assert any("撤销理由" in m for m in messages_of(office.get(response.url)))
    item.refresh_from_db()
    assert item.withdrawn_at is None

    assert office.post(target, {"reason": "经复核，该决策已履行合法性审查程序"}).status_code == 302
    item.refresh_from_db()
    assert item.withdrawn_at is not None
    event = AuditEvent.objects.get(action="deduction.withdraw", object_id=str(item.pk))
    assert event.before["matter"] == item.matter and event.after["reason"] == "经复核，该决策已履行合法性审查程序"
    assert _summary(office, plan, wugang).deduction_total == Decimal("0.00")
    assert "已撤销" in personas.client(personas.unit).get(url("adjustments_unit", plan)).content.decode()
    office.post(target, {"reason": "再次撤销"})
    assert AuditEvent.objects.filter(action="deduction.withdraw").count() == 1
    assert Deduction.objects.filter(pk=item.pk).exists()


def test_veto_flags_are_set_and_cleared_by_the_office(personas, plan, wugang, sfj):
    office = personas.client(personas.office)
    data = {"unit": wugang.pk, "flag": "two_lost_lawsuits", "note": "（2020）豫04行终12号、（2020）豫04行终31号"}
    assert office.post(url("veto_flag_set", plan), data).status_code == 302
    flag = VetoFlag.objects.get(unit=wugang)
    assert flag.flag == "two_lost_lawsuits" and flag.recorded_by == personas.office
    assert AuditEvent.objects.get(action="veto.set", object_id=str(flag.pk)).after["flag"] == "two_lost_lawsuits"
    response = office.post(url("veto_flag_set", plan), data)
    assert response.status_code == 400 and "已记录" in response.content.decode()
    response = office.post(url("veto_flag_set", plan), {**data, "note": ""})
    assert response.status_code == 400
    response = office.post(url("veto_flag_set", plan), {**data, "flag": "bad_mood"})
    assert response.status_code == 400
    assert VetoFlag.objects.count() == 1
    summary = _summary(office, plan, wugang)
    assert [row.label for row in summary.flags] == ["年度内行政诉讼败诉两起以上"]

    for user, status in (
        (personas.unit, 403),
        (personas.unit2, 403),
        (personas.desk, 403),
        (personas.viewer, 403),
        (personas.other_office, 404),
    ):
        assert personas.client(user).post(url("veto_flag_set", plan), {**data, "unit": sfj.pk}).status_code == status, user
    target = url("veto_flag_clear", plan, flag.pk)
    for user in (personas.unit, personas.unit2, personas.desk, personas.viewer, personas.other_office):
        assert personas.client(user).post(target, {"reason": "x"}).status_code == 404, user
    assert "否决情形" not in personas.client(personas.unit).get(url("adjustments_unit", plan)).content.decode()

    office.post(target, {"reason": ""})
    assert VetoFlag.objects.filter(pk=flag.pk).exists()
    assert office.post(target, {"reason": "二审改判，败诉案件为一起"}).status_code == 302
    assert not VetoFlag.objects.exists()
    event = AuditEvent.objects.get(action="veto.clear", object_id=str(flag.pk))
    assert event.before["flag"] == "two_lost_lawsuits" and event.after["reason"] == "二审改判，败诉案件为一起"


def test_only_the_office_reaches_the_office_page_and_its_forms(personas, plan, wugang):
    for user, status in (
        (personas.office, 200),
        (personas.desk, 403),
        (personas.desk2, 403),
        (personas.unit, 403),
        (personas.unit2, 403),
        (personas.viewer, 403),
        (personas.sysadmin, 404),
        (personas.other_office, 404),
        (personas.other_unit, 404),
    ):
        assert personas.client(user).get(url("adjustments_office", plan)).status_code == status, user
        if user != personas.office:
            assert record_deduction(personas.client(user), plan, wugang).status_code in (403, 404), user
    assert personas.client(None).get(url("adjustments_office", plan)).status_code == 302
    assert not Deduction.objects.exists()
    # Another city's office has its own (draft) plan: ours does not exist for it, nor its for ours.
    record_deduction(personas.client(personas.office), plan, wugang)
    item = deduction("超越法定权限作出重大行政决策")
    assert (
        personas.client(personas.other_office).post(url("deduction_link", plan, item.pk), {"duplicate_of": item.pk}).status_code
        == 404
    )
    assert personas.client(personas.unit).post(url("deduction_link", plan, item.pk), {"duplicate_of": item.pk}).status_code == 403


def test_office_page_filters_by_unit(personas, plan, wugang, sfj):
    office = personas.client(personas.office)
    record_deduction(office, plan, wugang, matter="舞钢的减分")
    record_deduction(office, plan, sfj, matter="司法局的减分")
    office.get(url("adjustments_office", plan))  # shows (and consumes) the success messages
    page = office.get(url("adjustments_office", plan), {"unit": wugang.pk}).content.decode()
    assert "舞钢的减分" in page and "司法局的减分" not in page
    assert office.get(url("adjustments_office", plan), {"unit": "abc"}).status_code == 200
    # Acting on a row brings the office back to the unit it was looking at.
    response = office.post(
        url("deduction_withdraw", plan, deduction("舞钢的减分").pk), {"reason": "误录", "back_unit": wugang.pk}
    )
    assert response.url.endswith(f"?unit={wugang.pk}#deductions")
    assert "当前只显示舞钢市人民政府的加减分" in office.get(response.url).content.decode()


def test_recording_a_deduction_keeps_the_list_the_office_was_looking_at(personas, plan, wugang, sfj):
    """Recording from the unfiltered page returns to the unfiltered page (it used to narrow to the unit silently)."""
    office = personas.client(personas.office)
    response = record_deduction(office, plan, wugang, matter="舞钢的减分")
    assert response.url.endswith("/adjustments/office/#deductions"), response.url
    page = office.get(response.url).content.decode()
    assert "当前只显示" not in page and "已记录舞钢市人民政府减分" in page


def _make_rows(plan, unit, actor, n: int, offset: int = 0) -> None:
    for i in range(offset, offset + n):
        app = BonusApplication.objects.create(plan=plan, unit=unit, kind="award", matter=f"事项{i}", applied_by=actor)
        if i % 2:
            app.status = BonusApplication.Status.APPROVED
            app.save()
        Deduction.objects.create(
            plan=plan, unit=unit, kind="other", matter=f"减分{i}", points=Decimal(1), reason="r", recorded_by=actor
        )


def test_office_page_query_count_is_constant(personas, plan, wugang, sfj):
    office = personas.client(personas.office)
    office.get(url("adjustments_office", plan))  # warm the session

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert office.get(url("adjustments_office", plan)).status_code == 200
        return len(queries)

    _make_rows(plan, wugang, personas.unit, 2)
    services_adjustments.veto_flag_set(actor=personas.office, plan=plan, unit=wugang, flag="two_lost_lawsuits", note="案号")
    few = count()
    _make_rows(plan, wugang, personas.unit, 20, offset=2)
    _make_rows(plan, sfj, personas.unit2, 20, offset=100)
    services_adjustments.veto_flag_set(actor=personas.office, plan=plan, unit=sfj, flag="principal_absent", note="案号")
    assert count() == few
    assert few == 14  # 13 + the plan's veto conditions for the flag form (scoring rules page)
