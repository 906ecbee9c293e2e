"""Forms of the plan's scoring policy: the 回避 setting (desks page) and the scoring rules page."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms

from kaohe.core.forms import StyledFormMixin
from kaohe.plans.constants import VetoEffect
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


# --- the scoring rules page ------------------------------------------------------------------------------

PERCENT: dict[str, Any] = {"min_value": Decimal(0), "max_value": Decimal(100), "max_digits": 7, "decimal_places": 2}
POINTS: dict[str, Any] = {"min_value": Decimal(0), "max_digits": 7, "decimal_places": 2}
DECIMAL_ERRORS = {
    "invalid": "请输入数字",
    "min_value": "不能小于%(limit_value)s",
    "max_value": "不能大于%(limit_value)s",
    "max_digits": "数字位数过多",
    "max_decimal_places": "最多保留两位小数",
    "max_whole_digits": "数字过大",
}


def _decimal(label: str, *, required: bool = True, help_text: str = "", **limits: Any) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=required,
        help_text=help_text,
        error_messages={**DECIMAL_ERRORS, "required": f"请填写{label}"},
        **limits,
    )


class PolicyForm(StyledFormMixin, forms.Form):
    """The plan's scoring rules except the grade bands and vetoes (two formsets beside it)."""

    grade_excellent_pct = _decimal("优(%)", **PERCENT)
    grade_good_pct = _decimal("良(%)", **PERCENT)
    grade_fair_pct = _decimal("中(%)", **PERCENT)
    grade_poor_pct = _decimal("差(%)", **PERCENT)
    platform_weight = _decimal("督导平台考核和日常考核", required=False, **POINTS)
    field_weight = _decimal("实地考核", required=False, **POINTS)
    case_review_weight = _decimal("案卷集中评查", required=False, **POINTS)
    convert_to_full_score = forms.BooleanField(label="适用满分不足时按比例换算（不设权重时）", required=False)
    bonus_per_item = _decimal("每项加分", min_value=Decimal("0.01"), max_digits=7, decimal_places=2)
    bonus_cap = _decimal("加分上限", help_text="累计加分超过上限的，以上限为限", **POINTS)
    deduction_min = _decimal("每项减分下限", min_value=Decimal("0.01"), max_digits=7, decimal_places=2)
    deduction_max = _decimal("每项减分上限", min_value=Decimal("0.01"), max_digits=7, decimal_places=2)
    bottom_n = forms.IntegerField(
        label="约谈名单（后N名）",
        min_value=0,
        max_value=100,
        error_messages={
            "invalid": "请输入整数",
            "required": "请填写约谈名单人数",
            "min_value": "不能小于0",
            "max_value": "不能大于100",
        },
    )
    excellent_two_years = forms.BooleanField(label="对连续两年评为最高等次（如优秀）的考核对象提出表彰建议", required=False)
    missing_evaluations = forms.ChoiceField(
        label="缺少评价时",
        choices=ScoringPolicy.Missing.choices,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "请选择缺少评价时的处理方式", "required": "请选择缺少评价时的处理方式"},
    )
    reason = forms.CharField(
        label="修改理由",
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="方案发布后修改评分规则须填写理由（如领导小组会议纪要）",
        error_messages={"max_length": "修改理由不能超过500字"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["missing_evaluations"].widget.attrs["class"] = "form-check-input"


class BandForm(StyledFormMixin, forms.Form):
    name = forms.CharField(label="等次名称", max_length=20, required=False, error_messages={"max_length": "等次名称不能超过20字"})
    min = _decimal("最低分", required=False, **POINTS)
    quota_pct = _decimal("比例上限(%)", required=False, **PERCENT)


class VetoForm(StyledFormMixin, forms.Form):
    key = forms.CharField(max_length=64, required=False, widget=forms.HiddenInput)
    label = forms.CharField(
        label="否决情形", max_length=200, required=False, error_messages={"max_length": "否决情形不能超过200字"}
    )
    effect = forms.ChoiceField(label="处理", choices=VetoEffect.choices, required=False)


BandFormSet = forms.formset_factory(BandForm, extra=2, max_num=10, absolute_max=20)
VetoFormSet = forms.formset_factory(VetoForm, extra=2, max_num=20, absolute_max=30)


def bands_from(formset: forms.BaseFormSet[BandForm]) -> list[dict[str, str]]:
    """The filled rows of the bands formset as ``grade_bands`` JSON (a row without a name is left out)."""
    bands: list[dict[str, str]] = []
    for form in formset.forms:
        data = form.cleaned_data
        if not data.get("name", "").strip():
            continue
        band = {"name": data["name"].strip(), "min": "" if data.get("min") is None else str(data["min"])}
        if data.get("quota_pct") is not None:
            band["quota_pct"] = str(data["quota_pct"])
        bands.append(band)
    return bands


def vetoes_from(formset: forms.BaseFormSet[VetoForm]) -> list[dict[str, str]]:
    """The filled rows of the vetoes formset; a new row gets the next free key ``custom-N``."""
    rows = [f.cleaned_data for f in formset.forms if f.cleaned_data.get("label", "").strip()]
    used = {str(r.get("key") or "") for r in rows}
    vetoes: list[dict[str, str]] = []
    number = 1
    for row in rows:
        key = str(row.get("key") or "").strip()
        if not key:
            while f"custom-{number}" in used:
                number += 1
            key = f"custom-{number}"
            used.add(key)
        vetoes.append({"key": key, "label": row["label"].strip(), "effect": row.get("effect") or ""})
    return vetoes
