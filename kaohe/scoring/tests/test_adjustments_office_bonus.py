"""考核办认定加分: the office awards a bonus itself, counted exactly like an approved application (issue 12, item 5)."""

from __future__ import annotations

from decimal import Decimal

from django.urls import reverse

from kaohe.core.models import AuditEvent
from kaohe.core.models_notification import Notification
from kaohe.plans.models import Plan
from kaohe.results.services import results_compute
from kaohe.results.tests.conftest import grade
from kaohe.scoring.models import BonusApplication
from kaohe.scoring.tests.conftest_adjustments import *  # noqa: F403
from kaohe.scoring.tests.conftest_adjustments import apply, decide, pdf, url

Status = BonusApplication.Status
Source = BonusApplication.Source
MATTERS = [
    "2020年被省法治政府建设领导小组命名为法治政府建设示范市",
    "行政复议体制改革经验被省司法厅转发推广",
    "“一网通办”做法被《法治日报》作为典型经验报道",
    "2020年被评为全省法治宣传教育先进单位",
    "重大行政决策合法性审查做法被司法部简报推介",
]


def award(client, plan, unit, matter: str, *, kind: str = "award", note: str = "", evidence=None, duplicate_of=None):
    data = {"unit": unit.pk, "kind": kind, "matter": matter, "note": note}
    if evidence is not None:
        data["evidence"] = evidence
    if duplicate_of is not None:
        data["duplicate_of"] = duplicate_of.pk
    return client.post(url("bonus_office_record", plan), data)


def _summary(client, plan):
    return client.get(url("adjustments_office", plan)).context["page"].summaries[0]


def test_office_bonus_counts_like_an_approved_application_under_the_cap(personas, plan, wugang):
    office = personas.client(personas.office)
    unit = personas.client(personas.unit)
    for matter in MATTERS[:3]:
        assert apply(unit, plan, matter).status_code == 302
        assert decide(office, plan, BonusApplication.objects.get(matter=matter), "approve").status_code == 302
    response = award(office, plan, wugang, MATTERS[3], evidence=pdf())
    assert response.status_code == 302, response.content.decode()
    bonus = BonusApplication.objects.get(matter=MATTERS[3])
    assert (bonus.source, bonus.status, bonus.points) == (Source.OFFICE, Status.APPROVED, Decimal("1.00"))
    assert bonus.decision_reason == "考核办依据日常掌握情况认定" and bonus.evidence_sha256
    event = AuditEvent.objects.get(action="bonus.office_record", plan_id=plan.pk)
    assert event.after["matter"] == MATTERS[3] and event.after["source"] == "office"
    assert Notification.objects.filter(user=personas.unit, title__startswith="考核办认定加分").count() == 1
    assert _summary(office, plan).bonus_total == Decimal("4.00")

    assert award(office, plan, wugang, MATTERS[4], note="市小组办依据日常工作掌握情况认定").status_code == 302
    assert award(office, plan, wugang, "法治督察工作被省通报表扬").status_code == 302
    summary = _summary(office, plan)
    assert summary.bonus_uncapped == Decimal("6.00") and summary.bonus_total == Decimal("5.00") and summary.capped
    page = unit.get(url("adjustments_unit", plan))
    assert page.context["page"].summary.bonus_total == Decimal("5.00")
    assert page.content.decode().count('data-testid="office-source"') == 3


def test_the_same_matter_counts_once_with_an_explicit_link(personas, plan, wugang, sfj):
    office = personas.client(personas.office)
    apply(personas.client(personas.unit), plan, "省级表彰")
    decide(office, plan, BonusApplication.objects.get(matter="省级表彰"), "approve")
    first = BonusApplication.objects.get(matter="省级表彰")

    response = award(office, plan, wugang, " 省级 表彰 ")
    assert response.status_code == 400
    assert "同一事项不重复加分" in response.content.decode()
    assert BonusApplication.objects.filter(source=Source.OFFICE).count() == 0

    # Linking to another unit's bonus is refused; linking to the unit's own counts once.
    other = BonusApplication.objects.create(
        plan=plan, unit=sfj, kind="award", matter="部门表彰", applied_by=personas.unit2, status=Status.APPROVED
    )
    response = award(office, plan, wugang, "省政府表彰", duplicate_of=other)
    assert response.status_code == 400 and "只能关联本单位已认定的其他加分" in response.content.decode()
    assert award(office, plan, wugang, "省政府表彰", duplicate_of=first).status_code == 302
    linked = BonusApplication.objects.get(matter="省政府表彰")
    assert linked.duplicate_of_id == first.pk
    assert _summary(office, plan).bonus_total == Decimal("1.00")

    # A unit's later application for a matter the office already awarded needs the same explicit link.
    apply(personas.client(personas.unit), plan, "省 政府表彰")
    response = decide(office, plan, BonusApplication.objects.get(matter="省 政府表彰"), "approve")
    assert BonusApplication.objects.get(matter="省 政府表彰").status == Status.PENDING


def test_breakdown_shows_the_source(personas, plan, wugang):
    office = personas.client(personas.office)
    assert award(office, plan, wugang, "法治督察工作被省通报表扬").status_code == 302
    for unit in plan.units.all():
        grade(plan, unit, personas.desk)
    snapshot = results_compute(actor=personas.office, plan=plan, missing_policy="report")
    page = office.get(reverse("results:breakdown", args=[plan.pk, snapshot.pk, wugang.pk])).content.decode()
    assert "法治督察工作被省通报表扬" in page and "（考核办认定）" in page
    assert snapshot.data["categories"][f"c{wugang.category_id}"]["units"][f"u{wugang.pk}"]["bonus_total"] == "1.00"


def test_bad_input_is_refused_with_a_message(personas, plan, wugang):
    office = personas.client(personas.office)
    for data, message in (
        ({"unit": wugang.pk, "kind": "", "matter": "某事项"}, "请选择加分类型"),
        ({"unit": wugang.pk, "kind": "award", "matter": "   "}, "请填写加分事项"),
        ({"unit": "", "kind": "award", "matter": "某事项"}, "请选择考核对象"),
        ({"unit": wugang.pk, "kind": "award", "matter": "某事项", "note": "长" * 2001}, "2000"),
    ):
        response = office.post(url("bonus_office_record", plan), data)
        assert response.status_code == 400 and message in response.content.decode(), data
    assert not BonusApplication.objects.exists()


def test_refused_when_frozen(personas, plan, wugang):
    Plan.objects.filter(pk=plan.pk).update(status=Plan.Status.RESULTS_PUBLISHED)
    assert award(personas.client(personas.office), plan, wugang, "迟到的认定").status_code == 403
    assert not BonusApplication.objects.exists()


def test_only_the_office_of_the_plan_awards(personas, plan, wugang):
    for user, status in (
        (personas.unit, 403),
        (personas.unit2, 403),
        (personas.desk, 403),
        (personas.viewer, 403),
        (personas.other_office, 404),
        (personas.sysadmin, 404),
    ):
        assert award(personas.client(user), plan, wugang, "自封的加分").status_code == status, user
    assert award(personas.client(None), plan, wugang, "自封的加分").status_code == 302
    assert not BonusApplication.objects.exists()
