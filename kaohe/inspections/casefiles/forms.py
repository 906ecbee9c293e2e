"""Forms of 案卷集中评查 (Chinese error messages; services do the rest of the checking)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms

from kaohe.core.forms import BoundedDateField, PlanDatesMixin, choice_field
from kaohe.inspections.casefiles.models import CaseFileKind

DATE = forms.DateInput(attrs={"type": "date", "class": "form-control form-control-sm"}, format="%Y-%m-%d")
SM = {"class": "form-control form-control-sm"}


class CaseFileForm(PlanDatesMixin, forms.Form):
    number = forms.CharField(
        label="案号",
        max_length=100,
        widget=forms.TextInput(attrs={**SM, "placeholder": "如 舞政罚决字〔2020〕12号"}),
        error_messages={"required": "请填写案号", "max_length": "案号不能超过 100 字"},
    )
    kind = forms.ChoiceField(
        label="案卷类型",
        choices=CaseFileKind.choices,
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
        error_messages={"required": "请选择案卷类型", "invalid_choice": f"案卷类型应为{'、'.join(CaseFileKind.labels)}之一"},
    )
    decided_on = BoundedDateField(
        label="决定日期",
        window="case",
        widget=DATE,
        error_messages={"required": "请填写决定日期", "invalid": "决定日期不是有效的日期"},
    )
    handler = forms.CharField(
        label="承办人",
        max_length=50,
        widget=forms.TextInput(attrs=SM),
        error_messages={"required": "请填写承办人", "max_length": "承办人不能超过 50 字"},
    )
    note = forms.CharField(
        label="备注",
        max_length=500,
        required=False,
        widget=forms.TextInput(attrs=SM),
        error_messages={"max_length": "备注不能超过 500 字"},
    )


class XlsxForm(forms.Form):
    file = forms.FileField(
        label=".xlsx 文件",
        widget=forms.ClearableFileInput(attrs={"class": "form-control form-control-sm", "accept": ".xlsx"}),
        error_messages={"required": "请选择要导入的 .xlsx 文件", "empty": "文件为空（0 字节），请重新选择文件"},
    )


class ExtensionForm(PlanDatesMixin, forms.Form):
    new_deadline = BoundedDateField(
        label="延至", widget=DATE, error_messages={"required": "请填写延期日期", "invalid": "延期日期不是有效的日期"}
    )
    reason = forms.CharField(
        label="理由",
        max_length=500,
        widget=forms.TextInput(attrs={**SM, "placeholder": "延期理由"}),
        error_messages={"required": "请写明延期理由", "max_length": "理由不能超过 500 字"},
    )


class KindForm(forms.Form):
    """The kind of file whose checklist a page or a change is about (行政执法 when not given)."""

    kind = forms.ChoiceField(
        choices=CaseFileKind.choices,
        required=False,
        error_messages={"invalid_choice": f"案卷类型应为{'、'.join(CaseFileKind.labels)}之一"},
    )

    def chosen(self) -> str:
        return str(self.cleaned_data.get("kind") or CaseFileKind.ENFORCEMENT)


class ChecklistItemForm(forms.Form):
    name = forms.CharField(
        label="评查项目",
        max_length=100,
        widget=forms.TextInput(attrs=SM),
        error_messages={"required": "请填写评查项目名称", "max_length": "评查项目不能超过 100 字"},
    )
    max_deduction = forms.DecimalField(
        label="最高扣分",
        min_value=Decimal("0.01"),
        max_value=Decimal(1000),
        decimal_places=2,
        widget=forms.NumberInput(attrs={**SM, "step": "0.01", "min": "0.01"}),
        error_messages={
            "required": "请填写最高扣分",
            "invalid": "最高扣分须为数字",
            "min_value": "最高扣分须大于 0",
            "max_value": "最高扣分不能超过 1000",
            "max_decimal_places": "最高扣分最多保留两位小数",
        },
    )
    description = forms.CharField(
        label="评查标准",
        max_length=2000,
        required=False,
        widget=forms.TextInput(attrs=SM),
        error_messages={"max_length": "评查标准不能超过 2000 字"},
    )


class SettingForm(forms.Form):
    full_mark = forms.DecimalField(
        label="案卷满分",
        min_value=Decimal("0.01"),
        max_value=Decimal(1000),
        decimal_places=2,
        widget=forms.NumberInput(attrs={**SM, "step": "0.01"}),
        error_messages={
            "required": "请填写案卷满分",
            "invalid": "案卷满分须为数字",
            "min_value": "案卷满分须大于 0",
            "max_value": "案卷满分不能超过 1000",
            "max_decimal_places": "案卷满分最多保留两位小数",
        },
    )
    blind = forms.BooleanField(label="盲评：评查员看不到考核对象名称、案号和承办人，只看到案卷代码", required=False)


class SampleForm(forms.Form):
    requested = forms.IntegerField(
        label="每个考核对象抽取",
        min_value=1,
        max_value=50,
        initial=3,
        widget=forms.NumberInput(attrs={"class": "form-control form-control-sm", "min": "1", "max": "50"}),
        error_messages={
            "required": "请填写抽取卷数",
            "invalid": "抽取卷数须为整数",
            "min_value": "抽取卷数至少为 1",
            "max_value": "每个考核对象最多抽取 50 卷",
        },
    )
    stratified = forms.BooleanField(label="按案卷类型按比例分层抽取", required=False, initial=True)
    take_all_if_fewer = forms.BooleanField(label="报送不足时全部抽取（否则不抽取并提示）", required=False)
    unit = forms.TypedChoiceField(label="考核对象", coerce=int, required=False, empty_value=None)

    def __init__(self, *args: Any, units: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "unit").choices = [("", "全部尚未抽取的考核对象"), *units]
        self.fields["unit"].widget.attrs["class"] = "form-select form-select-sm"
        for kind, label in CaseFileKind.choices:  # 按类型指定数量: optional, one field per kind
            self.fields[f"n_{kind}"] = forms.IntegerField(
                label=label,
                required=False,
                min_value=0,
                max_value=50,
                widget=forms.NumberInput(attrs={"class": "form-control form-control-sm", "min": "0", "max": "50"}),
                error_messages={
                    "invalid": f"{label}的抽取卷数须为整数",
                    "min_value": f"{label}的抽取卷数不能为负数",
                    "max_value": f"{label}每个考核对象最多抽取 50 卷",
                },
            )

    def kind_fields(self) -> list[forms.BoundField]:
        return [self[f"n_{kind}"] for kind in CaseFileKind.values]

    def per_kind(self) -> dict[str, int] | None:
        """The counts named per kind (kinds left empty or 0 are not drawn), or None when none was named."""
        named = {kind: self.cleaned_data.get(f"n_{kind}") for kind in CaseFileKind.values}
        if all(value is None for value in named.values()):
            return None
        return {kind: value for kind, value in named.items() if value}


class ReviewerAddForm(forms.Form):
    membership = forms.TypedChoiceField(
        label="评查员",
        coerce=int,
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
        error_messages={"required": "请选择评查员", "invalid_choice": "请选择名单中的评查员"},
    )

    def __init__(self, *args: Any, choices: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "membership").choices = [("", "—"), *choices]


class AssignForm(forms.Form):
    reviewer = forms.TypedChoiceField(label="评查员", coerce=int, required=False, empty_value=None)

    def __init__(self, *args: Any, choices: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "reviewer").choices = [("", "（不分配）"), *choices]
        self.fields["reviewer"].error_messages["invalid_choice"] = "请选择评查员名单中的人员"


class ReturnForm(forms.Form):
    reason = forms.CharField(
        label="退回理由",
        max_length=500,
        error_messages={"required": "退回须写明理由", "max_length": "退回理由不能超过 500 字"},
    )
