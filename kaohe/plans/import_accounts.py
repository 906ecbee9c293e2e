"""Login accounts from a plan's import (考核主体联系表 / 考核对象名单), inside ``plan_import_apply``'s transaction.

The plan's side of ``accounts.bulk``: who may create them and for which organisations is a question of the plan.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied

from kaohe import access
from kaohe.accounts.bulk import AccountRequest, BulkCheck, accounts_create_for_plan
from kaohe.accounts.password_sheet import Issued
from kaohe.organisations.roles import Role
from kaohe.plans.models import AssessorDesk, Plan, PlanUnit


def plan_accounts_create(*, actor: Any, plan: Plan, requests: list[AccountRequest]) -> tuple[BulkCheck, list[Issued]]:
    """Login accounts of the plan's own desks or units.

    ``plan:import`` (the plan's 考核办) suffices: only 考核主体 / 考核对象 memberships, only in organisations that
    are this plan's desks or units, checked here again.
    """
    access.require(actor, "plan:import", plan)
    desks = set(AssessorDesk.objects.filter(plan=plan).values_list("organisation_id", flat=True))
    units = set(PlanUnit.objects.filter(plan=plan).values_list("organisation_id", flat=True))
    for req in requests:
        allowed = desks if req.role == Role.DESK else units if req.role == Role.UNIT else set()
        if req.organisation.pk not in allowed:
            raise PermissionDenied(f"{req.organisation.name}不是本方案的考核主体或考核对象，不能为其新建账号。")
    return accounts_create_for_plan(actor=actor, plan=plan, requests=requests)
