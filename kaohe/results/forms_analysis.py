"""The analysis page's GET filter: which snapshot of the plan (default: the latest)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone

from kaohe.core.forms import choice_field
from kaohe.results.models import ResultSnapshot


def snapshot_label(snapshot: ResultSnapshot) -> str:
    when = timezone.localtime(snapshot.computed_at).strftime("%Y-%m-%d %H:%M")
    state = "评价齐全" if snapshot.complete and not snapshot.missing_count else "已全部计分" if snapshot.complete else "评价未齐"
    return f"第{snapshot.seq}次计算 · {when} · {state}"


class SnapshotChoiceForm(forms.Form):
    snapshot = forms.TypedChoiceField(label="计算结果", required=False, coerce=int, empty_value=None)

    def __init__(self, *args: Any, snapshots: list[ResultSnapshot], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = choice_field(self, "snapshot")
        field.choices = [(str(s.pk), snapshot_label(s)) for s in snapshots]
        field.widget.attrs.update({"class": "form-select", "data-autosubmit": ""})
