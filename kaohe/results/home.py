"""Results' section of the home page (registered in ``ResultsConfig.ready()``): the link to 下级考核汇总."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from kaohe import access


def home_section(request: HttpRequest) -> dict[str, Any]:
    """Offices (``rollup:view``) get the link to the roll-up of the lower offices' plans; no query of its own."""
    return {"can_view_rollup": access.can(request.user, "rollup:view")}
