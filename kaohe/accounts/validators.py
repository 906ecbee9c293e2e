"""Password rules: Django's four, worded in Chinese here, and ours (three character classes, no reuse; 等保 2.0).

Django's own messages depend on its translation catalogue, and its zh_Hans catalogue lacks some of them (the
minimum-length message came out in English); the subclasses below state every message in Chinese whatever
the browser's language.
"""

from __future__ import annotations

import re
from typing import Any

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError

from kaohe.accounts.history import history_count


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    def get_error_message(self) -> str:
        return f"密码太短，至少需要 {self.min_length} 个字符。"

    def get_help_text(self) -> str:
        return f"密码至少 {self.min_length} 个字符。"


class UserAttributeSimilarityValidator(password_validation.UserAttributeSimilarityValidator):
    DEFAULT_USER_ATTRIBUTES = ("username", "display_name", "first_name", "last_name", "email")

    def __init__(self, user_attributes: Any = DEFAULT_USER_ATTRIBUTES, max_similarity: float = 0.7) -> None:
        super().__init__(user_attributes=user_attributes, max_similarity=max_similarity)

    def validate(self, password: str, user: Any = None) -> None:
        try:
            super().validate(password, user)
        except ValidationError:
            raise ValidationError(self.get_error_message(), code="password_too_similar") from None

    def get_error_message(self) -> str:
        return "密码与账号、姓名或电子邮箱过于相似。"

    def get_help_text(self) -> str:
        return "密码不能与账号、姓名、电子邮箱等个人信息过于相似。"


class CommonPasswordValidator(password_validation.CommonPasswordValidator):
    def get_error_message(self) -> str:
        return "密码过于常见，容易被猜中。"

    def get_help_text(self) -> str:
        return "密码不能是常用密码。"


class NumericPasswordValidator(password_validation.NumericPasswordValidator):
    def get_error_message(self) -> str:
        return "密码不能全是数字。"

    def get_help_text(self) -> str:
        return "密码不能全是数字。"


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
        return max(1, self.count) if self.count else history_count()

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
