"""Forms of the insights: dismissing a hint (a reason is required), searching the files' text."""

from __future__ import annotations

from django import forms

from kaohe.core.forms import StyledFormMixin
from kaohe.insights.services import MAX_REASON


class DismissForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(
        label="排除理由",
        max_length=MAX_REASON,
        widget=forms.TextInput(attrs={"placeholder": "例如：上级文件转发，属本单位落实材料"}),
    )


class TextSearchForm(StyledFormMixin, forms.Form):
    q = forms.CharField(label="搜索材料文字", max_length=100, min_length=2)
