"""指标模板 pages: an office publishes (下发) a category's table to the offices below; a lower office adopts one."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kaohe.access.plans import get_category_for_user, get_plan_for_user, get_template_for_user, visible_categories
from kaohe.accounts.http import AuthenticatedHttpRequest
from kaohe.plans import selectors_templates as selectors
from kaohe.plans import services_templates
from kaohe.plans.forms_templates import AdoptTemplateForm, PublishTemplateForm
from kaohe.plans.views import _plan_context

CAPABILITY = services_templates.CAPABILITY


@login_required
@require_GET
def templates_index(request: AuthenticatedHttpRequest, plan_id: int) -> HttpResponse:
    plan = get_plan_for_user(request.user, plan_id, capability=CAPABILITY)
    context = _plan_context(request, plan, "templates")
    context.update(
        {
            "published": selectors.templates_published_from(plan),
            "available": selectors.templates_for_adoption(plan),
            "categories": visible_categories(request.user, plan),
            "can_send": selectors.has_regions_below(plan),
        }
    )
    return render(request, "plans/templates.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def template_publish(request: AuthenticatedHttpRequest, plan_id: int, category_id: int) -> HttpResponse:
    plan = get_plan_for_user(request.user, plan_id, capability=CAPABILITY)
    category = get_category_for_user(request.user, plan, category_id)
    tasks = selectors.category_tasks(category)
    initial = {"name": f"{plan.year}年度{category.name}指标体系"}
    form = PublishTemplateForm(request.POST or None, tasks=tasks, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            template = services_templates.template_publish(
                actor=request.user,
                plan=plan,
                category=category,
                name=form.cleaned_data["name"],
                note=form.cleaned_data.get("note") or "",
                constraints=form.constraints(),
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, exc)
        else:
            messages.success(request, f"已下发“{template}”")
            return redirect("plans:template_detail", plan_id=plan.pk, template_id=template.pk)
    context = _plan_context(request, plan, "templates")
    context.update({"category": category, "form": form, "can_send": selectors.has_regions_below(plan)})
    return render(request, "plans/template_publish.html", context, status=400 if form.errors else 200)


@login_required
@require_GET
def template_detail(request: AuthenticatedHttpRequest, plan_id: int, template_id: int) -> HttpResponse:
    plan = get_plan_for_user(request.user, plan_id, capability=CAPABILITY)
    template = get_template_for_user(request.user, plan, template_id)
    own = template.plan_id == plan.pk
    context = _plan_context(request, plan, "templates")
    context.update(
        {
            "template": template,
            "own": own,
            "items": selectors.template_items_of(template),
            "adoptions": selectors.adoptions_of_series(template) if own else [],
            "adopt_form": AdoptTemplateForm(plan=plan) if not own and plan.is_draft else None,
        }
    )
    return render(request, "plans/template_detail.html", context)


@login_required
@require_POST
def template_adopt(request: AuthenticatedHttpRequest, plan_id: int, template_id: int) -> HttpResponse:
    plan = get_plan_for_user(request.user, plan_id, capability=CAPABILITY)
    template = get_template_for_user(request.user, plan, template_id)
    form = AdoptTemplateForm(request.POST, plan=plan)
    back = redirect("plans:template_detail", plan_id=plan.pk, template_id=template.pk)
    if not form.is_valid():
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, str(message))
        return back
    try:
        adoption = services_templates.template_adopt(
            actor=request.user,
            plan=plan,
            template=template,
            category=form.cleaned_data.get("category"),
            new_category_name=form.cleaned_data.get("new_category") or "",
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return back
    messages.success(request, f"已将“{template}”采用到类别“{adoption.category.name}”，可在编辑指标中增加本地任务")
    return redirect("plans:tree_edit", plan_id=plan.pk, category_id=adoption.category_id)
