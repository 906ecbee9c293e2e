"""Forms of the templates pages (views_templates.py): publish a category's table, adopt a template."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms

from kaohe.core.forms import StyledFormMixin, model_choice_field
from kaohe.plans.forms_tree import POINTS_ERRORS
from kaohe.plans.models import Category, Indicator, Plan
from kaohe.plans.services_templates import CATEGORY_NAME_MAX, NAME_MAX, NOTE_MAX, TaskConstraint


class PublishTemplateForm(StyledFormMixin, forms.Form):
    """The template's name and note, and per task of the category ``locked_<id>`` / ``min_<id>``."""

    name = forms.CharField(label="模板名称", max_length=NAME_MAX, error_messages={"required": "请填写模板名称"})
    note = forms.CharField(label="下发说明", max_length=NOTE_MAX, required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, tasks: list[Indicator], **kwargs: Any) -> None:
        self.tasks = tasks
        super().__init__(*args, **kwargs)
        for task in tasks:  # added after StyledFormMixin ran: styled here, labelled for screen readers
            self.fields[f"locked_{task.pk}"] = forms.BooleanField(
                label=f"锁定 {task.code}",
                required=False,
                widget=forms.CheckboxInput(attrs={"class": "form-check-input", "aria-label": f"锁定 {task.code}"}),
            )
            self.fields[f"min_{task.pk}"] = forms.DecimalField(
                label=f"最低分值 {task.code}",
                required=False,
                min_value=Decimal(0),
                max_digits=7,
                decimal_places=2,
                error_messages={**POINTS_ERRORS, "invalid": "最低分值须为数字", "min_value": "最低分值不能为负数"},
                widget=forms.TextInput(
                    attrs={
                        "class": "form-control form-control-sm w-auto",
                        "size": "6",
                        "inputmode": "decimal",
                        "placeholder": "不限",
                        "aria-label": f"最低分值 {task.code}",
                    }
                ),
            )

    def rows(self) -> list[tuple[Indicator, forms.BoundField, forms.BoundField]]:
        return [(t, self[f"locked_{t.pk}"], self[f"min_{t.pk}"]) for t in self.tasks]

    def constraints(self) -> dict[int, TaskConstraint]:
        found: dict[int, TaskConstraint] = {}
        for task in self.tasks:
            locked = bool(self.cleaned_data.get(f"locked_{task.pk}"))
            minimum = self.cleaned_data.get(f"min_{task.pk}")
            if locked or minimum is not None:
                found[task.pk] = TaskConstraint(locked=locked, min_points=minimum)
        return found


class AdoptTemplateForm(StyledFormMixin, forms.Form):
    """Where the adopted table goes: an existing category of the plan, or a new one (one of the two)."""

    category = forms.ModelChoiceField(
        label="采用到已有类别", queryset=Category.objects.none(), required=False, empty_label="（新建类别）"
    )
    new_category = forms.CharField(label="或新建类别，名称", max_length=CATEGORY_NAME_MAX, required=False)

    def __init__(self, *args: Any, plan: Plan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice_field(self, "category").queryset = Category.objects.filter(plan=plan)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (data.get("category") is None) == (not (data.get("new_category") or "").strip()):
            raise forms.ValidationError("请选择采用到的类别，或填写新类别的名称（二者选一）")
        return data
