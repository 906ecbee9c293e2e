"""Writes of the accounts app: passwords, login sessions, the second factor, lockouts. Each one is audited."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from kaohe import access
from kaohe.accounts import policy, totp
from kaohe.accounts.models import TotpDevice, User, UserSession
from kaohe.core import audit

USER_AGENT_MAX = 200

# ------------------------------------------------------------------------------ passwords


def password_change(*, actor: User, user: User, new_password: str, keep_session_key: str | None = None) -> int:
    """The user sets a new password (already validated by the form). Their other sessions are logged out.

    Returns the number of other sessions ended. The new hash joins the password history (``User.save``).
    """
    with transaction.atomic():
        reason = policy.password_change_reason(user)
        user.set_password(new_password)
        user.must_change_password = False
        user.full_clean()
        user.save(update_fields=["password", "must_change_password"])
        ended = _end_sessions(user, keep_session_key=keep_session_key)
        audit.record(
            actor=actor,
            action="auth.password_change",
            obj=user,
            object_repr=user.username,
            after={"reason": str(reason) if reason else "voluntary", "other_sessions_ended": ended},
        )
    return ended


def password_reset(*, actor: User, user: User, new_password: str | None) -> None:
    """An administrator sets an initial password (or removes password login with ``None``).

    The user must change it at the next login, and every session of theirs is logged out. The password of an
    administrator (系统/安全/审计管理员) is never reset by someone else here (``password_reset_refusal``).
    """
    refusal = password_reset_refusal(actor=actor, user=user)
    if refusal:
        raise ValidationError(refusal)
    with transaction.atomic():
        if new_password is None:
            user.set_unusable_password()
        else:
            user.set_password(new_password)
        user.must_change_password = True
        user.full_clean()
        user.save(update_fields=["password", "must_change_password"])
        ended = _end_sessions(user, keep_session_key=None)
        audit.record(
            actor=actor,
            action="auth.password_reset",
            obj=user,
            object_repr=user.username,
            after={"usable": new_password is not None, "must_change_password": True, "sessions_ended": ended},
        )


def password_reset_refusal(*, actor: User, user: User) -> str | None:
    """Why ``actor`` may not reset ``user``'s password, or None.

    三员分立: whoever could set an administrator's password could log in as them, and so be the second person
    of a two-person rule (confirm their own admin-role grant) or read the audit log. An administrator's
    password is changed by themselves; a lost one is reset by the operators on the server
    (``manage.py changepassword``), outside the platform.
    """
    from kaohe.organisations.models import Membership
    from kaohe.organisations.roles import ADMIN_ROLES

    if actor is None or getattr(actor, "pk", None) == user.pk:
        return None
    if Membership.objects.filter(user=user, role__in=[r.value for r in ADMIN_ROLES]).exists():
        return "管理员账号（系统管理员、安全管理员、审计管理员）的密码不能由他人重置（三员分立）：请本人修改；遗失时由运维人员在服务器上按流程重置。"
    return None


# ------------------------------------------------------------------------------ login sessions


def user_session_open(
    *, user: User, session_key: str, ip: str, user_agent: str, created_at: dt.datetime | None = None
) -> UserSession:
    """Remember a login (called when Django logs the user in, after the session key was cycled)."""
    row, _ = UserSession.objects.update_or_create(
        session_id=session_key,
        defaults={
            "user": user,
            "created_at": created_at or timezone.now(),
            "ip": ip[:64],
            "last_ip": ip[:64],
            "user_agent": user_agent[:USER_AGENT_MAX],
        },
    )
    return row


def user_session_note_ip(*, session_key: str, ip: str) -> None:
    """The session now comes from another address (a roaming laptop, or a stolen cookie: the user can tell)."""
    UserSession.objects.filter(session_id=session_key).update(last_ip=ip[:64])


def user_sessions_prune(*, user: User) -> int:
    """Delete the user's expired sessions (their rows go with them). Housekeeping, not audited."""
    count, _ = Session.objects.filter(kaohe_user_session__user=user, expire_date__lte=timezone.now()).delete()
    return count


