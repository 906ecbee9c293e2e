"""The scoring rules page (评分规则): the office edits the plan's ScoringPolicy, previews, then saves."""

from __future__ import annotations

import copy
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from kaohe.access.plans import get_plan_for_user
from kaohe.accounts.http import AuthenticatedHttpRequest
from kaohe.plans import selectors
from kaohe.plans.constants import DEFAULT_BANDS
from kaohe.plans.forms_policy import BandFormSet, PolicyForm, VetoFormSet, bands_from, vetoes_from
from kaohe.plans.hooks import latest_snapshot, policy_preview
from kaohe.plans.models import Plan, ScoringPolicy
from kaohe.plans.services_policy import POLICY_FIELDS, apply_changes, plan_facts, policy_problems, policy_update
from kaohe.plans.views import _plan_context

FORM_FIELDS = [f for f in POLICY_FIELDS if f not in ("grade_bands", "vetoes")]


def _initial(policy: ScoringPolicy) -> tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]]:
    values = {name: getattr(policy, name) for name in FORM_FIELDS}
    bands = policy.grade_bands or [dict(b) for b in DEFAULT_BANDS]
    band_rows = [{"name": b.get("name", ""), "min": b.get("min"), "quota_pct": b.get("quota_pct")} for b in bands]
    return values, band_rows, [dict(v) for v in policy.vetoes or []]


def _render(
    request: AuthenticatedHttpRequest, plan: Plan, policy: ScoringPolicy, forms: tuple[Any, Any, Any], **extra: Any
) -> HttpResponse:
    form, bands, vetoes = forms
    context = _plan_context(request, plan, "policy")
    frozen = plan.status in (Plan.Status.RESULTS_PUBLISHED, Plan.Status.ARCHIVED)
    context.update(
        {
            "form": form,
            "bands": bands,
            "vetoes": vetoes,
            "policy": policy,
            "frozen": frozen,
            "reason_required": not plan.is_draft,
            "snapshot": latest_snapshot(plan),
            **extra,
        }
    )
    status = 400 if extra.get("problems") or form.errors or not bands.is_valid() or not vetoes.is_valid() else 200
    return render(request, "plans/policy.html", context, status=status if request.method == "POST" else 200)


@login_required
@require_http_methods(["GET", "POST"])
def policy_edit(request: AuthenticatedHttpRequest, plan_id: int) -> HttpResponse:
    """GET: the rules. POST ``action=preview``: the latest snapshot under the draft, nothing saved; ``action=save``."""
    plan = get_plan_for_user(request.user, plan_id, capability="policy:write")
    policy = selectors.policy_or_default(plan)
    if request.method == "GET":
        values, band_rows, veto_rows = _initial(policy)
        forms = (
            PolicyForm(initial=values),
            BandFormSet(initial=band_rows, prefix="bands"),
            VetoFormSet(initial=veto_rows, prefix="vetoes"),
        )
        return _render(request, plan, policy, forms)
    form = PolicyForm(request.POST)
    bands = BandFormSet(request.POST, prefix="bands")
    vetoes = VetoFormSet(request.POST, prefix="vetoes")
    forms = (form, bands, vetoes)
    if not (form.is_valid() and bands.is_valid() and vetoes.is_valid()):
        return _render(request, plan, policy, forms)
    changes = {name: form.cleaned_data[name] for name in FORM_FIELDS}
    changes["grade_bands"] = bands_from(bands)
    changes["vetoes"] = vetoes_from(vetoes)
    draft = copy.copy(policy)
    apply_changes(draft, changes)
    full_scores, flags, _ = plan_facts(plan)
    problems = policy_problems(draft, full_scores=full_scores, recorded_flags=flags)
    if problems:
        return _render(request, plan, policy, forms, problems=problems)
    if request.POST.get("action") == "save":
        try:
            policy_update(actor=request.user, plan=plan, changes=changes, reason=form.cleaned_data["reason"])
        except (ValidationError, PermissionDenied) as exc:
            wording = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
            return _render(request, plan, policy, forms, problems=wording)
        messages.success(request, "评分规则已保存。")
        return redirect("plans:policy", plan_id=plan.pk)
    try:
        preview = policy_preview(plan, draft)
    except ValidationError as exc:
        return _render(request, plan, policy, forms, problems=exc.messages)
    return _render(request, plan, policy, forms, preview=preview, previewed=True)
