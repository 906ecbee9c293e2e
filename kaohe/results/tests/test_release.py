"""结果审定与公布: 征求意见稿, comments, 审定, publication (and its refusals), reopening, receipts, lists, bulletin."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import docx
import openpyxl
import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from kaohe.accounts.models import User
from kaohe.core.models import AuditEvent
from kaohe.organisations.models import Membership, Organisation
from kaohe.organisations.roles import Role
from kaohe.plans.constants import Method
from kaohe.plans.models import Plan, PlanUnit
from kaohe.results import selectors, services
from kaohe.results.bulletin import TWO_YEARS_HEADING
from kaohe.results.models import (
    AppendOnly,
    ConsultationComment,
    ReleaseApproval,
    ReleaseStatus,
    ResultPublication,
    ResultReceipt,
    ResultRelease,
    ResultSnapshot,
)
from kaohe.results.tests.conftest import grade, more_counties, tasks_of, unit_named
from kaohe.reviews.models import Feedback, ReviewRequest
from kaohe.scoring import services as scoring
from kaohe.scoring import services_adjustments
from kaohe.scoring.models import BonusApplication, Evaluation, EvaluationChange

FROZEN = "考核结果已公布，分数已冻结"
APPROVER = "市法治政府建设领导小组第3次会议审定"
EDITED_TITLE = "平顶山市法治政府建设领导小组办公室\n关于2020年度依法行政考核结果的通报（审定稿）"


@pytest.fixture
def seven_counties(plan):
    """Four more 县区政府 units (seven in all): the 优秀 quota of 30 % then leaves two places (none of three).

    Request it before ``all_graded``, which then grades them too."""
    return more_counties(plan, 4)


@pytest.fixture
def all_graded(plan, personas):
    """Every unit of the plan graded, each a little lower than the one before in its category (no ties), so a
    computation is complete and the 优秀 quota can be applied."""
    position: dict[int, int] = {}
    for unit in PlanUnit.objects.filter(plan=plan).select_related("category").order_by("pk"):
        k = position[unit.category_id] = position.get(unit.category_id, -1) + 1
        biggest = max(tasks_of(unit), key=lambda t: t.points or 0)
        grade(plan, unit, personas.office, scores={biggest.code: (biggest.points or Decimal(0)) - Decimal(k) * Decimal("0.05")})
    return plan


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def _fresh(plan: Plan) -> Plan:
    return Plan.objects.select_related("organiser").get(pk=plan.pk)


def _url(name: str, plan: Plan, *args: int) -> str:
    return reverse(f"results:{name}", args=[plan.pk, *args])


def _jiwei(plan: Plan) -> tuple[Organisation, User]:
    """市纪委监委: a member organisation of the plan with a viewer account (a copy recipient)."""
    org = Organisation.objects.create(region=plan.organiser.region, name="市纪委监委", kind=Organisation.Kind.DEPARTMENT)
    plan.member_organisations.add(org)
    user = User.objects.create(username="viewer_jw", display_name="纪委查看人员01")
    Membership.objects.create(user=user, organisation=org, role=Role.VIEWER)
    return org, user


def _ready_release(plan: Plan, office, snapshot: ResultSnapshot) -> ResultRelease:
    """Started, closed and approved through the services (the views are tested in the end-to-end test)."""
    release = services.release_start(
        actor=office, plan=plan, snapshot=snapshot, consult_until=timezone.localdate() + dt.timedelta(days=5)
    )
    services.consultation_close(actor=office, plan=plan, release=release)
    services.release_approve(actor=office, plan=plan, release=release, approved_by=APPROVER, approved_on=timezone.localdate())
    return ResultRelease.objects.select_related("snapshot").get(pk=release.pk)


def test_release_end_to_end_through_the_views(personas, all_graded):
    plan = all_graded
    office, desk, viewer, unit = (personas.client(u) for u in (personas.office, personas.desk, personas.viewer, personas.unit))
    jiwei, jiwei_viewer = _jiwei(plan)
    snapshot = services.results_compute(actor=personas.office, plan=plan, missing_policy="report")
    assert snapshot.complete and not snapshot.missing_count

    assert "尚未发起征求意见" in office.get(_url("release", plan)).content.decode()
    until = timezone.localdate() + dt.timedelta(days=7)
    start = {"snapshot": snapshot.pk, "consult_until": until.isoformat()}
    assert desk.post(_url("release_start", plan), start).status_code == 403
    assert personas.client(personas.other_office).post(_url("release_start", plan), start).status_code == 404
    assert office.post(_url("release_start", plan), start).status_code == 302
    release = ResultRelease.objects.get(plan=plan, is_current=True)
    assert (release.status, release.snapshot_id, release.consult_until) == (ReleaseStatus.CONSULTING, snapshot.pk, until)

    # Member units see the draft's ranked tables and comment; a unit may not.
    page = desk.get(_url("consult", plan)).content.decode()
    assert 'data-testid="ranked"' in page and "舞钢市人民政府" in page
    assert viewer.get(_url("consult", plan)).status_code == 200
    assert unit.get(_url("consult", plan)).status_code == 403
    assert unit.post(_url("comment", plan), {"text": "意见"}).status_code == 403
    desk_org = Organisation.objects.get(name="市司法局依法行政指导科")
    desk.post(_url("comment", plan), {"organisation": desk_org.pk, "text": "建议核实舞钢市加分事项"})
    viewer.post(_url("comment", plan), {"organisation": plan.organiser_id, "text": "无意见"})
    response = desk.post(_url("comment", plan), {"organisation": desk_org.pk, "text": "  "})
    assert "请填写意见" in _messages(response)
    comments = list(ConsultationComment.objects.filter(release=release).order_by("pk"))
    assert [(c.organisation_id, c.author_id, c.text) for c in comments] == [
        (desk_org.pk, personas.desk.pk, "建议核实舞钢市加分事项"),
        (plan.organiser_id, personas.viewer.pk, "无意见"),
    ]
    with pytest.raises(AppendOnly):
        comments[0].save()
    with pytest.raises(AppendOnly):
        ConsultationComment.objects.filter(pk=comments[0].pk).delete()
    page = office.get(_url("release", plan)).content.decode()
    assert page.count('data-testid="comment-row"') == 2
    assert "建议核实舞钢市加分事项" in page and "市司法局依法行政指导科" in page and str(personas.desk) in page

    # Publishing now is refused with the reasons; nothing changes.
    response = office.post(_url("publish", plan))
    said = _messages(response)
    assert "征求意见尚未结束" in said and "尚未记录审定（领导小组审定）" in said
    assert _fresh(plan).status == Plan.Status.PUBLISHED and not ResultPublication.objects.filter(plan=plan).exists()

    office.post(_url("consultation_close", plan))
    assert "征求意见已结束，不能再提出意见" in _messages(
        desk.post(_url("comment", plan), {"organisation": desk_org.pk, "text": "迟到的意见"})
    )
    assert ConsultationComment.objects.filter(release=release).count() == 2
    assert office.post(_url("approve", plan), {"approved_by": "", "approved_on": ""}).status_code == 302
    assert not ReleaseApproval.objects.filter(release=release).exists()
    office.post(_url("approve", plan), {"approved_by": APPROVER, "approved_on": timezone.localdate().isoformat()})
    release.refresh_from_db()
    assert release.status == ReleaseStatus.APPROVED

    # Bulletin edits and copy recipients, before publication.
    office.post(
        _url("bulletin_edit", plan),
        {"bulletin_number": "平法政办〔2021〕3号", "bulletin_title": EDITED_TITLE, "bulletin_requirements": "（一）抓好整改。"},
    )
    release.refresh_from_db()
    assert release.bulletin_number == "平法政办〔2021〕3号" and release.bulletin_title == EDITED_TITLE
    wugang = unit_named(plan, "舞钢市人民政府")
    assert "请选择本区划内尚未抄送的单位" in _messages(
        office.post(_url("recipient_add", plan), {"organisation": wugang.organisation_id})
    )
    office.post(_url("recipient_add", plan), {"organisation": jiwei.pk})
    assert list(release.copy_recipients.values_list("organisation_id", flat=True)) == [jiwei.pk]

    # Publish: a desk may not; the office may.
    assert desk.post(_url("publish", plan)).status_code == 403
    assert personas.client(personas.other_office).post(_url("publish", plan)).status_code == 404
    assert "考核结果已公布，分数已冻结；已书面送达各考核对象和抄送单位" in _messages(office.post(_url("publish", plan)))
    plan = _fresh(plan)
    assert plan.status == Plan.Status.RESULTS_PUBLISHED
    publication = ResultPublication.objects.get(plan=plan, withdrawn_at__isnull=True)
    assert (publication.snapshot_id, publication.published_by_id) == (snapshot.pk, personas.office.pk)
    units = PlanUnit.objects.filter(plan=plan).count()
    assert publication.receipts.filter(kind="unit").count() == units and publication.receipts.filter(kind="copy").count() == 1
    assert AuditEvent.objects.filter(action="results.publish", plan_id=plan.pk).count() == 1

    # Scores are frozen: an evaluation and an adjustment are refused with the frozen message.
    task = next(t for t in tasks_of(wugang) if t.assessor and t.assessor.organisation_id == desk_org.pk)
    evaluation = Evaluation.objects.get(unit=wugang, task=task)
    with pytest.raises(PermissionDenied, match=FROZEN):
        scoring.evaluation_record(
            actor=personas.desk, plan=plan, unit=wugang, task=task, grade="good", score="", reason="复查", expected_version=1
        )
    with pytest.raises(PermissionDenied, match=FROZEN):
        services_adjustments.deduction_record(
            actor=personas.office,
            plan=plan,
            unit=wugang,
            kind="other",
            matter="事项",
            points=Decimal(1),
            task=None,
            reason="理由",
        )
    # Edits after publication are refused: the bulletin is frozen to what was published.
    assert "考核结果已公布，通报以公布时的内容为准，不能再修改" in _messages(
        office.post(_url("bulletin_edit", plan), {"bulletin_title": "另一个标题"})
    )

    # The unit sees its own result (and only its own); the receipt is recorded once.
    response = unit.get(_url("published", plan))
    assert response.status_code == 302 and response["Location"] == _url("published_unit", plan, wugang.pk)
    page = unit.get(response["Location"]).content.decode()
    final = snapshot.data["categories"][f"c{wugang.category_id}"]["units"][f"u{wugang.pk}"]
    assert final["final"] in page and final["grade"] in page and 'data-testid="unit-rank"' in page
    assert "宝丰县" not in page  # another unit of its category
    receipt = ResultReceipt.objects.get(publication=publication, organisation=wugang.organisation)
    first_read = receipt.read_at
    assert receipt.read_by_id == personas.unit.pk and first_read is not None
    unit.get(_url("published_unit", plan, wugang.pk))
    receipt.refresh_from_db()
    assert receipt.read_at == first_read
    assert AuditEvent.objects.filter(action="results.receipt", object_id=str(receipt.pk)).count() == 1
    sfj = unit_named(plan, "市司法局")
    assert unit.get(_url("published_unit", plan, sfj.pk)).status_code == 404  # another unit's result
    assert desk.get(_url("published", plan)).status_code == 403
    # The copy recipient's viewer reads everything; the office sees who read what.
    assert personas.client(jiwei_viewer).get(_url("published", plan)).status_code == 200
    assert ResultReceipt.objects.get(publication=publication, organisation=jiwei).read_by_id == jiwei_viewer.pk
    page = office.get(_url("release", plan)).content.decode()
    assert "已读 2/" in page and page.count('data-testid="receipt-row"') == units + 1
    assert '<dt class="col-3">抄送</dt><dd class="col-9">市纪委监委</dd>' in page  # frozen with the bulletin

    # The published bulletin carries the edits and the lists.
    body = office.get(_url("release_bulletin", plan)).content
    texts = [p.text for p in docx.Document(io.BytesIO(body)).paragraphs]
    joined = "\n".join(texts)
    assert "平法政办〔2021〕3号" in texts and "关于2020年度依法行政考核结果的通报（审定稿）" in joined
    assert any(TWO_YEARS_HEADING in t for t in texts) and "优秀等次（" in joined and "（一）抓好整改。" in texts
    assert texts[-2] == "抄送：市纪委监委。"  # frozen with the texts at publication
    assert publication.bulletin["copies"] == ["市纪委监委"]

    # Reopening needs a reason; then scores may change again and a new 审定 is needed.
    assert "撤回公布须写明理由" in _messages(office.post(_url("reopen", plan), {"reason": " "}))
    assert _fresh(plan).status == Plan.Status.RESULTS_PUBLISHED
    assert desk.post(_url("reopen", plan), {"reason": "复查"}).status_code == 403
    office.post(_url("reopen", plan), {"reason": "舞钢市加分事项经复查须调整"})
    plan = _fresh(plan)
    assert plan.status == Plan.Status.PUBLISHED
    publication.refresh_from_db()
    assert publication.withdrawn_by_id == personas.office.pk and publication.withdraw_reason == "舞钢市加分事项经复查须调整"
    assert ReleaseApproval.objects.get(release=release).voided_at is not None
    assert AuditEvent.objects.filter(action="results.reopen", plan_id=plan.pk).count() == 1
    changed = scoring.evaluation_record(
        actor=personas.desk, plan=plan, unit=wugang, task=task, grade="good", score="", reason="复查", expected_version=1
    )
    assert changed.version == evaluation.version + 1
    said = _messages(office.post(_url("publish", plan)))
    assert "尚未记录审定（领导小组审定）" in said and any("输入摘要不一致" in m for m in said)
    assert unit.get(_url("published_unit", plan, wugang.pk)).status_code == 404  # nothing in force now


def test_publication_refusals_list_every_reason(personas, all_graded):
    plan = all_graded
    snapshot = services.results_compute(actor=personas.office, plan=plan, missing_policy="report")
    release = _ready_release(plan, personas.office, snapshot)
    assert services.publication_problems(plan, release) == []
    # An open 复核 request and a score changed since the computation.
    wugang = unit_named(plan, "舞钢市人民政府")
    task = tasks_of(wugang)[1]
    feedback = Feedback.objects.create(plan=plan, unit=wugang, released_by=personas.office, released_at=timezone.now())
    ReviewRequest.objects.create(
        feedback=feedback,
        unit=wugang,
        task=task,
        filed_score=task.points,
        reasons="得分有误",
        filed_by=personas.unit,
        filed_at=timezone.now(),
    )
    Evaluation.objects.filter(unit=wugang, task=tasks_of(wugang)[2]).update(score=Decimal("0.50"), version=F("version") + 1)
    with pytest.raises(ValidationError) as refused:
        services.release_publish(actor=personas.office, plan=plan, release=release)
    reasons = refused.value.messages
    assert len(reasons) == 3
    assert reasons[0].startswith("尚有 1 件复核申请未答复：舞钢市人民政府（")
    # The request's round is open too: a 复核 request awaits its answer (and the unit never acknowledged it).
    assert reasons[1].startswith("尚有 1 轮问题反馈未结束") and "舞钢市人民政府（第1轮" in reasons[1]
    assert f"第{snapshot.seq}次计算之后有 1 项评价被修改（输入摘要不一致），须重新计算并重新征求意见" == reasons[2]
    plan = _fresh(plan)
    assert plan.status == Plan.Status.PUBLISHED and not ResultPublication.objects.filter(plan=plan).exists()
    assert ResultRelease.objects.get(pk=release.pk).status == ReleaseStatus.APPROVED
    # The page lists the same reasons, and the view refuses with them.
    client = personas.client(personas.office)
    page = client.get(_url("release", plan)).content.decode()
    assert "尚有 1 件复核申请未答复" in page and "输入摘要不一致" in page
    said = _messages(client.post(_url("publish", plan)))
    assert said[0] == "不能公布考核结果：" and said[1:] == reasons
    # A desk cannot publish through the service either.
    with pytest.raises(PermissionDenied):
        services.release_publish(actor=personas.desk, plan=plan, release=release)


def test_publication_refused_with_missing_evaluations(personas, plan, graded_dept1):
    """Missing evaluations without the office's recorded decision cannot even become the 征求意见稿 (listed by
    unit); with the decision see test_release_closing.py."""
    snapshot = services.results_compute(
        actor=personas.office, plan=plan, missing_policy="zero", decision_note="考核办会议决定：逾期未评按0分计"
    )
    assert snapshot.complete and snapshot.missing_count  # complete by decision, yet evaluations are missing
    release = _ready_release(plan, personas.office, snapshot)
    assert _fresh(plan).status == Plan.Status.PUBLISHED
    # An incomplete snapshot cannot even become the 征求意见稿.
    incomplete = services.results_compute(actor=personas.office, plan=plan, missing_policy="report")
    with pytest.raises(ValidationError, match="评价未齐"):
        services.release_start(actor=personas.office, plan=plan, snapshot=incomplete, consult_until=timezone.localdate())
    response = personas.client(personas.office).post(
        _url("release_start", plan), {"snapshot": incomplete.pk, "consult_until": timezone.localdate().isoformat()}
    )
    assert "请选择一次评价齐全的计算结果" in _messages(response)
    assert ResultRelease.objects.get(plan=plan, is_current=True).pk == release.pk


def _previous_year(plan: Plan, office, excellent_orgs: list[int]) -> Plan:
    """The organiser's 2019 plan with published results in which ``excellent_orgs`` were graded 优秀."""
    when = dt.datetime(2020, 3, 1, tzinfo=dt.UTC)
    earlier = Plan.objects.create(
        organiser=plan.organiser,
        year=plan.year - 1,
        title="平顶山市2019年度依法行政考核",
        period_start=dt.date(2019, 1, 1),
        period_end=dt.date(2019, 12, 31),
        status=Plan.Status.RESULTS_PUBLISHED,
    )
    snapshot = ResultSnapshot.objects.create(
        plan=earlier,
        seq=1,
        computed_by=office,
        computed_at=when,
        missing_policy="report",
        complete=True,
        inputs_digest="1" * 64,
        inputs={"policy": {"bands": [{"name": "优秀", "min": "90"}, {"name": "良好", "min": "0"}]}},
        data={"grades_by_organisation": {str(org): "优秀" for org in excellent_orgs}},
    )
    release = ResultRelease.objects.create(
        plan=earlier,
        seq=1,
        snapshot=snapshot,
        status=ReleaseStatus.PUBLISHED,
        created_by=office,
        created_at=when,
        consult_until=dt.date(2020, 3, 1),
    )
    approval = ReleaseApproval.objects.create(
        release=release, approved_by="领导小组会议审定", approved_on=dt.date(2020, 3, 2), recorded_by=office, recorded_at=when
    )
    ResultPublication.objects.create(
        release=release, plan=earlier, snapshot=snapshot, approval=approval, published_by=office, published_at=when
    )
    return earlier


