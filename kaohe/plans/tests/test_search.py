"""搜索: units, tasks and evidence files, each persona finding only what the pages would show them."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kaohe.access.plans import search_scope
from kaohe.plans.constants import Level, Method
from kaohe.plans.models import Indicator, PlanUnit
from kaohe.submissions import search
from kaohe.submissions.models import EvidenceFile
from kaohe.submissions.tests import conftest as evidence
from kaohe.submissions.tests.conftest import pdf
from tests import factories as f

# 2020-12-20 in Beijing: the city's 报送资料 tasks (due 2020-12-31) are open.
in_window = evidence.in_window


def _unit(plan: Any, name: str) -> PlanUnit:
    return PlanUnit.objects.select_related("organisation", "category").get(plan=plan, organisation__name=name)


@pytest.fixture
def wugang(plan: Any) -> PlanUnit:
    return _unit(plan, "舞钢市人民政府")  # 县区政府, the unit persona's


@pytest.fixture
def sfj(plan: Any) -> PlanUnit:
    return _unit(plan, "市司法局")  # 部门2, unit2's


@pytest.fixture
def task(plan: Any, wugang: Any) -> Indicator:
    """县区政府 1.1.1 制定年度法治政府建设工作计划: 报送资料, graded by desk_yfxz (市司法局依法行政指导科)."""
    return Indicator.objects.get(plan=plan, category=wugang.category, code="1.1.1")


@pytest.fixture
def other_desk_task(plan: Any, wugang: Any) -> Indicator:
    """县区政府 1.1.2: 报送资料 graded by another desk (市发改委)."""
    return Indicator.objects.get(plan=plan, category=wugang.category, code="1.1.2")


@pytest.fixture
def many_tasks(plan: Any) -> None:
    """More tasks named “…情况” than a search lists (search.LIMIT), in the 县区政府 table."""
    county = plan.categories.get(name="县区政府")
    for i in range(search.LIMIT + 1):
        f.task(county, f"5.{i // 10 + 1}.{i % 10 + 1}", 1, name=f"第{i + 1}项工作落实情况")


def _upload(client: Any, plan: Any, unit: Any, task: Any, name: str) -> EvidenceFile:
    response = client.post(reverse("submissions:upload", args=[plan.pk, unit.pk, task.pk]), {"files": [pdf(name)]})
    assert response.status_code == 302
    return EvidenceFile.objects.get(submission__unit=unit, submission__task=task, display_name=name)


@pytest.fixture
def files(personas: Any, plan: Any, wugang: Any, sfj: Any, task: Any, other_desk_task: Any, in_window: Any) -> dict[str, Any]:
    # 部门2 1.1.2: a 报送资料 task of 市发改委, open on 2020-12-20, graded by neither desk persona.
    sfj_task = Indicator.objects.get(plan=plan, category=sfj.category, code="1.1.2", method=Method.SUBMISSION)
    assert sfj_task.deadline is not None and sfj_task.deadline >= dt.date(2020, 12, 20)
    unit = personas.client(personas.unit)
    return {
        "own_desk": _upload(unit, plan, wugang, task, "舞钢年度总结报告.pdf"),
        "other_desk": _upload(unit, plan, wugang, other_desk_task, "舞钢发改总结报告.pdf"),
        "sfj": _upload(personas.client(personas.unit2), plan, sfj, sfj_task, "司法局年度总结报告.pdf"),
    }


def _found(user: Any, query: str) -> search.Results:
    return search.search(user, query)


def _titles(hits: list[search.Hit]) -> set[str]:
    return {h.title for h in hits}


def test_evidence_files_by_persona(personas: Any, files: dict[str, Any]) -> None:
    everything = {"舞钢年度总结报告.pdf", "舞钢发改总结报告.pdf", "司法局年度总结报告.pdf"}
    assert _titles(_found(personas.office, "总结报告").files) == everything
    assert _titles(_found(personas.unit, "总结报告").files) == {"舞钢年度总结报告.pdf", "舞钢发改总结报告.pdf"}
    assert _titles(_found(personas.unit2, "总结报告").files) == {"司法局年度总结报告.pdf"}
    # 依法行政指导科 grades the first task only; 市财政局 neither.
    assert _titles(_found(personas.desk, "总结报告").files) == {"舞钢年度总结报告.pdf"}
    assert _found(personas.desk2, "总结报告").files == []
    for user in (personas.viewer, personas.other_office, personas.other_unit, personas.sysadmin, personas.auditor):
        assert _found(user, "总结报告").files == [], user
    # Withdrawn files are not found.
    EvidenceFile.objects.filter(pk=files["sfj"].pk).update(withdrawn_at="2020-12-21T00:00:00+08:00")
    assert _titles(_found(personas.unit2, "总结报告").files) == set()


def test_a_file_hit_leads_to_its_task_page_which_the_user_may_open(personas: Any, plan: Any, files: dict[str, Any]) -> None:
    hit = _found(personas.desk, "舞钢年度").files[0]
    submission = files["own_desk"].submission
    assert hit.url == reverse("submissions:task", args=[plan.pk, submission.unit_id, submission.task_id])
    assert personas.client(personas.desk).get(hit.url).status_code == 200


def test_units_by_persona(personas: Any, plan: Any, wugang: Any) -> None:
    office = _found(personas.office, "舞钢")
    assert [h.title for h in office.units] == ["舞钢市人民政府"]
    assert office.units[0].url == reverse("plans:units", args=[plan.pk]) + f"#unit-{wugang.pk}"
    assert _titles(_found(personas.desk, "舞钢").units) == {"舞钢市人民政府"}
    assert _titles(_found(personas.viewer, "舞钢").units) == {"舞钢市人民政府"}
    own = _found(personas.unit, "舞钢").units
    assert [h.title for h in own] == ["舞钢市人民政府"]
    assert own[0].url == reverse("submissions:workspace", args=[plan.pk])
    # Another unit of the same city finds neither 舞钢 nor any unit but itself.
    assert _found(personas.unit2, "舞钢").units == []
    assert _titles(_found(personas.unit2, "市").units) == {"市司法局"}
    for user in (personas.other_office, personas.other_unit, personas.sysadmin, personas.secadmin):
        assert _found(user, "舞钢").units == [], user


def test_tasks_by_persona(personas: Any, plan: Any, wugang: Any, sfj: Any, task: Any) -> None:
    def scope_tasks(user: Any) -> set[int]:
        return set(Indicator.objects.filter(search_scope(user).tasks).values_list("pk", flat=True))

    plan_tasks = Indicator.objects.filter(plan=plan, level=Level.TASK)
    assert scope_tasks(personas.office) >= set(plan_tasks.values_list("pk", flat=True))
    assert scope_tasks(personas.unit) == set(plan_tasks.filter(category=wugang.category).values_list("pk", flat=True))
    assert scope_tasks(personas.unit2) == set(plan_tasks.filter(category=sfj.category).values_list("pk", flat=True))
    desk_tasks = set(plan_tasks.filter(assessor__organisation__name="市司法局依法行政指导科").values_list("pk", flat=True))
    assert desk_tasks and scope_tasks(personas.desk) == desk_tasks
    for user in (personas.viewer, personas.other_office, personas.other_unit, personas.sysadmin):
        assert scope_tasks(user) == set(), user

    # By code or name; a unit's hit opens its own task page, a desk's the indicator table.
    unit_hits = _found(personas.unit, task.name[:12]).tasks
    assert f"{task.code} {task.name}" in _titles(unit_hits)
    hit = next(h for h in unit_hits if h.title == f"{task.code} {task.name}")
    assert hit.url == reverse("submissions:task", args=[plan.pk, wugang.pk, task.pk])
    # The desk grades the task in both tables that hold it (部门2's table is the 县区政府 one): a hit for each.
    twin = Indicator.objects.get(plan=plan, category=sfj.category, code=task.code)
    desk_hits = [h for h in _found(personas.desk, task.name[:12]).tasks if h.title == f"{task.code} {task.name}"]
    tree = reverse("plans:tree", args=[plan.pk, task.category_id])
    twin_tree = reverse("plans:tree", args=[plan.pk, twin.category_id])
    assert {h.url for h in desk_hits} == {f"{tree}#task-{task.pk}", f"{twin_tree}#task-{twin.pk}"}
    desk_hit = next(h for h in desk_hits if h.url == f"{tree}#task-{task.pk}")
    assert personas.client(personas.desk).get(desk_hit.url.split("#")[0]).status_code == 200
    assert f'id="task-{task.pk}"' in personas.client(personas.desk).get(desk_hit.url.split("#")[0]).content.decode()


def test_the_page_min_length_cap_and_anonymous(personas: Any, plan: Any, many_tasks: None) -> None:
    url = reverse("search:index")
    assert personas.client(None).get(url, {"q": "舞钢"}).status_code == 302
    client = personas.client(personas.office)
    blank = client.get(url)
    assert blank.status_code == 200 and 'data-testid="search-error"' not in blank.content.decode()
    short = client.get(url, {"q": " 舞 "})
    assert short.status_code == 200
    assert "请至少输入 2 个字。" in short.content.decode() and short.context["results"] is None
    found = client.get(url, {"q": "舞钢"}).content.decode()
    assert "舞钢市人民政府" in found and 'data-testid="search-units"' in found
    nothing = client.get(url, {"q": "没有这样的名称"}).content.decode()
    assert 'data-testid="search-empty"' in nothing
    # Many tasks match "情况": each kind stops at 50 with a note.
    many = Indicator.objects.filter(plan=plan, level=Level.TASK, name__contains="情况").count()
    assert many > search.LIMIT
    capped = client.get(url, {"q": "情况"})
    assert len(capped.context["results"].tasks) == search.LIMIT and capped.context["results"].tasks_capped
    assert "只显示前 50 条结果" in capped.content.decode()
    # Every page carries the search box for logged-in users.
    assert 'data-testid="navbar-search"' in client.get(reverse("core:home")).content.decode()


def test_query_count_does_not_grow_with_the_results(personas: Any, files: dict[str, Any], many_tasks: None) -> None:
    client = personas.client(personas.office)
    url = reverse("search:index")
    client.get(url, {"q": "舞钢年度"})  # warm up the session and caches

    def count(query: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url, {"q": query}).status_code == 200
        return len(queries)

    few, many = count("舞钢年度"), count("情况")
    assert few == many
    assert many == 10, many  # session, user, memberships, plans, roles, 3 searches, …
