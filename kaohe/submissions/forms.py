from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms

from kaohe.core.forms import BoundedDateField, PlanDatesMixin, StyledFormMixin, choice_field
from kaohe.submissions.models import Submission


class DetailsForm(StyledFormMixin, forms.Form):
    note = forms.CharField(label="说明", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    links = forms.CharField(
        label="链接（每行一个）",
        required=False,
        max_length=12000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="如网站公开页面的地址，须以 http:// 或 https:// 开头",
    )


class ReturnForm(PlanDatesMixin, StyledFormMixin, forms.Form):
    reason = forms.CharField(
        label="退回理由",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "请填写退回理由"},
    )
    due_date = BoundedDateField(label="补充截止日期", error_messages={"required": "请填写补充截止日期"})


class ExtensionForm(PlanDatesMixin, StyledFormMixin, forms.Form):
    task = forms.ChoiceField(label="工作任务")
    unit = forms.ChoiceField(label="考核对象", required=False)
    new_deadline = BoundedDateField(label="延至", error_messages={"required": "请填写延期后的日期"})
    reason = forms.CharField(label="延期理由", max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, tasks: list[tuple[int, str]], units: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "task").choices = [(str(pk), label) for pk, label in tasks]
        choice_field(self, "unit").choices = [("", "全部考核对象")] + [(str(pk), label) for pk, label in units]


class QueueFilterForm(StyledFormMixin, forms.Form):
    category = forms.TypedChoiceField(label="类别", required=False, coerce=int, empty_value=None)
    unit = forms.TypedChoiceField(label="考核对象", required=False, coerce=int, empty_value=None)
    level1 = forms.TypedChoiceField(label="一级指标", required=False, coerce=int, empty_value=None)
    status = forms.ChoiceField(label="状态", required=False, choices=[("", "全部"), *Submission.Status.choices])

    def __init__(
        self,
        *args: Any,
        categories: list[tuple[int, str]],
        units: list[tuple[int, str]],
        level1: list[tuple[int, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "category").choices = [("", "全部"), *categories]
        choice_field(self, "unit").choices = [("", "全部"), *units]
        choice_field(self, "level1").choices = [("", "全部"), *level1]


def today_plus(days: int) -> dt.date:
    return dt.date.today() + dt.timedelta(days=days)  # noqa: DTZ011 - a form default only


class TaskEventForm(PlanDatesMixin, StyledFormMixin, forms.Form):
    """事件触发报送: one event of the unit (the service checks the date against today and the plan's year)."""

    occurred_on = BoundedDateField(label="事件日期", error_messages={"required": "请填写事件日期"})
    description = forms.CharField(
        label="事件说明（案号等）",
        max_length=200,
        error_messages={"required": "请填写事件说明", "max_length": "事件说明不能超过 200 字"},
    )
