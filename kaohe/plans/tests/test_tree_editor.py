"""The indicator tree editor (编辑指标): add, edit, move, delete, bulk desks, 明年考核, and changes after publication."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from kaohe.core.models import AuditEvent
from kaohe.core.models_notification import Notification
from kaohe.plans import services
from kaohe.plans.constants import Level, Method
from kaohe.plans.copy import plan_copy
from kaohe.plans.models import AssessorDesk, Category, Indicator, Plan, PlanUnit, PointsChangeFlag
from kaohe.scoring import services as scoring
from kaohe.scoring.models import Evaluation
from tests import factories as f

SHANGHAI = dt.timezone(dt.timedelta(hours=8))


def _node(category, code):
    return Indicator.objects.get(category=category, code=code)


def _codes(category):
    return list(Indicator.objects.filter(category=category).order_by("order").values_list("code", "name"))


@pytest.fixture
def draft(personas, plan):
    """A 2021 draft of the city's office: category 县区政府 (满分 10) with two 一级, one desk, one unit.

    一 A 6: 1.1 A1 6: 1.1.1 t1 4, 1.1.2 t2 2;  二 B 4: 2.1 B1 4: 2.1.1 t3 4.
    """
    draft = services.plan_create(
        actor=personas.office,
        organiser=plan.organiser,
        year=2021,
        title="2021年度依法行政考核（编辑测试）",
        period_start=dt.date(2021, 1, 1),
        period_end=dt.date(2021, 12, 31),
    )
    category = Category.objects.create(plan=draft, name="县区政府", full_score=Decimal(10))
    old_desk = AssessorDesk.objects.filter(plan=plan).select_related("organisation").order_by("pk")
    desk = AssessorDesk.objects.create(plan=draft, organisation=old_desk[0].organisation, seq="1")
    AssessorDesk.objects.create(plan=draft, organisation=old_desk[1].organisation, seq="2")
    wugang = PlanUnit.objects.get(plan=plan, organisation__name="舞钢市人民政府")
    PlanUnit.objects.create(plan=draft, category=category, organisation=wugang.organisation)
    order = iter(range(1, 100))

    def add(level, code, name, points, parent=None, **extra):
        return Indicator.objects.create(
            plan=draft,
            category=category,
            level=level,
            code=code,
            order=next(order),
            name=name,
            points=points,
            parent=parent,
            **extra,
        )

    a = add(Level.LEVEL1, "1", "A", Decimal(6))
    a1 = add(Level.LEVEL2, "1.1", "A1", Decimal(6), a)
    add(Level.TASK, "1.1.1", "t1", Decimal(4), a1, method=Method.SUBMISSION, assessor=desk)
    add(Level.TASK, "1.1.2", "t2", Decimal(2), a1, method=Method.DAILY, assessor=desk)
    b = add(Level.LEVEL1, "2", "B", Decimal(4))
    b1 = add(Level.LEVEL2, "2.1", "B1", Decimal(4), b)
    add(Level.TASK, "2.1.1", "t3", Decimal(4), b1, method=Method.SUBMISSION)
    return draft, category


def _url(name, plan, category, node=None):
    args = [plan.pk, category.pk] + ([node.pk] if node is not None else [])
    return reverse(f"plans:{name}", args=args)


def _task(**extra):
    return {"name": "新任务", "points": "1", "method": Method.SUBMISSION, **extra}


def test_editor_shows_live_sums_and_the_importers_warnings(personas, draft):
    plan, category = draft
    client = personas.client(personas.office)
    page = client.get(_url("tree_edit", plan, category)).content.decode()
    assert "本年度工作任务合计" in page and "10 分" in page
    assert "分值合计一致，没有核对提示" in page
    # a task added under A1 makes A1 (6 → 7) and A disagree and the total 11 ≠ 10: the importer's warnings
    response = client.post(_url("indicator_add", plan, category), {"level": 3, "parent": _node(category, "1.1").pk, **_task()})
    assert response.status_code == 302
    assert _node(category, "1.1.3").name == "新任务"
    page = client.get(_url("tree_edit", plan, category)).content.decode()
    assert "二级指标“A1”写明6分，所属工作任务合计7分" in page
    assert "全部工作任务合计11分，满分应为10分" in page
    assert "11 分" in page
    event = AuditEvent.objects.filter(action="indicator.create", plan_id=plan.pk).get()
    assert event.after["code"] == "1.1.3" and event.after["points"] == "1.00"


def test_add_edit_and_codes_of_all_levels(personas, draft):
    plan, category = draft
    client = personas.client(personas.office)
    client.post(_url("indicator_add", plan, category), {"level": 1, "name": "C", "points": "3"})
    c = _node(category, "3")
    client.post(_url("indicator_add", plan, category), {"level": 2, "parent": c.pk, "name": "C1", "points": "3"})
    client.post(
        _url("indicator_add", plan, category),
        {"level": 3, "parent": _node(category, "3.1").pk, **_task(name="t4", points="2.5", deadline="2021-12-31")},
    )
    # a 二级 added under 一 A lands after A's tasks, before 二 B
    client.post(_url("indicator_add", plan, category), {"level": 2, "parent": _node(category, "1").pk, "name": "A2"})
    assert [code for code, _ in _codes(category)] == [
        "1",
        "1.1",
        "1.1.1",
        "1.1.2",
        "1.2",
        "2",
        "2.1",
        "2.1.1",
        "3",
        "3.1",
        "3.1.1",
    ]
    t4 = _node(category, "3.1.1")
    assert (t4.points, t4.deadline, t4.method) == (Decimal("2.50"), dt.date(2021, 12, 31), Method.SUBMISSION)
    desk = AssessorDesk.objects.filter(plan=plan).order_by("pk")[1]
    response = client.post(
        _url("indicator_edit", plan, category, t4),
        _task(name="t4 改", points="3", method=Method.FIELD, assessor=desk.pk, materials="报告", requirement="要求"),
    )
    assert response.status_code == 302
    t4.refresh_from_db()
    assert (t4.name, t4.points, t4.method, t4.assessor_id, t4.materials) == ("t4 改", Decimal(3), Method.FIELD, desk.pk, "报告")
    event = AuditEvent.objects.filter(action="indicator.update", plan_id=plan.pk).get()
    assert event.before["points"] == "2.50" and event.after["points"] == "3.00"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"points": "-1"}, "分值不能为负数"),
        ({"points": "abc"}, "分值须为数字"),
        ({"points": "1.234"}, "分值最多保留两位小数"),
        ({"name": "长" * 501}, "名称不能超过500个字"),
        ({"name": ""}, "请填写名称"),
        ({"method": ""}, "请选择考核方式"),
        ({"requirement": "长" * 2001}, "工作要求不能超过2000个字"),
        ({"deadline": "2021-13-45"}, "时间要求不是有效的日期"),
    ],
)
def test_bad_input_is_refused_in_chinese_and_nothing_saved(personas, draft, data, message):
    plan, category = draft
    before = _codes(category)
    response = personas.client(personas.office).post(
        _url("indicator_add", plan, category), {"level": 3, "parent": _node(category, "1.1").pk, **_task(**data)}
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert _codes(category) == before


def test_a_node_needs_a_parent_of_the_right_level(personas, draft):
    plan, category = draft
    client = personas.client(personas.office)
    # a task directly under a 一级
    response = client.post(_url("indicator_add", plan, category), {"level": 3, "parent": _node(category, "1").pk, **_task()})
    assert response.status_code == 400 and "工作任务只能放在本类别的二级指标之下" in response.content.decode()
    # a 二级 without a parent
    response = client.post(_url("indicator_add", plan, category), {"level": 2, "name": "X"})
    assert response.status_code == 400 and "二级指标须放在某个一级指标之下" in response.content.decode()
    # moving a task under a 一级 is refused too
    task = _node(category, "1.1.1")
    response = client.post(_url("indicator_move", plan, category, task), {"new_parent": _node(category, "2").pk})
    assert response.status_code == 302
    assert _node(category, "1.1.1").pk == task.pk
    # a parent of another plan's category is not offered
    other = Indicator.objects.filter(level=Level.LEVEL2).exclude(plan=plan).first()
    response = client.post(_url("indicator_add", plan, category), {"level": 3, "parent": other.pk, **_task()})
    assert response.status_code == 400


def test_move_up_down_and_to_another_parent_renumbers(personas, draft):
    plan, category = draft
    client = personas.client(personas.office)
    t2 = _node(category, "1.1.2")
    client.post(_url("indicator_move", plan, category, t2), {"direction": "up"})
    assert [name for _, name in _codes(category)][:4] == ["A", "A1", "t2", "t1"]
    assert _node(category, "1.1.1").pk == t2.pk
    # already first: refused with a message, nothing changes
    response = client.post(_url("indicator_move", plan, category, t2), {"direction": "up"}, follow=True)
    assert "已在最前，不能再上移" in response.content.decode()
    # 一 A moves down: its whole subtree follows and becomes 二
    client.post(_url("indicator_move", plan, category, _node(category, "1")), {"direction": "down"})
    assert _codes(category) == [
        ("1", "B"),
        ("1.1", "B1"),
        ("1.1.1", "t3"),
        ("2", "A"),
        ("2.1", "A1"),
        ("2.1.1", "t2"),
        ("2.1.2", "t1"),
    ]
    # t1 to B1: appended at its end
    client.post(_url("indicator_move", plan, category, _node(category, "2.1.2")), {"new_parent": _node(category, "1.1").pk})
    assert _codes(category)[:4] == [("1", "B"), ("1.1", "B1"), ("1.1.1", "t3"), ("1.1.2", "t1")]
    assert AuditEvent.objects.filter(action="indicator.move", plan_id=plan.pk).count() == 3
    page = client.get(_url("tree_edit", plan, category)).content.decode()
    assert "二级指标“B1”写明4分，所属工作任务合计8分" in page


def test_delete_renumbers_and_is_refused_when_units_records_exist(personas, draft, plan):
    draft_plan, category = draft
    client = personas.client(personas.office)
    client.post(_url("indicator_delete", draft_plan, category, _node(category, "1.1.1")))
    assert [code for code, _ in _codes(category)] == ["1", "1.1", "1.1.1", "2", "2.1", "2.1.1"]
    assert _node(category, "1.1.1").name == "t2"
    event = AuditEvent.objects.filter(action="indicator.delete", plan_id=draft_plan.pk).get()
    assert event.before["name"] == "t1"
    # a whole 一级 with its subtree
    client.post(_url("indicator_delete", draft_plan, category, _node(category, "1")))
    assert _codes(category) == [("1", "B"), ("1.1", "B1"), ("1.1.1", "t3")]
    # a task of the published plan with evaluations: refused, saying why
    task = Evaluation.objects.filter(plan=plan).select_related("task__category").first()
    if task is None:
        unit = PlanUnit.objects.get(plan=plan, organisation__name="舞钢市人民政府")
        t = Indicator.objects.filter(plan=plan, category=unit.category, level=Level.TASK, points__isnull=False).first()
        Evaluation.objects.create(
            plan=plan,
            unit=unit,
            task=t,
            score=t.points,
            evaluated_by=personas.office,
            evaluated_at=dt.datetime(2021, 1, 5, tzinfo=SHANGHAI),
        )
        task = Evaluation.objects.filter(plan=plan).select_related("task__category").first()
    node = task.task
    url = _url("indicator_delete", plan, node.category, node)
    response = client.post(url, {"reason": "合并任务"}, follow=True)
    assert "条评价，不能删除" in response.content.decode()
    assert Indicator.objects.filter(pk=node.pk).exists()


def test_bulk_desk_assignment(personas, draft):
    plan, category = draft
    client = personas.client(personas.office)
    desk = AssessorDesk.objects.filter(plan=plan).order_by("pk")[1]
    tasks = [_node(category, code) for code in ("1.1.1", "2.1.1")]
    response = client.post(_url("indicators_assign_desk", plan, category), {"tasks": [t.pk for t in tasks], "desk": desk.pk})
    assert response.status_code == 302
    assert set(Indicator.objects.filter(pk__in=[t.pk for t in tasks]).values_list("assessor_id", flat=True)) == {desk.pk}
    assert _node(category, "1.1.2").assessor_id != desk.pk
    event = AuditEvent.objects.filter(action="indicator.assign_desk", plan_id=plan.pk).get()
    assert event.after["tasks"] == ["1.1.1", "2.1.1"]
    # nothing ticked, or a 二级 ticked: refused
    response = client.post(_url("indicators_assign_desk", plan, category), {"desk": desk.pk}, follow=True)
    assert "请至少勾选一项工作任务" in response.content.decode()
    response = client.post(
        _url("indicators_assign_desk", plan, category), {"tasks": [_node(category, "1.1").pk], "desk": desk.pk}, follow=True
    )
    assert "勾选的工作任务不属于本类别" in response.content.decode()


def test_next_year_task_is_out_of_the_sums_and_a_normal_task_in_the_copy(personas, draft):
    plan, category = draft
    client = personas.client(personas.office)
    t2 = _node(category, "1.1.2")
    client.post(
        _url("indicator_edit", plan, category, t2), _task(name="t2", points="2", method=Method.DAILY, counts_next_year="on")
    )
    t2.refresh_from_db()
    assert t2.counts_next_year
    page = client.get(_url("tree_edit", plan, category)).content.decode()
    assert "明年考核" in page
    assert "二级指标“A1”写明6分，所属工作任务合计4分" in page
    assert "全部工作任务合计8分，满分应为10分" in page
    copy = plan_copy(actor=personas.office, plan=plan, title="2022年度依法行政考核（编辑测试）")
    copied = Indicator.objects.get(plan=copy, code="1.1.2")
    assert copied.name == "t2" and not copied.counts_next_year and copied.points == Decimal(2)


def test_next_year_task_is_out_of_the_results(personas, plan):
    from kaohe.results.loader import load_plan

    # A 明年考核 task (a new duty announced this year, counted next year) in the 县区政府 table.
    f.task(plan.categories.get(name="县区政府"), "2.2.2", 5, name="总结分析年度依法行政工作", counts_next_year=True)
    loaded = load_plan(plan, "report")
    next_year = Indicator.objects.filter(plan=plan, counts_next_year=True)
    assert next_year.exists()
    assert not set(next_year.values_list("pk", flat=True)) & set(loaded.tasks)


def _published_task(plan, personas):
    """The desk's 报送资料 task of 舞钢 in the published plan, graded 良 by the desk."""
    unit = PlanUnit.objects.get(plan=plan, organisation__name="舞钢市人民政府")
    task = (
        Indicator.objects.filter(
            plan=plan,
            category=unit.category,
            level=Level.TASK,
            method=Method.SUBMISSION,
            assessor__organisation__memberships__user=personas.desk,
            counts_next_year=False,
        )
        .order_by("order")
        .first()
    )
    scoring.evaluation_record(
        actor=personas.desk, plan=plan, unit=unit, task=task, grade="good", reason="材料不全", expected_version=None
    )
    return unit, task