def user_session_end(*, actor: User, user_session: UserSession) -> None:
    """Log one session out by deleting its Django session (the tracking row goes with it)."""
    with transaction.atomic():
        described = _describe_session(user_session)
        Session.objects.filter(pk=user_session.session_id).delete()
        audit.record(
            actor=actor,
            action="auth.session_end",
            obj=user_session.user,
            object_repr=user_session.user.username,
            before=described,
        )


def user_sessions_end_others(*, actor: User, user: User, keep_session_key: str | None) -> int:
    """ "退出其他所有会话": every session of the user but the current one. Returns how many were ended."""
    with transaction.atomic():
        ended = _end_sessions(user, keep_session_key=keep_session_key)
        audit.record(actor=actor, action="auth.sessions_end_others", obj=user, object_repr=user.username, after={"ended": ended})
    return ended


def _describe_session(row: UserSession) -> dict[str, Any]:
    return {"login_at": row.created_at, "ip": row.ip, "last_ip": row.last_ip, "user_agent": row.user_agent[:80]}


def _end_sessions(user: User, *, keep_session_key: str | None) -> int:
    """Delete the user's sessions except ``keep_session_key``: tracked ones, and any live untracked ones."""
    keys = set(UserSession.objects.filter(user=user).values_list("session_id", flat=True))
    untracked = Session.objects.filter(expire_date__gt=timezone.now(), kaohe_user_session__isnull=True)
    for session in untracked.iterator(chunk_size=500):
        if str(session.get_decoded().get(SESSION_KEY, "")) == str(user.pk):
            keys.add(session.session_key)
    keys.discard(keep_session_key or "")
    _, per_model = Session.objects.filter(session_key__in=keys).delete()
    return per_model.get(Session._meta.label, 0)


# ------------------------------------------------------------------------------ second factor (TOTP)


def totp_device_start(*, actor: User, user: User) -> str:
    """Begin enrolment: a fresh secret for a not yet confirmed device. Returns the secret to show once."""
    with transaction.atomic():
        device = TotpDevice.objects.select_for_update().filter(user=user).first()
        if device is not None and device.is_confirmed:
            raise ValidationError("双因素认证已启用。如需更换手机，请先停用再重新设置。")
        secret = totp.new_secret()
        if device is None:
            device = TotpDevice(user=user)
        device.encrypted_secret = totp.encrypt(secret, user_id=user.pk)
        device.confirmed_at = None
        device.last_step = None
        device.created_at = timezone.now()
        device.full_clean()
        device.save()
        audit.record(actor=actor, action="auth.totp_setup", obj=user, object_repr=user.username)
    return secret


def totp_device_confirm(*, actor: User, user: User, code: str) -> None:
    """Finish enrolment with a code from the app; from now on login asks for a code."""
    with transaction.atomic():
        device = TotpDevice.objects.select_for_update().filter(user=user, confirmed_at__isnull=True).first()
        if device is None:
            raise ValidationError("没有待确认的设置，请重新开始。")
        try:
            secret = totp.decrypt(device.encrypted_secret, user_id=user.pk)
        except totp.SecretUnreadable as exc:
            raise ValidationError("设置已失效，请重新开始。") from exc
        step = totp.matching_step(secret, code, last_step=device.last_step)
        if step is not None:
            device.confirmed_at = timezone.now()
            device.last_step = step
            device.save(update_fields=["confirmed_at", "last_step"])
            audit.record(actor=actor, action="auth.totp_enable", obj=user, object_repr=user.username)
    if step is None:  # recorded outside the transaction above, which the refusal would roll back
        audit.record(actor=actor, action="auth.totp_confirm_failed", obj=user, object_repr=user.username)
        raise ValidationError("验证码不正确或已过期，请查看手机上的最新验证码后重试。")


