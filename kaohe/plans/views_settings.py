"""方案设置: the office edits the plan's title, 文号, period, timeline, member units and copy recipients."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from kaohe import access
from kaohe.access.plans import get_plan_for_user
from kaohe.accounts.http import AuthenticatedHttpRequest
from kaohe.plans import selectors
from kaohe.plans.forms import PlanSettingsForm, ProblemKindForm
from kaohe.plans.models import Plan
from kaohe.plans.services_problems import problem_kind_add, problem_kind_retire
from kaohe.plans.services_settings import SCALAR_FIELDS, default_timeline, plan_settings_update, region_organisations
from kaohe.plans.views import _plan_context


def _initial(plan: Plan) -> dict[str, object]:
    initial: dict[str, object] = {name: getattr(plan, name) for name in SCALAR_FIELDS}
    if plan.is_draft:  # an empty deadline of a draft proposes the usual date; nothing is saved until the office saves
        for name, day in default_timeline(plan.year).items():
            if initial[name] is None:
                initial[name] = day
    initial["member_organisations"], initial["copy_organisations"] = selectors.settings_initial_organisations(plan)
    return initial


@login_required
@require_http_methods(["GET", "POST"])
def plan_settings(request: AuthenticatedHttpRequest, plan_id: int) -> HttpResponse:
    plan = get_plan_for_user(request.user, plan_id, capability="plan:settings")
    frozen = plan.status in (Plan.Status.RESULTS_PUBLISHED, Plan.Status.ARCHIVED)
    organisations = region_organisations(plan)
    form = PlanSettingsForm(
        request.POST if request.method == "POST" else None,
        initial=_initial(plan),
        organisations=organisations,
        # 考核对象 are served the results in writing: they are not offered as copy recipients
        copy_organisations=selectors.copy_candidates(plan, organisations),
        plan=plan,
    )
    if request.method == "POST" and not frozen and form.is_valid():
        data = form.cleaned_data
        try:
            changes = plan_settings_update(
                actor=request.user,
                plan=plan,
                values={name: data[name] for name in SCALAR_FIELDS},
                member_organisations=data["member_organisations"],
                copy_organisations=data["copy_organisations"],
                reason=data.get("reason") or "",
            )
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            if not changes:
                messages.info(request, "没有改动，未保存。")
            elif plan.is_draft:
                messages.success(request, f"方案设置已保存：{'、'.join(c.label for c in changes)}。")
            else:
                messages.success(
                    request, f"方案设置已修改：{'、'.join(c.label for c in changes)}；已记入日志并通知受影响的单位。"
                )
            return redirect("plans:settings", plan_id=plan.pk)
    context = _plan_context(request, plan, "settings")
    context.update(
        {
            "form": form,
            "frozen": frozen,
            "reason_required": not plan.is_draft,
            "can_manage_fieldwork": access.can(request.user, "fieldwork:manage", plan),
            "problem_kinds": selectors.problem_kinds(plan),
            "kind_form": ProblemKindForm(),
        }
    )
    status = 400 if request.method == "POST" and (form.errors or frozen) else 200
    return render(request, "plans/settings.html", context, status=status)


@login_required
@require_POST
def problem_kinds(request: AuthenticatedHttpRequest, plan_id: int) -> HttpResponse:
    """问题类型 (a section of 方案设置): add a kind, or retire one (``retire`` = its id)."""
    plan = get_plan_for_user(request.user, plan_id, capability="plan:settings")
    form = ProblemKindForm(request.POST)
    if not form.is_valid():
        for field in form:
            for message in field.errors:
                messages.error(request, str(message))
        return redirect("plans:settings", plan_id=plan.pk)
    retire = form.cleaned_data["retire"]
    try:
        if retire:
            kind = problem_kind_retire(actor=request.user, plan=plan, kind_id=retire)
            messages.success(request, f"已移除问题类型“{kind.name}”；已标注该类型的扣分理由和问题保留原类型。")
        else:
            kind = problem_kind_add(actor=request.user, plan=plan, name=form.cleaned_data["name"])
            messages.success(request, f"已新增问题类型“{kind.name}”。")
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    return redirect("plans:settings", plan_id=plan.pk)
