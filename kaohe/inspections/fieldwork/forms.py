"""Forms of 实地考核: groups, assignments, the field window, a member's score and photo."""

from __future__ import annotations

from typing import Any

from django import forms

from kaohe.core.forms import BoundedDateField, PlanDatesMixin, StyledFormMixin, choice_field

from .models import FieldGroup
from .selectors import Candidate


class GroupForm(StyledFormMixin, forms.Form):
    name = forms.CharField(label="组名", max_length=100, error_messages={"required": "请填写组名"})
    leader = forms.TypedChoiceField(label="组长", coerce=int, error_messages={"required": "请选择组长"})
    members = forms.TypedMultipleChoiceField(label="成员", coerce=int, required=False)

    def __init__(self, *args: Any, candidates: list[Candidate], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [(c.user_id, c.label) for c in candidates]
        invalid = "所选人员不是本地区的实地考察组成员：%(value)s"
        choice_field(self, "leader").choices = [("", "—"), *choices]
        self.fields["leader"].error_messages["invalid_choice"] = invalid
        choice_field(self, "members").choices = choices
        self.fields["members"].error_messages["invalid_choice"] = invalid
        self.fields["members"].widget.attrs["class"] = "form-check-input"
        self.candidates = candidates


class AssignForm(PlanDatesMixin, StyledFormMixin, forms.Form):
    group = forms.TypedChoiceField(label="考察组", coerce=int, error_messages={"required": "请选择考察组"})
    unit = forms.TypedChoiceField(label="考核对象", coerce=int, error_messages={"required": "请选择考核对象"})
    visit_date = BoundedDateField(
        label="考察日期",
        error_messages={"required": "请填写考察日期", "invalid": "日期格式应为 2021-01-20"},
    )
    address = forms.CharField(label="考察地点（可选）", max_length=200, required=False)

    def __init__(self, *args: Any, groups: list[FieldGroup], units: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "group").choices = [("", "—"), *((g.pk, g.name) for g in groups)]
        choice_field(self, "unit").choices = [("", "—"), *units]


class WindowForm(PlanDatesMixin, StyledFormMixin, forms.Form):
    field_start = BoundedDateField(
        label="实地考核开始日期", required=False, error_messages={"invalid": "日期格式应为 2021-01-20"}
    )
    field_end = BoundedDateField(label="实地考核结束日期", required=False, error_messages={"invalid": "日期格式应为 2021-01-20"})


class ScoreForm(forms.Form):
    """Raw input: the scoring service checks the value against the task (0..points, 0.01, reason)."""

    score = forms.CharField(max_length=20, required=False)
    reason = forms.CharField(max_length=2000, required=False, error_messages={"max_length": "扣分理由不能超过 2000 字"})
    version = forms.IntegerField(min_value=0, error_messages={"required": "页面已过期，请刷新后再评分"})


class PhotoForm(forms.Form):
    photo = forms.FileField(label="照片", error_messages={"required": "请选择照片", "empty": "照片是空文件"})
