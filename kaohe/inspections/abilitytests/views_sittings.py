"""统一考试场次 pages of the office: a sitting for many units, its candidates, paper, opening, progress and results."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kaohe import access
from kaohe.access.abilitytests import ABILITY_MANAGE, ABILITY_ROSTER, ABILITY_SCORE
from kaohe.access.plans import get_plan_for_user
from kaohe.accounts.http import AuthenticatedHttpRequest
from kaohe.core.downloads import as_download
from kaohe.core.flash import flash_errors, flash_form_errors
from kaohe.inspections.abilitytests import selectors_sittings, services_sittings, sheets
from kaohe.inspections.abilitytests.forms import OpenForm
from kaohe.inspections.abilitytests.forms_sittings import SittingForm
from kaohe.inspections.abilitytests.models import Sitting
from kaohe.inspections.abilitytests.views import XLSX, _read_xlsx, _spaced
from kaohe.plans.models import Plan


def _office(request: AuthenticatedHttpRequest, plan_id: int, sitting_id: int) -> tuple[Plan, Sitting]:
    """The plan (the office only: 403 for the plan's other insiders, 404 outsiders) and its sitting (404)."""
    plan = get_plan_for_user(request.user, plan_id, capability=ABILITY_MANAGE)
    return plan, selectors_sittings.get_sitting(plan, sitting_id)


def _context(request: AuthenticatedHttpRequest, plan: Plan, **extra: object) -> dict[str, object]:
    return {
        "plan": plan,
        "tab": "tests",
        "can_manage": True,
        "can_score": access.can(request.user, ABILITY_SCORE, plan),
        "can_roster": access.can(request.user, ABILITY_ROSTER, plan),
        **extra,
    }


def _to_sitting(plan: Plan, sitting: Sitting) -> HttpResponse:
    return redirect("abilitytests:sitting", plan_id=plan.pk, sitting_id=sitting.pk)


@login_required
@require_http_methods(["GET", "POST"])
def sitting_new(request: AuthenticatedHttpRequest, plan_id: int) -> HttpResponse:
    plan = get_plan_for_user(request.user, plan_id, capability=ABILITY_MANAGE)
    initial = {"single": 30, "multiple": 10, "judge": 10}
    form = SittingForm(request.POST or None, plan=plan, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            sitting = services_sittings.sitting_create(
                actor=request.user,
                plan=plan,
                title=data["title"],
                tasks=list(data["tasks"]),
                paper_rules=data["paper_rules"],
                time_limit_minutes=data["time_limit_minutes"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "已新建统一考试场次。下一步：导入考生名单。")
            return _to_sitting(plan, sitting)
    return render(request, "abilitytests/sitting_new.html", _context(request, plan, form=form))


@login_required
@require_GET
def sitting(request: AuthenticatedHttpRequest, plan_id: int, sitting_id: int) -> HttpResponse:
    """The office's page of a sitting: candidates, paper, opening and closing, progress per unit."""
    plan, record = _office(request, plan_id, sitting_id)
    rows = selectors_sittings.progress(record)
    context = _context(
        request,
        plan,
        sitting=record,
        rows=rows,
        tasks=selectors_sittings.sitting_tasks(record),
        paper=selectors_sittings.sitting_paper(record),
        totals={
            "units": sum(1 for r in rows if r.candidates),
            "candidates": sum(r.candidates for r in rows),
            "started": sum(r.started for r in rows),
            "answering": sum(r.answering for r in rows),
            "finished": sum(r.finished for r in rows),
            "absent": sum(r.absent for r in rows),
        },
        is_running=plan.status == Plan.Status.PUBLISHED,
    )
    return render(request, "abilitytests/sitting.html", context)


@login_required
@require_GET
def sitting_results(request: AuthenticatedHttpRequest, plan_id: int, sitting_id: int) -> HttpResponse:
    """Per unit: candidates, finished, unmarked short answers, mean score rate, the task score and what was recorded."""
    plan, record = _office(request, plan_id, sitting_id)
    rows = selectors_sittings.results(record)
    context = _context(
        request,
        plan,
        sitting=record,
        rows=rows,
        paper=selectors_sittings.sitting_paper(record),
        is_running=plan.status == Plan.Status.PUBLISHED,
    )
    return render(request, "abilitytests/sitting_results.html", context)


@login_required
@require_GET
def sitting_roster_template(request: AuthenticatedHttpRequest, plan_id: int, sitting_id: int) -> HttpResponse:
    _plan, record = _office(request, plan_id, sitting_id)
    names = [u.organisation.name for u in services_sittings.sitting_units(record)]
    return as_download(HttpResponse(sheets.sitting_roster_template(names), content_type=XLSX), "考生名单模板.xlsx")


@login_required
@require_POST
def sitting_roster(request: AuthenticatedHttpRequest, plan_id: int, sitting_id: int) -> HttpResponse:
    plan, record = _office(request, plan_id, sitting_id)
    upload = _read_xlsx(request)
    if upload is not None:
        data, name = upload
        try:
            counts = services_sittings.sitting_roster_import(actor=request.user, sitting=record, data=data, original_name=name)
        except ValidationError as exc:
            messages.error(request, "导入失败，考生名单未改变。请修改表格后重新导入：")
            flash_errors(request, exc)
        else:
            messages.success(request, f"已导入 {len(counts)} 个考核对象的 {sum(counts.values())} 名考生")
    return _to_sitting(plan, record)


@login_required
@require_POST
def sitting_paper(request: AuthenticatedHttpRequest, plan_id: int, sitting_id: int) -> HttpResponse:
    plan, record = _office(request, plan_id, sitting_id)
    try:
        paper = services_sittings.sitting_paper_make(actor=request.user, sitting=record)
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(
            request, f"已组卷：{len(paper.question_ids)} 道题，总分 {paper.total_points}；每名考生的题序和选项顺序各不相同"
        )
    return _to_sitting(plan, record)


@login_required
@require_POST
def sitting_open(request: AuthenticatedHttpRequest, plan_id: int, sitting_id: int) -> HttpResponse:
    plan, record = _office(request, plan_id, sitting_id)
    form = OpenForm(request.POST)
    if not form.is_valid():
        flash_form_errors(request, form)
        return _to_sitting(plan, record)
    try:
        issued = services_sittings.sitting_open(
            actor=request.user, sitting=record, time_limit_minutes=form.cleaned_data["time_limit_minutes"]
        )
    except ValidationError as exc:
        flash_errors(request, exc)
        return _to_sitting(plan, record)
    record.refresh_from_db()
    rows = [(i.unit, i.testee, _spaced(i.code)) for i in issued]
    return render(request, "abilitytests/sitting_codes.html", _context(request, plan, sitting=record, rows=rows))


@login_required
@require_POST
def sitting_close(request: AuthenticatedHttpRequest, plan_id: int, sitting_id: int) -> HttpResponse:
    plan, record = _office(request, plan_id, sitting_id)
    try:
        counts = services_sittings.sitting_close(actor=request.user, sitting=record)
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, f"考试已结束：超时收卷 {counts['timeout']} 人，缺考 {counts['absent']} 人")
    return _to_sitting(plan, record)


@login_required
@require_POST
def sitting_record(request: AuthenticatedHttpRequest, plan_id: int, sitting_id: int) -> HttpResponse:
    plan, record = _office(request, plan_id, sitting_id)
    try:
        outcome = services_sittings.sitting_record(actor=request.user, sitting=record)
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        if outcome.written:
            messages.success(request, f"已计入 {len(outcome.written)} 个考核对象的考核得分")
        if outcome.skipped:
            messages.warning(request, f"未计入：{'；'.join(outcome.skipped[:30])}")
    return redirect("abilitytests:sitting_results", plan_id=plan.pk, sitting_id=record.pk)
