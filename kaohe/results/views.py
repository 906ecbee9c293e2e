"""Results pages. The office: snapshots and the compute form, a snapshot's ranked tables, a unit's breakdown,
.xlsx/.docx, and the release (征求意见, 审定, 公布, 撤回). Member units: the consultation page. Units, viewers and copy
recipients: the published results (a unit its own only)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from kaohe import access
from kaohe.access.plans import get_published_plan_for_user, own_units
from kaohe.access.results import (
    consulting_organisations,
    get_copy_recipient_for_user,
    get_published_unit_for_user,
    get_release_plan_for_user,
    get_results_plan_for_user,
    get_snapshot_for_user,
)
from kaohe.accounts.http import AuthenticatedHttpRequest
from kaohe.core import selectors as core_selectors
from kaohe.core.audit_exports import export_response
from kaohe.core.flash import flash_errors, flash_form_errors
from kaohe.plans import selectors as plan_selectors
from kaohe.plans.models import Plan
from kaohe.results import exports, selectors, services, services_jobs
from kaohe.results.bulletin import BulletinTexts, build_bulletin, default_texts
from kaohe.results.forms import (
    ApprovalForm,
    BulletinForm,
    CategoryChoiceForm,
    CommentForm,
    ComputeForm,
    RecipientForm,
    ReleaseStartForm,
    ReopenForm,
)
from kaohe.results.models import MissingPolicyChoice, ReleaseStatus, ResultRelease

MISSING_PAGE = 50


JOB_SHOWN = dt.timedelta(hours=1)


def _index(request: HttpRequest, plan: Plan, form: ComputeForm, *, status: int = 200) -> HttpResponse:
    rows = selectors.snapshot_rows(plan)
    job = core_selectors.latest_plan_job(plan.pk, (services_jobs.COMPUTE,))
    if job is not None and job.finished and job.created_at < timezone.now() - JOB_SHOWN:
        job = None
    latest = rows[0].snapshot if rows else None
    missing = selectors.missing_lines(plan, latest) if latest is not None and latest.missing_count else []
    return render(
        request,
        "results/index.html",
        {
            "plan": plan,
            "form": form,
            "rows": rows,
            "latest": latest,
            "missing_page": Paginator(missing, MISSING_PAGE).get_page(request.GET.get("page")),
            "missing_units": len(missing),
            "zero": MissingPolicyChoice.ZERO,
            "job": job,
            "background": services_jobs.runs_in_background(plan),
        },
        status=status,
    )


@login_required
@require_GET
def index(request: AuthenticatedHttpRequest, plan_id: int) -> HttpResponse:
    """Every computation of the plan, the compute form, and what the latest one found missing."""
    plan = get_results_plan_for_user(request.user, plan_id)
    rule = selectors.missing_rule_of(plan)
    return _index(request, plan, ComputeForm(initial={"missing_policy": rule or MissingPolicyChoice.REPORT}))


@login_required
@require_POST
def compute(request: AuthenticatedHttpRequest, plan_id: int) -> HttpResponse:
    plan = get_results_plan_for_user(request.user, plan_id)
    form = ComputeForm(request.POST)
    if form.is_valid() and services_jobs.runs_in_background(plan):
        try:
            services_jobs.results_compute_start(
                actor=request.user,
                plan=plan,
                missing_policy=form.cleaned_data["missing_policy"],
                decision_note=form.cleaned_data["decision_note"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "已开始在后台计算，可离开或刷新本页，完成后在此查看结果")
            return redirect("results:index", plan_id=plan.pk)
    elif form.is_valid():
        try:
            snapshot = services.results_compute(
                actor=request.user,
                plan=plan,
                missing_policy=form.cleaned_data["missing_policy"],
                decision_note=form.cleaned_data["decision_note"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"已完成第{snapshot.seq}次计算")
            return redirect("results:snapshot", plan_id=plan.pk, snapshot_id=snapshot.pk)
    return _index(request, plan, form, status=400)


@login_required
@require_GET
def snapshot(request: AuthenticatedHttpRequest, plan_id: int, snapshot_id: int) -> HttpResponse:
    """One computation: per category the ranked table (category chosen with ?category=)."""
    plan = get_results_plan_for_user(request.user, plan_id)
    snap = get_snapshot_for_user(request.user, plan, snapshot_id)
    categories = [(c["id"], c["name"]) for c in snap.summary]
    form = CategoryChoiceForm(request.GET, categories=categories)
    category_id = categories[0][0] if categories else None
    if form.is_valid() and form.cleaned_data["category"] is not None:
        category_id = form.cleaned_data["category"]
    table = selectors.category_table(snap, category_id) if category_id is not None else None
    return render(
        request,
        "results/snapshot.html",
        {
            "plan": plan,
            "snapshot": snap,
            "table": table,
            "zero": MissingPolicyChoice.ZERO,
            "background": services_jobs.snapshot_in_background(snap),
        },
    )


@login_required
@require_GET
def breakdown(request: AuthenticatedHttpRequest, plan_id: int, snapshot_id: int, unit_id: int) -> HttpResponse:
    """One unit in one computation, down to each task, with who gave each value and the formula."""
    plan = get_results_plan_for_user(request.user, plan_id)
    snap = get_snapshot_for_user(request.user, plan, snapshot_id)
    unit = plan_selectors.find_unit(plan, unit_id)
    data = selectors.unit_breakdown(plan, snap, unit) if unit is not None else None
    if data is None:
        raise Http404("该考核对象不在此次计算中")
    return render(
        request,
        "results/breakdown.html",
        {"plan": plan, "snapshot": snap, "b": data, "zero": MissingPolicyChoice.ZERO},
    )


@login_required
@require_GET
def export(request: AuthenticatedHttpRequest, plan_id: int, snapshot_id: int) -> HttpResponse:
    plan = get_results_plan_for_user(request.user, plan_id)
    snap = get_snapshot_for_user(request.user, plan, snapshot_id)
    body = exports.snapshot_workbook(plan, snap)
    response = HttpResponse(body, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    filename = f"{plan.title}-考核结果-第{snap.seq}次计算.xlsx"
    return export_response(
        request, response, filename=filename, action="results.export", obj=snap, plan_id=plan.pk, after={"seq": snap.seq}
    )


@login_required
@require_GET
def bulletin(request: AuthenticatedHttpRequest, plan_id: int, snapshot_id: int) -> HttpResponse:
    """The snapshot as the results bulletin (考核情况的通报), a .docx draft in the official document layout."""
    plan = get_results_plan_for_user(request.user, plan_id)
    snap = get_snapshot_for_user(request.user, plan, snapshot_id)
    body = build_bulletin(plan, snap)
    response = HttpResponse(body, content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    filename = f"{plan.title}-考核情况通报-第{snap.seq}次计算.docx"
    return export_response(
        request, response, filename=filename, action="results.bulletin", obj=snap, plan_id=plan.pk, after={"seq": snap.seq}
    )


@login_required
@require_POST
def snapshot_file_job(request: AuthenticatedHttpRequest, plan_id: int, snapshot_id: int, what: str) -> HttpResponse:
    """Start the whole-snapshot .xlsx (what=export) or the bulletin .docx (what=bulletin) as a background job."""
    plan = get_results_plan_for_user(request.user, plan_id)
    snap = get_snapshot_for_user(request.user, plan, snapshot_id)
    kind = {"export": services_jobs.EXPORT, "bulletin": services_jobs.BULLETIN}.get(what)
    if kind is None:
        raise Http404("没有这种文件")
    try:
        job = services_jobs.snapshot_file_start(actor=request.user, plan=plan, snapshot=snap, kind=kind)
    except ValidationError as exc:
        flash_errors(request, exc)
        return redirect("results:snapshot", plan_id=plan.pk, snapshot_id=snap.pk)
    return redirect("core:job", job_id=job.pk)


# --- release: consultation, approval, publication (结果审定与公布) -----------------------------------------


def _release_plan(request: AuthenticatedHttpRequest, plan_id: int, capability: str = "results:publish") -> Plan:
    return get_release_plan_for_user(request.user, plan_id, capability)


def _back(plan: Plan) -> HttpResponse:
    return redirect("results:release", plan_id=plan.pk)


def _bulletin_defaults(plan: Plan, release: ResultRelease) -> dict[str, str]:
    day = release.bulletin_date or timezone.localdate()
    texts = default_texts(plan, day)
    return {
        "bulletin_number": texts.number,
        "bulletin_title": texts.title,
        "bulletin_addressees": texts.addressees,
        "bulletin_opening": texts.opening,
        "bulletin_requirements": texts.requirements,
        "bulletin_signature": texts.signature,
        "bulletin_imprint": texts.imprint,
    }


@login_required
@require_GET
def release(request: AuthenticatedHttpRequest, plan_id: int) -> HttpResponse:
    """The office's release page: 征求意见稿, comments, 审定, publication checks, recipients, bulletin, lists."""
    plan = _release_plan(request, plan_id)
    current = selectors.current_release(plan)
    snapshots = list(selectors.complete_snapshots(plan))
    context: dict[str, Any] = {
        "plan": plan,
        "release": current,
        "start_form": ReleaseStartForm(
            snapshots=snapshots,
            initial={"consult_until": timezone.localdate() + dt.timedelta(days=plan.consultation_days)},
            plan=plan,
        ),
        "snapshots": snapshots,
        "history": [r for r in selectors.releases_of(plan) if current is None or r.pk != current.pk],
        "publications": selectors.publications_of(plan),
    }
    if current is not None:
        publication = selectors.publication_in_force(plan)
        lists = selectors.category_lists(current.snapshot)
        if publication is not None and publication.release_id == current.pk:
            two_years = selectors.TwoYears.from_json(publication.excellent_two_years)
            receipts = selectors.receipts_of(publication)
        else:
            publication, receipts = None, []
            two_years = selectors.excellent_two_years(plan, lists)
        context.update(
            {
                "publication": publication,
                "receipts": receipts,
                "receipts_read": sum(1 for r in receipts if r.read_at is not None),
                "lists": lists,
                "two_years": two_years,
                "comments": selectors.comments_of(current),
                "approvals": selectors.approvals_of(current),
                "approval": next((a for a in selectors.approvals_of(current) if a.voided_at is None), None),
                "problems": [] if current.is_published else services.publication_problems(plan, current),
                "copies": selectors.copy_recipients_of(current),
                "candidates": selectors.copy_candidates(plan, current) if current.is_editable else [],
                "unit_count": plan_selectors.unit_count(plan),
                "approval_form": ApprovalForm(initial={"approved_on": timezone.localdate()}, plan=plan),
                "reopen_form": ReopenForm(),
                "bulletin_form": BulletinForm(instance=current, defaults=_bulletin_defaults(plan, current), plan=plan),
                "frozen_bulletin": BulletinTexts.from_json(publication.bulletin) if publication is not None else None,
            }
        )
    return render(request, "results/release.html", context)


