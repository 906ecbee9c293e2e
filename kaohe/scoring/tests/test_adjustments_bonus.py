"""A unit applies for bonus points with evidence; the office approves (the same matter once, capped at 5) or rejects."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.files.storage import default_storage

from kaohe.core.models import AuditEvent
from kaohe.core.models_notification import Notification
from kaohe.plans.models import Plan
from kaohe.scoring.models import BonusApplication
from kaohe.scoring.tests.conftest_adjustments import *  # noqa: F403
from kaohe.scoring.tests.conftest_adjustments import PDF, application, apply, decide, messages_of, pdf, url

Status = BonusApplication.Status
MATTERS = [
    "2020年被省法治政府建设领导小组命名为法治政府建设示范市",
    "行政复议体制改革经验被省司法厅转发推广",
    "“一网通办”做法被《法治日报》作为典型经验报道",
    "2020年被评为全省法治宣传教育先进单位",
    "重大行政决策合法性审查做法被司法部简报推介",
    "行政执法“三项制度”经验被省政府通报表扬",
]


def _stored(plan, unit) -> list[str]:
    folder = f"bonus/plan-{plan.pk}/unit-{unit.pk}"
    return default_storage.listdir(folder)[1] if default_storage.exists(folder) else []


def test_unit_applies_office_approves_and_the_total_is_capped_at_5(personas, plan, wugang):
    unit = personas.client(personas.unit)
    for i, matter in enumerate(MATTERS):
        response = apply(unit, plan, matter, evidence=pdf() if i == 0 else None, description="省法治政府建设领导小组文件")
        assert response.status_code == 302, response.content.decode()
    assert BonusApplication.objects.filter(unit=wugang, status=Status.PENDING).count() == 6
    assert AuditEvent.objects.filter(action="bonus.apply", plan_id=plan.pk).count() == 6
    first = application(MATTERS[0])
    assert first.evidence_sha256 and first.evidence_storage_name.startswith(f"bonus/plan-{plan.pk}/unit-{wugang.pk}/")
    page = unit.get(url("adjustments_unit", plan))
    assert page.status_code == 200 and page.content.decode().count("待审核</span>") == 6

    office = personas.client(personas.office)
    for matter in MATTERS:
        assert decide(office, plan, application(matter), "approve").status_code == 302
    assert BonusApplication.objects.filter(unit=wugang, status=Status.APPROVED).count() == 6
    assert AuditEvent.objects.filter(action="bonus.decide", plan_id=plan.pk).count() == 6
    assert Notification.objects.filter(user=personas.unit, title__startswith="加分申请已认定").count() == 6

    summary = office.get(url("adjustments_office", plan)).context["page"].summaries[0]
    assert summary.unit == wugang
    assert summary.bonus_uncapped == Decimal("6.00") and summary.bonus_total == Decimal("5.00") and summary.capped
    unit_page = unit.get(url("adjustments_unit", plan))
    assert unit_page.context["page"].summary.bonus_total == Decimal("5.00")
    assert "按上限 5 分计" in unit_page.content.decode()

    # Nobody else decides, and another unit does not even see the application.
    pending = BonusApplication.objects.create(plan=plan, unit=wugang, kind="award", matter="另一事项", applied_by=personas.unit)
    for user, status in (
        (personas.unit, 403),
        (personas.unit2, 404),
        (personas.desk, 404),
        (personas.viewer, 404),
        (personas.other_office, 404),
    ):
        assert decide(personas.client(user), plan, pending, "approve").status_code == status, user
    pending.refresh_from_db()
    assert pending.status == Status.PENDING


def test_the_same_matter_counts_once_and_the_office_links_duplicates(personas, plan, wugang, sfj):
    unit = personas.client(personas.unit)
    office = personas.client(personas.office)
    original = "2020年获评省级法治政府建设示范单位"
    retyped = "2020年 获评省级法治政府建设示范单位"  # the same matter, typed again
    reworded = "省级法治政府建设示范单位称号（媒体报道）"  # the same matter in the office's judgement
    for matter, kind in ((original, "award"), (retyped, "award"), (reworded, "media")):
        assert apply(unit, plan, matter, kind=kind).status_code == 302
    decide(office, plan, application(original), "approve")

    page = office.get(url("adjustments_office", plan)).content.decode()
    assert 'data-testid="same-matter"' in page and "如认定，须选择“与之为同一事项”" in page

    response = decide(office, plan, application(retyped), "approve")
    assert any("同一事项不重复加分" in m for m in messages_of(office.get(response.url)))
    assert application(retyped).status == Status.PENDING

    # A link to another unit's approved application is refused.
    other = BonusApplication.objects.create(
        plan=plan, unit=sfj, kind="award", matter="他单位事项", applied_by=personas.unit2, status=Status.APPROVED
    )
    decide(office, plan, application(retyped), "approve", duplicate_of=other)
    assert application(retyped).status == Status.PENDING

    assert decide(office, plan, application(retyped), "approve", duplicate_of=application(original)).status_code == 302
    assert decide(office, plan, application(reworded), "approve", duplicate_of=application(retyped)).status_code == 302
    linked = application(reworded)
    assert linked.status == Status.APPROVED and linked.duplicate_of == application(original)  # linked to the root
    event = AuditEvent.objects.filter(action="bonus.decide", object_id=str(linked.pk)).get()
    assert event.after["duplicate_of"] == application(original).pk

    summary = next(s for s in office.get(url("adjustments_office", plan)).context["page"].summaries if s.unit == wugang)
    assert len(summary.approved) == 3
    assert summary.bonus_total == Decimal("1.00")
    assert [m.matter for m in summary.counted_bonuses] == [original]


def test_rejection_needs_a_written_reason(personas, plan, wugang):
    unit = personas.client(personas.unit)
    office = personas.client(personas.office)
    apply(unit, plan, "市级媒体报道")
    response = decide(office, plan, application("市级媒体报道"), "reject")
    assert any("不予认定须写明理由" in m for m in messages_of(office.get(response.url)))
    assert application("市级媒体报道").status == Status.PENDING
    assert not AuditEvent.objects.filter(action="bonus.decide").exists()

    decide(office, plan, application("市级媒体报道"), "reject", reason="报道媒体为县级媒体，不符合“市级以上新闻媒体”的条件")
    rejected = application("市级媒体报道")
    assert rejected.status == Status.REJECTED and rejected.decided_by == personas.office
    assert AuditEvent.objects.filter(action="bonus.decide", object_id=str(rejected.pk)).get().after["status"] == "rejected"
    assert Notification.objects.filter(user=personas.unit, title__startswith="加分申请不予认定").exists()
    page = unit.get(url("adjustments_unit", plan)).content.decode()
    assert "不予认定" in page and "不符合“市级以上新闻媒体”的条件" in page
    # Decided once: no second decision.
    decide(office, plan, rejected, "approve")
    assert application("市级媒体报道").status == Status.REJECTED


def test_withdraw_only_while_pending_and_only_by_the_unit(personas, plan, wugang, django_capture_on_commit_callbacks):
    unit = personas.client(personas.unit)
    apply(unit, plan, "待撤回的事项", evidence=pdf())
    apply(unit, plan, "已认定的事项")
    pending = application("待撤回的事项")
    approved = application("已认定的事项")
    decide(personas.client(personas.office), plan, approved, "approve")

    for user, status in (
        (personas.office, 403),
        (personas.unit2, 404),
        (personas.desk, 404),
        (personas.viewer, 404),
        (personas.other_office, 404),
    ):
        assert personas.client(user).post(url("bonus_withdraw", plan, pending.pk)).status_code == status, user
    assert BonusApplication.objects.filter(pk=pending.pk).exists()

    with django_capture_on_commit_callbacks(execute=True):
        assert unit.post(url("bonus_withdraw", plan, pending.pk)).status_code == 302
    assert not BonusApplication.objects.filter(pk=pending.pk).exists()
    assert not default_storage.exists(pending.evidence_storage_name)
    event = AuditEvent.objects.get(action="bonus.withdraw", object_id=str(pending.pk))
    assert event.before["matter"] == "待撤回的事项" and event.before["sha256"] == pending.evidence_sha256

    response = unit.post(url("bonus_withdraw", plan, approved.pk))
    assert any("只有待审核的申请可以撤回" in m for m in messages_of(unit.get(response.url)))
    assert application("已认定的事项").status == Status.APPROVED


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"kind": "award", "matter": "   "}, "请填写加分事项"),
        ({"kind": "", "matter": "省级表彰"}, "请选择加分类型"),
        ({"kind": "bribe", "matter": "省级表彰"}, "选择一个有效的选项"),
        (
            {"kind": "award", "matter": "省级表彰", "evidence": pdf("程序.pdf", b"MZ\x90\x00\x03" + b"\x00" * 200)},
            "佐证材料未保存",
        ),
        (
            {"kind": "award", "matter": "省级表彰", "evidence": pdf("页面.pdf", b"<html><script>alert(1)</script></html>")},
            "佐证材料未保存",
        ),
    ],
)
def test_bad_input_is_refused_with_a_message_and_nothing_is_saved(personas, plan, wugang, data, message):
    before = _stored(plan, wugang)
    response = personas.client(personas.unit).post(url("bonus_apply", plan), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not BonusApplication.objects.exists()
    assert not AuditEvent.objects.filter(action="bonus.apply").exists()
    assert _stored(plan, wugang) == before


def test_oversize_evidence_is_refused_and_nothing_is_saved(personas, plan, wugang, settings):
    settings.KAOHE_EVIDENCE_MAX_BYTES = 1024
    before = _stored(plan, wugang)
    response = apply(personas.client(personas.unit), plan, "省级表彰", evidence=pdf(body=PDF + b"0" * 4096))
    assert response.status_code == 400
    assert "超过" in response.content.decode()
    assert not BonusApplication.objects.exists()
    assert _stored(plan, wugang) == before


def test_evidence_download_for_the_unit_and_the_office_only(personas, plan, wugang):
    apply(personas.client(personas.unit), plan, "省级表彰", evidence=pdf("表彰决定.pdf"))
    apply(personas.client(personas.unit), plan, "没有附件的事项")
    item = application("省级表彰")
    target = url("bonus_evidence", plan, item.pk)
    for user in (personas.unit, personas.office):
        response = personas.client(user).get(target)
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == PDF
        assert (
            response["Content-Disposition"].startswith("attachment;") and "filename*=UTF-8''" in response["Content-Disposition"]
        )
        assert response["X-Content-Type-Options"] == "nosniff"
    assert AuditEvent.objects.filter(action="bonus.evidence_download", object_id=str(item.pk)).count() == 2
    for user in (
        personas.unit2,
        personas.desk,
        personas.desk2,
        personas.viewer,
        personas.sysadmin,
        personas.other_office,
        personas.other_unit,
    ):
        assert personas.client(user).get(target).status_code == 404, user
    assert personas.client(None).get(target).status_code == 302
    assert personas.client(personas.unit).get(url("bonus_evidence", plan, application("没有附件的事项").pk)).status_code == 404
    assert AuditEvent.objects.filter(action="bonus.evidence_download").count() == 2


def test_who_may_apply_and_who_sees_which_applications(personas, plan, wugang, sfj):
    for user, status in (
        (personas.office, 403),
        (personas.desk, 403),
        (personas.viewer, 403),
        (personas.sysadmin, 404),
        (personas.other_office, 404),
        (personas.other_unit, 404),
    ):
        assert apply(personas.client(user), plan, "越权申请").status_code == status, user
    assert not BonusApplication.objects.exists()

    apply(personas.client(personas.unit), plan, "舞钢的事项")
    apply(personas.client(personas.unit2), plan, "司法局的事项")
    assert application("舞钢的事项").unit == wugang and application("司法局的事项").unit == sfj  # always one's own unit
    page = personas.client(personas.unit2).get(url("adjustments_unit", plan)).content.decode()
    assert "司法局的事项" in page and "舞钢的事项" not in page
    assert personas.client(personas.office).get(url("adjustments_unit", plan)).status_code == 302
    for user, status in ((personas.desk, 403), (personas.viewer, 403), (personas.other_office, 404), (personas.other_unit, 404)):
        assert personas.client(user).get(url("adjustments_unit", plan)).status_code == status, user


def test_nothing_changes_once_the_plan_is_no_longer_in_progress(personas, plan, wugang):
    apply(personas.client(personas.unit), plan, "省级表彰")
    Plan.objects.filter(pk=plan.pk).update(status=Plan.Status.RESULTS_PUBLISHED)
    assert apply(personas.client(personas.unit), plan, "迟到的申请").status_code == 403
    assert decide(personas.client(personas.office), plan, application("省级表彰"), "approve").status_code == 403
    assert application("省级表彰").status == Status.PENDING
    assert "不能再申请加分" in personas.client(personas.unit).get(url("adjustments_unit", plan)).content.decode()
