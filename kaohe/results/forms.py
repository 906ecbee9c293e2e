from __future__ import annotations

from typing import Any

from django import forms

from kaohe.core.forms import StyledFormMixin
from kaohe.results.models import MissingPolicyChoice
from kaohe.results.services import NOTE_MAX


class ComputeForm(StyledFormMixin, forms.Form):
    missing_policy = forms.ChoiceField(
        label="缺少评价时", choices=MissingPolicyChoice.choices, initial=MissingPolicyChoice.REPORT, widget=forms.RadioSelect
    )
    decision_note = forms.CharField(
        label="考核办的决定",
        required=False,
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="选择“按0分计”时必填：写明依据（如会议纪要、批准人、日期）",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["missing_policy"].widget.attrs["class"] = "form-check-input"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        note = (data.get("decision_note") or "").strip()
        if data.get("missing_policy") == MissingPolicyChoice.ZERO and not note:
            self.add_error("decision_note", "缺少的评价按0分计时，须记录考核办的决定")
        data["decision_note"] = note
        return data


class CategoryChoiceForm(forms.Form):
    category = forms.TypedChoiceField(label="类别", required=False, coerce=int, empty_value=None)

    def __init__(self, *args: Any, categories: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [(str(pk), name) for pk, name in categories]  # type: ignore[attr-defined]