@login_required
@require_POST
def release_start(request: AuthenticatedHttpRequest, plan_id: int) -> HttpResponse:
    plan = _release_plan(request, plan_id)
    snapshots = list(selectors.complete_snapshots(plan))
    form = ReleaseStartForm(request.POST, snapshots=snapshots, plan=plan)
    if not form.is_valid():
        flash_form_errors(request, form)
        return _back(plan)
    snapshot = next(s for s in snapshots if s.pk == form.cleaned_data["snapshot"])
    try:
        started = services.release_start(
            actor=request.user, plan=plan, snapshot=snapshot, consult_until=form.cleaned_data["consult_until"]
        )
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, f"已将第{snapshot.seq}次计算结果作为征求意见稿，征求意见至 {started.consult_until:%Y-%m-%d}")
    return _back(plan)


def _current_or_message(request: HttpRequest, plan: Plan) -> ResultRelease | None:
    current = selectors.current_release(plan)
    if current is None:
        messages.error(request, "尚未发起征求意见")
    return current


@login_required
@require_POST
def consultation_close(request: AuthenticatedHttpRequest, plan_id: int) -> HttpResponse:
    plan = _release_plan(request, plan_id)
    current = _current_or_message(request, plan)
    if current is not None:
        try:
            services.consultation_close(actor=request.user, plan=plan, release=current)
        except ValidationError as exc:
            flash_errors(request, exc)
        else:
            messages.success(request, "征求意见已结束，请记录审定")
    return _back(plan)