def totp_check(*, user: User, code: str) -> bool:
    """Whether the code is right for the user's confirmed device; a right code is spent (no replay)."""
    with transaction.atomic():
        device = TotpDevice.objects.select_for_update().filter(user=user, confirmed_at__isnull=False).first()
        if device is None:
            return False
        try:
            secret = totp.decrypt(device.encrypted_secret, user_id=user.pk)
        except totp.SecretUnreadable:
            return False
        step = totp.matching_step(secret, code, last_step=device.last_step)
        if step is None:
            return False
        device.last_step = step
        device.save(update_fields=["last_step"])
    return True


def totp_device_disable(*, actor: User, user: User, password: str, code: str) -> None:
    """The user turns the second factor off, proving both factors; refused where their role requires it."""
    if access_requires_totp(user):
        raise ValidationError("您的角色按安全策略必须使用双因素认证，不能停用。")
    if not user.check_password(password):
        audit.record(
            actor=actor, action="auth.totp_disable_failed", obj=user, object_repr=user.username, after={"why": "password"}
        )
        raise ValidationError("密码不正确。")
    if not totp_check(user=user, code=code):
        audit.record(actor=actor, action="auth.totp_disable_failed", obj=user, object_repr=user.username, after={"why": "code"})
        raise ValidationError("验证码不正确或已过期。")
    with transaction.atomic():
        TotpDevice.objects.filter(user=user).delete()
        audit.record(actor=actor, action="auth.totp_disable", obj=user, object_repr=user.username)


def totp_device_reset(*, actor: User, user: User) -> bool:
    """The security administrator removes a user's device (lost phone); they enrol again if required.

    Every session of the user ends too: a lost phone may still be logged in. Only an account of the security
    administrator's regions (``access.accounts.accounts_in_scope``).
    """
    _check_security_scope(actor, user.username)
    with transaction.atomic():
        count, _ = TotpDevice.objects.filter(user=user).delete()
        ended = _end_sessions(user, keep_session_key=None) if count else 0
        audit.record(
            actor=actor,
            action="auth.totp_reset",
            obj=user,
            object_repr=user.username,
            after={"removed": bool(count), "sessions_ended": ended},
        )
    return bool(count)


def access_requires_totp(user: User) -> bool:
    required = policy.totp_required_roles()
    return bool(required and access.global_roles(user) & required)


# ------------------------------------------------------------------------------ lockouts (django-axes)


def _check_security_scope(actor: User, username: str) -> None:
    from django.core.exceptions import PermissionDenied

    from kaohe.access.accounts import security_usernames

    if not access.can(actor, "security:policy"):
        raise PermissionDenied("只有安全管理员可以办理。")
    usernames = security_usernames(actor)
    if usernames is not None and username.lower() not in usernames:
        raise PermissionDenied("该账号不在您管理的区划内。")


def lockout_release(*, actor: User, username: str, ip_address: str | None) -> int:
    """Unlock a username (at one IP address, or everywhere when none is given). Returns attempts removed.

    A region's security administrator unlocks only the names of their regions' accounts."""
    from axes.utils import reset

    _check_security_scope(actor, username)
    with transaction.atomic():
        removed = int(reset(ip=ip_address or None, username=username))
        audit.record(
            actor=actor,
            action="security.unlock",
            object_repr=username,
            after={"username": username, "ip": ip_address or "", "attempts_removed": removed},
        )
    return removed


# ------------------------------------------------------------------------------ accounts (系统管理员)

INITIAL_PASSWORD_LENGTH = 16
_PASSWORD_ALPHABETS = ("ABCDEFGHJKLMNPQRSTUVWXYZ", "abcdefghijkmnopqrstuvwxyz", "23456789", "#%+-=@")


