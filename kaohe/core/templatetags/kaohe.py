"""Template filters for the vocabulary of the documents: points as written, Chinese ordinals."""

from __future__ import annotations

from decimal import Decimal

from django import template

register = template.Library()

_DIGITS = "零一二三四五六七八九"


@register.filter
def pts(value: Decimal | int | None) -> str:
    """Points as the documents write them: 2.5, 1, 0.25 — no trailing zeros, never exponent form."""
    if value is None or value == "":
        return ""
    number = Decimal(value)
    text = format(number.normalize(), "f") if number != number.to_integral() else str(number.quantize(Decimal(1)))
    return text


@register.filter
def cn_ordinal(value: int | str) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 21 → 二十一 (一级指标 are numbered this way)."""
    n = int(value)
    if n < 10:
        return _DIGITS[n]
    if n < 20:
        return "十" + (_DIGITS[n % 10] if n % 10 else "")
    if n < 100:
        return _DIGITS[n // 10] + "十" + (_DIGITS[n % 10] if n % 10 else "")
    return str(n)


@register.filter
def file_kind(value: str) -> str:
    """The Chinese label of a detected file kind ("pdf" → "PDF 文档")."""
    from kaohe.core.filetypes import Kind

    try:
        return str(Kind(value).label)
    except ValueError:
        return value


@register.filter
def get_item(mapping: dict[object, object], key: object) -> object:
    """``{{ files|get_item:task.pk }}``: a dictionary lookup by a variable key ([] when missing)."""
    return mapping.get(key, []) if hasattr(mapping, "get") else []