def test_excellent_two_years_running_and_its_absence(personas, seven_counties, all_graded):
    plan = all_graded
    snapshot = services.results_compute(actor=personas.office, plan=plan, missing_policy="report")
    lists = selectors.category_lists(snapshot)
    missing = selectors.excellent_two_years(plan, lists)
    assert not missing.available and missing.note == selectors.NO_PREVIOUS_YEAR
    release = _ready_release(plan, personas.office, snapshot)
    page = personas.client(personas.office).get(_url("release", plan)).content.decode()
    assert selectors.NO_PREVIOUS_YEAR in page
    texts = [
        p.text
        for p in docx.Document(
            io.BytesIO(personas.client(personas.office).get(_url("release_bulletin", plan)).content)
        ).paragraphs
    ]
    heading = next(i for i, t in enumerate(texts) if TWO_YEARS_HEADING in t)
    assert texts[heading + 1] == selectors.NO_PREVIOUS_YEAR

    # Last year's published results: this year's 优秀 in 县区政府 who were 优秀 then too (matched by organisation).
    county = next(c for c in lists if c.name == "县区政府")
    assert len(county.excellent) >= 2
    both = [county.excellent[0][0], county.excellent[-1][0]]
    not_excellent_now = next(
        u.organisation_id
        for u in PlanUnit.objects.filter(plan=plan, category__name="县区政府")
        if u.organisation_id not in {o for o, _ in county.excellent}
    )
    _previous_year(plan, personas.office, [*both, not_excellent_now])
    found = selectors.excellent_two_years(plan, lists)
    names = {o: n for o, n in county.excellent}
    assert found.available and "平顶山市2019年度依法行政考核" in found.note
    assert dict(found.rows)["县区政府"] == [names[both[0]], names[both[1]]]
    assert dict(found.rows)["部门1"] == []
    # Creating last year's snapshot changed this year's inputs (the loader reads it): recompute and publish.
    assert any("输入摘要不一致" in p for p in services.publication_problems(plan, release))
    snapshot = services.results_compute(actor=personas.office, plan=plan, missing_policy="report")
    release = _ready_release(plan, personas.office, snapshot)
    publication = services.release_publish(actor=personas.office, plan=plan, release=release)
    publication.refresh_from_db()
    assert publication.excellent_two_years["rows"][0] == ["县区政府", [names[both[0]], names[both[1]]]]
    body = personas.client(personas.office).get(_url("release_bulletin", plan)).content
    texts = [p.text for p in docx.Document(io.BytesIO(body)).paragraphs]
    heading = next(i for i, t in enumerate(texts) if TWO_YEARS_HEADING in t)
    assert texts[heading + 1] == f"县区政府：{names[both[0]]}、{names[both[1]]}。"
    # The commendation names the unit "及主要负责人" when the unit's 主要负责人 is recorded for the year.
    PlanUnit.objects.filter(plan=plan, organisation_id=both[0]).update(leader_name="张三", leader_post="县长")
    body = personas.client(personas.office).get(_url("release_bulletin", plan)).content
    texts = [p.text for p in docx.Document(io.BytesIO(body)).paragraphs]
    assert texts[heading + 1] == f"县区政府：{names[both[0]]}（主要负责人：张三，县长）、{names[both[1]]}。"
    page = personas.client(personas.viewer).get(_url("published", plan)).content.decode()
    assert names[both[0]] in page and 'data-testid="two-years"' in page