@login_required
@require_POST
def approve(request: AuthenticatedHttpRequest, plan_id: int) -> HttpResponse:
    plan = _release_plan(request, plan_id)
    current = _current_or_message(request, plan)
    form = ApprovalForm(request.POST, plan=plan)
    if current is None:
        pass
    elif not form.is_valid():
        flash_form_errors(request, form)
    else:
        try:
            services.release_approve(
                actor=request.user,
                plan=plan,
                release=current,
                approved_by=form.cleaned_data["approved_by"],
                approved_on=form.cleaned_data["approved_on"],
            )
        except ValidationError as exc:
            flash_errors(request, exc)
        else:
            messages.success(request, "已记录审定")
    return _back(plan)


@login_required
@require_POST
def bulletin_edit(request: AuthenticatedHttpRequest, plan_id: int) -> HttpResponse:
    plan = _release_plan(request, plan_id)
    current = _current_or_message(request, plan)
    if current is None:
        return _back(plan)
    form = BulletinForm(request.POST, instance=current, plan=plan)
    if not form.is_valid():
        flash_form_errors(request, form)
        return _back(plan)
    try:
        services.release_bulletin_edit(actor=request.user, plan=plan, release=current, values=form.cleaned_data)
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, "已保存通报内容")
    return _back(plan)


