"""Scores from 实地考核, 依法行政能力测试 and 案卷集中评查 reach the results like any desk's (issue 5, "done when").

Each activity runs through its own services as the people who run it would; then the office computes the
results and the unit's breakdown on the results page names the source of each of those scores.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from django.urls import reverse

from kaohe import access
from kaohe.inspections.casefiles.tests.conftest import listed  # noqa: F401 - fixture
from kaohe.organisations.models import Membership
from kaohe.organisations.roles import Role
from kaohe.plans.constants import Level, Method
from kaohe.plans.models import Indicator, PlanUnit
from kaohe.scoring.models import Evaluation, EvaluationChange


def _task(plan, unit, method, code):
    return Indicator.objects.get(plan=plan, category=unit.category, level=Level.TASK, method=method, code=code)


def test_field_and_case_review_scores_flow_into_the_unit_breakdown(personas, listed):  # noqa: F811
    from kaohe.inspections.casefiles import services as casefiles
    from kaohe.inspections.casefiles.models import ChecklistItem, SampledFile
    from kaohe.inspections.fieldwork import services as fieldwork
    from kaohe.results.services import results_compute

    plan, office = listed, personas.office  # the city's plan with the checklist and 舞钢's 7 listed case files
    unit = PlanUnit.objects.get(plan=plan, organisation__name="舞钢市人民政府")

    # 实地考核: the office forms a group with field_a, gives it the unit; the member scores a field task.
    group = fieldwork.group_save(
        actor=office, plan=plan, name="第一组", leader_id=personas.field.pk, member_ids=[personas.field.pk]
    )
    fieldwork.assignment_set(actor=office, plan=plan, group=group, unit=unit, visit_date=dt.date(2021, 1, 21))
    access.forget(personas.field)
    field_task = _task(plan, unit, Method.FIELD, "3.1.1")
    fieldwork.field_score_record(
        actor=personas.field,
        plan=plan,
        unit_id=unit.pk,
        task_id=field_task.pk,
        score="1.5",
        reason="征地补偿案卷缺少公告材料",
        expected_version=0,
    )

    # 案卷集中评查: two files sampled from the unit's list, reviewed by a reviewer of another organisation.
    casefiles.sample_draw(actor=office, plan=plan, units=[unit], requested=2, stratified=True, take_all_if_fewer=False)
    membership = Membership.objects.get(user=personas.reviewer2, role=Role.CASE_REVIEWER)
    casefiles.reviewer_add(actor=office, plan=plan, membership=membership)
    assert casefiles.files_assign_auto(actor=office, plan=plan).assigned == 2
    access.forget(personas.reviewer2)
    first_item = ChecklistItem.objects.filter(plan=plan).order_by("order").first()
    for n, sampled in enumerate(SampledFile.objects.filter(sample__unit=unit).order_by("position")):
        deduction = "10" if n == 0 else "0"
        casefiles.case_review_save(
            actor=personas.reviewer2,
            plan=plan,
            sampled=sampled,
            values={first_item.pk: (deduction, "执法主体资格证明缺失" if n == 0 else "")},
            overall_comment="评查完毕",
            submit=True,
        )
    outcome = casefiles.derive_scores(actor=office, plan=plan)
    assert any("舞钢" in line for line in outcome.written), outcome
    case_task = _task(plan, unit, Method.CASE_REVIEW, "3.2.1")
    assert Evaluation.objects.get(unit=unit, task=case_task).score == Decimal("19.00")  # 20 × (90 + 100) / 2 / 100

    sources = dict(EvaluationChange.objects.filter(evaluation__unit=unit).values_list("evaluation__task__code", "source"))
    assert sources == {"3.1.1": "field", "3.2.1": "case_review"}

    # The office computes; the unit's breakdown shows both scores with their sources.
    snapshot = results_compute(actor=office, plan=plan, missing_policy="zero", decision_note="测试：缺少的评价按0分计")
    html = personas.client(office).get(reverse("results:breakdown", args=[plan.pk, snapshot.pk, unit.pk])).content.decode()
    badges = re.findall(r'data-testid="source"><span class="badge[^"]*">([^<]+)</span>', html)
    assert sorted(set(badges)) == ["实地考核", "案卷集中评查"]
    assert "征地补偿案卷缺少公告材料" in html


def test_an_oral_ability_test_flows_into_the_unit_breakdown(personas, plan):
    from kaohe.inspections.abilitytests import attempts, services
    from kaohe.inspections.abilitytests.draws import Rule
    from kaohe.inspections.abilitytests.models import RosterVersion, Testee
    from kaohe.inspections.abilitytests.tests.conftest import roster_people
    from kaohe.results.services import results_compute

    office = personas.office
    unit = PlanUnit.objects.filter(plan=plan, category__name="部门1").order_by("pk").first()  # 市委网信办
    services.roster_save(
        actor=office,
        plan=plan,
        unit=unit,
        people=roster_people(),
        source=RosterVersion.Source.IMPORT,
        note="名册",
        expected_number=0,
    )
    task = Indicator.objects.get(plan=plan, category=unit.category, code="2.1.1")  # 5 points: 1 负责同志 + 2 成员
    test = services.abilitytest_create(
        actor=office,
        plan=plan,
        unit=unit,
        task=task,
        mode="oral",
        rules=[Rule("leader", 1, 1), Rule("member", 2, 2)],
        paper_rules={"single": 0, "multiple": 0, "judge": 0, "short": 0, "category": "", "difficulty": ""},
        time_limit_minutes=20,
        oral_max_score=Decimal(100),
    )
    draw = services.draw_make(actor=office, test=test)
    assert services.draw_replay(draw).same
    testees = list(Testee.objects.filter(test=test).order_by("pk"))
    assert len(testees) == 3
    attempts.oral_scores_save(actor=office, test=test, scores=dict(zip([t.pk for t in testees], ["90", "80", "70"], strict=True)))
    evaluation = attempts.abilitytest_record(actor=office, test=test)
    assert evaluation.score == Decimal("4.00")  # 5 × mean(90 %, 80 %, 70 %)
    assert evaluation.changes.get().source == EvaluationChange.Source.ABILITY_TEST

    snapshot = results_compute(actor=office, plan=plan, missing_policy="zero", decision_note="测试：缺少的评价按0分计")
    html = personas.client(office).get(reverse("results:breakdown", args=[plan.pk, snapshot.pk, unit.pk])).content.decode()
    badges = re.findall(r'data-testid="source"><span class="badge[^"]*">([^<]+)</span>', html)
    assert badges == ["依法行政能力测试"]
