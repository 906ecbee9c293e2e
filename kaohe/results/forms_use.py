"""The form of a receiving assessment (结果运用)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms

from kaohe.core.forms import StyledFormMixin
from kaohe.results.models_use import DEFAULT_COLUMNS, UseColumn
from kaohe.results.services_use import NAME_MAX, NOTE_MAX


class ResultUseForm(StyledFormMixin, forms.Form):
    name = forms.CharField(label="接收考核", max_length=NAME_MAX, help_text="如：市委市政府中心工作考核、政绩考核")
    weight = forms.DecimalField(
        label="权重（%）",
        min_value=Decimal(0),
        max_value=Decimal(100),
        max_digits=5,
        decimal_places=2,
        help_text="依法行政考核结果占接收考核总分值的百分比，如 10",
    )
    total_points = forms.DecimalField(
        label="接收考核总分值",
        initial=Decimal(100),
        min_value=Decimal("0.01"),
        max_value=Decimal(10000),
        max_digits=7,
        decimal_places=2,
    )
    columns = forms.MultipleChoiceField(
        label="导出列",
        choices=UseColumn.choices,
        initial=list(DEFAULT_COLUMNS),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="考核对象一列总会导出",
    )
    note = forms.CharField(label="说明", max_length=NOTE_MAX, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        messages = {
            "name": {"required": "请填写接收考核的名称", "max_length": f"接收考核的名称不超过 {NAME_MAX} 个字"},
            "weight": {
                "required": "请填写权重",
                "invalid": "权重应为数字，如 10 或 12.5",
                "min_value": "权重不能小于 0",
                "max_value": "权重不能大于 100",
                "max_decimal_places": "权重最多保留两位小数",
                "max_digits": "权重应在 0 至 100 之间",
                "max_whole_digits": "权重应在 0 至 100 之间",
            },
            "total_points": {
                "required": "请填写接收考核总分值",
                "invalid": "总分值应为数字，如 100",
                "min_value": "总分值应大于 0",
                "max_value": "总分值不能大于 10000",
                "max_decimal_places": "总分值最多保留两位小数",
                "max_digits": "总分值不能大于 10000",
                "max_whole_digits": "总分值不能大于 10000",
            },
            "columns": {"invalid_choice": "导出列不正确"},
            "note": {"max_length": f"说明不超过 {NOTE_MAX} 个字"},
        }
        for name, errors in messages.items():
            self.fields[name].error_messages.update(errors)
