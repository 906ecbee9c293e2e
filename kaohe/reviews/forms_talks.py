"""Forms of 约谈 and 重点单位 (the office's follow-up of the units ranked last)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms

from kaohe.core.forms import BoundedDateField, PlanDatesMixin, StyledFormMixin
from kaohe.plans.models import PlanUnit


def _unit_label(unit: PlanUnit) -> str:
    leader = f"（主要负责人：{unit.leader_name}）" if unit.leader_name else "（未填写主要负责人）"
    return f"{unit.category.name} · {unit.organisation.name}{leader}"


class _UnitChoiceMixin:
    fields: dict[str, forms.Field]

    def set_units(self, units: Iterable[PlanUnit]) -> None:
        field = self.fields["unit"]
        if not isinstance(field, forms.ChoiceField):
            raise TypeError("unit must be a choice field")
        field.choices = [("", "请选择考核对象"), *((u.pk, _unit_label(u)) for u in units)]


class TalkForm(_UnitChoiceMixin, PlanDatesMixin, StyledFormMixin, forms.Form):
    unit = forms.TypedChoiceField(
        label="考核对象", coerce=int, error_messages={"required": "请选择考核对象", "invalid_choice": "请选择考核对象"}
    )
    held_on = BoundedDateField(
        label="约谈日期", error_messages={"required": "请填写约谈日期", "invalid": "约谈日期不是有效的日期"}
    )
    subject_name = forms.CharField(
        label="约谈对象",
        max_length=50,
        required=False,
        help_text="留空即为该单位本年度的主要负责人",
        error_messages={"max_length": "约谈对象不能超过 50 字"},
    )
    subject_post = forms.CharField(
        label="约谈对象职务", max_length=100, required=False, error_messages={"max_length": "约谈对象职务不能超过 100 字"}
    )
    held_by = forms.CharField(
        label="约谈人",
        max_length=100,
        help_text="如：市法治政府建设领导小组办公室主任 王某",
        error_messages={"required": "请填写约谈人", "max_length": "约谈人不能超过 100 字"},
    )
    notes = forms.CharField(
        label="约谈情况",
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": "约谈情况不能超过 4000 字"},
    )
    minutes = forms.FileField(
        label="约谈记录（文件）",
        required=False,
        help_text="可不上传；文件大小与类型的限制同报送资料",
        error_messages={"empty": "所选文件是空的"},
    )

    def __init__(self, *args: Any, units: Iterable[PlanUnit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.set_units(units)


class FocusSetForm(_UnitChoiceMixin, StyledFormMixin, forms.Form):
    unit = forms.TypedChoiceField(
        label="考核对象", coerce=int, error_messages={"required": "请选择考核对象", "invalid_choice": "请选择考核对象"}
    )
    reason = forms.CharField(
        label="理由",
        max_length=1000,
        help_text="如：2020年度考核排名后5名，已约谈",
        error_messages={"required": "请填写列为重点单位的理由", "max_length": "理由不能超过 1000 字"},
    )

    def __init__(self, *args: Any, units: Iterable[PlanUnit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.set_units(units)


class FocusClearForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(
        label="取消理由",
        max_length=1000,
        error_messages={"required": "请填写取消重点单位的理由", "max_length": "理由不能超过 1000 字"},
    )
