"""The scoring rules page (评分规则): the office enters the rules, previews them on the latest snapshot, saves."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from kaohe.core.models import AuditEvent
from kaohe.plans.models import Plan, ScoringPolicy
from kaohe.results import selectors as results_selectors
from kaohe.results.models import ResultSnapshot
from kaohe.results.tests.conftest import grade, unit_named
from kaohe.scoring.models import Evaluation, VetoFlag

COUNTY = ("舞钢市人民政府", "宝丰县人民政府", "郏县人民政府")


def _post(personas: Any, plan: Plan, data: dict[str, str], action: str = "save", user: Any = None) -> Any:
    client = personas.client(user or personas.office)
    return client.post(reverse("plans:policy", args=[plan.pk]), {**data, "action": action})


def _form(
    bands: list[tuple[str, str, str]] | None = None, vetoes: list[tuple[str, str, str]] | None = None, **values: str
) -> dict[str, str]:
    """A full POST of the page: the defaults of the Pingdingshan plan, overridden by ``values``."""
    data = {
        "grade_excellent_pct": "100",
        "grade_good_pct": "80",
        "grade_fair_pct": "60",
        "grade_poor_pct": "0",
        "platform_weight": "",
        "field_weight": "",
        "case_review_weight": "",
        "convert_to_full_score": "on",
        "bonus_per_item": "1",
        "bonus_cap": "5",
        "deduction_min": "1",
        "deduction_max": "3",
        "bottom_n": "5",
        "excellent_two_years": "on",
        "missing_evaluations": "report",
        "reason": "",
        **values,
    }
    bands = bands if bands is not None else [("优秀", "90", "30"), ("良好", "80", ""), ("合格", "60", ""), ("不合格", "0", "")]
    vetoes = (
        vetoes
        if vetoes is not None
        else [
            ("two_lost_lawsuits", "年度内行政诉讼败诉两起以上", "not_best"),
            ("principal_absent", "行政机关主要负责人未按规定出庭应诉", "not_best"),
        ]
    )
    for prefix, rows, names in (("bands", bands, ("name", "min", "quota_pct")), ("vetoes", vetoes, ("key", "label", "effect"))):
        data[f"{prefix}-TOTAL_FORMS"] = str(len(rows))
        data[f"{prefix}-INITIAL_FORMS"] = "0"
        for i, row in enumerate(rows):
            for name, value in zip(names, row, strict=True):
                data[f"{prefix}-{i}-{name}"] = value
    return data


JIAOZUO = {
    "platform_weight": "80",
    "field_weight": "15",
    "case_review_weight": "5",
    "reason": "焦作2020：平台和日常80，实地15，评查5",
}
JIAOZUO_BANDS = [("优秀", "90", "40"), ("良好", "0", "")]


def _finals(snapshot: ResultSnapshot, units: list[Any]) -> list[tuple[str, int, str]]:
    table = snapshot.data["categories"][f"c{units[0].category_id}"]["units"]
    return [(table[f"u{u.pk}"]["final"], table[f"u{u.pk}"]["rank"], table[f"u{u.pk}"]["grade"]) for u in units]


@pytest.fixture
def county(plan, personas):
    """The three county units graded on the city's table (60 platform points: 报送资料 40 + 日常 20; 实地 20; 评查 20):
    舞钢 loses the case-review task (3.2.1, 0 of 20), 宝丰 6 daily points (1.2.1, 4 of 10), 郏县 full marks; the
    seven units of the other categories are not graded (unscored, unranked)."""
    wugang, baofeng, jiaxian = (unit_named(plan, n) for n in COUNTY)
    grade(plan, wugang, personas.office, scores={"3.2.1": Decimal("0.00")})
    grade(plan, baofeng, personas.office, scores={"1.2.1": Decimal("4.00")})
    grade(plan, jiaxian, personas.office)
    return [wugang, baofeng, jiaxian]


def test_jiaozuo_rules_entered_on_the_page_give_the_hand_computed_results(personas, plan, county):
    office = personas.client(personas.office)
    office.post(reverse("results:compute", args=[plan.pk]), {"missing_policy": "report"})
    before = ResultSnapshot.objects.get(plan=plan)
    # Default rules (no weights, 优秀 ≥ 90 for 30 % of 3 = 0 places, 良好 ≥ 80): the totals of the 100-point table,
    # 舞钢 100 − 20 = 80, 宝丰 100 − 6 = 94, 郏县 100.
    assert _finals(before, county) == [("80.00", 3, "良好"), ("94.00", 2, "良好"), ("100.00", 1, "良好")]

    page = office.get(reverse("plans:policy", args=[plan.pk])).content.decode()
    assert "督导平台考核和日常考核 80，实地考核 15，案卷集中评查 5" in page  # the Jiaozuo example as help text
    data = _form(JIAOZUO_BANDS, **JIAOZUO)
    preview = _post(personas, plan, data, action="preview").content.decode()
    assert 'data-testid="policy-preview"' in preview
    # Nothing saved by the preview.
    assert ScoringPolicy.objects.get(plan=plan).platform_weight is None
    assert ResultSnapshot.objects.filter(plan=plan).count() == 1

    response = _post(personas, plan, data)
    assert response.status_code == 302
    office.post(reverse("results:compute", args=[plan.pk]), {"missing_policy": "report"})
    after = ResultSnapshot.objects.filter(plan=plan).order_by("-seq").first()
    # Hand computation, county table: platform (报送资料 40 + 日常 20) 60 points, field 20, case review 20.
    #   舞钢: 80 × 60/60 + 15 × 20/20 + 5 × 0/20 = 95.00
    #   宝丰: 80 × 54/60 + 15 × 20/20 + 5 × 20/20 = 72 + 15 + 5 = 92.00
    #   郏县: 80 + 15 + 5 = 100.00
    # Bands: 优秀 ≥ 90 for at most 40 % of the 3 ranked units = floor(1.2) = 1 place → 郏县; the rest 良好.
    assert _finals(after, county) == [("95.00", 2, "良好"), ("92.00", 3, "良好"), ("100.00", 1, "优秀")]


def test_preview_shows_each_units_change_largest_first_and_writes_nothing(personas, plan, county):
    office = personas.client(personas.office)
    office.post(reverse("results:compute", args=[plan.pk]), {"missing_policy": "report"})
    office_client = personas.client(personas.office)  # logged in before counting (a login is audited)
    last = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first()
    policy_before = ScoringPolicy.objects.filter(plan=plan).values().get()
    response = office_client.post(
        reverse("plans:policy", args=[plan.pk]), {**_form(JIAOZUO_BANDS, **JIAOZUO), "action": "preview"}
    )
    page = response.content.decode()
    assert response.status_code == 200
    rows = page[page.index('data-testid="policy-preview"') :]
    # 舞钢 80 → 95 (+15) first, 宝丰 94 → 92 (−2), 郏县 100 → 100, now 优秀.
    assert rows.index("舞钢市人民政府") < rows.index("宝丰县人民政府") < rows.index("郏县人民政府")
    assert "+15.00" in rows and "-2.00" in rows
    assert "3 个考核对象的得分、排名或等次有变化" in rows
    assert "另有 7 个考核对象评价未齐、未计分，未列出" in rows and "市公安局" not in rows
    assert ScoringPolicy.objects.filter(plan=plan).values().get() == policy_before
    assert not AuditEvent.objects.filter(pk__gt=last).exists()
    assert ResultSnapshot.objects.filter(plan=plan).count() == 1


def test_preview_without_a_snapshot_says_so(personas, plan):
    page = _post(personas, plan, _form(**JIAOZUO), action="preview").content.decode()
    assert "还没有计算过考核结果，无法预览" in page


def test_saving_is_audited_before_and_after_and_needs_a_reason_once_published(personas, plan):
    assert plan.status == Plan.Status.PUBLISHED
    response = _post(personas, plan, _form(bottom_n="3"))
    assert response.status_code == 400
    assert "方案已发布，修改评分规则须填写修改理由" in response.content.decode()
    assert ScoringPolicy.objects.get(plan=plan).bottom_n == 5
    response = _post(personas, plan, _form(bottom_n="3", bonus_cap="4", reason="领导小组会议纪要第3号"))
    assert response.status_code == 302
    policy = ScoringPolicy.objects.get(plan=plan)
    assert (policy.bottom_n, policy.bonus_cap) == (3, Decimal("4.00"))
    event = AuditEvent.objects.get(action="plan.policy_update")
    assert event.before["bottom_n"] == 5 and event.after["bottom_n"] == 3
    assert event.before["bonus_cap"] == "5.00" and event.after["bonus_cap"] == "4"
    assert event.after["reason"] == "领导小组会议纪要第3号"
    assert event.actor_id == personas.office.pk


@pytest.mark.parametrize(
    ("values", "bands", "message"),
    [
        ({"grade_good_pct": "120"}, None, "不能大于100"),
        ({"grade_good_pct": "-1"}, None, "不能小于0"),
        ({"grade_good_pct": "abc"}, None, "请输入数字"),
        ({"grade_fair_pct": "90"}, None, "等次得分比例须按优、良、中、差从高到低"),
        (
            {"platform_weight": "80", "field_weight": "15", "case_review_weight": "4"},
            None,
            "分项权重合计为99分，须等于各类别满分（100分）",
        ),
        ({"platform_weight": "80", "field_weight": "20"}, None, "分项权重须三项都填写"),
        ({}, [("优秀", "80", ""), ("良好", "90", ""), ("不合格", "0", "")], "第2个等次的最低分须低于上一等次"),
        ({}, [("优秀", "90", "130"), ("良好", "0", "")], "不能大于100"),
        ({}, [("优秀", "90", ""), ("良好", "60", "")], "最后一个等次“良好”的最低分须为0且不设比例"),
        ({}, [("优秀", "90", ""), ("优秀", "0", "")], "等次名称重复"),
        ({"bonus_cap": "-1"}, None, "不能小于0"),
        ({"deduction_min": "3", "deduction_max": "1"}, None, "每项减分上限不能低于下限（如1至3分）"),
        ({"bottom_n": "-2"}, None, "不能小于0"),
        ({"missing_evaluations": "maybe"}, None, "请选择缺少评价时的处理方式"),
    ],
)
def test_bad_rules_are_refused_in_chinese_and_nothing_changes(personas, plan, values, bands, message):
    before = ScoringPolicy.objects.filter(plan=plan).values().get()
    response = _post(personas, plan, _form(bands, reason="测试", **values))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert ScoringPolicy.objects.filter(plan=plan).values().get() == before
    assert not AuditEvent.objects.filter(action="plan.policy_update").exists()


def test_grade_percentages_are_locked_once_a_grade_was_given(personas, plan, county):
    assert Evaluation.objects.filter(plan=plan).exclude(grade="").exists()
    response = _post(personas, plan, _form(grade_good_pct="70", reason="调整"))
    assert "已有按等次（优、良、中、差）给出的评价，等次得分比例不能再修改" in response.content.decode()
    assert ScoringPolicy.objects.get(plan=plan).grade_good_pct == Decimal(80)


def test_vetoes_are_data_a_new_condition_downgrades_to_the_lowest_band(personas, plan, county):
    wugang, _baofeng, jiaxian = county
    vetoes = [("two_lost_lawsuits", "年度内行政诉讼败诉两起以上", "not_best"), ("", "发生重大违法行政案件", "lowest")]
    bands = [("优秀", "79.5", ""), ("良好", "70", ""), ("不合格", "0", "")]  # all three 优秀 on their scores
    assert _post(personas, plan, _form(bands, vetoes, reason="新增否决情形")).status_code == 302
    policy = ScoringPolicy.objects.get(plan=plan)
    assert policy.vetoes[1] == {"key": "custom-1", "label": "发生重大违法行政案件", "effect": "lowest"}
    VetoFlag.objects.create(plan=plan, unit=jiaxian, flag="custom-1", recorded_by=personas.office)
    VetoFlag.objects.create(plan=plan, unit=wugang, flag="two_lost_lawsuits", recorded_by=personas.office)
    personas.client(personas.office).post(reverse("results:compute", args=[plan.pk]), {"missing_policy": "report"})
    snapshot = ResultSnapshot.objects.get(plan=plan)
    # 郏县 100 (优秀 on score) → 不合格 by the new condition; 舞钢 80 (优秀) → 良好 by not_best; 宝丰 94 stays 优秀.
    assert [g for _, _, g in _finals(snapshot, county)] == ["良好", "优秀", "不合格"]
    page = (
        personas.client(personas.office)
        .get(reverse("results:snapshot", args=[plan.pk, snapshot.pk]) + f"?category={jiaxian.category_id}")
        .content.decode()
    )
    assert "否决：发生重大违法行政案件" in page and "否决：年度内行政诉讼败诉两起以上" in page
    # A condition recorded on a unit cannot be deleted.
    response = _post(personas, plan, _form(bands, vetoes[:1], reason="删除"))
    assert "已有1个考核对象记录了否决情形“custom-1”，不能删除该情形" in response.content.decode()


def test_frozen_once_results_are_published(personas, plan):
    Plan.objects.filter(pk=plan.pk).update(status=Plan.Status.RESULTS_PUBLISHED)
    page = personas.client(personas.office).get(reverse("plans:policy", args=[plan.pk])).content.decode()
    assert "评分规则已冻结" in page and "保存评分规则" not in page
    response = _post(personas, plan, _form(bottom_n="3", reason="改"))
    assert "考核结果已公布" in response.content.decode()
    assert ScoringPolicy.objects.get(plan=plan).bottom_n == 5


def test_only_the_office_of_the_plan_opens_the_page(personas, plan):
    url = reverse("plans:policy", args=[plan.pk])
    for user, status in (
        (personas.desk, 403),
        (personas.unit, 403),
        (personas.viewer, 403),
        (personas.other_office, 404),
        (personas.sysadmin, 404),
        (None, 302),
    ):
        assert personas.client(user).get(url).status_code == status, user
        assert personas.client(user).post(url, _form(bottom_n="1", reason="x")).status_code == status, user
    assert ScoringPolicy.objects.get(plan=plan).bottom_n == 5
    office = personas.client(personas.office).get(url).content.decode()
    assert "评分规则" in office and f'href="/plans/{plan.pk}/policy/"' in office


def test_a_condition_added_on_the_page_can_be_recorded_on_a_unit(personas, plan):
    vetoes = [("", "发生重大违法行政案件", "lowest")]
    assert _post(personas, plan, _form(vetoes=vetoes, reason="新增否决情形")).status_code == 302
    wugang = unit_named(plan, "舞钢市人民政府")
    office = personas.client(personas.office)
    page = office.get(reverse("scoring:adjustments_office", args=[plan.pk])).content.decode()
    assert "发生重大违法行政案件" in page
    url = reverse("scoring:veto_flag_set", args=[plan.pk])
    office.post(url, {"unit": wugang.pk, "flag": "custom-1", "note": "（2020）豫04行终1号"})
    assert VetoFlag.objects.filter(unit=wugang, flag="custom-1").exists()
    page = office.get(reverse("scoring:adjustments_office", args=[plan.pk])).content.decode()
    assert '<span class="badge bg-purple-lt">发生重大违法行政案件</span>' in page  # the wording, not the key
    assert "custom-1</span>" not in page
    # A condition the plan no longer lists is refused.
    response = office.post(url, {"unit": wugang.pk, "flag": "two_lost_lawsuits", "note": "x"})
    assert response.status_code == 400
    assert not VetoFlag.objects.filter(unit=wugang, flag="two_lost_lawsuits").exists()


def test_the_missing_evaluation_rule_is_the_default_of_the_computation(personas, plan):
    assert _post(personas, plan, _form(missing_evaluations="zero", reason="缺评按0分")).status_code == 302
    page = personas.client(personas.office).get(reverse("results:index", args=[plan.pk])).content.decode()
    tags = re.findall(r"<input[^>]*name=\"missing_policy\"[^>]*>", page)
    assert [t for t in tags if "checked" in t] == [t for t in tags if 'value="zero"' in t] != []


def test_without_the_two_years_rule_nobody_is_listed_and_last_year_is_not_read(personas, plan, county):
    wugang, _baofeng, jiaxian = county
    last_year = Plan.objects.create(
        organiser=plan.organiser,
        year=2019,
        title="平顶山市2019年度依法行政考核",
        period_start=dt.date(2019, 1, 1),
        period_end=dt.date(2019, 12, 31),
        status=Plan.Status.RESULTS_PUBLISHED,
    )
    ResultSnapshot.objects.create(
        plan=last_year,
        seq=1,
        computed_by=personas.office,
        computed_at=dt.datetime(2020, 3, 1, tzinfo=dt.UTC),
        missing_policy="report",
        inputs_digest="0" * 64,
        data={"grades_by_organisation": {str(jiaxian.organisation_id): "优秀"}},
    )
    bands = [("优秀", "99.5", ""), ("良好", "0", "")]
    office = personas.client(personas.office)
    assert _post(personas, plan, _form(bands, reason="等次")).status_code == 302
    office.post(reverse("results:compute", args=[plan.pk]), {"missing_policy": "report"})
    with_rule = ResultSnapshot.objects.filter(plan=plan).order_by("-seq").first()
    assert with_rule.data["categories"][f"c{wugang.category_id}"]["meta"]["excellent_two_years"] == [jiaxian.pk]

    assert _post(personas, plan, _form(bands, excellent_two_years="", reason="不再表彰")).status_code == 302
    office.post(reverse("results:compute", args=[plan.pk]), {"missing_policy": "report"})
    without = ResultSnapshot.objects.filter(plan=plan).order_by("-seq").first()
    assert without.data["categories"][f"c{wugang.category_id}"]["meta"]["excellent_two_years"] == []
    assert without.inputs["previous"] is None and without.inputs["policy"]["excellent_two_years"] is False
    found = results_selectors.excellent_two_years(plan, results_selectors.category_lists(without))
    assert not found.available and found.note == results_selectors.NO_TWO_YEARS_RULE
