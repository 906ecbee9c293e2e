"""Forms of the feedback and review pages."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms

from kaohe.core.forms import BoundedDateField, PlanDatesMixin, StyledFormMixin, choice_field
from kaohe.plans.models import Indicator, PlanUnit, ProblemKind
from kaohe.reviews.models import Feedback, RectificationItem, ReviewRequest
from kaohe.scoring.models import GradeChoice


class ReleaseForm(StyledFormMixin, forms.Form):
    """A new round to one unit, several, or all; ``kind`` defaults to the final 考核情况反馈 when not given."""

    kind = forms.ChoiceField(
        label="反馈类型",
        choices=Feedback.Kind.choices,
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "请选择反馈类型"},
    )
    unit = forms.TypedMultipleChoiceField(
        label="考核对象",
        coerce=int,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        error_messages={"invalid_choice": "所选考核对象不属于本方案"},
    )
    all_units = forms.BooleanField(label="向全部考核对象发布（有待发布问题的，或尚未反馈考核情况的）", required=False)
    note = forms.CharField(label="说明", required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, units: list[PlanUnit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "unit").choices = [(u.pk, f"{u.organisation.name}（{u.category.name}）") for u in units]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("unit") and not data.get("all_units"):
            raise forms.ValidationError("请选择考核对象，或选择向全部考核对象发布")
        data["kind"] = data.get("kind") or Feedback.Kind.FINAL
        return data


class ProblemForm(StyledFormMixin, forms.Form):
    unit = forms.TypedChoiceField(label="考核对象", coerce=int, error_messages={"required": "请选择考核对象"})
    task = forms.TypedChoiceField(label="工作任务", coerce=int, required=False, empty_value=None)
    text = forms.CharField(
        label="发现的问题",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "请写明发现的问题"},
    )
    kind = forms.TypedChoiceField(
        label="问题类型（可不选）",
        coerce=int,
        required=False,
        empty_value=None,
        error_messages={"invalid_choice": "问题类型无效，请刷新页面后重新选择"},
    )

    def __init__(
        self,
        *args: Any,
        units: list[PlanUnit],
        tasks: list[Indicator],
        kinds: Sequence[ProblemKind] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "kind").choices = [("", "（不选）"), *((k.pk, k.name) for k in kinds)]
        choice_field(self, "unit").choices = [("", "—")] + [(u.pk, f"{u.organisation.name}（{u.category.name}）") for u in units]
        task_choices = [("", "（不针对具体任务）"), *((t.pk, f"{t.category.name} {t.code} {t.name[:40]}") for t in tasks)]
        choice_field(self, "task").choices = task_choices


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


# --- 整改 (rectification) --------------------------------------------------------------------------------


class RectificationReportForm(forms.Form):
    text = forms.CharField(
        label="整改落实情况",
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "请填写整改落实情况", "max_length": "整改落实情况不能超过 4000 字"},
    )
    attachment = forms.FileField(label="附件", required=False, help_text="整改佐证材料（PDF、图片、Word 等），可不附")


class RectificationDecideForm(forms.Form):
    decision = forms.ChoiceField(
        label="验收结论",
        choices=[("accept", "通过"), ("return", "退回")],
        error_messages={"required": "请选择通过或退回", "invalid_choice": "请选择通过或退回"},
    )
    reason = forms.CharField(
        label="验收意见", max_length=4000, required=False, error_messages={"max_length": "验收意见不能超过 4000 字"}
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("decision") == "return" and not (data.get("reason") or "").strip():
            self.add_error("reason", "退回整改报告须写明理由")
        return data


class RectificationDueForm(PlanDatesMixin, forms.Form):
    due_date = BoundedDateField(
        label="整改期限",
        error_messages={"required": "请填写新的整改期限", "invalid": "整改期限不是有效的日期"},
    )
    reason = forms.CharField(
        label="调整理由",
        max_length=4000,
        error_messages={"required": "调整整改期限须写明理由", "max_length": "理由不能超过 4000 字"},
    )


class RectificationSettingForm(PlanDatesMixin, forms.Form):
    due_date = BoundedDateField(
        label="整改期限",
        error_messages={"required": "请填写整改期限", "invalid": "整改期限不是有效的日期"},
    )
    focus_report_days = forms.IntegerField(
        label="重点单位整改进展报告间隔（工作日）",
        required=False,
        min_value=1,
        max_value=120,
        error_messages={
            "invalid": "重点单位整改进展报告间隔应为整数个工作日",
            "min_value": "重点单位整改进展报告间隔应为 1 至 120 个工作日",
            "max_value": "重点单位整改进展报告间隔应为 1 至 120 个工作日",
        },
    )


class RectificationFilterForm(forms.Form):
    """GET filters of the office's list: a status (or 逾期), and a unit."""

    OVERDUE = "overdue"
    status = forms.ChoiceField(
        label="状态", required=False, widget=forms.Select(attrs={"class": "form-select form-select-sm", "aria-label": "状态"})
    )
    unit = forms.TypedChoiceField(
        label="考核对象",
        coerce=int,
        required=False,
        empty_value=None,
        widget=forms.Select(attrs={"class": "form-select form-select-sm", "aria-label": "考核对象"}),
    )

    def __init__(self, *args: Any, units: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "status").choices = [("", "全部状态"), *RectificationItem.Status.choices, (self.OVERDUE, "已逾期")]
        choice_field(self, "unit").choices = [("", "全部考核对象"), *units]