def test_after_publication_a_change_needs_a_reason_notifies_and_flags_evaluations(personas, plan):
    assert plan.status == Plan.Status.PUBLISHED
    unit, task = _published_task(plan, personas)
    evaluation = Evaluation.objects.get(unit=unit, task=task)
    score = evaluation.score
    client = personas.client(personas.office)
    url = _url("indicator_edit", plan, task.category, task)
    data = {
        "name": task.name,
        "points": str(task.points + 1),
        "method": task.method,
        "assessor": task.assessor_id,
        "materials": task.materials,
        "requirement": task.requirement,
        "deadline": task.deadline.isoformat() if task.deadline else "",
    }
    response = client.post(url, data)
    assert response.status_code == 400 and "方案已发布，修改指标须填写修改理由" in response.content.decode()
    task.refresh_from_db()
    old_points = task.points
    response = client.post(url, {**data, "reason": "按领导小组意见调整分值"})
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.points == old_points + 1
    # never rescaled silently: the score stays, the evaluation is flagged for its desk
    evaluation.refresh_from_db()
    assert evaluation.score == score
    flag = PointsChangeFlag.objects.get(unit=unit, task=task, confirmed_at__isnull=True)
    assert (flag.old_points, flag.new_points) == (old_points, old_points + 1)
    event = AuditEvent.objects.filter(action="indicator.update", plan_id=plan.pk).latest("seq")
    assert event.after["reason"] == "按领导小组意见调整分值" and event.after["flagged_evaluations"] >= 1
    # units of the category and the task's desk are notified, with the reason
    notified = Notification.objects.filter(plan_id=plan.pk, body__contains="按领导小组意见调整分值")
    assert notified.filter(user=personas.unit).exists() and notified.filter(user=personas.desk).exists()
    assert not notified.filter(user=personas.unit2).exists()  # 市司法局 is in another category
    # the desk sees it on its grid until it records the cell again
    grid = personas.client(personas.desk).get(reverse("scoring:grid", args=[plan.pk])).content.decode()
    assert "分值已变更，请确认" in grid
    scoring.evaluation_record(
        actor=personas.desk,
        plan=plan,
        unit=unit,
        task=task,
        grade="good",
        reason="材料不全",
        expected_version=evaluation.version,
    )
    flag.refresh_from_db()
    assert flag.confirmed_at is not None and flag.confirmed_by == personas.desk


