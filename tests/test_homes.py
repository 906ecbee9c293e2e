"""Each role's home is a to-do list with counts and links to the objects; its query count does not grow with data.

Runs on the objects of ``tests/matrix_world.py`` (a short 2020 cycle of 舞钢, built once for this module).
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.db import transaction
from django.urls import reverse

from tests.matrix_world import World

HOME = "/"
TODO = re.compile(
    r'<a class="list-group-item[^"]*" href="([^"]+)" data-testid="todo">\s*<span>([^<]+)</span>\s*<span[^>]*>(\d+)</span>'
)

# persona → the to-do labels their home must list
EXPECTED = {
    "office": ["待审核的加分申请", "待答复的复核申请", "待验收的整改情况报告", "有逾期未报送任务的考核对象"],
    "desk": ["已报送待评价的资料", "退回补充后已重新报送", "涉及本主体任务、待考核办答复的复核申请"],
    "unit": ["5个工作日内到期、尚未报送的任务", "被退回补充的任务", "待签收的问题反馈", "待整改事项"],
    "field": ["待实地考察的考核对象"],
    "reviewer": ["待评查的案卷"],
}
# Queries of each home, whatever the amount of data (one plan), as measured on the world.
# office: +1 for the overdue events of 事件触发报送 (one query for all plans of the page).
MAX_QUERIES = {
    "office": 20,
    "desk": 14,
    "unit": 22,
    "field": 12,
    "reviewer": 12,
    "viewer": 10,
}  # unit: +1, the 重点单位 progress report


def _todos(html: str) -> dict[str, tuple[str, int]]:
    return {label: (url, int(count)) for url, label, count in TODO.findall(html)}


@pytest.mark.parametrize("persona", list(EXPECTED))
def test_home_lists_what_waits_and_every_link_opens(world: World, personas: Any, persona: str) -> None:
    client = personas.client(getattr(personas, persona))
    todos = _todos(client.get(HOME).content.decode())
    assert [label for label in EXPECTED[persona] if label not in todos] == [], todos
    for label, (url, _count) in todos.items():
        assert client.get(url).status_code == 200, f"{persona}: {label} → {url}"


def _more_data(world: World, personas: Any, n: int) -> None:
    """Rows as the services leave them (the world's results are published, so the services refuse new ones):
    pending bonus applications of 舞钢 and evidence submitted for more of its tasks."""
    from kaohe.plans.constants import Level, Method
    from kaohe.plans.models import Indicator, PlanUnit
    from kaohe.scoring.models import BonusApplication
    from kaohe.submissions.models import Submission

    plan = world.ids["plan_id"]
    wugang = PlanUnit.objects.get(pk=world.ids["unit_id"].pk)
    for i in range(n):
        BonusApplication.objects.create(plan=plan, unit=wugang, kind="other", matter=f"其他事项{i}", applied_by=personas.unit)
    tasks = Indicator.objects.filter(plan=plan, category_id=wugang.category_id, level=Level.TASK, method=Method.SUBMISSION)
    have = set(Submission.objects.filter(plan=plan, unit=wugang).values_list("task_id", flat=True))
    for task in [t for t in tasks.order_by("order") if t.pk not in have][:n]:
        Submission.objects.create(plan=plan, unit=wugang, task=task, status=Submission.Status.SUBMITTED)


def test_counts_follow_the_data(world: World, personas: Any) -> None:
    """A pending bonus application is on the office's list, evidence waiting on the desk's (when the task is
    the desk's)."""
    office = personas.client(personas.office)
    before = _todos(office.get(HOME).content.decode())["待审核的加分申请"]
    assert before[0] == reverse("scoring:adjustments_office", args=[world.ids["plan_id"].pk])
    with transaction.atomic():
        _more_data(world, personas, 2)
        after = _todos(office.get(HOME).content.decode())["待审核的加分申请"]
        transaction.set_rollback(True)
    assert after[1] == before[1] + 2


@pytest.mark.parametrize("persona", list(MAX_QUERIES))
def test_home_query_count_is_pinned(world: World, personas: Any, persona: str, django_assert_max_num_queries: Any) -> None:
    """The same bound with more data: bonus applications and submitted evidence of 舞钢."""
    client = personas.client(getattr(personas, persona))
    client.get(HOME)  # sessions and caches warm
    with django_assert_max_num_queries(MAX_QUERIES[persona]):
        assert client.get(HOME).status_code == 200
    with transaction.atomic():
        _more_data(world, personas, 5)
        with django_assert_max_num_queries(MAX_QUERIES[persona]):
            assert client.get(HOME).status_code == 200
        transaction.set_rollback(True)


def _more_plans(world: World, personas: Any, n: int) -> None:
    """``n`` more published plans of the office, each with a unit, an evidence task past its date and an extension."""
    from kaohe.plans.models import Plan
    from kaohe.submissions.models import Extension
    from tests import factories as f

    plan = Plan.objects.get(pk=world.ids["plan_id"].pk)
    for year in range(plan.year + 1, plan.year + 1 + n):
        other = f.PlanFactory.create(organiser=plan.organiser, year=year, published=True)
        category = f.CategoryFactory.create(plan=other, name="县区政府")
        unit = f.UnitFactory.create(category=category)
        task = f.task(category, "1.1.1", 10, materials="工作总结")
        f.task(category, "1.1.2", 10, materials="年度报告")
        Extension.objects.create(
            plan=other, task=task, unit=unit, new_deadline=task.deadline, reason="延期", granted_by=personas.office
        )


def test_office_home_costs_the_same_queries_for_three_plans_as_for_one(world: World, personas: Any) -> None:
    """Every office to-do source loads its figures for all the office's plans at once (TodoContext.per_plan)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    office = personas.client(personas.office)
    office.get(HOME)
    with CaptureQueriesContext(connection) as one:
        html = office.get(HOME).content.decode()
    assert html.count("有逾期未报送任务的考核对象") == 1
    with transaction.atomic():
        _more_plans(world, personas, 2)
        office.get(HOME)
        with CaptureQueriesContext(connection) as three:
            html = office.get(HOME).content.decode()
        transaction.set_rollback(True)
    assert html.count("有逾期未报送任务的考核对象") == 3
    assert len(three) == len(one), [q["sql"][:120] for q in three.captured_queries]


def test_consultation_page_after_publication_leads_on(world: World, personas: Any) -> None:
    """The viewer's 征求意见 notification, followed after publication, says what became of the consultation and
    links to the published results (it used to say only 目前没有征求意见的考核结果)."""
    plan = world.ids["plan_id"]
    viewer = personas.client(personas.viewer)
    page = viewer.get(reverse("results:consult", args=[plan.pk])).content.decode()
    assert "考核结果已于审定后公布" in page
    published = reverse("results:published", args=[plan.pk])
    assert f'href="{published}"' in page and viewer.get(published).status_code == 200
