"""复制方案至下一年度: the city's 2020 plan copied into 2021, dates shifted, open 整改 items carried as a task."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db.models import Sum
from django.urls import reverse

from kaohe.core.models import AuditEvent
from kaohe.plans.constants import Level
from kaohe.plans.copy import PLAN_FIELDS_COPIED, PLAN_FIELDS_NEW, shift_year
from kaohe.plans.models import AssessorDesk, Category, Indicator, Plan, PlanUnit, ScoringPolicy
from kaohe.reviews.models import RectificationItem
from kaohe.reviews.plan_copy import CARRY_LEVEL1, CARRY_TASK
from tests import factories

TITLE_2021 = "平顶山市2021年度依法行政考核（测试）"  # the city plan's title, next year


def _copy(personas, plan, title=TITLE_2021, user=None, **extra):
    return personas.client(user or personas.office).post(
        reverse("plans:copy", args=[plan.pk]), {"title": title, **extra}, follow=True
    )


def _tree(plan, category_name):
    return list(
        Indicator.objects.filter(plan=plan, category__name=category_name)
        .order_by("order")
        .values_list(
            "level",
            "code",
            "order",
            "name",
            "points",
            "method",
            "materials",
            "requirement",
            "assessor__organisation__name",
            "parent__code",
            "adjustment",
            "counts_next_year",
        )
    )


def test_shift_year():
    assert shift_year(dt.date(2020, 12, 31)) == dt.date(2021, 12, 31)
    assert shift_year(dt.date(2020, 2, 29)) == dt.date(2021, 2, 28)
    assert shift_year(dt.date(9999, 12, 31)) == dt.date(9999, 12, 31)  # a far date stored before dates were bounded


def test_a_far_task_deadline_already_stored_does_not_break_the_copy(personas, plan):
    task = Indicator.objects.filter(plan=plan, level=Level.TASK).order_by("order").first()
    Indicator.objects.filter(pk=task.pk).update(deadline=dt.date(9999, 12, 31))
    response = _copy(personas, plan)
    assert response.status_code == 200
    copied = Plan.objects.get(title=TITLE_2021)
    assert Indicator.objects.get(plan=copied, category__name=task.category.name, code=task.code).deadline == dt.date(9999, 12, 31)


def test_every_plan_field_is_either_copied_or_set_new():
    """A new Plan field must be placed in one of the two lists (copy.py), so a copy never drops or leaks it."""
    names = {f.name for f in Plan._meta.concrete_fields}
    assert names == set(PLAN_FIELDS_COPIED) | set(PLAN_FIELDS_NEW)


def test_copy_form_proposes_the_next_year(personas, plan):
    response = personas.client(personas.office).get(reverse("plans:copy", args=[plan.pk]))
    assert response.status_code == 200
    assert response.context["form"].initial == {"title": TITLE_2021, "doc_number": "平法政办〔2021〕21号"}


def test_copy_of_the_plan(personas, plan, django_assert_max_num_queries):
    # 部门2 grows by 200 tasks under 20 二级 so the tree is the size of a real one (~300 nodes, as the 2020 plan).
    dept2 = plan.categories.get(name="部门2")
    for i in range(200):
        factories.task(dept2, f"5.{i // 10 + 1}.{i % 10 + 1}", "0.5", name=f"工作任务5-{i}", deadline=dt.date(2020, 11, 30))
    plan.member_organisations.add(AssessorDesk.objects.filter(plan=plan).first().organisation)
    plan.copy_organisations.add(AssessorDesk.objects.filter(plan=plan).last().organisation)
    ScoringPolicy.objects.filter(plan=plan).update(bottom_n=3, grade_bands=[{"grade": "优秀", "min": "90"}])
    Plan.objects.filter(pk=plan.pk).update(daily_scores_deadline=dt.date(2021, 1, 19), consultation_days=10)
    plan.refresh_from_db()
    client = personas.client(personas.office)
    url = reverse("plans:copy", args=[plan.pk])
    # A constant number of queries: indicators are inserted level by level (SQLite splits a level into batches
    # of its variable limit, ~7 inserts for ~300 nodes; PostgreSQL needs one per level).
    # (+2: the problem kinds read and inserted)
    with django_assert_max_num_queries(47):
        response = client.post(url, {"title": TITLE_2021, "doc_number": "平法政办〔2021〕1号"})
    new = Plan.objects.get(organiser=plan.organiser, year=2021)
    assert response.status_code == 302 and response["Location"] == reverse("plans:detail", args=[new.pk])
    assert "已复制为 2021 年度方案" in client.get(response["Location"]).content.decode()
    assert new.title == TITLE_2021 and new.doc_number == "平法政办〔2021〕1号" and new.is_draft and new.published_at is None

    # Dates one year later.
    assert (new.period_start, new.period_end) == (dt.date(2021, 1, 1), dt.date(2021, 12, 31))
    assert new.submission_deadline == dt.date(2021, 12, 31)
    assert new.case_files_deadline == dt.date(2022, 1, 13) and new.daily_scores_deadline == dt.date(2022, 1, 19)
    old_deadlines = Indicator.objects.filter(plan=plan, deadline__isnull=False).order_by("category__order", "order")
    new_deadlines = Indicator.objects.filter(plan=new, deadline__isnull=False).order_by("category__order", "order")
    assert [shift_year(d) for d in old_deadlines.values_list("deadline", flat=True)] == list(
        new_deadlines.values_list("deadline", flat=True)
    )

    # The set-up, equal.
    for model in (Category, AssessorDesk, PlanUnit, Indicator):
        assert model.objects.filter(plan=new).count() == model.objects.filter(plan=plan).count(), model
    for category in Category.objects.filter(plan=plan):
        # 明年考核 tasks become normal tasks of the new year; everything else is equal.
        assert _tree(new, category.name) == [(*row[:-1], False) for row in _tree(plan, category.name)], category.name
        copied = Category.objects.get(plan=new, name=category.name)
        assert (copied.full_score, copied.order) == (category.full_score, category.order)
    points = Indicator.objects.filter(level=Level.TASK).values("plan").annotate(total=Sum("points"))
    totals = {row["plan"]: row["total"] for row in points.filter(plan__in=[plan, new])}
    assert totals[new.pk] == totals[plan.pk] > Decimal(0)
    assert set(PlanUnit.objects.filter(plan=new).values_list("organisation_id", "category__name")) == set(
        PlanUnit.objects.filter(plan=plan).values_list("organisation_id", "category__name")
    )
    assert set(AssessorDesk.objects.filter(plan=new).values_list("organisation_id", "contact", "platform_account")) == set(
        AssessorDesk.objects.filter(plan=plan).values_list("organisation_id", "contact", "platform_account")
    )
    # Tasks point at the new plan's desks, never the old ones; children at parents of the same plan.
    assert not Indicator.objects.filter(plan=new, assessor__plan=plan).exists()
    assert not Indicator.objects.filter(plan=new, parent__plan=plan).exists()
    policy = ScoringPolicy.objects.get(plan=new)
    assert policy.bottom_n == 3 and policy.grade_bands == [{"grade": "优秀", "min": "90"}]
    assert list(new.member_organisations.all()) == list(plan.member_organisations.all())
    assert list(new.copy_organisations.all()) == list(plan.copy_organisations.all())
    assert new.consultation_days == 10
    # Nothing that happened in 2020 comes along.
    from kaohe.scoring.models import Evaluation
    from kaohe.submissions.models import Submission

    assert not Evaluation.objects.filter(unit__plan=new).exists()
    assert not Submission.objects.filter(plan=new).exists()
    assert not Indicator.objects.filter(plan=new, name=CARRY_TASK).exists()  # no open 整改 items in the plan
    event = AuditEvent.objects.get(action="plan.copy")
    assert event.plan_id == new.pk and event.after["indicators"] == Indicator.objects.filter(plan=new).count()


def test_copy_twice_is_refused(personas, plan):
    _copy(personas, plan)
    response = _copy(personas, plan)
    assert response.status_code == 400
    assert f"2021 年度已有名为“{TITLE_2021}”的考核方案，不能重复复制" in response.content.decode()
    assert Plan.objects.filter(organiser=plan.organiser, year=2021).count() == 1
    assert AuditEvent.objects.filter(action="plan.copy").count() == 1
    response = _copy(personas, plan, title="  ")
    assert response.status_code == 400 and "请填写新方案的名称" in response.content.decode()


def test_who_may_copy(personas, plan, other_plan):
    url = reverse("plans:copy", args=[plan.pk])
    for user in (personas.desk, personas.unit, personas.viewer):
        assert personas.client(user).get(url).status_code == 403
        assert personas.client(user).post(url, {"title": "x"}).status_code == 403
    for user in (personas.other_office, personas.sysadmin):
        assert personas.client(user).post(url, {"title": "x"}).status_code == 404
    # Another city's office copies its own draft, not ours.
    assert personas.client(personas.office).post(reverse("plans:copy", args=[other_plan.pk]), {"title": "x"}).status_code == 404
    assert not Plan.objects.filter(year=2021).exists()


@pytest.fixture
def rectification_items(personas, plan):
    """舞钢 (县区政府): one item accepted, one returned; 市司法局 (部门2): one open. Released through the URLs."""
    wugang = PlanUnit.objects.get(plan=plan, organisation__name="舞钢市人民政府")
    sfj = PlanUnit.objects.get(plan=plan, organisation__name="市司法局")
    task = Indicator.objects.filter(plan=plan, category__name="县区政府", level=Level.TASK).order_by("order").first()
    office = personas.client(personas.office)
    add = reverse("reviews:problem_add", args=[plan.pk])
    office.post(add, {"unit": wugang.pk, "task": task.pk, "text": "规范性文件备案审查不及时"})
    office.post(add, {"unit": wugang.pk, "text": "年度报告未按时公开"})
    office.post(add, {"unit": sfj.pk, "text": "行政复议应诉工作不规范"})
    office.post(reverse("reviews:release", args=[plan.pk]), {"all_units": "on"})
    items = {i.text: i for i in RectificationItem.objects.filter(plan=plan)}
    unit = personas.client(personas.unit)
    for text in ("规范性文件备案审查不及时", "年度报告未按时公开"):
        unit.post(reverse("reviews:rectification_report", args=[plan.pk, items[text].pk]), {"text": "已整改"})
    decide = "reviews:rectification_decide"
    office.post(reverse(decide, args=[plan.pk, items["年度报告未按时公开"].pk]), {"decision": "accept"})
    office.post(
        reverse(decide, args=[plan.pk, items["规范性文件备案审查不及时"].pk]), {"decision": "return", "reason": "未附回执"}
    )
    return items


def test_open_rectification_items_carry_into_the_copied_2021_plan(personas, plan, rectification_items):
    """The issue's "done when": a rectification item carries into a copied 2021 plan."""
    _copy(personas, plan)
    new = Plan.objects.get(organiser=plan.organiser, year=2021)
    returned = RectificationItem.objects.get(text="规范性文件备案审查不及时")
    accepted = RectificationItem.objects.get(text="年度报告未按时公开")
    sfj_item = RectificationItem.objects.get(text="行政复议应诉工作不规范")
    assert accepted.carried_to_plan is None and accepted.carried_task is None

    county_task = Indicator.objects.get(plan=new, category__name="县区政府", name=CARRY_TASK)
    assert returned.carried_to_plan == new and returned.carried_task == county_task
    assert county_task.level == Level.TASK and county_task.code == "5.1.1" and county_task.points is None
    assert county_task.parent.parent.name == CARRY_LEVEL1 and county_task.parent.parent.code == "5"  # after the table's 4 一级
    assert "舞钢市人民政府：" in county_task.requirement
    # Released today, after 2021-05-31: the item's due date lies ahead of its creation (LATE_ITEM_DAYS).
    assert f"规范性文件备案审查不及时（整改期限 {returned.due_date:%Y-%m-%d}，已退回）" in county_task.requirement
    assert "年度报告未按时公开" not in county_task.requirement  # accepted: done
    dept_task = Indicator.objects.get(plan=new, category__name="部门2", name=CARRY_TASK)
    assert sfj_item.carried_task == dept_task and "市司法局：" in dept_task.requirement
    assert not Indicator.objects.filter(plan=new, category__name="部门1", name=CARRY_TASK).exists()
    # The copied indicators keep their codes and sums; the carry nodes come after them.
    assert Indicator.objects.filter(plan=new).count() == Indicator.objects.filter(plan=plan).count() + 6
    last_order = Indicator.objects.filter(plan=new, category__name="县区政府").order_by("-order").first()
    assert last_order == county_task

    # Next year's office sees the carried items on the (draft) plan's 整改 page, and can still decide them there.
    page = personas.client(personas.office).get(reverse("reviews:rectification_office", args=[new.pk]))
    assert page.status_code == 200
    assert {r.item.pk for r in page.context["page"].rows} == {returned.pk, sfj_item.pk}
    assert all(r.carried_in for r in page.context["page"].rows)
    assert AuditEvent.objects.get(action="plan.copy").after["carried_rectification_items"] == 2
