"""Plan pages: overview, indicator trees, units, desks, imports, export, publication."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kaohe import access
from kaohe.access.plans import (
    get_category_for_user,
    get_plan_for_user,
    get_unit_for_leader_edit,
    get_unit_for_user,
    organisers_for_user,
    own_units,
    visible_categories,
)
from kaohe.accounts.http import AuthenticatedHttpRequest
from kaohe.core.audit_exports import export_response
from kaohe.plans import hooks, selectors, services
from kaohe.plans.constants import Level
from kaohe.plans.copy import next_doc_number, next_title, plan_copy
from kaohe.plans.excel.export import write_indicator_workbook
from kaohe.plans.excel.headers import COLUMN_ROLES, INDICATOR_LABELS
from kaohe.plans.forms import (
    ImportApplyForm,
    ImportUploadForm,
    PlanCopyForm,
    PlanCreateForm,
    PublishForm,
    SortKeyForm,
    UnitLeaderForm,
)
from kaohe.plans.forms_policy import OwnDepartmentForm
from kaohe.plans.html_tree import tree_html
from kaohe.plans.models import Plan, PlanImport
from kaohe.plans.navigation import plan_navigation

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _plan_context(request: AuthenticatedHttpRequest, plan: Plan, tab: str) -> dict[str, object]:
    return {
        "plan": plan,
        "tab": tab,
        "nav": plan_navigation(request.user, plan, tab),
        "roles": sorted(r.label for r in access.plan_roles(request.user, plan)),
        "can_import": access.can(request.user, "plan:import", plan),
        "can_publish": access.can(request.user, "plan:publish", plan) and plan.is_draft,
        "can_edit_settings": access.can(request.user, "plan:settings", plan),
        "can_see_units": access.can(request.user, "unit:view", plan),
        "can_see_desks": access.can(request.user, "desk:view", plan),
        "evidence_open": not plan.is_draft,
        "can_submit_evidence": access.can(request.user, "evidence:submit", plan),
        "can_check_evidence": access.can(request.user, "evidence:check", plan),
        "can_overview_evidence": access.can(request.user, "evidence:overview", plan),
        "can_evaluate": access.can(request.user, "evaluation:write", plan)
        or access.can(request.user, "evaluation:overview", plan),
        "can_decide_applicability": access.can(request.user, "applicability:decide", plan),
        "can_apply_adjustment": access.can(request.user, "adjustment:apply", plan),
        "can_decide_adjustment": access.can(request.user, "adjustment:decide", plan),
        "can_compute_results": access.can(request.user, "results:compute", plan),
        "can_release_feedback": access.can(request.user, "feedback:release", plan),
        "can_request_review": access.can(request.user, "review:request", plan),
    }


@login_required
@require_http_methods(["GET", "POST"])
def create_plan(request: AuthenticatedHttpRequest) -> HttpResponse:
    access.require(request.user, "plan:create")
    organisers = organisers_for_user(request.user)
    form = PlanCreateForm(request.POST or None, organisers=organisers)
    if request.method == "POST" and form.is_valid():
        try:
            plan = services.plan_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request, "考核方案已创建。下一步：在“方案设置”中填写时间安排，导入考核主体联系表、考核对象名单和各类别指标体系。"
            )
            return redirect("plans:detail", plan_id=plan.pk)
    copy_sources = selectors.copy_sources(organisers)
    return render(request, "plans/create.html", {"form": form, "copy_sources": copy_sources})


@login_required
@require_GET
def plan_detail(request: AuthenticatedHttpRequest, plan_id: int) -> HttpResponse:
    plan = get_plan_for_user(request.user, plan_id)
    categories = visible_categories(request.user, plan)
    context = _plan_context(request, plan, "overview")
    context["summaries"] = selectors.category_summaries(plan, categories)
    context.update(hooks.overview_context(request.user, plan))
    if context["can_import"]:
        context["imports"] = selectors.recent_imports(plan)
    if not plan.is_draft and not context["can_see_units"]:
        context["own_units"] = own_units(request.user, plan)
    return render(request, "plans/detail.html", context)


@login_required
@require_GET
def category_tree(request: AuthenticatedHttpRequest, plan_id: int, category_id: int) -> HttpResponse:
    plan = get_plan_for_user(request.user, plan_id)
    category = get_category_for_user(request.user, plan, category_id)
    nodes = selectors.category_indicators(category)
    table = selectors.table_from_nodes(nodes, category.name)
    warnings = selectors.category_warnings(category, table)
    tree = selectors.indicator_tree(nodes, {w.row for w in warnings if w.row is not None})
    context = _plan_context(request, plan, "tree")
    context.update(
        {
            "category": category,
            "categories": visible_categories(request.user, plan),
            "tree": tree,
            "tree_html": tree_html(tree),
            "warnings": warnings,
            "task_count": sum(1 for n in nodes if n.level == Level.TASK),
            "can_export": access.can(request.user, "plan:export", plan),
            "can_edit_tree": access.can(request.user, "plan:import", plan)
            and plan.status not in (Plan.Status.RESULTS_PUBLISHED, Plan.Status.ARCHIVED),
        }
    )
    return render(request, "plans/tree.html", context)


@login_required
@require_GET
def export_category(request: AuthenticatedHttpRequest, plan_id: int, category_id: int) -> HttpResponse:
    plan = get_plan_for_user(request.user, plan_id, capability="plan:export")
    category = get_category_for_user(request.user, plan, category_id)
    table = selectors.category_table(category)
    content = write_indicator_workbook(table, title=f"{plan.title}考核内容", subtitle=f"（{category.name}）")
    response = HttpResponse(content, content_type=XLSX)
    filename = f"{plan.year}年度考核内容-{category.name}.xlsx"
    return export_response(
        request,
        response,
        filename=filename,
        action="plan.export",
        obj=category,
        plan_id=plan.pk,
        after={"category": category.name},
    )


@login_required
@require_GET
def plan_units(request: AuthenticatedHttpRequest, plan_id: int) -> HttpResponse:
    plan = get_plan_for_user(request.user, plan_id, capability="unit:view")
    categories = visible_categories(request.user, plan)
    context = _plan_context(request, plan, "units")
    context["groups"] = selectors.units_by_category(plan, categories)
    context["can_edit_units"] = access.can(request.user, "unit:edit", plan)
    return render(request, "plans/units.html", context)


@login_required
@require_POST
def unit_sort_key(request: AuthenticatedHttpRequest, plan_id: int, unit_id: int) -> HttpResponse:
    plan = get_plan_for_user(request.user, plan_id, capability="unit:edit")
    unit = get_unit_for_user(request.user, plan, unit_id)
    form = SortKeyForm(request.POST)
    if form.is_valid():
        services.organisation_set_sort_key(actor=request.user, plan=plan, unit=unit, sort_key=form.cleaned_data["sort_key"])
        messages.success(request, f"“{unit.organisation.name}”的排序码已更新")
    else:
        messages.error(request, "排序码不能超过200个字符")
    if request.headers.get("HX-Request"):
        unit.organisation.refresh_from_db()
        return render(request, "plans/_unit_row.html", {"unit": unit, "plan": plan, "can_edit_units": True})
    return redirect("plans:units", plan_id=plan.pk)


@login_required
@require_http_methods(["GET", "POST"])
def unit_leader(request: AuthenticatedHttpRequest, plan_id: int, unit_id: int) -> HttpResponse:
    """主要负责人 of a unit in this plan's year: the office for any unit, a 考核对象 for its own."""
    plan = get_plan_for_user(request.user, plan_id)
    unit = get_unit_for_leader_edit(request.user, plan, unit_id)
    initial = {"leader_name": unit.leader_name, "leader_post": unit.leader_post}
    form = UnitLeaderForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.unit_leader_update(
                actor=request.user,
                plan=plan,
                unit=unit,
                name=form.cleaned_data["leader_name"],
                post=form.cleaned_data["leader_post"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"“{unit.organisation.name}”的主要负责人已保存")
            if access.can(request.user, "unit:view", plan):
                return redirect("plans:units", plan_id=plan.pk)
            return redirect("plans:detail", plan_id=plan.pk)
    context = _plan_context(request, plan, "units")
    context.update(unit=unit, form=form)
    return render(request, "plans/unit_leader.html", context)


@login_required
@require_GET
def plan_desks(request: AuthenticatedHttpRequest, plan_id: int) -> HttpResponse:
    plan = get_plan_for_user(request.user, plan_id, capability="desk:view")
    context = _plan_context(request, plan, "desks")
    context["rows"] = selectors.desks_with_tasks(plan)
    policy = selectors.policy_or_default(plan)
    context["own_department"] = policy.get_own_department_display()
    context["conflicts"] = selectors.desk_unit_conflicts(plan)
    if context["can_import"] and plan.status != Plan.Status.RESULTS_PUBLISHED:
        context["policy_form"] = OwnDepartmentForm(initial={"own_department": policy.own_department})
    return render(request, "plans/desks.html", context)


@login_required
@require_POST
def own_department(request: AuthenticatedHttpRequest, plan_id: int) -> HttpResponse:
    """The office sets whether a desk may grade its own department (回避: refuse, or allow and flag)."""
    plan = get_plan_for_user(request.user, plan_id, capability="plan:import")
    form = OwnDepartmentForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请选择考核主体评价本单位时的处理方式")
        return redirect("plans:desks", plan_id=plan.pk)
    try:
        policy = services.scoring_policy_set_own_department(
            actor=request.user, plan=plan, value=form.cleaned_data["own_department"], reason=form.cleaned_data["reason"]
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"已保存：{policy.get_own_department_display()}")
    return redirect("plans:desks", plan_id=plan.pk)


@login_required
@require_http_methods(["GET", "POST"])
def import_upload(request: AuthenticatedHttpRequest, plan_id: int) -> HttpResponse:
    plan = get_plan_for_user(request.user, plan_id, capability="plan:import")
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            record = services.plan_import_upload(
                actor=request.user,
                plan=plan,
                kind=form.cleaned_data["kind"],
                data=upload.read(),
                original_name=upload.name or "upload.xlsx",
                category_name=form.cleaned_data.get("category_name") or "",
                full_score=form.cleaned_data.get("full_score"),
            )
        except services.ImportRejected as exc:
            form.add_error(None, exc.message)
        else:
            return redirect("plans:import_preview", plan_id=plan.pk, import_id=record.pk)
    context = _plan_context(request, plan, "import")
    context.update({"form": form, "categories": selectors.plan_categories(plan), "imports": selectors.recent_imports(plan)})
    return render(request, "plans/import_upload.html", context, status=400 if form.errors else 200)


def _get_import(request: HttpRequest, plan: Plan, import_id: int) -> PlanImport:
    return selectors.get_import(plan, import_id)


@login_required
@require_GET
def import_preview(request: AuthenticatedHttpRequest, plan_id: int, import_id: int) -> HttpResponse:
    plan = get_plan_for_user(request.user, plan_id, capability="plan:import")
    record = _get_import(request, plan, import_id)
    context = _plan_context(request, plan, "import")
    context.update({"record": record, "form": ImportApplyForm(), **_reading_context(record)})
    return render(request, "plans/import_preview.html", context)


HOW_LABELS = {"name": "按列名", "content": "按内容", "override": "按您的指定", "": "未识别"}


def _reading_context(record: PlanImport) -> dict[str, Any]:
    """How each column of an indicator table was read, for the preview's 各列的读法 card."""
    summary = record.summary or {}
    roles = [("", "不导入"), *((role, INDICATOR_LABELS[role]) for role in COLUMN_ROLES)]
    labels = dict(roles) | {"note": "备注（不导入）", "seq": "序号（不导入）"}
    columns = []
    for index, column in enumerate(summary.get("columns", [])):
        role = column.get("role", "")
        columns.append(
            {
                **column,
                "field": f"role_{index}",
                "role_label": labels.get(role, role),
                "how_label": HOW_LABELS.get(column.get("how", ""), ""),
                "sentence": f"“{column.get('header') or column.get('letter')}”列按{labels.get(role, role)}读取"
                if role and role not in ("note", "seq")
                else f"“{column.get('header') or column.get('letter')}”列不导入",
            }
        )
    return {
        "reading_columns": columns,
        "role_choices": roles,
        "reading_sheets": summary.get("sheets", []),
        "undistributed": summary.get("undistributed", []),
        "distribute": bool((record.options or {}).get("distribute")),
    }


@login_required
@require_POST
def import_options(request: AuthenticatedHttpRequest, plan_id: int, import_id: int) -> HttpResponse:
    """The office changes how the table is read (column roles, sheets, even shares); it is read again, not applied."""
    plan = get_plan_for_user(request.user, plan_id, capability="plan:import")
    record = _get_import(request, plan, import_id)
    summary = record.summary or {}
    previous = (record.options or {}).get("columns") or {}
    columns: dict[str, dict[str, str]] = {str(sheet): dict(roles) for sheet, roles in previous.items() if isinstance(roles, dict)}
    for index, column in enumerate(summary.get("columns", [])):
        value = request.POST.get(f"role_{index}")
        if value is None or value == column.get("role", ""):
            continue
        columns.setdefault(column["sheet"], {})[column["letter"]] = value
    known = {sheet["title"] for sheet in summary.get("sheets", [])}
    sheets = [title for title in request.POST.getlist("sheets") if title in known]
    try:
        services.plan_import_set_options(
            actor=request.user,
            plan_import=record,
            sheets=sheets,
            columns=columns,
            distribute=request.POST.get("distribute") == "on",
        )
    except services.ImportRejected as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "已按新的读法重新读取，请核对下方结果后再确认导入。")
    return redirect("plans:import_preview", plan_id=plan.pk, import_id=record.pk)


