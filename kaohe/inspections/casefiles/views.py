"""案卷集中评查 pages: a unit's case-file list, the office's sampling / panel / checklist pages, the reviewer's pages."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from kaohe import access
from kaohe.access.casefiles import (
    get_case_file_for_unit,
    get_checklist_item,
    get_listing_unit,
    get_reviewer,
    get_sample,
    get_sampled_for_reviewer,
    get_sampled_for_user,
)
from kaohe.access.plans import get_published_plan_for_user, own_units
from kaohe.accounts.http import AuthenticatedHttpRequest
from kaohe.core import xlsx_write
from kaohe.core.dates import case_date_bounds
from kaohe.core.downloads import as_download
from kaohe.core.flash import flash_errors, flash_form_errors
from kaohe.inspections.casefiles import selectors, services
from kaohe.inspections.casefiles.forms import (
    AssignForm,
    CaseFileForm,
    ChecklistItemForm,
    ExtensionForm,
    KindForm,
    ReturnForm,
    ReviewerAddForm,
    SampleForm,
    SettingForm,
    XlsxForm,
)
from kaohe.inspections.casefiles.models import CaseFileKind, SampledFile
from kaohe.organisations.models import Membership
from kaohe.plans.models import Plan

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _upload(request: HttpRequest) -> bytes | None:
    form = XlsxForm(request.POST, request.FILES)
    if not form.is_valid():
        flash_form_errors(request, form)
        return None
    upload = form.cleaned_data["file"]
    if upload.size > settings.KAOHE_IMPORT_MAX_BYTES:
        messages.error(request, f"文件过大，上限 {settings.KAOHE_IMPORT_MAX_BYTES // (1024 * 1024)} MB")
        return None
    return bytes(upload.read())


def _header_context(request: AuthenticatedHttpRequest, plan: Plan, tab: str) -> dict[str, Any]:
    return {
        "plan": plan,
        "tab": tab,
        "can_manage": access.can(request.user, "casefile:manage", plan),
        "can_list": access.can(request.user, "casefile:list", plan),
        "can_review": access.can(request.user, "casefile:review", plan),
    }


# --- entry ---------------------------------------------------------------------------------------------


@login_required
@require_GET
def index(request: AuthenticatedHttpRequest, plan_id: int) -> HttpResponse:
    """The 案卷评查 entry: units go to their list, the office to its page, reviewers to their files."""
    plan = get_published_plan_for_user(request.user, plan_id)
    if access.can(request.user, "casefile:manage", plan):
        return redirect("casefiles:office", plan_id=plan.pk)
    if access.can(request.user, "casefile:review", plan):
        return redirect("casefiles:assigned", plan_id=plan.pk)
    units = own_units(request.user, plan)
    if units and access.can(request.user, "casefile:list", plan):
        return redirect("casefiles:unit_list", plan_id=plan.pk, unit_id=units[0].pk)
    raise PermissionDenied


# --- the unit's list (案卷目录) ---------------------------------------------------------------------------


@login_required
@require_GET
def unit_list(request: AuthenticatedHttpRequest, plan_id: int, unit_id: int) -> HttpResponse:
    plan = get_published_plan_for_user(request.user, plan_id)
    unit = get_listing_unit(request.user, plan, unit_id)
    is_own = access.is_own_unit(request.user, unit, plan)
    refusal = services.listing_refusal(plan, unit)
    context = _header_context(request, plan, "unit")
    context.update(
        {
            "unit": unit,
            "files": selectors.unit_files(unit),
            "deadline": services.listing_deadline(plan, unit),
            "refusal": refusal,
            "can_edit": is_own and not refusal and plan.status == Plan.Status.PUBLISHED,
            "form": CaseFileForm(plan=plan),
            "import_form": XlsxForm(),
            "extension_form": ExtensionForm(plan=plan),
            "case_date_bounds": case_date_bounds(plan),
            "kinds": CaseFileKind.choices,
        }
    )
    return render(request, "casefiles/unit.html", context)


def _back_to_unit(plan: Plan, unit_id: int) -> HttpResponse:
    return redirect("casefiles:unit_list", plan_id=plan.pk, unit_id=unit_id)


@login_required
@require_POST
def file_add(request: AuthenticatedHttpRequest, plan_id: int, unit_id: int) -> HttpResponse:
    plan = get_published_plan_for_user(request.user, plan_id)
    unit = get_listing_unit(request.user, plan, unit_id, write=True)
    form = CaseFileForm(request.POST, plan=plan)
    if not form.is_valid():
        flash_form_errors(request, form)
        return _back_to_unit(plan, unit.pk)
    try:
        case_file = services.case_file_add(actor=request.user, plan=plan, unit=unit, **form.cleaned_data)
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, f"已登记案卷 {case_file.number}")
    return _back_to_unit(plan, unit.pk)


@login_required
@require_POST
def file_import(request: AuthenticatedHttpRequest, plan_id: int, unit_id: int) -> HttpResponse:
    plan = get_published_plan_for_user(request.user, plan_id)
    unit = get_listing_unit(request.user, plan, unit_id, write=True)
    data = _upload(request)
    if data is not None:
        try:
            created = services.case_files_import(actor=request.user, plan=plan, unit=unit, data=data)
        except ValidationError as exc:
            messages.error(request, "导入失败，未登记任何案卷。请修改表格后重新导入：")
            flash_errors(request, exc)
        else:
            messages.success(request, f"已导入 {len(created)} 卷案卷")
    return _back_to_unit(plan, unit.pk)


@login_required
@require_POST
def file_edit(request: AuthenticatedHttpRequest, plan_id: int, file_id: int) -> HttpResponse:
    plan = get_published_plan_for_user(request.user, plan_id)
    case_file = get_case_file_for_unit(request.user, plan, file_id)
    form = CaseFileForm(request.POST, plan=plan)
    if not form.is_valid():
        flash_form_errors(request, form)
    else:
        try:
            services.case_file_edit(actor=request.user, plan=plan, case_file=case_file, **form.cleaned_data)
        except ValidationError as exc:
            flash_errors(request, exc)
        else:
            messages.success(request, f"已修改案卷 {case_file.number}")
    return _back_to_unit(plan, case_file.unit_id)


@login_required
@require_POST
def file_delete(request: AuthenticatedHttpRequest, plan_id: int, file_id: int) -> HttpResponse:
    plan = get_published_plan_for_user(request.user, plan_id)
    case_file = get_case_file_for_unit(request.user, plan, file_id)
    unit_id, number = case_file.unit_id, case_file.number
    try:
        services.case_file_delete(actor=request.user, plan=plan, case_file=case_file)
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, f"已删除案卷 {number}")
    return _back_to_unit(plan, unit_id)


@login_required
@require_GET
def import_template(request: AuthenticatedHttpRequest, plan_id: int) -> HttpResponse:
    """An empty list in the import layout (units and the office)."""
    plan = get_published_plan_for_user(request.user, plan_id)
    if not (access.can(request.user, "casefile:list", plan) or access.can(request.user, "casefile:manage", plan)):
        raise PermissionDenied
    workbook = xlsx_write.new_workbook()
    sheet = xlsx_write.first_sheet(workbook, "案卷目录")
    xlsx_write.append(sheet, ["案号", "案卷类型", "决定日期", "承办人", "备注"])
    xlsx_write.append(sheet, ["示例：平X罚决字〔2020〕1号", "行政执法", "2020-06-30", "工作人员01", "（示例行，导入前请删除）"])
    for column, width in zip("ABCDE", (32, 12, 14, 14, 30), strict=True):
        sheet.column_dimensions[column].width = width
    return as_download(HttpResponse(xlsx_write.save(workbook), content_type=XLSX), "案卷目录导入模板.xlsx")


# --- the office: sampling and progress ---------------------------------------------------------------


def _unit_choices(rows: list[selectors.OfficeRow]) -> list[tuple[int, str]]:
    return [(r.unit.pk, f"{r.unit.organisation.name}（{r.unit.category.name}）") for r in rows if r.sample is None]


@login_required
@require_GET
def office(request: AuthenticatedHttpRequest, plan_id: int) -> HttpResponse:
    plan = get_published_plan_for_user(request.user, plan_id, capability="casefile:manage")
    rows = selectors.office_rows(plan)
    now = timezone.now()
    context = _header_context(request, plan, "office")
    context.update(
        {
            "rows": rows,
            "kinds": CaseFileKind.choices,
            "now": now,
            "sample_form": SampleForm(units=_unit_choices(rows)),
            "setting": services.setting_of(plan),
            "sampled_count": sum(1 for r in rows if r.sample),
            "ready_count": sum(1 for r in rows if r.files and r.submitted == len(r.files)),
            "is_open": plan.status == Plan.Status.PUBLISHED,
        }
    )
    return render(request, "casefiles/office.html", context)


@login_required
@require_POST
def extend(request: AuthenticatedHttpRequest, plan_id: int, unit_id: int) -> HttpResponse:
    plan = get_published_plan_for_user(request.user, plan_id, capability="casefile:manage")
    unit = get_listing_unit(request.user, plan, unit_id)
    form = ExtensionForm(request.POST, plan=plan)
    if not form.is_valid():
        flash_form_errors(request, form)
    else:
        try:
            services.listing_extend(actor=request.user, plan=plan, unit=unit, **form.cleaned_data)
        except ValidationError as exc:
            flash_errors(request, exc)
        else:
            messages.success(request, f"{unit} 的案卷目录报送已延至 {form.cleaned_data['new_deadline']:%Y-%m-%d}")
    return _back_to_unit(plan, unit.pk)


@login_required
@require_POST
def sample(request: AuthenticatedHttpRequest, plan_id: int) -> HttpResponse:
    plan = get_published_plan_for_user(request.user, plan_id, capability="casefile:manage")
    units = selectors.units_in_scope(plan)
    form = SampleForm(request.POST, units=[(u.pk, u.organisation.name) for u in units])
    if not form.is_valid():
        flash_form_errors(request, form)
        return redirect("casefiles:office", plan_id=plan.pk)
    chosen = units if form.cleaned_data["unit"] is None else [u for u in units if u.pk == form.cleaned_data["unit"]]
    try:
        outcome = services.sample_draw(
            actor=request.user,
            plan=plan,
            units=chosen,
            requested=form.cleaned_data["requested"],
            stratified=form.cleaned_data["stratified"],
            take_all_if_fewer=form.cleaned_data["take_all_if_fewer"],
            per_kind=form.per_kind(),
        )
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        if outcome.samples:
            drawn = sum(len(s.result) for s in outcome.samples)
            messages.success(request, f"已为 {len(outcome.samples)} 个考核对象抽取 {drawn} 卷案卷")
        if outcome.skipped:
            messages.warning(request, f"未抽取 {len(outcome.skipped)} 个考核对象：{'；'.join(outcome.skipped[:20])}")
    return redirect("casefiles:office", plan_id=plan.pk)


@login_required
@require_POST
def sample_cancel(request: AuthenticatedHttpRequest, plan_id: int, sample_id: int) -> HttpResponse:
    plan = get_published_plan_for_user(request.user, plan_id, capability="casefile:manage")
    record = get_sample(request.user, plan, sample_id)
    unit = record.unit
    try:
        services.sample_cancel(actor=request.user, plan=plan, sample=record)
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, f"已撤销 {unit} 的抽取")
    return redirect("casefiles:office", plan_id=plan.pk)


@login_required
@require_POST
def sample_replay(request: AuthenticatedHttpRequest, plan_id: int, sample_id: int) -> HttpResponse:
    """复核抽取: recompute the draw from the stored seed and list snapshot, say 一致 or 不一致."""
    plan = get_published_plan_for_user(request.user, plan_id, capability="casefile:manage")
    record = get_sample(request.user, plan, sample_id)
    report = services.sample_replay(actor=request.user, plan=plan, sample=record)
    if report.matches:
        messages.success(request, f"复核抽取：{record.unit} 一致（按留存的随机种子和案卷目录重新计算，结果与抽取记录相同）")
    else:
        problems = []
        if not report.replay.digest_ok:
            problems.append("留存的案卷目录与摘要不符")
        if not report.replay.result_ok:
            problems.append("重新计算的抽取结果与记录不同")
        messages.error(request, f"复核抽取：{record.unit} 不一致（{'；'.join(problems)}）")
    if report.list_changed:
        messages.info(request, f"{record.unit} 当前的案卷目录与抽取时不同（复核以抽取时留存的目录为准）")
    return redirect("casefiles:office", plan_id=plan.pk)


@login_required
@require_POST
def derive(request: AuthenticatedHttpRequest, plan_id: int) -> HttpResponse:
    """计入考核得分: write the task score of every unit whose sampled files are all scored."""
    plan = get_published_plan_for_user(request.user, plan_id, capability="casefile:manage")
    try:
        outcome = services.derive_scores(actor=request.user, plan=plan)
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        if outcome.written:
            messages.success(request, f"已计入 {len(outcome.written)} 项考核得分：{'；'.join(outcome.written[:20])}")
        else:
            messages.warning(request, "没有可计入的考核得分")
        if outcome.skipped:
            messages.warning(request, f"未计入：{'；'.join(outcome.skipped[:30])}")
    return redirect("casefiles:office", plan_id=plan.pk)


# --- the office: checklist (评查表) ----------------------------------------------------------------------


def _kind_of(data: Any) -> str:
    """The kind of file whose checklist is shown (``?kind=``; 行政执法 when absent or unknown)."""
    form = KindForm(data)
    return form.chosen() if form.is_valid() else CaseFileKind.ENFORCEMENT


def _posted_kind(request: HttpRequest) -> str:
    """The posted kind as sent (行政执法 when absent): the services refuse an unknown one."""
    return str(request.POST.get("kind") or CaseFileKind.ENFORCEMENT)[:20]


@login_required
@require_GET
def checklist(request: AuthenticatedHttpRequest, plan_id: int) -> HttpResponse:
    plan = get_published_plan_for_user(request.user, plan_id, capability="casefile:manage")
    kind = _kind_of(request.GET)
    setting = services.setting_of(plan)
    items = selectors.checklist(plan, kind)
    sizes = selectors.checklist_sizes(plan)
    context = _header_context(request, plan, "checklist")
    context.update(
        {
            "kind": kind,
            "kind_label": CaseFileKind(kind).label,
            "kinds": [(value, label, sizes[value]) for value, label in CaseFileKind.choices],
            "default_names": "、".join(name for name, _, _ in services.DEFAULT_CHECKLISTS[kind]),
            "items": items,
            "total": sum((i.max_deduction for i in items), start=setting.full_mark * 0),
            "setting": setting,
            "frozen": services.checklist_frozen(plan, kind),
            "full_mark_frozen": services.checklist_frozen(plan),
            "item_form": ChecklistItemForm(),
            "setting_form": SettingForm(initial={"full_mark": setting.full_mark, "blind": setting.blind}),
            "import_form": XlsxForm(),
            "is_open": plan.status == Plan.Status.PUBLISHED,
        }
    )
    return render(request, "casefiles/checklist.html", context)


def _to_checklist(plan: Plan, kind: str = CaseFileKind.ENFORCEMENT) -> HttpResponse:
    url = reverse("casefiles:checklist", kwargs={"plan_id": plan.pk})
    return redirect(url if kind not in CaseFileKind.values[1:] else f"{url}?kind={kind}")


@login_required
@require_POST
def checklist_add(request: AuthenticatedHttpRequest, plan_id: int) -> HttpResponse:
    plan = get_published_plan_for_user(request.user, plan_id, capability="casefile:manage")
    kind = _posted_kind(request)
    form = ChecklistItemForm(request.POST)
    if not form.is_valid():
        flash_form_errors(request, form)
        return _to_checklist(plan, kind)
    try:
        item = services.checklist_item_add(actor=request.user, plan=plan, kind=kind, **form.cleaned_data)
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, f"已在{item.get_kind_display()}评查表中增加评查项目“{item.name}”")
    return _to_checklist(plan, kind)


@login_required
@require_POST
def checklist_edit(request: AuthenticatedHttpRequest, plan_id: int, item_id: int) -> HttpResponse:
    plan = get_published_plan_for_user(request.user, plan_id, capability="casefile:manage")
    item = get_checklist_item(request.user, plan, item_id)
    form = ChecklistItemForm(request.POST)
    if not form.is_valid():
        flash_form_errors(request, form)
        return _to_checklist(plan, item.kind)
    try:
        services.checklist_item_edit(actor=request.user, plan=plan, item=item, **form.cleaned_data)
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, f"已修改评查项目“{item.name}”")
    return _to_checklist(plan, item.kind)


@login_required
@require_POST
def checklist_delete(request: AuthenticatedHttpRequest, plan_id: int, item_id: int) -> HttpResponse:
    plan = get_published_plan_for_user(request.user, plan_id, capability="casefile:manage")
    item = get_checklist_item(request.user, plan, item_id)
    name, kind = item.name, item.kind
    try:
        services.checklist_item_delete(actor=request.user, plan=plan, item=item)
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, f"已删除评查项目“{name}”")
    return _to_checklist(plan, kind)


@login_required
@require_POST
def checklist_import(request: AuthenticatedHttpRequest, plan_id: int) -> HttpResponse:
    plan = get_published_plan_for_user(request.user, plan_id, capability="casefile:manage")
    kind = _posted_kind(request)
    data = _upload(request)
    if data is not None:
        try:
            items = services.checklist_import(actor=request.user, plan=plan, data=data, kind=kind)
        except ValidationError as exc:
            messages.error(request, "导入失败，评查表未改变：")
            flash_errors(request, exc)
        else:
            messages.success(request, f"已导入{items[0].get_kind_display() if items else ''}评查表（{len(items)} 项）")
    return _to_checklist(plan, kind)


@login_required
@require_POST
def checklist_default(request: AuthenticatedHttpRequest, plan_id: int) -> HttpResponse:
    plan = get_published_plan_for_user(request.user, plan_id, capability="casefile:manage")
    kind = _posted_kind(request)
    try:
        items = services.checklist_use_default(actor=request.user, plan=plan, kind=kind)
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, f"已使用默认{items[0].get_kind_display() if items else ''}评查表（{len(items)} 项）")
    return _to_checklist(plan, kind)


@login_required
@require_POST
def setting(request: AuthenticatedHttpRequest, plan_id: int) -> HttpResponse:
    plan = get_published_plan_for_user(request.user, plan_id, capability="casefile:manage")
    form = SettingForm(request.POST)
    if not form.is_valid():
        flash_form_errors(request, form)
        return _to_checklist(plan)
    try:
        services.case_review_setting_save(actor=request.user, plan=plan, **form.cleaned_data)
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, "已保存评查设置")
    return _to_checklist(plan)


# --- the office: panel and assignment (评查员与分配) --------------------------------------------------


def _reviewer_label(reviewer: Any) -> str:
    return f"{reviewer.user}（{reviewer.organisation}）"


@login_required
@require_GET
def panel(request: AuthenticatedHttpRequest, plan_id: int) -> HttpResponse:
    plan = get_published_plan_for_user(request.user, plan_id, capability="casefile:manage")
    reviewers = selectors.panel(plan)
    candidates = services.candidate_memberships(plan)
    files = selectors.sampled_files(plan)
    context = _header_context(request, plan, "panel")
    context.update(
        {
            "reviewers": reviewers,
            "reviewer_choices": [(r.pk, _reviewer_label(r)) for r in reviewers],
            "files": files,
            "conflicts": services.assignment_conflicts(plan, files),
            "add_form": ReviewerAddForm(choices=[(m.pk, f"{m.user}（{m.organisation}）") for m in candidates]),
            "is_open": plan.status == Plan.Status.PUBLISHED,
        }
    )
    return render(request, "casefiles/panel.html", context)


def _to_panel(plan: Plan) -> HttpResponse:
    return redirect("casefiles:panel", plan_id=plan.pk)


@login_required
@require_POST
def reviewer_add(request: AuthenticatedHttpRequest, plan_id: int) -> HttpResponse:
    plan = get_published_plan_for_user(request.user, plan_id, capability="casefile:manage")
    candidates = {m.pk: m for m in services.candidate_memberships(plan)}
    form = ReviewerAddForm(request.POST, choices=[(pk, str(m)) for pk, m in candidates.items()])
    if not form.is_valid():
        flash_form_errors(request, form)
        return _to_panel(plan)
    membership: Membership = candidates[form.cleaned_data["membership"]]
    try:
        reviewer = services.reviewer_add(actor=request.user, plan=plan, membership=membership)
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, f"已将 {_reviewer_label(reviewer)} 加入评查员名单")
    return _to_panel(plan)


@login_required
@require_POST
def reviewer_remove(request: AuthenticatedHttpRequest, plan_id: int, reviewer_id: int) -> HttpResponse:
    plan = get_published_plan_for_user(request.user, plan_id, capability="casefile:manage")
    reviewer = get_reviewer(request.user, plan, reviewer_id)
    label = _reviewer_label(reviewer)
    try:
        services.reviewer_remove(actor=request.user, plan=plan, reviewer=reviewer)
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, f"已将 {label} 移出评查员名单")
    return _to_panel(plan)


@login_required
@require_POST
def assign(request: AuthenticatedHttpRequest, plan_id: int, sampled_id: int) -> HttpResponse:
    plan = get_published_plan_for_user(request.user, plan_id, capability="casefile:manage")
    sampled = get_sampled_for_user(request.user, plan, sampled_id)
    reviewers = {r.pk: r for r in selectors.panel(plan)}
    form = AssignForm(request.POST, choices=[(pk, _reviewer_label(r)) for pk, r in reviewers.items()])
    if not form.is_valid():
        flash_form_errors(request, form)
        return _to_panel(plan)
    reviewer = reviewers.get(form.cleaned_data["reviewer"]) if form.cleaned_data["reviewer"] else None
    try:
        services.file_assign(actor=request.user, plan=plan, sampled=sampled, reviewer=reviewer)
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        who = _reviewer_label(reviewer) if reviewer else "无人"
        messages.success(request, f"{sampled.case_file.number} 已分配给 {who}")
    return _to_panel(plan)


@login_required
@require_POST
def assign_auto(request: AuthenticatedHttpRequest, plan_id: int) -> HttpResponse:
    plan = get_published_plan_for_user(request.user, plan_id, capability="casefile:manage")
    try:
        outcome = services.files_assign_auto(actor=request.user, plan=plan)
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, f"已自动分配 {outcome.assigned} 卷案卷")
        if outcome.unassignable:
            messages.warning(request, f"以下案卷没有可回避本单位的评查员，未分配：{'；'.join(outcome.unassignable[:20])}")
    return _to_panel(plan)


@login_required
@require_POST
def case_review_return(request: AuthenticatedHttpRequest, plan_id: int, sampled_id: int) -> HttpResponse:
    plan = get_published_plan_for_user(request.user, plan_id, capability="casefile:manage")
    sampled = get_sampled_for_user(request.user, plan, sampled_id)
    form = ReturnForm(request.POST)
    if not form.is_valid():
        flash_form_errors(request, form)
    else:
        try:
            services.case_review_return(actor=request.user, plan=plan, sampled=sampled, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            flash_errors(request, exc)
        else:
            messages.success(request, f"已将 {sampled.case_file.number} 的评查结果退回评查员")
    return redirect("casefiles:review", plan_id=plan.pk, sampled_id=sampled.pk)


# --- the reviewer (评查) ------------------------------------------------------------------------------


@login_required
@require_GET
def assigned(request: AuthenticatedHttpRequest, plan_id: int) -> HttpResponse:
    plan = get_published_plan_for_user(request.user, plan_id, capability="casefile:review")
    setting_row = services.setting_of(plan)
    context = _header_context(request, plan, "assigned")
    context.update({"files": selectors.assigned_to(request.user, plan), "blind": setting_row.blind})
    return render(request, "casefiles/assigned.html", context)


def _case_review_context(
    request: AuthenticatedHttpRequest, plan: Plan, sampled: SampledFile, posted: dict[str, str] | None = None
) -> dict[str, Any]:
    setting_row = services.setting_of(plan)
    rows = []
    for row in selectors.case_review_rows(plan, sampled):
        deduction = row.deduction.deduction if row.deduction else None
        comment = row.deduction.comment if row.deduction else ""
        if posted is not None:
            deduction = posted.get(f"deduction_{row.item.pk}", "")  # type: ignore[assignment]
            comment = posted.get(f"comment_{row.item.pk}", "")
        rows.append({"item": row.item, "deduction": deduction, "comment": comment})
    is_reviewer = sampled.reviewer is not None and sampled.reviewer.user_id == request.user.pk
    manage = access.can(request.user, "casefile:manage", plan)
    context = _header_context(request, plan, "assigned" if is_reviewer and not manage else "panel")
    context.update(
        {
            "sampled": sampled,
            "rows": rows,
            "overall_comment": posted.get("overall_comment", "") if posted is not None else sampled.overall_comment,
            "setting": setting_row,
            "show_names": manage or not setting_row.blind,
            "editable": is_reviewer and sampled.status != SampledFile.Status.SUBMITTED and plan.status == Plan.Status.PUBLISHED,
            "conflict": services.case_review_conflict(plan, sampled) if is_reviewer else "",
            "can_return": manage and sampled.status == SampledFile.Status.SUBMITTED and plan.status == Plan.Status.PUBLISHED,
        }
    )
    return context


@login_required
@require_GET
def case_review(request: AuthenticatedHttpRequest, plan_id: int, sampled_id: int) -> HttpResponse:
    plan = get_published_plan_for_user(request.user, plan_id)
    sampled = get_sampled_for_user(request.user, plan, sampled_id)
    return render(request, "casefiles/review.html", _case_review_context(request, plan, sampled))


@login_required
@require_POST
def case_review_save(request: AuthenticatedHttpRequest, plan_id: int, sampled_id: int) -> HttpResponse:
    plan = get_published_plan_for_user(request.user, plan_id, capability="casefile:review")
    sampled = get_sampled_for_reviewer(request.user, plan, sampled_id)
    submit = request.POST.get("action") == "submit"
    values = {
        item.pk: (request.POST.get(f"deduction_{item.pk}", ""), request.POST.get(f"comment_{item.pk}", ""))
        for item in selectors.checklist(plan, sampled.case_file.kind)
    }
    try:
        saved = services.case_review_save(
            actor=request.user,
            plan=plan,
            sampled=sampled,
            values=values,
            overall_comment=request.POST.get("overall_comment", ""),
            submit=submit,
        )
    except ValidationError as exc:
        flash_errors(request, exc)
        context = _case_review_context(request, plan, sampled, posted=request.POST.dict())
        return render(request, "casefiles/review.html", context, status=400)
    if submit:
        messages.success(request, f"已提交 {saved.code} 的评查结果：{saved.score} 分")
        return redirect("casefiles:assigned", plan_id=plan.pk)
    messages.success(request, f"已保存 {saved.code}（当前 {saved.score} 分，尚未提交）")
    return redirect("casefiles:review", plan_id=plan.pk, sampled_id=sampled.pk)
