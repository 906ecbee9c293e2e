"""The account security policy (等保 2.0 level 3), read from settings in one place.

Every value has a default, so the code works whether or not ``config/settings.py`` names it:

- ``KAOHE_PASSWORD_MAX_AGE_DAYS`` (90; 0 = passwords never expire)
- ``KAOHE_PASSWORD_HISTORY_COUNT`` (5): a new password may not equal any of the last N
- ``KAOHE_TOTP_REQUIRED_ROLES`` (none): roles that must enrol a second factor (TOTP)
- ``KAOHE_TOTP_MAX_ATTEMPTS`` (5): wrong codes at the second login step before starting again
- length and character classes come from ``AUTH_PASSWORD_VALIDATORS``; idle timeout from
  ``SESSION_COOKIE_AGE``; lockout from ``AXES_FAILURE_LIMIT`` / ``AXES_COOLOFF_TIME``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import MinimumLengthValidator, get_default_password_validators
from django.utils import timezone

from kaohe.accounts.history import history_count as history_count
from kaohe.accounts.validators import CharacterClassValidator, PasswordHistoryValidator
from kaohe.organisations.roles import Role

DEFAULT_MAX_AGE_DAYS = 90
DEFAULT_TOTP_MAX_ATTEMPTS = 5
# How long the password step stays valid while the user looks up the code (seconds).
TOTP_PENDING_SECONDS = 300


def max_age_days() -> int:
    return max(0, int(getattr(settings, "KAOHE_PASSWORD_MAX_AGE_DAYS", DEFAULT_MAX_AGE_DAYS)))


def totp_max_attempts() -> int:
    return max(1, int(getattr(settings, "KAOHE_TOTP_MAX_ATTEMPTS", DEFAULT_TOTP_MAX_ATTEMPTS)))


def totp_issuer() -> str:
    return str(getattr(settings, "KAOHE_TOTP_ISSUER", "") or "依法行政考核督导平台")


def totp_required_roles() -> frozenset[Role]:
    """Roles that must use a second factor; accepts a list or a comma-separated string. Unknown names fail loudly."""
    raw: Any = getattr(settings, "KAOHE_TOTP_REQUIRED_ROLES", ()) or ()
    names = [part.strip() for part in raw.split(",")] if isinstance(raw, str) else [str(part).strip() for part in raw]
    return frozenset(Role(name) for name in names if name)


def idle_minutes() -> int:
    return int(getattr(settings, "SESSION_COOKIE_AGE", 1209600)) // 60


def lockout_limit() -> int:
    return int(getattr(settings, "AXES_FAILURE_LIMIT", 3))


def lockout_cooloff() -> dt.timedelta | None:
    from axes.helpers import get_cool_off

    cool_off: dt.timedelta | None = get_cool_off()
    return cool_off


def password_validators() -> list[Any]:
    """The configured validators, plus the history check if the settings do not name it already."""
    validators = list(get_default_password_validators())
    if not any(isinstance(v, PasswordHistoryValidator) for v in validators):
        validators.append(PasswordHistoryValidator())
    return validators


def password_rules() -> list[str]:
    """The rules a new password must follow, in Chinese, for the change page and the policy page."""
    return [str(v.get_help_text()) for v in password_validators()]


def min_length() -> int | None:
    lengths = [v.min_length for v in get_default_password_validators() if isinstance(v, MinimumLengthValidator)]
    return max(lengths) if lengths else None


def min_classes() -> int | None:
    found = [v.min_classes for v in get_default_password_validators() if isinstance(v, CharacterClassValidator)]
    return max(found) if found else None


class ChangeReason(StrEnum):
    INITIAL = "initial"
    EXPIRED = "expired"


def password_expires_at(user: Any) -> dt.datetime | None:
    """When the user's password expires (None: never). An unknown change time counts from account creation."""
    days = max_age_days()
    if not days:
        return None
    changed: dt.datetime | None = getattr(user, "password_changed_at", None) or getattr(user, "date_joined", None)
    if changed is None:
        return None
    return changed + dt.timedelta(days=days)


def password_change_reason(user: Any) -> ChangeReason | None:
    """Why the user must change their password before going on (None: they need not)."""
    if not getattr(user, "is_authenticated", False):
        return None
    if getattr(user, "must_change_password", False):
        return ChangeReason.INITIAL
    expires = password_expires_at(user)
    if expires is not None and expires <= timezone.now():
        return ChangeReason.EXPIRED
    return None


def change_reason_message(reason: ChangeReason | None) -> str:
    if reason == ChangeReason.INITIAL:
        return "您正在使用管理员设置的初始密码（或管理员已重置您的密码）。按照安全策略，须先修改密码才能继续使用系统。"
    if reason == ChangeReason.EXPIRED:
        return f"您的密码已使用超过 {max_age_days()} 天。按照安全策略，须修改密码后才能继续使用系统。"
    return ""


@dataclass(frozen=True)
class PolicyRow:
    label: str
    value: str


def effective_policy() -> list[PolicyRow]:
    """The policy in force, as the security administrator sees it."""
    length = min_length()
    classes = min_classes()
    age = max_age_days()
    cooloff = lockout_cooloff()
    required = totp_required_roles()
    cooloff_text = "不自动解除（须安全管理员解锁）" if cooloff is None else f"{int(cooloff.total_seconds() // 60)} 分钟"
    return [
        PolicyRow("密码最小长度", f"{length} 位" if length else "未设置"),
        PolicyRow("密码字符类别", f"大写字母、小写字母、数字、符号中至少 {classes} 类" if classes else "未设置"),
        PolicyRow("密码历史", f"不得与最近 {history_count()} 次使用过的密码相同"),
        PolicyRow("密码有效期", f"{age} 天" if age else "不过期"),
        PolicyRow("初始密码", "管理员新建账号或重置密码后，用户首次登录须修改密码"),
        PolicyRow("会话空闲超时", f"{idle_minutes()} 分钟"),
        PolicyRow("登录失败锁定", f"连续失败 {lockout_limit()} 次（按账号与IP地址）"),
        PolicyRow("锁定时长", cooloff_text),
        PolicyRow(
            "双因素认证（TOTP）",
            ("以下角色必须启用：" + "、".join(str(r.label) for r in sorted(required))) if required else "可选（用户自行启用）",
        ),
        PolicyRow("验证码错误次数上限", f"{totp_max_attempts()} 次（之后须重新输入密码；同时计入登录失败锁定）"),
    ]
