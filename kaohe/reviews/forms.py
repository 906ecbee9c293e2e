"""Forms of the feedback and review pages."""

from __future__ import annotations

from typing import Any

from django import forms

from kaohe.plans.models import Indicator, PlanUnit
from kaohe.reviews.models import ReviewRequest
from kaohe.scoring.models import GradeChoice


class ReleaseForm(forms.Form):
    unit = forms.TypedChoiceField(label="考核对象", coerce=int, required=False, empty_value=None)
    all_units = forms.BooleanField(label="向全部尚未反馈的考核对象发布", required=False)
    note = forms.CharField(label="说明", required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, units: list[PlanUnit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [("", "—")] + [(u.pk, f"{u.organisation.name}（{u.category.name}）") for u in units]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("unit") and not data.get("all_units"):
            raise forms.ValidationError("请选择考核对象，或选择向全部考核对象发布")
        return data


class ProblemForm(forms.Form):
    unit = forms.TypedChoiceField(label="考核对象", coerce=int, error_messages={"required": "请选择考核对象"})
    task = forms.TypedChoiceField(label="工作任务", coerce=int, required=False, empty_value=None)
    text = forms.CharField(
        label="发现的问题",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "请写明发现的问题"},
    )

    def __init__(self, *args: Any, units: list[PlanUnit], tasks: list[Indicator], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [("", "—")] + [(u.pk, f"{u.organisation.name}（{u.category.name}）") for u in units]  # type: ignore[attr-defined]
        task_choices = [("", "（不针对具体任务）"), *((t.pk, f"{t.category.name} {t.code} {t.name[:40]}") for t in tasks)]
        self.fields["task"].choices = task_choices  # type: ignore[attr-defined]


class RequestForm(forms.Form):
    reasons = forms.CharField(
        label="复核理由",
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "请写明申请复核的理由"},
    )
    attachment = forms.FileField(label="附件", required=False, help_text="佐证材料（PDF、图片、Word 等），可不附")


class DecideForm(forms.Form):
    decision = forms.ChoiceField(
        label="复核结论",
        choices=[(ReviewRequest.Status.UPHELD, "维持"), (ReviewRequest.Status.CHANGED, "调整")],
        error_messages={"required": "请选择维持或调整"},
    )
    answer = forms.CharField(
        label="答复意见",
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "请写明复核答复意见"},
    )
    grade = forms.ChoiceField(label="调整后等次", choices=[("", "—"), *GradeChoice.choices], required=False)
    score = forms.CharField(label="调整后得分", max_length=20, required=False)
