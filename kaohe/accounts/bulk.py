"""Accounts in bulk: the people list (人员名单) on the account pages, and the login accounts of a plan's
考核主体联系表 (附件2) import. Both create business accounts only, with one-time initial passwords.

- Each new account gets a random initial password (``services.save_with_initial_password``), must change it at first
  login, and one membership: the role of its row in its organisation. The passwords are returned for the
  password sheet (``password_sheet``) and never stored in clear.
- An existing 登录账号 is reused only if it already holds that role in that organisation (nothing changes);
  otherwise the row is an error. Every error of the file is reported at once and nothing is written.
- 三员分立: an admin power (系统/安全/审计管理员) is never granted here; those go through the account page's
  proposal and the security administrator's confirmation. Nobody's own account is touched (a new account is
  never the actor; a reused one changes nothing).
- Who: the people list needs ``accounts:manage`` and units in the administrator's regions
  (``managed_organisations``); a plan import's accounts need ``plan:import`` in that plan, and only
  the plan's own desks (考核主体) and units (考核对象) get them (docs/permissions.md, docs/security.md).

Each creation is audited (``account.create`` per account with its source, the memberships by the signals, one
``account.bulk_create`` summary); the passwords are in no audit event.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models.functions import Lower

from kaohe import access
from kaohe.access.accounts import managed_organisations
from kaohe.accounts.models import User
from kaohe.accounts.password_sheet import Issued
from kaohe.accounts.people_sheet import PeopleTable
from kaohe.core import audit
from kaohe.core.sheets import ERROR, Problem
from kaohe.organisations.models import Membership, Organisation
from kaohe.organisations.roles import ADMIN_ROLES, PLAN_ROLES, Role

SOURCE_PEOPLE = "people_import"
SOURCE_PLAN = "plan_import"
ROLE_WORDS: dict[str, Role] = {**{r.label: r for r in Role}, "实地考察组成员": Role.FIELD_GROUP, "考核主体联系人": Role.DESK}


class BulkRejected(Exception):
    """Nothing was written; ``problems`` says why (all of them)."""

    def __init__(self, message: str, problems: list[Problem]) -> None:
        super().__init__(message)
        self.message = message
        self.problems = problems


@dataclass(frozen=True)
class AccountRequest:
    """One account wanted: a row of a people list or of a 考核主体联系表."""

    row: int | None
    username: str
    display_name: str
    organisation: Organisation
    role: Role
    mobile: str = ""
    sheet: str = ""
    column: str = ""


@dataclass
class BulkCheck:
    problems: list[Problem] = field(default_factory=list)
    new: list[AccountRequest] = field(default_factory=list)
    kept: list[AccountRequest] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]


def _norm(text: str) -> str:
    return re.sub(r"\s+", "", text or "").replace("\u3000", "")


def check_requests(requests: list[AccountRequest]) -> BulkCheck:
    """Which requests create an account, which reuse one unchanged, and every problem (none written)."""
    result = BulkCheck()
    validator = UnicodeUsernameValidator()
    seen: dict[str, int | None] = {}

    def error(req: AccountRequest, code: str, message: str) -> None:
        result.problems.append(Problem(ERROR, code, message, req.sheet, req.row, req.column))

    # Accounts are compared case-insensitively, like ``services.user_create``.
    lowered = {r.username.lower() for r in requests}
    existing = {
        u.username.lower(): u
        for u in User.objects.annotate(lowered=Lower("username")).filter(lowered__in=lowered).prefetch_related("memberships")
    }
    for req in requests:
        key = req.username.lower()
        try:
            if len(req.username) > 150:
                raise ValidationError("too long")
            validator(req.username)
        except ValidationError:
            error(req, "account_invalid", f"登录账号“{req.username}”不合规：只能包含字母、数字和 @ . + - _，最长150个字符")
            continue
        if key in seen:
            where = f"第{seen[key]}行" if seen[key] else "另一行"
            error(req, "duplicate_account", f"登录账号“{req.username}”与{where}重复")
            continue
        seen[key] = req.row
        if req.role in ADMIN_ROLES:
            error(req, "admin_role", f"{req.role.label}不能通过批量导入授予（三员分立：须在账号页提出，由安全管理员确认）")
            continue
        user = existing.get(key)
        if user is None:
            result.new.append(req)
            continue
        holds = any(m.organisation_id == req.organisation.pk and m.role == req.role for m in user.memberships.all())
        if holds and user.is_active:
            result.kept.append(req)
        elif holds:
            error(req, "account_inactive", f"登录账号“{req.username}”已存在但已停用，请先在账号页启用")
        else:
            error(
                req,
                "account_taken",
                f"登录账号“{req.username}”已被占用，且不是{req.organisation.name}的{req.role.label}："
                "请换一个账号名，或在账号页为该账号授予角色",
            )
    return result


def _create(*, actor: User, requests: list[AccountRequest], source: str, plan_id: int | None) -> list[Issued]:
    """Inside the caller's transaction: the new accounts, their memberships and audit events; the passwords."""
    from kaohe.accounts.services import save_with_initial_password

    issued: list[Issued] = []
    for req in requests:
        user = User(username=req.username, display_name=req.display_name[:50], mobile=req.mobile[:20])
        password = save_with_initial_password(user)
        audit.record(
            actor=actor,
            action="account.create",
            obj=user,
            object_repr=user.username,
            plan_id=plan_id,
            organisation=req.organisation,
            after={
                "username": user.username,
                "display_name": user.display_name,
                "must_change_password": True,
                "source": source,
            },
        )
        membership = Membership(user=user, organisation=req.organisation, role=req.role)
        membership.full_clean()
        membership._audit_actor = actor
        membership._audit_extra = {"source": source}
        membership.save()
        issued.append(Issued(req.organisation.name, user.display_name, user.username, password))
    return issued