def test_score_sheet_per_category_with_reasons_and_sources(personas, plan, graded_dept1):
    wangxin = graded_dept1[0]
    field_task = next(t for t in tasks_of(wangxin) if t.method == Method.FIELD)
    scoring.evaluation_record_derived(
        actor=personas.office,
        plan=plan,
        unit=wangxin,
        task=field_task,
        score=Decimal(field_task.points) - Decimal("0.50"),
        reason="实地查看台账不完整",
        source=EvaluationChange.Source.FIELD,
        expected_version=-1,
    )
    snapshot = services.results_compute(actor=personas.office, plan=plan, missing_policy="report")
    dept1 = plan.categories.get(name="部门1")
    url = _url("score_sheet", plan, snapshot.pk, dept1.pk)
    for user in (personas.desk, personas.unit, personas.viewer):
        assert personas.client(user).get(url).status_code == 403
    assert personas.client(personas.other_office).get(url).status_code == 404
    assert personas.client(personas.office).get(_url("score_sheet", plan, snapshot.pk, 999999)).status_code == 404
    response = personas.client(personas.office).get(url)
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["说明", "部门1排名", "得分明细"]
    ranked = [r[1] for r in book["部门1排名"].iter_rows(min_row=5, values_only=True)]
    assert ranked == ["市新闻出版局", "市委机要保密局", "市委网信办"]
    detail = book["得分明细"]
    assert detail["A2"].value == "类别：部门1"
    header = [c.value for c in detail[4]]
    assert header[-2:] == ["扣分理由或说明", "评价来源"]
    rows = list(detail.iter_rows(min_row=5, values_only=True))
    assert {r[1] for r in rows} == {"市新闻出版局", "市委机要保密局", "市委网信办"}
    assert len(rows) == 3 * len(tasks_of(wangxin)) == 9
    field_row = next(r for r in rows if r[1] == "市委网信办" and r[4] == field_task.code)
    assert field_row[14] == "实地查看台账不完整" and field_row[15] == "实地考核"
    assert AuditEvent.objects.filter(action="results.score_sheet", object_id=str(snapshot.pk)).count() == 1
    # The office's breakdown page names each evaluation's source (from the same query as the evaluations).
    page = personas.client(personas.office).get(_url("breakdown", plan, snapshot.pk, wangxin.pk)).content.decode()
    row = page[page.index(f">{field_task.code}<") :]
    assert '<span class="badge bg-blue-lt">实地考核</span>' in row[: row.index("</tr>")]


