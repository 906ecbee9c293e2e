"""Reads of the accounts app: a user's own sessions, their device, and the lockouts the security administrator sees."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Max, QuerySet, Sum
from django.http import Http404
from django.utils import timezone

from kaohe.access.accounts import accounts_in_scope
from kaohe.accounts import policy
from kaohe.accounts.models import TotpDevice, User, UserSession


def sessions_of(user: User) -> QuerySet[UserSession]:
    """The user's live sessions, newest first (expired ones are left out; ``user_sessions_prune`` deletes them)."""
    return (
        UserSession.objects.filter(user=user, session__expire_date__gt=timezone.now())
        .select_related("session")
        .order_by("-created_at", "-pk")
    )


def get_own_session(user: User, session_id: int) -> UserSession:
    """One of the user's own live sessions; anybody else's (or an unknown id) does not exist for them: 404."""
    row = sessions_of(user).select_related("user").filter(pk=session_id).first()
    if row is None:
        raise Http404("会话不存在或已结束")
    return row


def last_activity(row: UserSession) -> dt.datetime:
    """Sessions are saved on every request, so their expiry minus the idle timeout is the last activity."""
    return row.session.expire_date - dt.timedelta(minutes=policy.idle_minutes())


def totp_device(user: User) -> TotpDevice | None:
    return TotpDevice.objects.filter(user=user).first()


def totp_enabled(user: Any) -> bool:
    return TotpDevice.objects.filter(user_id=user.pk, confirmed_at__isnull=False).exists()


def totp_enabled_count(accounts: QuerySet[User] | None = None) -> int:
    """Accounts with a confirmed second factor (among ``accounts``, when given: a region's)."""
    devices = TotpDevice.objects.filter(confirmed_at__isnull=False)
    if accounts is not None:
        devices = devices.filter(user__in=accounts)
    return devices.count()


@dataclass(frozen=True)
class LockoutRow:
    username: str
    ip_address: str
    failures: int
    last_attempt: dt.datetime
    locked: bool
    locked_until: dt.datetime | None
    user_agents: int


def lockouts(usernames: set[str] | None = None) -> list[LockoutRow]:
    """Recent failed logins per (username, IP) as django-axes counts them, locked ones first; only those under
    ``usernames`` (lower-cased) when given (a region's security administrator: ``access.accounts.security_usernames``).

    Attempts older than the cool-off no longer count (axes deletes them at the next attempt) and are left out.
    """
    from axes.models import AccessAttempt

    limit = policy.lockout_limit()
    cooloff = policy.lockout_cooloff()
    attempts = AccessAttempt.objects.all()
    if cooloff is not None:
        attempts = attempts.filter(attempt_time__gte=timezone.now() - cooloff)
    grouped = (
        attempts.values("username", "ip_address")
        .annotate(failures=Sum("failures_since_start"), last_attempt=Max("attempt_time"), user_agents=Count("pk"))
        .order_by("-last_attempt")
    )
    rows = []
    for g in grouped:
        if usernames is not None and (g["username"] or "").lower() not in usernames:
            continue
        locked = bool(g["failures"] >= limit)
        rows.append(
            LockoutRow(
                username=g["username"] or "",
                ip_address=g["ip_address"] or "",
                failures=int(g["failures"]),
                last_attempt=g["last_attempt"],
                locked=locked,
                locked_until=(g["last_attempt"] + cooloff) if locked and cooloff is not None else None,
                user_agents=int(g["user_agents"]),
            )
        )
    rows.sort(key=lambda r: (not r.locked, -r.last_attempt.timestamp()))
    return rows


def session_row(session_key: str) -> UserSession | None:
    return UserSession.objects.filter(session_id=session_key).first() if session_key else None


def user_by_username(username: str) -> User | None:
    return User.objects.filter(username=username).first()


def active_user(user_id: int) -> User | None:
    return User.objects.filter(pk=user_id, is_active=True).first()


# ------------------------------------------------------------------------------ account management (系统管理员)


def accounts_list(actor: User, query: str = "") -> QuerySet[User]:
    """Accounts the actor manages (``accounts_in_scope``) with their memberships, for the account list;
    filtered by 账号 or 姓名."""
    from django.db.models import Prefetch, Q

    from kaohe.organisations.models import Membership

    accounts = (
        accounts_in_scope(actor)
        .prefetch_related(
            Prefetch(
                "memberships",
                queryset=Membership.objects.select_related("organisation").order_by("organisation__sort_key", "role"),
            )
        )
        .order_by("username")
    )
    if query:
        accounts = accounts.filter(Q(username__icontains=query) | Q(display_name__icontains=query))
    return accounts


def memberships_of(user: User) -> QuerySet[Any]:
    from kaohe.organisations.models import Membership

    return Membership.objects.filter(user=user).select_related("organisation").order_by("organisation__sort_key", "role")


def grant_proposals(
    *, user: User | None = None, pending: bool | None = None, within: QuerySet[Any] | None = None
) -> QuerySet[Any]:
    """Proposed admin-role grants, newest first (one person's, and/or only pending or only decided ones; among
    ``within`` when given: those of an administrator's regions, ``access.accounts.grant_proposals_in_scope``)."""
    from kaohe.organisations.models import RoleGrantProposal

    rows = (within if within is not None else RoleGrantProposal.objects.all()).select_related(
        "user", "organisation", "proposed_by", "decided_by"
    )
    if user is not None:
        rows = rows.filter(user=user)
    if pending is True:
        rows = rows.filter(status=RoleGrantProposal.Status.PENDING)
    elif pending is False:
        rows = rows.exclude(status=RoleGrantProposal.Status.PENDING)
    return rows.order_by("-proposed_at", "-pk")


def pending_grant_count(within: QuerySet[Any] | None = None) -> int:
    """How many admin-role grants wait for a security administrator's decision (among ``within``)."""
    return grant_proposals(pending=True, within=within).count()