def test_after_publication_move_and_delete_need_a_reason(personas, plan):
    unit = PlanUnit.objects.get(plan=plan, organisation__name="舞钢市人民政府")
    node = Indicator.objects.filter(plan=plan, category=unit.category, level=Level.LEVEL1).order_by("order").last()
    client = personas.client(personas.office)
    response = client.post(_url("indicator_move", plan, unit.category, node), {"direction": "up"}, follow=True)
    assert "方案已发布，修改指标须填写修改理由" in response.content.decode()
    code = node.code
    response = client.post(
        _url("indicator_move", plan, unit.category, node), {"direction": "up", "reason": "调整顺序"}, follow=True
    )
    node.refresh_from_db()
    assert int(node.code) == int(code) - 1
    assert Notification.objects.filter(user=personas.unit, body__contains="调整顺序").exists()


def test_refused_once_results_are_published(personas, draft):
    plan, category = draft
    Plan.objects.filter(pk=plan.pk).update(status=Plan.Status.RESULTS_PUBLISHED)
    client = personas.client(personas.office)
    response = client.post(_url("indicator_add", plan, category), {"level": 1, "name": "C", "reason": "补充"})
    assert response.status_code == 400 and "考核结果已公布，指标体系已冻结" in response.content.decode()
    response = client.post(
        _url("indicator_move", plan, category, _node(category, "2")), {"direction": "up", "reason": "x"}, follow=True
    )
    assert "考核结果已公布，指标体系已冻结" in response.content.decode()
    assert _node(category, "2").name == "B"
    assert "考核结果已公布，指标体系已冻结，不能再修改" in client.get(_url("tree_edit", plan, category)).content.decode()