@login_required
@require_POST
def import_apply(request: AuthenticatedHttpRequest, plan_id: int, import_id: int) -> HttpResponse:
    plan = get_plan_for_user(request.user, plan_id, capability="plan:import")
    record = _get_import(request, plan, import_id)
    form = ImportApplyForm(request.POST)
    form.is_valid()
    try:
        applied = services.plan_import_apply(
            actor=request.user,
            plan_import=record,
            accept_warnings=bool(form.cleaned_data.get("accept_warnings")),
            create_accounts=bool(form.cleaned_data.get("create_accounts")),
        )
    except services.ImportRejected as exc:
        messages.error(request, exc.message)
        return redirect("plans:import_preview", plan_id=plan.pk, import_id=record.pk)
    issued = getattr(applied, "issued_accounts", [])
    if issued:
        from kaohe.accounts import bulk, password_sheet

        password_sheet.store(request.session, owner_id=int(request.user.pk or 0), entries=issued, source=bulk.SOURCE_PLAN)
        messages.success(
            request, f"“{record.original_name}”已导入，并新建 {len(issued)} 个登录账号。请打印或下载初始密码单，它只显示这一次。"
        )
        return redirect("accounts:password_sheet")
    messages.success(request, f"“{record.original_name}”已导入。")
    return redirect("plans:detail", plan_id=plan.pk)


