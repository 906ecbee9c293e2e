"""Template filters of scoring's stored codes (``{% load scoring %}``)."""

from __future__ import annotations

from django import template

from kaohe.scoring.models import GradeChoice

register = template.Library()


@register.filter
def grade(value: str) -> str:
    """The Chinese word of a stored 等次 code ("good" → "良"); an empty code stays empty."""
    try:
        return str(GradeChoice(value).label) if value else ""
    except ValueError:
        return value