def test_only_the_office_edits_and_another_city_gets_404(personas, plan, other_plan):
    unit = PlanUnit.objects.get(plan=plan, organisation__name="舞钢市人民政府")
    category = unit.category
    node = Indicator.objects.filter(category=category, level=Level.TASK).first()
    urls = [
        ("get", _url("tree_edit", plan, category)),
        ("get", _url("indicator_add", plan, category)),
        ("get", _url("indicator_edit", plan, category, node)),
        ("post", _url("indicator_move", plan, category, node)),
        ("post", _url("indicator_delete", plan, category, node)),
        ("post", _url("indicators_assign_desk", plan, category)),
    ]
    for persona in (personas.desk, personas.unit, personas.viewer):
        client = personas.client(persona)
        for method, url in urls:
            assert getattr(client, method)(url, {"direction": "up", "reason": "x"}).status_code == 403, (persona, url)
    client = personas.client(personas.other_office)
    for method, url in urls:
        assert getattr(client, method)(url).status_code == 404, url
    # the other city's office cannot reach a node of this plan through its own plan either
    other_category = Category.objects.create(plan=other_plan, name="县区政府")
    url = _url("indicator_edit", other_plan, other_category, node)
    assert client.get(url).status_code == 404
    assert personas.client(personas.office).get(_url("tree_edit", plan, category)).status_code == 200
    assert Indicator.objects.get(pk=node.pk).code == node.code
    # the office's tree page links to the editor
    page = personas.client(personas.office).get(reverse("plans:tree", args=[plan.pk, category.pk])).content.decode()
    assert "编辑指标" in page
    assert (
        "编辑指标" not in personas.client(personas.desk).get(reverse("plans:tree", args=[plan.pk, category.pk])).content.decode()
    )


