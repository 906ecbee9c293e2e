"""Password rules beyond Django's: at least three character classes (等保 2.0 habit)."""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError


class CharacterClassValidator:
    def __init__(self, min_classes: int = 3) -> None:
        self.min_classes = min_classes

    def validate(self, password: str, user: Any = None) -> None:
        classes = sum(bool(re.search(pattern, password)) for pattern in (r"[a-z]", r"[A-Z]", r"[0-9]", r"[^a-zA-Z0-9]"))
        if classes < self.min_classes:
            raise ValidationError(
                f"密码须至少包含大写字母、小写字母、数字、符号中的 {self.min_classes} 类。",
                code="password_too_simple",
            )

    def get_help_text(self) -> str:
        return f"密码须至少包含大写字母、小写字母、数字、符号中的 {self.min_classes} 类。"


class PasswordHistoryValidator:
    """Refuse a new password equal to the current one or to any of the last N (``KAOHE_PASSWORD_HISTORY_COUNT``).

    The hashes come from :class:`~kaohe.accounts.models.PasswordHistory`, which the user model fills on
    every password set; each is compared with ``check_password``, so the plain password is never stored.
    """

    def __init__(self, count: int | None = None) -> None:
        self.count = count

    def _count(self) -> int:
        from kaohe.accounts import policy

        return max(1, self.count) if self.count else policy.history_count()

    def validate(self, password: str, user: Any = None) -> None:
        from django.contrib.auth.hashers import check_password

        from kaohe.accounts.models import PasswordHistory

        if user is None or getattr(user, "pk", None) is None:
            return
        count = self._count()
        hashes: list[str] = []
        current = getattr(user, "password", "")
        if current:
            hashes.append(current)
        stored = PasswordHistory.objects.filter(user_id=user.pk).order_by("-created_at", "-pk").values_list("password", flat=True)
        for encoded in stored[:count]:
            if encoded not in hashes:
                hashes.append(encoded)
        if any(check_password(password, encoded) for encoded in hashes[:count]):
            raise ValidationError(f"新密码不得与最近 {count} 次使用过的密码相同。", code="password_reused")

    def get_help_text(self) -> str:
        return f"新密码不得与最近 {self._count()} 次使用过的密码相同。"
