"""The office's 回避 setting of a plan (kept apart from forms.py: one small form, one page)."""

from __future__ import annotations

from django import forms

from kaohe.plans.models import ScoringPolicy


class OwnDepartmentForm(forms.Form):
    own_department = forms.ChoiceField(
        label="考核主体评价本单位",
        choices=ScoringPolicy.OwnDepartment.choices,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )
    reason = forms.CharField(
        label="说明", max_length=500, required=False, widget=forms.TextInput(attrs={"class": "form-control"})
    )