def test_the_desk_confirms_a_changed_points_with_the_same_grade(personas, plan):
    """The 确认 button of the cell re-posts the same grade: the flag closes and the score follows the new points."""
    unit, task = _published_task(plan, personas)
    evaluation = Evaluation.objects.get(unit=unit, task=task)
    personas.client(personas.office).post(
        _url("indicator_edit", plan, task.category, task),
        {
            "name": task.name,
            "points": str(task.points * 2),
            "method": task.method,
            "assessor": task.assessor_id,
            "reason": "分值翻倍",
        },
    )
    desk = personas.client(personas.desk)
    cell = desk.get(reverse("scoring:evaluate", args=[plan.pk, unit.pk, task.pk])).content.decode()
    assert "分值已变更，请确认" in cell and "分值翻倍" in cell and 'data-testid="confirm-points"' in cell
    evaluation.refresh_from_db()
    old_score = evaluation.score
    response = desk.post(
        reverse("scoring:evaluate", args=[plan.pk, unit.pk, task.pk]),
        {"grade": evaluation.grade, "score": "", "reason": evaluation.reason, "version": evaluation.version},
    )
    assert response.status_code == 302
    evaluation.refresh_from_db()
    assert evaluation.score == old_score * 2  # 良 of the new points, recorded by the desk, not rescaled behind its back
    assert not PointsChangeFlag.objects.filter(unit=unit, task=task, confirmed_at__isnull=True).exists()
    assert "分值已变更，请确认" not in desk.get(reverse("scoring:evaluate", args=[plan.pk, unit.pk, task.pk])).content.decode()


