"""The home page's sections: what each app puts on a person's home page.

The home page (``core.views.home``) knows no app above core. Each app registers, in its ``AppConfig.ready()``,
a function ``(request) -> context`` (``register_home_section``); the page's template context is the union of
every section's context (organisations: memberships and the admin links; plans: the plan cards and the to-do list).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest

HomeSection = Callable[[HttpRequest], dict[str, Any]]

_SECTIONS: list[HomeSection] = []


def register_home_section(section: HomeSection) -> HomeSection:
    """Add ``section`` to the home page (idempotent: a section is kept once); returns it unchanged."""
    if section not in _SECTIONS:
        _SECTIONS.append(section)
    return section


def home_context(request: HttpRequest) -> dict[str, Any]:
    """Every registered section's context for this request, in registration order."""
    context: dict[str, Any] = {}
    for section in list(_SECTIONS):
        context.update(section(request))
    return context