def test_first_release_takes_the_plans_copy_recipients_and_consultation_period(personas, all_graded):
    """方案设置 → 结果审定与公布: the 抄送 chosen in the plan's settings, and its 征求意见期 as the proposed deadline."""
    plan = all_graded
    jiwei, _ = _jiwei(plan)
    Plan.objects.filter(pk=plan.pk).update(consultation_days=10)
    plan.copy_organisations.add(jiwei)
    page = personas.client(personas.office).get(_url("release", plan))
    assert page.context["start_form"].initial["consult_until"] == timezone.localdate() + dt.timedelta(days=10)
    snapshot = services.results_compute(actor=personas.office, plan=plan, missing_policy="report")
    release = services.release_start(
        actor=personas.office, plan=_fresh(plan), snapshot=snapshot, consult_until=timezone.localdate()
    )
    assert list(release.copy_recipients.values_list("organisation_id", flat=True)) == [jiwei.pk]


def test_copy_recipients_and_wrong_people(personas, all_graded):
    plan = all_graded
    snapshot = services.results_compute(actor=personas.office, plan=plan, missing_policy="report")
    release = services.release_start(
        actor=personas.office, plan=plan, snapshot=snapshot, consult_until=timezone.localdate() + dt.timedelta(days=3)
    )
    jiwei, _ = _jiwei(plan)
    office = personas.client(personas.office)
    office.post(_url("recipient_add", plan), {"organisation": jiwei.pk})
    recipient = release.copy_recipients.get()
    remove = _url("recipient_remove", plan, recipient.pk)
    assert personas.client(personas.desk).post(remove).status_code == 403
    assert personas.client(personas.other_office).post(remove).status_code == 404
    assert office.post(_url("recipient_remove", plan, 999999)).status_code == 404
    assert office.post(remove).status_code == 302
    assert not release.copy_recipients.exists()
    assert AuditEvent.objects.filter(action__in=["results.copy_add", "results.copy_remove"]).count() == 2
    # An organisation of another city is not offered, and the service refuses it.
    other_city = Organisation.objects.get(name="洛阳市司法局")
    assert "请选择本区划内尚未抄送的单位" in _messages(office.post(_url("recipient_add", plan), {"organisation": other_city.pk}))
    with pytest.raises(ValidationError, match="只能抄送本区划的单位"):
        services.copy_recipient_add(actor=personas.office, plan=plan, release=release, organisation=other_city)
    # Another city's office sees none of it.
    for name in ("release", "consult", "published"):
        assert personas.client(personas.other_office).get(_url(name, plan)).status_code == 404
    # A new 征求意见稿 supersedes the current one, keeping the history.
    again = services.results_compute(actor=personas.office, plan=plan, missing_policy="report")
    second = services.release_start(actor=personas.office, plan=plan, snapshot=again, consult_until=timezone.localdate())
    release.refresh_from_db()
    assert not release.is_current and release.superseded_by_id == personas.office.pk and second.seq == 2
    assert "第1次发布" in office.get(_url("release", plan)).content.decode()


