from __future__ import annotations

from typing import Any

from django import forms

from kaohe.core.forms import StyledFormMixin


class GridFilterForm(StyledFormMixin, forms.Form):
    category = forms.TypedChoiceField(label="类别", required=False, coerce=int, empty_value=None)
    level1 = forms.TypedChoiceField(label="一级指标", required=False, coerce=int, empty_value=None)

    def __init__(self, *args: Any, categories: list[tuple[int, str]], level1: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = categories  # type: ignore[attr-defined]
        self.fields["level1"].choices = [("", "全部"), *level1]  # type: ignore[attr-defined]


class EvaluationForm(forms.Form):
    """Raw cell input; the service validates against the task (grade vs score, bounds, reason)."""

    grade = forms.CharField(required=False, max_length=16)
    score = forms.CharField(required=False, max_length=20)
    reason = forms.CharField(required=False, max_length=2000)
    version = forms.IntegerField(required=False, min_value=0)


class NotApplicableForm(StyledFormMixin, forms.Form):
    unit = forms.TypedChoiceField(label="考核对象", coerce=int)
    task = forms.TypedChoiceField(label="工作任务", coerce=int)
    reason = forms.CharField(label="理由", max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, units: list[tuple[int, str]], tasks: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = units  # type: ignore[attr-defined]
        self.fields["task"].choices = tasks  # type: ignore[attr-defined]


class ClearForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(label="撤销理由", max_length=1000)
