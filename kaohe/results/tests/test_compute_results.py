"""The office computes results: engine integration, missing evaluations, snapshots, digest, previous year, command.

On the small city of tests/city.py (10 units in three categories); 部门1 is graded by the ``graded_dept1`` fixture.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db.models import Sum
from django.urls import reverse

from kaohe.core.models import AuditEvent
from kaohe.plans.constants import Adjustment, Level, Method
from kaohe.plans.models import Indicator, Plan
from kaohe.results import services
from kaohe.results.loader import canonical_json, digest_of
from kaohe.results.models import ResultSnapshot, SnapshotImmutable
from kaohe.results.tests.conftest import grade, unit_named
from kaohe.scoring import services as scoring_services
from kaohe.scoring.models import BonusApplication, Deduction, Evaluation, NotApplicable, VetoFlag
from tests import factories as f


def _compute(personas, plan, **data):
    return personas.client(personas.office).post(reverse("results:compute", args=[plan.pk]), data)


def _units(snapshot, category):
    return snapshot.data["categories"][f"c{category.pk}"]["units"]


def test_office_computes_ranks_and_converts_others_may_not(personas, plan, graded_dept1):
    wangxin, press, secrecy = graded_dept1
    url = reverse("results:compute", args=[plan.pk])
    # Denied first: nobody else computes; insiders get 403, outsiders 404, anonymous goes to login.
    for user, status in (
        (personas.desk, 403),
        (personas.unit, 403),
        (personas.viewer, 403),
        (personas.other_office, 404),
        (personas.sysadmin, 404),
        (None, 302),
    ):
        assert personas.client(user).post(url, {"missing_policy": "report"}).status_code == status, user
    assert not ResultSnapshot.objects.filter(plan=plan).exists()

    response = _compute(personas, plan, missing_policy="report")
    snapshot = ResultSnapshot.objects.get(plan=plan)
    assert response.status_code == 302
    assert response["Location"] == reverse("results:snapshot", args=[plan.pk, snapshot.pk])
    units = _units(snapshot, wangxin.category)
    # 部门1: the table holds 15 points; 12.35 × 100 / 15 = 82.333… → 82.33 (docs/scoring.md "部门1 from 15").
    assert (
        units[f"u{wangxin.pk}"].items()
        >= {
            "raw": "12.35",
            "applicable_max": "15.00",
            "converted": "82.33",
            "final": "82.33",
            "rank": 3,
        }.items()
    )
    assert (units[f"u{press.pk}"]["final"], units[f"u{press.pk}"]["rank"]) == ("100.00", 1)
    assert (units[f"u{secrecy.pk}"]["final"], units[f"u{secrecy.pk}"]["rank"]) == ("90.00", 2)
    meta = snapshot.data["categories"][f"c{wangxin.category_id}"]["meta"]
    assert meta["status"] == "complete"
    assert meta["ranked"] == [press.pk, secrecy.pk, wangxin.pk]
    # Default bands: 优秀 ≥ 90 for at most 30 % (of 3 units: 0 places), so all three are 良好.
    assert {u["grade"] for u in units.values()} == {"良好"}
    # The other categories have nothing graded: the snapshot is incomplete and says so.
    assert snapshot.complete is False
    assert snapshot.unit_count == 10 and snapshot.scored_count == 3
    page = personas.client(personas.office).get(response["Location"] + f"?category={wangxin.category_id}").content.decode()
    assert "评价未齐" in page
    assert page.index("市新闻出版局") < page.index("市委机要保密局") < page.index("市委网信办")
    assert "82.33" in page
    event = AuditEvent.objects.get(action="results.compute", object_id=str(snapshot.pk))
    assert event.after["inputs_digest"] == snapshot.inputs_digest
    assert event.actor_id == personas.office.pk


def test_missing_evaluations_are_reported_or_zeroed_by_a_recorded_decision(personas, plan, dept1):
    wangxin, press, secrecy = dept1
    grade(plan, wangxin, personas.office, skip={"1.2.1", "2.1.1"})
    grade(plan, press, personas.office)
    grade(plan, secrecy, personas.office)

    _compute(personas, plan, missing_policy="report")
    report = ResultSnapshot.objects.get(plan=plan)
    unit = _units(report, wangxin.category)[f"u{wangxin.pk}"]
    assert (unit["scored"], unit["final"], unit["rank"], unit["missing"]) == (False, None, None, 2)
    assert report.data["categories"][f"c{wangxin.category_id}"]["meta"]["status"] == "incomplete"
    codes = dict(Indicator.objects.filter(plan=plan, category=wangxin.category).values_list("pk", "code"))
    assert sorted(codes[t] for t in report.data["missing"][str(wangxin.pk)]) == ["1.2.1", "2.1.1"]
    index = personas.client(personas.office).get(reverse("results:index", args=[plan.pk])).content.decode()
    assert "市委网信办" in index and "1.2.1" in index and "2.1.1" in index
    page = personas.client(personas.office).get(
        reverse("results:snapshot", args=[plan.pk, report.pk]) + f"?category={wangxin.category_id}"
    )
    assert "未评价 2 项，暂不计分" in page.content.decode()

    # Counting missing evaluations as 0 is the office's decision, and it must be written down.
    refused = _compute(personas, plan, missing_policy="zero", decision_note="  ")
    assert refused.status_code == 400
    assert "须记录考核办的决定" in refused.content.decode()
    with pytest.raises(ValidationError):
        services.results_compute(actor=personas.office, plan=plan, missing_policy="zero")
    assert ResultSnapshot.objects.filter(plan=plan).count() == 1

    _compute(personas, plan, missing_policy="zero", decision_note="2021年1月8日考核办主任办公会决定：逾期未评按0分计")
    zero = ResultSnapshot.objects.filter(plan=plan).order_by("-seq").first()
    assert zero.seq == 2 and zero.decision_note.startswith("2021年1月8日")
    unit = _units(zero, wangxin.category)[f"u{wangxin.pk}"]
    # 15 − 5 − 5 = 5 of 15 → 33.33; the two missing tasks are listed as zero-filled.
    assert (unit["scored"], unit["zero_filled"], unit["final"], unit["missing"]) == (True, True, "33.33", 2)
    assert zero.data["categories"][f"c{wangxin.category_id}"]["meta"]["status"] == "complete"
    assert AuditEvent.objects.get(action="results.compute", object_id=str(zero.pk)).after["decision_note"] == zero.decision_note
    page = personas.client(personas.office).get(reverse("results:snapshot", args=[plan.pk, zero.pk])).content.decode()
    assert "考核办的决定" in page and "逾期未评按0分计" in page


def test_snapshots_cannot_be_changed_or_deleted(personas, plan, graded_dept1):
    snapshot = services.results_compute(actor=personas.office, plan=plan, missing_policy="report")
    snapshot.decision_note = "改过"
    with pytest.raises(SnapshotImmutable):
        snapshot.save()
    with pytest.raises(SnapshotImmutable):
        snapshot.delete()
    with pytest.raises(SnapshotImmutable):
        ResultSnapshot.objects.filter(pk=snapshot.pk).update(decision_note="改过")
    with pytest.raises(SnapshotImmutable):
        ResultSnapshot.objects.filter(pk=snapshot.pk).delete()
    stored = ResultSnapshot.objects.get(pk=snapshot.pk)
    assert stored.decision_note == ""
    # The digest is the SHA-256 of the stored inputs, so anyone can check it later.
    assert hashlib.sha256(canonical_json(stored.inputs).encode()).hexdigest() == stored.inputs_digest
    assert digest_of(stored.inputs) == stored.inputs_digest


def test_digest_stays_when_nothing_changes_and_moves_with_one_score(personas, plan):
    wugang = unit_named(plan, "舞钢市人民政府")
    grade(plan, wugang, personas.desk)
    first = services.results_compute(actor=personas.office, plan=plan, missing_policy="report")
    second = services.results_compute(actor=personas.office, plan=plan, missing_policy="report")
    assert (first.seq, second.seq) == (1, 2)  # each computation is kept, even with the same inputs
    assert second.inputs_digest == first.inputs_digest
    index = personas.client(personas.office).get(reverse("results:index", args=[plan.pk])).content.decode()
    assert "与第1次相同" in index

    # The desk changes one grade through the scoring service (version 2, with history).
    evaluation = (
        Evaluation.objects.filter(unit=wugang, task__method="submission", desk__organisation__name="市司法局依法行政指导科")
        .select_related("task")
        .order_by("task__order")
        .first()
    )
    scoring_services.evaluation_record(
        actor=personas.desk,
        plan=plan,
        unit=wugang,
        task=evaluation.task,
        grade="good",
        reason="清理报告未按时报送",
        expected_version=1,
    )
    third = services.results_compute(actor=personas.office, plan=plan, missing_policy="report")
    assert third.inputs_digest != first.inputs_digest
    assert ResultSnapshot.objects.get(pk=first.pk).inputs_digest == first.inputs_digest
    old, new = (
        next(row for row in snap.inputs["units"][f"u{wugang.pk}"]["evaluations"] if row[1] == evaluation.pk)
        for snap in (ResultSnapshot.objects.get(pk=first.pk), third)
    )
    assert (old[2], new[2]) == (1, 2)
    assert Decimal(new[3]) == Decimal(evaluation.task.points) * Decimal("0.8")
    # Yesterday's snapshot still explains yesterday's number, and says what changed since.
    page = (
        personas.client(personas.office).get(reverse("results:breakdown", args=[plan.pk, first.pk, wugang.pk])).content.decode()
    )
    assert "快照之后已改为" in page and "第2版" in page
    # A different missing-evaluation decision is a different input as well.
    zero = services.results_compute(actor=personas.office, plan=plan, missing_policy="zero", decision_note="决定")
    assert zero.inputs_digest != third.inputs_digest


def test_excellent_two_years_running_uses_last_years_snapshot(personas, plan):
    policy = plan.policy
    policy.grade_bands = [{"name": "优秀", "min": 90}, {"name": "良好", "min": "80"}, {"name": "合格", "min": "0"}]
    policy.save()
    wugang, baofeng = unit_named(plan, "舞钢市人民政府"), unit_named(plan, "宝丰县人民政府")
    grade(plan, wugang, personas.office)
    grade(plan, baofeng, personas.office)
    without = services.results_compute(actor=personas.office, plan=plan, missing_policy="report")
    assert without.data["categories"][f"c{wugang.category_id}"]["meta"]["excellent_two_years"] is None
    assert without.inputs["previous"] is None

    last_year = Plan.objects.create(
        organiser=plan.organiser,
        year=2019,
        title="平顶山市2019年度依法行政考核",
        period_start=dt.date(2019, 1, 1),
        period_end=dt.date(2019, 12, 31),
        status=Plan.Status.RESULTS_PUBLISHED,
    )
    grades = {str(wugang.organisation_id): "优秀", str(baofeng.organisation_id): "良好"}
    previous = ResultSnapshot.objects.create(
        plan=last_year,
        seq=1,
        computed_by=personas.office,
        computed_at=dt.datetime(2020, 3, 1, tzinfo=dt.UTC),
        missing_policy="report",
        inputs_digest="0" * 64,
        data={"grades_by_organisation": grades},
    )
    snapshot = services.results_compute(actor=personas.office, plan=plan, missing_policy="report")
    meta = snapshot.data["categories"][f"c{wugang.category_id}"]["meta"]
    units = _units(snapshot, wugang.category)
    assert units[f"u{wugang.pk}"]["grade"] == units[f"u{baofeng.pk}"]["grade"] == "优秀"
    assert meta["excellent_two_years"] == [wugang.pk]
    assert snapshot.inputs["previous"]["snapshot"] == previous.pk
    assert snapshot.inputs_digest != without.inputs_digest
    page = personas.client(personas.office).get(reverse("results:snapshot", args=[plan.pk, snapshot.pk])).content.decode()
    assert "连续两年优秀" in page
    section = page[page.index('data-testid="excellent-two-years"') :]
    assert section[: section.index("</p>")].count("舞钢市人民政府") == 1
    assert "宝丰县人民政府" not in section[: section.index("</p>")]


def test_bonuses_deductions_vetoes_and_not_applicable_reach_the_engine(personas, plan):
    policy = plan.policy
    # 优秀 from 85: the city's tasks are 10 points each, so the unit below lands at 88.89 (see the end).
    policy.grade_bands = [{"name": "优秀", "min": "85"}, {"name": "良好", "min": "80"}, {"name": "合格", "min": "0"}]
    policy.save()
    wugang = unit_named(plan, "舞钢市人民政府")
    office = personas.office
    # A task that counts next year only (as the real table's "总结分析(注:此项为明年考核内容)"): 5 points, graded.
    f.task(wugang.category, "5.1.1", 5, name="总结分析（注：此项为明年考核内容）", method=Method.DAILY, counts_next_year=True)
    grade(plan, wugang, office)
    task = Evaluation.objects.filter(unit=wugang, task__code="1.1.1").select_related("task").get().task

    def bonus(matter, status=BonusApplication.Status.APPROVED, duplicate_of=None):
        return BonusApplication.objects.create(
            plan=plan,
            unit=wugang,
            kind="award",
            matter=matter,
            status=status,
            duplicate_of=duplicate_of,
            applied_by=personas.unit,
        )

    first = bonus("省级法治政府建设示范单位")
    bonus("获评省级示范（同一表彰的另一份文件）", duplicate_of=first)  # the same matter: counts once
    bonus("央视报道依法行政经验")
    bonus("尚未审核的申请", status=BonusApplication.Status.PENDING)
    Deduction.objects.create(
        plan=plan,
        unit=wugang,
        kind="illegal_decision",
        matter="超越法定权限作出重大行政决策",
        points=Decimal(2),
        task=task,
        reason="经查属实",
        recorded_by=office,
    )
    Deduction.objects.create(
        plan=plan,
        unit=wugang,
        kind="other",
        matter="已撤销的减分",
        points=Decimal(3),
        reason="撤销",
        recorded_by=office,
        withdrawn_at=dt.datetime(2021, 1, 2, tzinfo=dt.UTC),
    )
    VetoFlag.objects.create(plan=plan, unit=wugang, flag="two_lost_lawsuits", recorded_by=office)
    other = Indicator.objects.get(plan=plan, category=wugang.category, code="1.1.2")
    Evaluation.objects.filter(unit=wugang, task=other).delete()
    NotApplicable.objects.create(plan=plan, unit=wugang, task=other, reason="本级无此项职能", decided_by=office)

    snapshot = services.results_compute(actor=office, plan=plan, missing_policy="report")
    unit = _units(snapshot, wugang.category)[f"u{wugang.pk}"]
    detail = snapshot.data["categories"][f"c{wugang.category_id}"]["details"][f"u{wugang.pk}"]
    ordinary = Indicator.objects.filter(category=wugang.category, level=Level.TASK, adjustment=Adjustment.NONE)
    table = ordinary.aggregate(s=Sum("points"))["s"]
    next_year = ordinary.filter(counts_next_year=True).aggregate(s=Sum("points"))["s"]
    assert (table, next_year) == (105, 5)  # 5.1.1 is not in this year's applicable maximum
    # maximum 105 − 5 − 10 (1.1.2 不涉及) = 90; raw 90 − 10 (1.1.1 zeroed) = 80; 80 × 100 / 90 = 88.89.
    maximum = table - next_year - Decimal(other.points)
    raw = maximum - Decimal(task.points)
    converted = raw * 100 / maximum
    expected = (converted + 2 - 2).quantize(Decimal("0.01"))  # 2 bonus matters (one linked pair), 2 deducted
    assert unit["final"] == str(expected) == "88.89"
    assert (unit["bonus_total"], unit["deduction_total"]) == ("2.00", "2.00")
    assert [m["matter"] for m in detail["bonuses"]] == sorted(["省级法治政府建设示范单位", "央视报道依法行政经验"])
    assert detail["zeroed_task_ids"] == [task.pk] and detail["not_applicable_task_ids"] == [other.pk]
    assert (unit["proposed_grade"], unit["grade"], unit["vetoes_applied"]) == ("优秀", "良好", ["two_lost_lawsuits"])
    page = personas.client(office).get(reverse("results:breakdown", args=[plan.pk, snapshot.pk, wugang.pk])).content.decode()
    assert "不涉及：本级无此项职能" in page
    assert "超越法定权限作出重大行政决策" in page and "按0分计" in page
    assert "按分数为优秀，因否决情形“年度内行政诉讼败诉两起以上”调整" in page


def test_compute_results_command(personas, plan, graded_dept1):
    out = io.StringIO()
    call_command("compute_results", str(plan.pk), "--actor", "office", stdout=out)
    text = out.getvalue()
    snapshot = ResultSnapshot.objects.get(plan=plan)
    assert f"第{snapshot.seq}次计算" in text and snapshot.inputs_digest in text
    assert "部门1" in text and "市新闻出版局" in text and "100.00" in text
    assert "评价未齐" in text  # the other categories have nothing graded
    with pytest.raises(CommandError, match="决定"):
        call_command("compute_results", str(plan.pk), "--actor", "office", "--missing", "zero", stdout=out)
    with pytest.raises(CommandError):
        call_command("compute_results", str(plan.pk), "--actor", "desk_yfxz", stdout=out)
    with pytest.raises(CommandError):
        call_command("compute_results", str(plan.pk), "--actor", "nobody", stdout=out)
    with pytest.raises(CommandError):
        call_command("compute_results", "999999", "--actor", "office", stdout=out)
    call_command("compute_results", str(plan.pk), "--missing", "zero", "--note", "脚本测试决定", "--actor", "office", stdout=out)
    latest = ResultSnapshot.objects.filter(plan=plan).order_by("-seq").first()
    assert (latest.seq, latest.missing_policy, latest.decision_note, latest.complete) == (2, "zero", "脚本测试决定", True)
    assert json.loads(json.dumps(latest.summary))[0]["status"] == "complete"