def _summary(*, actor: User, check: BulkCheck, source: str, plan_id: int | None, organisation: Any) -> None:
    audit.record(
        actor=actor,
        action="account.bulk_create",
        plan_id=plan_id,
        organisation=organisation,
        object_repr=f"{len(check.new)} 个账号",
        after={
            "source": source,
            "created": [r.username for r in check.new],
            "kept": [r.username for r in check.kept],
        },
    )


# ------------------------------------------------------------------------------ people list (账号管理 · 批量导入)


def _organisation_lookup(actor: User) -> dict[str, list[Organisation]]:
    lookup: dict[str, list[Organisation]] = {}
    for org in managed_organisations(actor).select_related("region"):
        for name in {org.name, org.short_name}:
            if name:
                lookup.setdefault(_norm(name), []).append(org)
    return lookup


def people_import_check(*, actor: User, table: PeopleTable) -> BulkCheck:
    """Resolve a parsed people list against the administrator's regions and today's accounts (nothing written)."""
    if not access.can(actor, "accounts:manage"):
        raise PermissionDenied("您没有管理账号的权限。")
    problems = list(table.problems)
    orgs = _organisation_lookup(actor)
    requests: list[AccountRequest] = []
    for person in table.people:
        found = orgs.get(_norm(person.organisation), [])
        if len(found) != 1:
            message = (
                f"单位“{person.organisation}”在您管理的地区内不止一个，请写全称"
                if found
                else f"找不到单位“{person.organisation}”（须为您管理地区内已有的单位）"
            )
            problems.append(Problem(ERROR, "unit_unknown", message, column="C", sheet=table.sheet, row=person.row))
        role = ROLE_WORDS.get(person.role)
        if role is None:
            allowed = "、".join(r.label for r in Role if r in PLAN_ROLES)
            problems.append(
                Problem(
                    ERROR,
                    "role_unknown",
                    f"角色“{person.role}”无法识别，应为 {allowed}",
                    column="D",
                    sheet=table.sheet,
                    row=person.row,
                )
            )
        elif role not in PLAN_ROLES:
            problems.append(
                Problem(
                    ERROR,
                    "admin_role",
                    f"{role.label}不能通过批量导入授予（三员分立：须在账号页提出，由安全管理员确认）",
                    column="D",
                    sheet=table.sheet,
                    row=person.row,
                )
            )
        if len(found) == 1 and role is not None and role in PLAN_ROLES:
            requests.append(
                AccountRequest(person.row, person.username, person.name, found[0], role, person.mobile, table.sheet, column="B")
            )
    check = check_requests(requests)
    check.problems = problems + check.problems
    check.problems.sort(key=lambda p: (p.row or 0, p.column))
    return check


def people_import_apply(*, actor: User, table: PeopleTable) -> tuple[BulkCheck, list[Issued]]:
    """Create the people list's new accounts, all or nothing, after checking it again against today's accounts."""
    with transaction.atomic():
        check = people_import_check(actor=actor, table=table)
        if check.errors:
            raise BulkRejected(f"文件有 {len(check.errors)} 处错误，未导入任何内容。请修改后重新上传。", check.errors)
        if not check.new:
            raise BulkRejected("名单中的账号都已存在且角色相同，没有需要新建的账号。", [])
        issued = _create(actor=actor, requests=check.new, source=SOURCE_PEOPLE, plan_id=None)
        _summary(actor=actor, check=check, source=SOURCE_PEOPLE, plan_id=None, organisation=None)
    return check, issued


# ------------------------------------------------------------------------------ a plan's 考核主体联系表 (附件2)


def accounts_create_for_plan(*, actor: User, plan: Any, requests: list[AccountRequest]) -> tuple[BulkCheck, list[Issued]]:
    """Create the accounts of a plan's import; called by ``plans.import_accounts.plan_accounts_create`` only.

    Called only after the plan's side has checked the actor (``plan:import``) and that each request is a
    考核主体 / 考核对象 membership of one of the plan's desks or units; refuses everything on any error.
    """
    check = check_requests(requests)
    if check.errors:
        raise BulkRejected(f"督导平台登录账号有 {len(check.errors)} 处错误，未导入任何内容。", check.errors)
    issued = _create(actor=actor, requests=check.new, source=SOURCE_PLAN, plan_id=plan.pk)
    _summary(actor=actor, check=check, source=SOURCE_PLAN, plan_id=plan.pk, organisation=plan.organiser)
    return check, issued