def test_after_publication_delete_and_bulk_need_a_reason_and_a_reason_has_a_limit(personas, plan):
    unit = PlanUnit.objects.get(plan=plan, organisation__name="舞钢市人民政府")
    category = unit.category
    free = (
        Indicator.objects.filter(plan=plan, category=category, level=Level.TASK)
        .exclude(evaluations__isnull=False)
        .exclude(submissions__isnull=False)
        .exclude(not_applicable__isnull=False)
        .order_by("-order")
        .first()
    )
    client = personas.client(personas.office)
    response = client.post(_url("indicator_delete", plan, category, free), follow=True)
    assert "方案已发布，修改指标须填写修改理由" in response.content.decode()
    response = client.post(_url("indicator_delete", plan, category, free), {"reason": "长" * 501}, follow=True)
    assert "修改理由不能超过500个字" in response.content.decode()
    assert Indicator.objects.filter(pk=free.pk).exists()
    desk = AssessorDesk.objects.filter(plan=plan).exclude(pk=free.assessor_id).first()
    url = _url("indicators_assign_desk", plan, category)
    response = client.post(url, {"tasks": [free.pk], "desk": desk.pk}, follow=True)
    assert "方案已发布，修改指标须填写修改理由" in response.content.decode()
    assert Indicator.objects.get(pk=free.pk).assessor_id == free.assessor_id
    client.post(url, {"tasks": [free.pk], "desk": desk.pk, "reason": "职能调整"})
    assert Indicator.objects.get(pk=free.pk).assessor_id == desk.pk
    # the old desk and the new one are both told
    told = set(Notification.objects.filter(plan_id=plan.pk, body__contains="职能调整").values_list("user__username", flat=True))
    assert told >= {"unit_wugang"}
    event = AuditEvent.objects.filter(action="indicator.assign_desk", plan_id=plan.pk).get()
    assert event.after["reason"] == "职能调整"
    # deleted with a reason: the rest renumbered, the event keeps the reason
    count = Indicator.objects.filter(category=category).count()
    client.post(_url("indicator_delete", plan, category, free), {"reason": "本年度取消该项任务"})
    assert Indicator.objects.filter(category=category).count() == count - 1
    event = AuditEvent.objects.filter(action="indicator.delete", plan_id=plan.pk).get()
    assert event.after["reason"] == "本年度取消该项任务"


def test_editor_page_queries_do_not_grow_with_the_tree(personas, draft):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    plan, category = draft
    client = personas.client(personas.office)
    url = _url("tree_edit", plan, category)
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    parent = _node(category, "2.1")
    for i in range(5):
        client.post(_url("indicator_add", plan, category), {"level": 3, "parent": parent.pk, **_task(name=f"加{i}")})
    with CaptureQueriesContext(connection) as large:
        assert client.get(url).status_code == 200
    assert len(large.captured_queries) == len(small.captured_queries)


def test_a_node_is_reached_only_through_its_own_category(personas, plan):
    county = PlanUnit.objects.get(plan=plan, organisation__name="舞钢市人民政府").category
    other = Category.objects.filter(plan=plan).exclude(pk=county.pk).first()
    node = Indicator.objects.filter(category=county, level=Level.TASK).first()
    client = personas.client(personas.office)
    assert client.get(_url("indicator_edit", plan, other, node)).status_code == 404
    assert client.post(_url("indicator_move", plan, other, node), {"direction": "up", "reason": "x"}).status_code == 404
    assert client.get(_url("indicator_edit", plan, county, node)).status_code == 200
