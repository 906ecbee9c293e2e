from __future__ import annotations

from typing import Any

from django import forms

from kaohe.core.forms import StyledFormMixin, choice_field
from kaohe.scoring.models import GradeChoice


class GridFilterForm(StyledFormMixin, forms.Form):
    category = forms.TypedChoiceField(label="类别", required=False, coerce=int, empty_value=None)
    level1 = forms.TypedChoiceField(label="一级指标", required=False, coerce=int, empty_value=None)

    def __init__(self, *args: Any, categories: list[tuple[int, str]], level1: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "category").choices = categories
        choice_field(self, "level1").choices = [("", "全部"), *level1]


class EvaluationForm(forms.Form):
    """Raw cell input; the service validates against the task (grade vs score, bounds, reason)."""

    grade = forms.CharField(required=False, max_length=16)
    score = forms.CharField(required=False, max_length=20)
    reason = forms.CharField(required=False, max_length=2000)
    problem_kind = forms.IntegerField(required=False, min_value=0)
    version = forms.IntegerField(required=False, min_value=0)


class CellsField(forms.Field):
    """The grid's selected cells, posted as "unit-task-version" values: a list of three ints each."""

    widget = forms.MultipleHiddenInput
    default_error_messages = {"invalid": "所选格子无效，请刷新页面后重新选择", "required": "请先选择要评定的格子"}  # noqa: RUF012

    def to_python(self, value: Any) -> list[tuple[int, int, int]]:
        if not value:
            return []
        if isinstance(value, str) or not isinstance(value, list | tuple):
            value = [value]
        cells = []
        for item in value:
            parts = str(item).split("-")
            if len(parts) != 3 or not all(p.isdigit() and len(p) <= 10 for p in parts):
                raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
            cells.append((int(parts[0]), int(parts[1]), int(parts[2])))
        return cells


class BulkEvaluationForm(forms.Form):
    """One grade for several selected cells of the grid (the service checks each cell and the reason rule)."""

    cells = CellsField()
    grade = forms.ChoiceField(
        choices=GradeChoice.choices, error_messages={"required": "请选择等次", "invalid_choice": "请选择等次"}
    )
    reason = forms.CharField(required=False, max_length=2000, error_messages={"max_length": "扣分理由不能超过 2000 字"})


class NotApplicableForm(StyledFormMixin, forms.Form):
    unit = forms.TypedChoiceField(label="考核对象", coerce=int)
    task = forms.TypedChoiceField(label="工作任务", coerce=int)
    reason = forms.CharField(label="理由", max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, units: list[tuple[int, str]], tasks: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "unit").choices = units
        choice_field(self, "task").choices = tasks


class ClearForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(label="撤销理由", max_length=1000)
