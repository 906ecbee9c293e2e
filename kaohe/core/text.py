"""The text a service takes from a form: stripped, required unless said otherwise, and within its length."""

from __future__ import annotations

from django.core.exceptions import ValidationError


def clean_text(value: str | None, label: str, max_length: int, *, required: bool = True) -> str:
    """``value`` stripped; "请填写{label}" when required and empty, "{label}不能超过 N 字" when too long."""
    value = (value or "").strip()
    if required and not value:
        raise ValidationError(f"请填写{label}")
    if len(value) > max_length:
        raise ValidationError(f"{label}不能超过 {max_length} 字")
    return value