def test_release_page_queries_do_not_grow_with_comments(personas, all_graded, django_assert_max_num_queries):
    plan = all_graded
    snapshot = services.results_compute(actor=personas.office, plan=plan, missing_policy="report")
    release = services.release_start(
        actor=personas.office, plan=plan, snapshot=snapshot, consult_until=timezone.localdate() + dt.timedelta(days=3)
    )
    desk_org = Organisation.objects.get(name="市司法局依法行政指导科")
    client = personas.client(personas.office)
    client.get(_url("release", plan))
    counts = []
    for _ in range(2):
        for n in range(5):
            services.consultation_comment_add(
                actor=personas.desk, plan=plan, release=release, organisation=desk_org, text=f"意见{n}"
            )
        with django_assert_max_num_queries(60) as captured:
            assert client.get(_url("release", plan)).status_code == 200
        counts.append(len(captured.captured_queries))
    assert counts[0] == counts[1]


def test_open_bonus_applications_block_publication_listed_by_unit(personas, all_graded):
    """Finding 8: an undecided 加分申请 was lost at publication (deciding it was then refused as frozen)."""
    plan = all_graded
    wugang, sfj = unit_named(plan, "舞钢市人民政府"), unit_named(plan, "市司法局")
    services_adjustments.bonus_application_submit(
        actor=personas.unit, plan=plan, unit=wugang, kind="award", matter="省级法治政府建设示范"
    )
    services_adjustments.bonus_application_submit(actor=personas.unit2, plan=plan, unit=sfj, kind="media", matter="央视专题报道")
    services_adjustments.bonus_application_submit(
        actor=personas.unit, plan=plan, unit=wugang, kind="experience", matter="经验全省推广"
    )
    snapshot = services.results_compute(actor=personas.office, plan=plan, missing_policy="report")
    release = _ready_release(plan, personas.office, snapshot)
    expected = "尚有 3 件加分申请未审核，须认定或不予认定后再公布（公布后不能再审核）：市司法局（“央视专题报道”）；舞钢市人民政府（“省级法治政府建设示范”、“经验全省推广”）"
    assert services.publication_problems(plan, release) == [expected]
    said = _messages(personas.client(personas.office).post(_url("publish", plan)))
    assert said[1:] == [expected]
    assert _fresh(plan).status == Plan.Status.PUBLISHED and not ResultPublication.objects.filter(plan=plan).exists()
    assert expected in personas.client(personas.office).get(_url("release", plan)).content.decode()
    # Deciding them (here: not granted, which changes no score) clears the way; publication then passes.
    for application in BonusApplication.objects.filter(plan=plan):
        services_adjustments.bonus_application_decide(
            actor=personas.office, plan=plan, application=application, approve=False, reason="材料不足"
        )
    assert services.publication_problems(plan, release) == []
    services.release_publish(actor=personas.office, plan=plan, release=release)
    assert _fresh(plan).status == Plan.Status.RESULTS_PUBLISHED