@login_required
@require_POST
def import_discard(request: AuthenticatedHttpRequest, plan_id: int, import_id: int) -> HttpResponse:
    plan = get_plan_for_user(request.user, plan_id, capability="plan:import")
    record = _get_import(request, plan, import_id)
    try:
        services.plan_import_discard(actor=request.user, plan_import=record)
    except services.ImportRejected as exc:
        messages.error(request, exc.message)
    else:
        messages.info(request, "已放弃该导入，方案未作任何改动。")
    return redirect("plans:import", plan_id=plan.pk)


@login_required
@require_http_methods(["GET", "POST"])
def publish(request: AuthenticatedHttpRequest, plan_id: int) -> HttpResponse:
    plan = get_plan_for_user(request.user, plan_id, capability="plan:publish")
    if not plan.is_draft:
        raise PermissionDenied
    form = PublishForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.plan_publish(actor=request.user, plan=plan, accept_warnings=form.cleaned_data["accept_warnings"])
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, "考核方案已发布，指标体系已冻结。")
            return redirect("plans:detail", plan_id=plan.pk)
    errors, warnings = services.plan_publish_problems(plan)
    context = _plan_context(request, plan, "publish")
    context.update({"form": form, "errors": errors, "warnings": warnings})
    return render(request, "plans/publish.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def copy_plan(request: AuthenticatedHttpRequest, plan_id: int) -> HttpResponse:
    """复制方案至下一年度: a new draft for the following year with this plan's set-up and open 整改 items."""
    plan = get_plan_for_user(request.user, plan_id, capability="plan:copy")
    initial = {"title": next_title(plan), "doc_number": next_doc_number(plan)}
    form = PlanCopyForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            new = plan_copy(
                actor=request.user, plan=plan, title=form.cleaned_data["title"], doc_number=form.cleaned_data["doc_number"]
            )
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            messages.success(request, f"已复制为 {new.year} 年度方案（草稿）。请核对各项日期和指标后再发布。")
            return redirect("plans:detail", plan_id=new.pk)
    context = _plan_context(request, plan, "copy")
    context.update({"form": form, "next_year": plan.year + 1})
    return render(request, "plans/copy.html", context, status=400 if form.errors else 200)