@login_required
@require_POST
def recipient_add(request: AuthenticatedHttpRequest, plan_id: int) -> HttpResponse:
    plan = _release_plan(request, plan_id)
    current = _current_or_message(request, plan)
    if current is None:
        return _back(plan)
    candidates = [c.organisation for c in selectors.copy_candidates(plan, current)]
    form = RecipientForm(request.POST, organisations=candidates)
    if not form.is_valid():
        flash_form_errors(request, form)
        return _back(plan)
    organisation = next(o for o in candidates if o.pk == form.cleaned_data["organisation"])
    try:
        services.copy_recipient_add(actor=request.user, plan=plan, release=current, organisation=organisation)
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, f"已添加抄送单位：{organisation.name}")
    return _back(plan)


@login_required
@require_POST
def recipient_remove(request: AuthenticatedHttpRequest, plan_id: int, recipient_id: int) -> HttpResponse:
    plan = _release_plan(request, plan_id)
    recipient = get_copy_recipient_for_user(request.user, plan, recipient_id)
    try:
        services.copy_recipient_remove(actor=request.user, plan=plan, recipient=recipient)
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, f"已移除抄送单位：{recipient.organisation.name}")
    return _back(plan)


@login_required
@require_POST
def publish(request: AuthenticatedHttpRequest, plan_id: int) -> HttpResponse:
    plan = _release_plan(request, plan_id)
    current = _current_or_message(request, plan)
    if current is not None:
        try:
            services.release_publish(actor=request.user, plan=plan, release=current)
        except ValidationError as exc:
            messages.error(request, "不能公布考核结果：")
            flash_errors(request, exc)
        else:
            messages.success(request, "考核结果已公布，分数已冻结；已书面送达各考核对象和抄送单位")
    return _back(plan)


