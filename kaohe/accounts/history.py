"""How many of a person's last passwords may not be used again: the one setting that the password history
(``models.PasswordHistory``), its validator and the policy page share, below all three."""

from __future__ import annotations

from django.conf import settings

DEFAULT_HISTORY_COUNT = 5


def history_count() -> int:
    """``KAOHE_PASSWORD_HISTORY_COUNT``, at least 1."""
    return max(1, int(getattr(settings, "KAOHE_PASSWORD_HISTORY_COUNT", DEFAULT_HISTORY_COUNT)))
