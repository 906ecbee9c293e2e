"""Forms of the annual reports: the office's due dates and list filter, the unit's filing."""

from __future__ import annotations

from django import forms

from kaohe.core.forms import BoundedDateField, PlanDatesMixin, StyledFormMixin
from kaohe.insights.models_reports import AnnualReportState


class ReportSettingsForm(PlanDatesMixin, StyledFormMixin, forms.Form):
    report_due = BoundedDateField(
        label="报送期限", error_messages={"required": "请填写报送期限", "invalid": "报送期限不是有效的日期"}
    )
    publish_due = BoundedDateField(
        label="公开期限", error_messages={"required": "请填写公开期限", "invalid": "公开期限不是有效的日期"}
    )


class ReportSubmitForm(PlanDatesMixin, StyledFormMixin, forms.Form):
    file = forms.FileField(
        label="年度报告文件",
        required=False,
        help_text=".docx 或 .pdf；已报送过的，只补公开网址时可不再上传",
        error_messages={"empty": "所选文件是空的"},
    )
    publication_url = forms.CharField(
        label="公开网址",
        required=False,
        max_length=500,
        help_text="报刊或政府网站上公开本报告的网页地址",
        error_messages={"max_length": "公开网址不能超过 500 个字符"},
    )
    published_on = BoundedDateField(label="公开日期", required=False, error_messages={"invalid": "公开日期不是有效的日期"})


class ReportFilterForm(forms.Form):
    state = forms.ChoiceField(
        label="状态",
        required=False,
        choices=[("", "全部考核对象"), *AnnualReportState.choices],
        widget=forms.Select(attrs={"class": "form-select form-select-sm w-auto", "aria-label": "状态"}),
    )