@login_required
@require_POST
def reopen(request: AuthenticatedHttpRequest, plan_id: int) -> HttpResponse:
    plan = _release_plan(request, plan_id)
    current = _current_or_message(request, plan)
    form = ReopenForm(request.POST)
    if current is None:
        pass
    elif not form.is_valid():
        flash_form_errors(request, form)
    else:
        try:
            services.release_reopen(actor=request.user, plan=plan, release=current, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            flash_errors(request, exc)
        else:
            messages.success(request, "已撤回公布：分数可以再次修改，重新公布前须重新审定")
    return _back(plan)


@login_required
@require_GET
def release_bulletin(request: AuthenticatedHttpRequest, plan_id: int) -> HttpResponse:
    """The current release's bulletin: the office's edits over the defaults; once published, as published."""
    plan = _release_plan(request, plan_id)
    current = selectors.current_release(plan)
    if current is None:
        raise Http404("尚未发起征求意见")
    publication = selectors.publication_in_force(plan)
    if publication is not None and publication.release_id == current.pk:
        texts = BulletinTexts.from_json(publication.bulletin)
        two_years = selectors.TwoYears.from_json(publication.excellent_two_years)
        body = build_bulletin(plan, current.snapshot, today=texts.date, texts=texts, two_years=two_years)
    else:
        two_years = selectors.excellent_two_years(plan, selectors.category_lists(current.snapshot))
        body = build_bulletin(plan, current.snapshot, texts=BulletinTexts.of_release(current), two_years=two_years)
    response = HttpResponse(body, content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    state = "公布稿" if publication is not None else "送审稿"
    return export_response(
        request,
        response,
        filename=f"{plan.title}-考核情况通报-{state}.docx",
        action="results.release_bulletin",
        obj=current,
        plan_id=plan.pk,
        after={"release": current.seq, "published": publication is not None},
    )


@login_required
@require_GET
def score_sheet(request: AuthenticatedHttpRequest, plan_id: int, snapshot_id: int, category_id: int) -> HttpResponse:
    """One category's score sheet (.xlsx): ranked table and every task of its units with reasons and sources."""
    plan = get_results_plan_for_user(request.user, plan_id)
    snap = get_snapshot_for_user(request.user, plan, snapshot_id)
    body = exports.category_score_sheet(plan, snap, category_id)
    if body is None:
        raise Http404("此次计算没有该类别")
    name = next((c["name"] for c in snap.summary if c["id"] == category_id), str(category_id))
    response = HttpResponse(body, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    return export_response(
        request,
        response,
        filename=f"{plan.title}-{name}评分表-第{snap.seq}次计算.xlsx",
        action="results.score_sheet",
        obj=snap,
        plan_id=plan.pk,
        after={"seq": snap.seq, "category": name},
    )


# --- member units: consultation ----------------------------------------------------------------------------


@login_required
@require_GET
def consult(request: AuthenticatedHttpRequest, plan_id: int) -> HttpResponse:
    """Member units (desks, viewers): the 征求意见稿's ranked tables, their organisation's comments, the form."""
    plan = get_published_plan_for_user(request.user, plan_id)
    if not access.can(request.user, "results:consult", plan):
        if access.can(request.user, "results:publish", plan):
            return redirect("results:release", plan_id=plan.pk)
        raise PermissionDenied
    current = selectors.current_release(plan)
    consulting = current if current is not None and current.status == ReleaseStatus.CONSULTING else None
    organisations = consulting_organisations(request.user, plan)
    context: dict[str, Any] = {
        "plan": plan,
        "release": consulting,
        "current": current,
        "can_see_published": access.can(request.user, "results:receive", plan),
        "organisations": organisations,
    }
    if consulting is not None:
        snap = consulting.snapshot
        categories = [(c["id"], c["name"]) for c in snap.summary]
        choice = CategoryChoiceForm(request.GET, categories=categories)
        category_id = categories[0][0] if categories else None
        if choice.is_valid() and choice.cleaned_data["category"] is not None:
            category_id = choice.cleaned_data["category"]
        context.update(
            {
                "snapshot": snap,
                "table": selectors.category_table(snap, category_id) if category_id is not None else None,
                "comments": selectors.comments_of(consulting, [o.pk for o in organisations]),
                "form": CommentForm(organisations=organisations),
                "open": timezone.localdate() <= consulting.consult_until,
            }
        )
    return render(request, "results/consult.html", context)


@login_required
@require_POST
def comment(request: AuthenticatedHttpRequest, plan_id: int) -> HttpResponse:
    plan = get_published_plan_for_user(request.user, plan_id)
    access.require(request.user, "results:consult", plan)
    organisations = consulting_organisations(request.user, plan)
    current = selectors.current_release(plan)
    form = CommentForm(request.POST, organisations=organisations)
    if current is None:
        messages.error(request, "目前没有征求意见的考核结果")
    elif not form.is_valid():
        flash_form_errors(request, form)
    else:
        organisation = next(o for o in organisations if o.pk == form.cleaned_data["organisation"])
        try:
            services.consultation_comment_add(
                actor=request.user, plan=plan, release=current, organisation=organisation, text=form.cleaned_data["text"]
            )
        except ValidationError as exc:
            flash_errors(request, exc)
        else:
            messages.success(request, "已提交意见，考核办将在审定前汇总研究")
    return redirect("results:consult", plan_id=plan.pk)


# --- published results: units (their own), viewers and copy recipients ----------------------------------------


def _published_plan(request: AuthenticatedHttpRequest, plan_id: int) -> Plan:
    plan = get_published_plan_for_user(request.user, plan_id)
    if not (access.can(request.user, "results:receive", plan) or access.can(request.user, "results:publish", plan)):
        raise PermissionDenied
    return plan


@login_required
@require_GET
def published(request: AuthenticatedHttpRequest, plan_id: int) -> HttpResponse:
    """The published results: a unit is taken to its own result; viewers and the office see every category."""
    plan = _published_plan(request, plan_id)
    publication = selectors.publication_in_force(plan)
    if publication is None:
        return render(request, "results/published.html", {"plan": plan, "publication": None})
    if not access.can(request.user, "plan:view_all_categories", plan):
        units = own_units(request.user, plan)
        if not units:
            raise PermissionDenied
        return redirect("results:published_unit", plan_id=plan.pk, unit_id=units[0].pk)
    services.receipt_mark_read(actor=request.user, plan=plan, publication=publication)
    snap = publication.snapshot
    categories = [(c["id"], c["name"]) for c in snap.summary]
    choice = CategoryChoiceForm(request.GET, categories=categories)
    category_id = categories[0][0] if categories else None
    if choice.is_valid() and choice.cleaned_data["category"] is not None:
        category_id = choice.cleaned_data["category"]
    return render(
        request,
        "results/published.html",
        {
            "plan": plan,
            "publication": publication,
            "snapshot": snap,
            "table": selectors.category_table(snap, category_id) if category_id is not None else None,
            "two_years": selectors.TwoYears.from_json(publication.excellent_two_years),
        },
    )


@login_required
@require_GET
def published_unit(request: AuthenticatedHttpRequest, plan_id: int, unit_id: int) -> HttpResponse:
    """One unit's published result: total, rank, grade and every task (its own members, viewers, the office)."""
    plan = _published_plan(request, plan_id)
    publication = selectors.publication_in_force(plan)
    if publication is None:
        raise Http404("考核结果尚未公布")
    unit = get_published_unit_for_user(request.user, plan, unit_id)
    data = selectors.unit_breakdown(plan, publication.snapshot, unit)
    if data is None:
        raise Http404("该考核对象不在公布的结果中")
    services.receipt_mark_read(actor=request.user, plan=plan, publication=publication)
    return render(
        request,
        "results/published_unit.html",
        {
            "plan": plan,
            "publication": publication,
            "b": data,
            "all_categories": access.can(request.user, "plan:view_all_categories", plan),
        },
    )