def _check_account_manager(actor: User, user: User | None) -> None:
    from django.core.exceptions import PermissionDenied

    if not access.can(actor, "accounts:manage"):
        raise PermissionDenied("您没有管理账号的权限。")
    if user is not None and getattr(actor, "pk", None) == user.pk:
        raise ValidationError("不能在账号管理中更改本人的账号，请由另一位系统管理员办理。")
    if user is not None and not access.manages_account(actor, user):
        raise PermissionDenied("该账号在其他单位或地区担任角色，不属于您管理的范围。")


def initial_password(user: User) -> str:
    """A random initial password that satisfies the configured password policy (no look-alike characters)."""
    from django.contrib.auth import password_validation

    for _ in range(50):
        chars = [secrets.choice(alphabet) for alphabet in _PASSWORD_ALPHABETS]
        everything = "".join(_PASSWORD_ALPHABETS)
        chars += [secrets.choice(everything) for _ in range(INITIAL_PASSWORD_LENGTH - len(chars))]
        secrets.SystemRandom().shuffle(chars)
        candidate = "".join(chars)
        try:
            password_validation.validate_password(candidate, user, password_validators=policy.password_validators())
        except ValidationError:
            continue
        return candidate
    raise RuntimeError("could not generate an initial password that satisfies the password policy")


def save_with_initial_password(user: User) -> str:
    """Save a new account with a random initial password it must change at first login; returns the password,
    to be shown once (it is stored only as a hash). The caller audits the creation in its own words."""
    user.must_change_password = True
    password = initial_password(user)
    user.set_password(password)
    user.full_clean()
    user.save()
    return password


def user_create(*, actor: User, username: str, display_name: str, email: str = "") -> tuple[User, str]:
    """A new account with a random initial password (returned to be shown once); changed at first login.

    The account has no role: roles are granted afterwards through ``organisations.services.membership_grant``.
    """
    _check_account_manager(actor, None)
    username = username.strip()
    with transaction.atomic():
        if User.objects.filter(username__iexact=username).exists():
            raise ValidationError(f"账号 {username} 已存在。")
        user = User(username=username, display_name=display_name.strip(), email=email.strip())
        password = save_with_initial_password(user)
        audit.record(
            actor=actor,
            action="account.create",
            obj=user,
            object_repr=user.username,
            after={
                "username": user.username,
                "display_name": user.display_name,
                "email": user.email,
                "must_change_password": True,
            },
        )
    return user, password


def user_set_active(*, actor: User, user: User, active: bool) -> int:
    """停用 / 启用 an account. Deactivating ends every session of the user. Returns the sessions ended."""
    _check_account_manager(actor, user)
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        if user.is_active == active:
            raise ValidationError("该账号已启用。" if active else "该账号已停用。")
        user.is_active = active
        user.full_clean()
        user.save(update_fields=["is_active"])
        ended = 0 if active else _end_sessions(user, keep_session_key=None)
        audit.record(
            actor=actor,
            action="account.activate" if active else "account.deactivate",
            obj=user,
            object_repr=user.username,
            before={"is_active": not active},
            after={"is_active": active, "sessions_ended": ended},
        )
    return ended


def user_password_issue(*, actor: User, user: User) -> str:
    """Give another user a new random initial password (returned to be shown once); they change it at next login."""
    _check_account_manager(actor, user)
    password = initial_password(user)
    password_reset(actor=actor, user=user, new_password=password)
    return password


def user_email_notifications_set(*, actor: User, email: str, enabled: bool) -> bool:
    """The user's own 邮件通知 choice and address; returns whether anything changed. Opting in needs an address."""
    if enabled and not email:
        raise ValidationError("接收邮件通知须填写有效的电子邮箱地址。")
    before = {"email": actor.email, "email_notifications": actor.email_notifications}
    after = {"email": email, "email_notifications": enabled}
    if before == after:
        return False
    with transaction.atomic():
        actor.email = email
        actor.email_notifications = enabled
        actor.full_clean(exclude=["password", "username"])
        actor.save(update_fields=["email", "email_notifications"])
        audit.record(
            actor=actor, action="account.email_notifications", obj=actor, object_repr=actor.username, before=before, after=after
        )
    return True
