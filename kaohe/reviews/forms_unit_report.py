"""Forms of the 整改情况报告 (unit report): the unit's submission, the office's decision and list filter."""

from __future__ import annotations

from typing import Any

from django import forms

from kaohe.core.forms import BoundedDateField, PlanDatesMixin, StyledFormMixin
from kaohe.reviews.models import UnitReport
from kaohe.reviews.selectors_unit_report import MISSING, OVERDUE


class UnitReportForm(PlanDatesMixin, StyledFormMixin, forms.Form):
    file = forms.FileField(
        label="整改情况报告（正式文件）",
        help_text="PDF 或 OFD 版式文件；盖章文件可扫描为 PDF",
        error_messages={"required": "请选择整改情况报告文件（PDF 或 OFD）", "empty": "所选文件是空的"},
    )
    doc_number = forms.CharField(
        label="文号",
        max_length=100,
        error_messages={"required": "请填写文号", "max_length": "文号不能超过 100 字"},
    )
    doc_date = BoundedDateField(
        label="成文日期", error_messages={"required": "请填写成文日期", "invalid": "成文日期不是有效的日期"}
    )
    signer_name = forms.CharField(
        label="主要负责人姓名",
        max_length=50,
        error_messages={"required": "请填写主要负责人姓名", "max_length": "主要负责人姓名不能超过 50 字"},
    )
    signer_post = forms.CharField(
        label="主要负责人职务",
        max_length=100,
        error_messages={"required": "请填写主要负责人职务", "max_length": "主要负责人职务不能超过 100 字"},
    )
    leader_reviewed = forms.BooleanField(
        label="本报告已经本单位主要负责人审阅同意",
        error_messages={"required": "请确认整改情况报告已经本单位主要负责人审阅"},
    )


class UnitReportDecideForm(forms.Form):
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
            self.add_error("reason", "退回整改情况报告须写明理由")
        return data


class UnitReportFilterForm(forms.Form):
    """GET filter of the office's list: 未报送, a status, or 已逾期."""

    state = forms.ChoiceField(
        label="状态",
        required=False,
        choices=[("", "全部考核对象"), (MISSING, "未报送"), *UnitReport.Status.choices, (OVERDUE, "已逾期")],
        widget=forms.Select(attrs={"class": "form-select form-select-sm w-auto", "aria-label": "状态"}),
    )
