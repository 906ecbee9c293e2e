"""Capability checks for core's own pages (the holiday calendar, the audit log), answered by the access layer.

Core sits below organisations, where roles and capabilities live (``kaohe.access``), so core cannot ask them itself:
organisations registers the answer in its ``AppConfig.ready()``. Until it has, every check refuses.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied

_require: Callable[[Any, str], None] | None = None


def register_require(check: Callable[[Any, str], None]) -> None:
    """``check(user, capability)`` raises PermissionDenied when the user lacks the installation-wide capability."""
    global _require
    _require = check


def require(user: Any, capability: str) -> None:
    if _require is None:
        raise PermissionDenied
    _require(user, capability)
