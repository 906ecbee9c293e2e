"""方案设置: the office sets title, 文号, period, timeline, member units and copy recipients in a page; after
publication a change needs a reason, is audited and notifies those it touches; the 日常考核 scoring deadline holds."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from kaohe.core.models import AuditEvent
from kaohe.core.models_notification import Notification
from kaohe.organisations.models import Membership, Organisation
from kaohe.organisations.roles import Role
from kaohe.plans import services
from kaohe.plans.constants import Level, Method
from kaohe.plans.models import AssessorDesk, Category, Indicator, Plan, PlanUnit
from kaohe.plans.services_settings import plan_settings_update
from kaohe.scoring import services as scoring
from kaohe.scoring.models import Evaluation
from tests.city import PLAN_TITLE

TITLE = "2021年度依法行政考核（设置测试）"


def _city_plan():
    return Plan.objects.get(title=PLAN_TITLE)


@pytest.fixture
def plan(personas):
    """A 2021 draft of the city's office: one category, the desk persona's desk, the unit persona's county.

    (It stands for ``plan`` in this file; the city's published plan is ``_city_plan()``.)
    """
    plan = services.plan_create(
        actor=personas.office,
        organiser=Membership.objects.get(user=personas.office, role=Role.OFFICE).organisation,
        year=2021,
        title=TITLE,
        period_start=dt.date(2021, 1, 1),
        period_end=dt.date(2021, 12, 31),
    )
    category = Category.objects.create(plan=plan, name="县区政府", full_score=Decimal(6))
    desk_org = Membership.objects.filter(user=personas.desk, role=Role.DESK).first().organisation
    desk = AssessorDesk.objects.create(plan=plan, organisation=desk_org, seq="1")
    wugang = Membership.objects.get(user=personas.unit, role=Role.UNIT).organisation  # 舞钢市人民政府
    PlanUnit.objects.create(plan=plan, category=category, organisation=wugang)
    level1 = Indicator.objects.create(plan=plan, category=category, level=Level.LEVEL1, code="1", order=1, name="A", points=6)
    level2 = Indicator.objects.create(
        plan=plan, category=category, level=Level.LEVEL2, code="1.1", order=2, name="A1", points=6, parent=level1
    )
    for order, (code, method) in enumerate((("1.1.1", Method.SUBMISSION), ("1.1.2", Method.DAILY)), start=3):
        Indicator.objects.create(
            plan=plan,
            category=category,
            level=Level.TASK,
            code=code,
            order=order,
            name=f"任务{code}",
            points=3,
            parent=level2,
            method=method,
            assessor=desk,
        )
    return plan


def _url(plan):
    return reverse("plans:settings", args=[plan.pk])


def _post(plan, **changes):
    data = {
        "title": plan.title,
        "doc_number": plan.doc_number,
        "period_start": plan.period_start.isoformat(),
        "period_end": plan.period_end.isoformat(),
        "submission_deadline": plan.submission_deadline.isoformat() if plan.submission_deadline else "",
        "case_files_deadline": plan.case_files_deadline.isoformat() if plan.case_files_deadline else "",
        "daily_scores_deadline": plan.daily_scores_deadline.isoformat() if plan.daily_scores_deadline else "",
        "consultation_days": str(plan.consultation_days),
        "member_organisations": [str(pk) for pk in plan.member_organisations.values_list("pk", flat=True)],
        "copy_organisations": [str(pk) for pk in plan.copy_organisations.values_list("pk", flat=True)],
    }
    data.update(changes)
    return data


def _region_org(plan, name):
    return Organisation.objects.get(region_id=plan.organiser.region_id, name=name)


def test_draft_page_proposes_the_usual_timeline_and_saves_it_with_members_and_copies(personas, plan):
    client = personas.client(personas.office)
    page = client.get(_url(plan)).content.decode()
    # Empty deadlines of a draft are proposed (ISO, so the date inputs show them), not yet saved.
    assert 'value="2021-12-31"' in page and 'value="2022-01-20"' in page
    assert Plan.objects.get(pk=plan.pk).daily_scores_deadline is None

    finance = _region_org(plan, "市财政局")
    organisation_dept = Organisation.objects.create(region=plan.organiser.region, name="中共平顶山市委组织部")
    data = _post(
        plan,
        title="平顶山市2021年度依法行政考核",
        doc_number="平法政办〔2021〕3号",
        submission_deadline="2021-12-31",
        daily_scores_deadline="2022-01-20",
        consultation_days="5",
        member_organisations=[str(finance.pk)],
        copy_organisations=[str(organisation_dept.pk)],
    )
    response = client.post(_url(plan), data)
    assert response.status_code == 302
    plan.refresh_from_db()
    assert (plan.title, plan.doc_number, plan.consultation_days) == ("平顶山市2021年度依法行政考核", "平法政办〔2021〕3号", 5)
    assert plan.daily_scores_deadline == dt.date(2022, 1, 20) and plan.submission_deadline == dt.date(2021, 12, 31)
    assert list(plan.member_organisations.all()) == [finance] and list(plan.copy_organisations.all()) == [organisation_dept]
    event = AuditEvent.objects.filter(action="plan.settings", plan_id=plan.pk).get()
    assert event.before["daily_scores_deadline"] == "" and event.after["daily_scores_deadline"] == "2022-01-20"
    assert event.after["member_organisations"] == ["市财政局"]
    assert not Notification.objects.filter(plan_id=plan.pk).exists()  # a draft concerns nobody yet
    assert "方案设置已保存" in client.get(response["Location"]).content.decode()


def test_saving_without_change_records_nothing(personas, plan):
    response = personas.client(personas.office).post(_url(plan), _post(plan))
    assert response.status_code == 302
    assert not AuditEvent.objects.filter(action="plan.settings", plan_id=plan.pk).exists()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"period_end": "2020-12-31"}, "考核期间止不能早于考核期间起"),
        ({"submission_deadline": "2022-01-31", "daily_scores_deadline": "2022-01-20"}, "日常考核评分截止不能早于资料报送截止"),
        ({"daily_scores_deadline": "2031-01-20"}, "日常考核评分截止"),
        ({"daily_scores_deadline": "20.1.2022"}, "不是有效的日期"),
        ({"consultation_days": "0"}, "征求意见期"),
        ({"consultation_days": "七"}, "征求意见期须为整数天"),
        ({"title": " "}, "请填写方案名称"),
    ],
)
def test_bad_input_is_refused_in_chinese_and_nothing_is_saved(personas, plan, changes, message):
    response = personas.client(personas.office).post(_url(plan), _post(plan, **changes))
    assert response.status_code == 400
    assert message in response.content.decode()
    fresh = Plan.objects.get(pk=plan.pk)
    assert (fresh.title, fresh.period_end, fresh.daily_scores_deadline) == (TITLE, dt.date(2021, 12, 31), None)
    assert not AuditEvent.objects.filter(action="plan.settings", plan_id=plan.pk).exists()


def test_members_and_copies_only_from_the_region_and_no_unit_as_copy(personas, plan, other_plan):
    client = personas.client(personas.office)
    outsider = other_plan.organiser
    response = client.post(_url(plan), _post(plan, member_organisations=[str(outsider.pk)]))
    assert response.status_code == 400 and "只能选择本区划的单位" in response.content.decode()
    # A unit of this plan is served the results in writing: it cannot be a copy recipient.
    city_unit = PlanUnit.objects.filter(plan__title=PLAN_TITLE, organisation__region=plan.organiser.region)
    unit_org = city_unit.first().organisation
    PlanUnit.objects.create(plan=plan, category=plan.categories.first(), organisation=unit_org)
    response = client.post(_url(plan), _post(plan, copy_organisations=[str(unit_org.pk)]))
    assert response.status_code == 400 and "考核对象不必抄送" in response.content.decode()
    assert not plan.copy_organisations.exists()
    with pytest.raises(ValidationError, match="是考核对象"):
        plan_settings_update(actor=personas.office, plan=plan, values={}, member_organisations=[], copy_organisations=[unit_org])


def test_a_published_plan_changes_only_with_a_reason_which_is_audited_and_sent_to_those_touched(personas, plan):
    services.plan_publish(actor=personas.office, plan=plan, accept_warnings=True)
    client = personas.client(personas.office)
    assert "修改须填写理由" in client.get(_url(plan)).content.decode()

    data = _post(plan, daily_scores_deadline="2022-01-25")
    response = client.post(_url(plan), data)
    assert response.status_code == 400 and "须填写修改理由" in response.content.decode()
    assert Plan.objects.get(pk=plan.pk).daily_scores_deadline is None

    response = client.post(_url(plan), {**data, "reason": "市政府通知延后年度考核评分"})
    assert response.status_code == 302
    event = AuditEvent.objects.filter(action="plan.settings", plan_id=plan.pk).get()
    assert event.after == {"daily_scores_deadline": "2022-01-25", "reason": "市政府通知延后年度考核评分"}
    # The scoring deadline concerns the desks only.
    sent = Notification.objects.filter(plan_id=plan.pk)
    assert set(sent.values_list("user__username", flat=True)) == {personas.desk.username} | set(
        Membership.objects.filter(
            organisation_id__in=AssessorDesk.objects.filter(plan=plan).values("organisation_id"), role=Role.DESK
        ).values_list("user__username", flat=True)
    )
    notice = sent.first()
    assert "日常考核评分截止" in notice.title and "未设置 → 2022-01-25" in notice.body and "市政府通知延后" in notice.body

    # A submission deadline concerns units and desks.
    Notification.objects.all().delete()
    plan.refresh_from_db()
    response = client.post(_url(plan), {**_post(plan, submission_deadline="2022-01-10"), "reason": "延长报送"})
    assert response.status_code == 302
    assert Notification.objects.filter(plan_id=plan.pk, user=personas.unit).exists()
    assert Notification.objects.filter(plan_id=plan.pk, user=personas.desk).exists()


def test_settings_are_frozen_with_published_results(personas, plan):
    Plan.objects.filter(pk=plan.pk).update(status=Plan.Status.RESULTS_PUBLISHED)
    client = personas.client(personas.office)
    assert "方案设置已随之冻结" in client.get(_url(plan)).content.decode()
    response = client.post(_url(plan), {**_post(plan, title="改名"), "reason": "x"})
    assert response.status_code == 400
    assert Plan.objects.get(pk=plan.pk).title == TITLE
    with pytest.raises(Exception, match="冻结"):
        plan_settings_update(
            actor=personas.office, plan=plan, values={"title": "改名"}, member_organisations=[], copy_organisations=[]
        )


def test_wrong_role_and_other_office_cannot_open_or_change_settings(personas, plan):
    def check(cases):
        for user, status in cases:
            client = personas.client(user)
            response = client.get(_url(plan))
            assert response.status_code == status
            assert "settings-form" not in response.content.decode()
            assert client.post(_url(plan), {**_post(plan, title="被改了"), "reason": "x"}).status_code == status

    # A draft does not exist for anyone but its office.
    check([(personas.desk, 404), (personas.unit, 404), (personas.other_office, 404)])
    services.plan_publish(actor=personas.office, plan=plan, accept_warnings=True)
    check([(personas.desk, 403), (personas.unit, 403), (personas.other_office, 404)])
    assert Plan.objects.get(pk=plan.pk).title == TITLE
    assert not AuditEvent.objects.filter(action="plan.settings", plan_id=plan.pk).exists()


def test_the_daily_scoring_deadline_is_enforced_for_desk_grades_of_daily_tasks(personas, plan):
    services.plan_publish(actor=personas.office, plan=plan, accept_warnings=True)
    unit = PlanUnit.objects.get(plan=plan)
    daily = Indicator.objects.get(plan=plan, code="1.1.2")
    submission = Indicator.objects.get(plan=plan, code="1.1.1")
    today = timezone.localdate()
    Plan.objects.filter(pk=plan.pk).update(daily_scores_deadline=today)
    plan.refresh_from_db()
    # On the deadline day itself the desk still grades.
    scoring.evaluation_record(actor=personas.desk, plan=plan, unit=unit, task=daily, score="3", expected_version=None)

    Plan.objects.filter(pk=plan.pk).update(daily_scores_deadline=today - dt.timedelta(days=1))
    plan.refresh_from_db()
    with pytest.raises(services.ScoringClosed, match=f"日常考核评分已于 {today - dt.timedelta(days=1):%Y-%m-%d} 截止"):
        scoring.evaluation_record(
            actor=personas.desk, plan=plan, unit=unit, task=daily, score="2", reason="扣分", expected_version=1
        )
    assert Evaluation.objects.get(unit=unit, task=daily).score == Decimal(3)
    # A 报送资料 task is not held by the daily deadline.
    scoring.evaluation_record(
        actor=personas.desk, plan=plan, unit=unit, task=submission, grade="good", reason="材料不全", expected_version=None
    )

    # Through the grid's save, the desk reads the reason.
    response = personas.client(personas.desk).post(
        reverse("scoring:evaluate", args=[plan.pk, unit.pk, daily.pk]),
        {"score": "1", "reason": "迟报", "version": "1"},
        HTTP_HX_REQUEST="true",
    )
    assert response["X-Kaohe-Status"] == "403"
    assert "日常考核评分已于" in response.content.decode()
    assert Evaluation.objects.get(unit=unit, task=daily).score == Decimal(3)


def test_new_plan_page_offers_the_offices_own_plans_to_copy_and_no_one_elses(personas, other_plan):
    city_plan = _city_plan()
    page = personas.client(personas.office).get(reverse("plans:create")).content.decode()
    assert reverse("plans:copy", args=[city_plan.pk]) in page and "复制为 2021 年度" in page
    assert reverse("plans:copy", args=[other_plan.pk]) not in page and other_plan.title not in page
    other = personas.client(personas.other_office).get(reverse("plans:create")).content.decode()
    assert city_plan.title not in other
