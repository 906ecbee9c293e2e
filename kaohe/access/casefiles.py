"""案卷集中评查: units' case-file lists, samples, reviewers and the checklist (kaohe.inspections.casefiles)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404

from kaohe.access.base import can, is_own_unit, require
from kaohe.access.plans import own_units
from kaohe.inspections.casefiles.models import CaseFile, CaseReviewer, ChecklistItem, Sample, SampledFile
from kaohe.plans.models import Plan, PlanUnit


def get_listing_unit(user: Any, plan: Plan, unit_id: int, *, write: bool = False) -> PlanUnit:
    """A unit whose case-file list the user may read (its own members and the office) or, with ``write``,
    change (its own members only; the office gets 403). Another unit's list is 404 for a unit."""
    unit = PlanUnit.objects.select_related("organisation", "category").filter(plan=plan, pk=unit_id).first()
    own = unit is not None and is_own_unit(user, unit)
    if unit is not None and own and can(user, "casefile:list", plan):
        return unit
    if can(user, "casefile:manage", plan):
        if write:
            raise PermissionDenied
        if unit is None:
            raise Http404("考核对象不存在")
        return unit
    if can(user, "casefile:list", plan):
        raise Http404("考核对象不存在")
    raise PermissionDenied


def get_case_file_for_unit(user: Any, plan: Plan, file_id: int) -> CaseFile:
    """A listed file the user may change: a file of their own unit only (404 otherwise, 403 for other roles)."""
    if not can(user, "casefile:list", plan):
        raise PermissionDenied
    own = [u.pk for u in own_units(user, plan)]
    case_file = (
        CaseFile.objects.select_related("unit__organisation", "unit__category")
        .filter(plan=plan, pk=file_id, unit_id__in=own)
        .first()
    )
    if case_file is None:
        raise Http404("案卷不存在")
    return case_file


def get_sampled_for_user(user: Any, plan: Plan, sampled_id: int) -> SampledFile:
    """A sampled file: the office reaches every one; a reviewer only those assigned to them (else 404)."""
    manage = can(user, "casefile:manage", plan)
    review = can(user, "casefile:review", plan)
    if not (manage or review):
        raise PermissionDenied
    rows = SampledFile.objects.select_related(
        "case_file__unit__organisation", "case_file__unit__category", "reviewer__user", "reviewer__organisation"
    ).filter(plan=plan, pk=sampled_id)
    if not manage:
        rows = rows.filter(reviewer__user=user)
    sampled = rows.first()
    if sampled is None:
        raise Http404("案卷不存在")
    return sampled


def get_sampled_for_reviewer(user: Any, plan: Plan, sampled_id: int) -> SampledFile:
    """A sampled file assigned to the user, to record its review (the office reads every file but reviews none)."""
    sampled = get_sampled_for_user(user, plan, sampled_id)
    if sampled.reviewer is None or sampled.reviewer.user_id != user.pk:
        raise Http404("案卷不存在")
    return sampled


def get_sample(user: Any, plan: Plan, sample_id: int) -> Sample:
    require(user, "casefile:manage", plan)
    sample = Sample.objects.select_related("unit__organisation").filter(plan=plan, pk=sample_id).first()
    if sample is None:
        raise Http404("抽取记录不存在")
    return sample


def get_reviewer(user: Any, plan: Plan, reviewer_id: int) -> CaseReviewer:
    require(user, "casefile:manage", plan)
    reviewer = CaseReviewer.objects.select_related("user", "organisation").filter(plan=plan, pk=reviewer_id).first()
    if reviewer is None:
        raise Http404("评查员不存在")
    return reviewer


def get_checklist_item(user: Any, plan: Plan, item_id: int) -> ChecklistItem:
    require(user, "casefile:manage", plan)
    item = ChecklistItem.objects.filter(plan=plan, pk=item_id).first()
    if item is None:
        raise Http404("评查项目不存在")
    return item
