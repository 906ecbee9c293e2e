"""Feedback, 复核 and 整改: rounds released to a unit, review requests, rectification items and reports."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404

from kaohe.access.base import can, is_own_unit, plan_roles, require
from kaohe.access.plans import get_unit_for_user, own_unit_organisation_ids, own_units
from kaohe.plans.models import Plan, PlanUnit
from kaohe.reviews.models import (
    Feedback,
    RectificationItem,
    RectificationReport,
    ReviewRequest,
    Talk,
    UnitReport,
    UnitReportVersion,
)
from kaohe.reviews.services_rectification import items_of


def review_units(user: Any, plan: Plan) -> list[PlanUnit]:
    """The plan units whose feedback the user reads as a member (考核对象, own unit only)."""
    return own_units(user, plan)


def get_unit_for_feedback(user: Any, plan: Plan, unit_id: int) -> PlanUnit:
    """A unit of the plan the office releases feedback to (403 for the plan's other insiders, 404 outsiders)."""
    return get_unit_for_user(user, plan, unit_id, capability="feedback:release")


def get_review_request_for_user(user: Any, plan: Plan, request_id: int, *, decide: bool = False) -> ReviewRequest:
    """A review request of the plan: the office reads and decides it; its unit's members read it (403 to decide).

    Anyone else gets 404: another unit's requests "do not exist" for them.
    """
    review = (
        ReviewRequest.objects.select_related("unit__organisation", "unit__category", "task", "feedback", "filed_by")
        .filter(unit__plan=plan, pk=request_id)
        .first()
    )
    if review is None:
        raise Http404("复核申请不存在")
    if can(user, "review:decide", plan):
        return review
    if is_own_unit(user, review.unit):
        if decide:
            raise PermissionDenied
        return review
    raise Http404("复核申请不存在")


def get_released_feedback_for_user(user: Any, plan: Plan, unit_id: int, *, round_id: int | None = None) -> Feedback:
    """A released round of a unit (``round_id``, else its newest): the office reads every unit's, a unit's
    members their own; else 404. Drafts do not exist for anyone here."""
    if not (can(user, "feedback:release", plan) or any(u.pk == unit_id for u in own_units(user, plan))):
        raise Http404("问题反馈不存在")
    feedback = (
        Feedback.objects.select_related("plan__organiser", "unit__organisation")
        .prefetch_related("problems__task")
        .filter(plan=plan, unit_id=unit_id, released_at__isnull=False)
        .filter(**({"pk": round_id} if round_id is not None else {}))
        .order_by("-number")
        .first()
    )
    if feedback is None:
        raise Http404("问题反馈不存在")
    return feedback


def get_feedback_round_for_office(user: Any, plan: Plan, feedback_id: int) -> Feedback:
    """A feedback row of the plan (a round or the draft), for the office (``feedback:release``); 404 if not of it."""
    require(user, "feedback:release", plan)
    feedback = Feedback.objects.select_related("unit__organisation").filter(plan=plan, pk=feedback_id).first()
    if feedback is None:
        raise Http404("该轮反馈不存在")
    return feedback


# ------------------------------------------------------------------------------ 整改


def get_rectification_item_for_user(user: Any, plan: Plan, item_id: int, *, decide: bool = False) -> RectificationItem:
    """An item of (or carried into) the plan: the office reads and decides all; a unit's members their own.

    ``decide`` needs ``rectification:decide`` (403 for the plan's other insiders); without it a unit's members
    reach only their own unit's items and everyone else gets 404, as if the item did not exist.
    """
    item = items_of(plan).filter(pk=item_id).first()
    if item is None:
        raise Http404("整改事项不存在")
    if can(user, "rectification:decide", plan):
        return item
    if decide:
        if plan_roles(user, plan):
            raise PermissionDenied
        raise Http404("整改事项不存在")
    if item.unit.organisation_id in own_unit_organisation_ids(user, plan):
        return item
    raise Http404("整改事项不存在")


def get_rectification_report_for_user(user: Any, plan: Plan, report_id: int) -> RectificationReport:
    """A report of an item of the plan, for the office and the item's unit; 404 for everyone else."""
    report = (
        RectificationReport.objects.select_related("item__unit__organisation", "reported_by")
        .filter(Q(item__plan=plan) | Q(item__carried_to_plan=plan), pk=report_id)
        .first()
    )
    if report is None:
        raise Http404("整改报告不存在")
    if can(user, "rectification:decide", plan) or report.item.unit.organisation_id in own_unit_organisation_ids(user, plan):
        return report
    raise Http404("整改报告不存在")


# ------------------------------------------------------------------------------ 整改情况报告 (unit report)


def get_unit_for_unit_report(user: Any, plan: Plan, unit_id: int) -> PlanUnit:
    """A unit of the plan whose report the user submits: 403 without ``rectification:report`` (office, desks,
    viewers), 404 for another unit's members and outsiders, as if the unit did not exist."""
    unit = get_unit_for_user(user, plan, unit_id, capability="rectification:report")
    if unit.organisation_id not in own_unit_organisation_ids(user, plan):
        raise Http404("考核对象不存在")
    return unit


def get_unit_report_for_office(user: Any, plan: Plan, report_id: int) -> UnitReport:
    """A unit report of the plan, for the office deciding it (``rectification:decide``; 403 for the plan's other
    insiders, 404 for outsiders and a report of another plan)."""
    if not plan_roles(user, plan):
        raise Http404("整改情况报告不存在")
    require(user, "rectification:decide", plan)
    report = UnitReport.objects.select_related("unit__organisation").filter(plan=plan, pk=report_id).first()
    if report is None:
        raise Http404("整改情况报告不存在")
    return report


def get_unit_report_version_for_user(user: Any, plan: Plan, version_id: int) -> UnitReportVersion:
    """A version of a unit report of the plan, for the office and the report's unit; 404 for everyone else."""
    version = (
        UnitReportVersion.objects.select_related("report__unit__organisation").filter(report__plan=plan, pk=version_id).first()
    )
    if version is None:
        raise Http404("整改情况报告不存在")
    if can(user, "rectification:decide", plan) or version.report.unit.organisation_id in own_unit_organisation_ids(user, plan):
        return version
    raise Http404("整改情况报告不存在")


# ------------------------------------------------------------------------------ 约谈 and 重点单位


def get_unit_for_talks(user: Any, plan: Plan, unit_id: int) -> PlanUnit:
    """A unit of the plan the office records a 约谈 of or marks as 重点单位 (``rectification:decide``; 403 for the
    plan's other insiders, 404 for outsiders and a unit of another plan)."""
    return get_unit_for_user(user, plan, unit_id, capability="rectification:decide")


def get_talk_for_office(user: Any, plan: Plan, talk_id: int) -> Talk:
    """A 约谈 of the plan, for the office only (403 for the plan's other insiders, 404 for outsiders)."""
    if not plan_roles(user, plan):
        raise Http404("约谈记录不存在")
    require(user, "rectification:decide", plan)
    talk = Talk.objects.select_related("unit__organisation").filter(plan=plan, pk=talk_id).first()
    if talk is None:
        raise Http404("约谈记录不存在")
    return talk
