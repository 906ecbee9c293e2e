"""Forms of the 加减分 pages. Choices are filled by the views from the plan's own rows only."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms

from kaohe.core.forms import StyledFormMixin, choice_field
from kaohe.plans.models import Indicator, PlanUnit
from kaohe.scoring.models import BonusApplication, BonusKind, Deduction, DeductionKind
from kaohe.scoring.services_adjustments import VetoKind

Choices = list[tuple[Any, Any]]


def unit_choices(units: Iterable[PlanUnit]) -> Choices:
    """Units grouped by category, as the plan lists them."""
    groups: dict[str, list[tuple[int, str]]] = {}
    for unit in units:
        groups.setdefault(unit.category.name, []).append((unit.pk, unit.organisation.name))
    return [("", "请选择考核对象"), *groups.items()]


def task_choices(tasks: Iterable[Indicator]) -> Choices:
    """Tasks grouped by category, with code and a short name."""
    groups: dict[str, list[tuple[int, str]]] = {}
    for task in tasks:
        groups.setdefault(task.category.name, []).append((task.pk, f"{task.code} {task.name[:40]}"))
    return [("", "不涉及具体工作任务"), *groups.items()]


def deduction_label(deduction: Deduction) -> str:
    return f"{deduction.unit.organisation.name} · {deduction.matter[:40]}（{deduction.points.normalize():f} 分）"


def application_label(application: BonusApplication) -> str:
    return f"{application.matter[:50]}（{application.get_kind_display()}）"


class BonusApplicationForm(StyledFormMixin, forms.Form):
    kind = forms.ChoiceField(
        label="加分类型", choices=[("", "请选择"), *BonusKind.choices], error_messages={"required": "请选择加分类型"}
    )
    matter = forms.CharField(
        label="加分事项",
        max_length=300,
        error_messages={"required": "请填写加分事项"},
        help_text="一句话写明事项，如“2020年被省法治政府建设领导小组命名为法治政府建设示范市”。同一事项只加一次分。",
    )
    description = forms.CharField(
        label="情况说明",
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="表彰或推广的机关、文号、时间等",
    )
    evidence = forms.FileField(
        label="佐证材料",
        required=False,
        help_text="建议上传表彰文件、推广通报或报道截图（PDF、图片、Word 等）",
    )

    def clean_matter(self) -> str:
        matter = " ".join(str(self.cleaned_data["matter"]).split())
        if not matter:
            raise forms.ValidationError("请填写加分事项")
        return matter


class DecideForm(StyledFormMixin, forms.Form):
    decision = forms.ChoiceField(label="审核结果", choices=[("approve", "认定"), ("reject", "不予认定")])
    reason = forms.CharField(label="审核意见", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    duplicate_of = forms.TypedChoiceField(label="与之为同一事项", required=False, coerce=int, empty_value=None)

    def __init__(self, *args: Any, candidates: Iterable[BonusApplication], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "duplicate_of").choices = [("", "—"), *((a.pk, application_label(a)) for a in candidates)]


class DeductionForm(StyledFormMixin, forms.Form):
    unit = forms.TypedChoiceField(label="考核对象", coerce=int)
    kind = forms.ChoiceField(
        label="减分情形", choices=[("", "请选择"), *DeductionKind.choices], error_messages={"required": "请选择减分情形"}
    )
    matter = forms.CharField(
        label="减分事项",
        max_length=300,
        help_text="一句话写明事项；同一事项不重复扣分",
        error_messages={"required": "请填写减分事项"},
    )
    points = forms.DecimalField(
        label="减分（分）",
        max_digits=5,
        decimal_places=2,
        help_text="视情况扣 1 至 3 分，最多两位小数",
        error_messages={"required": "请填写减分分值"},
    )
    task = forms.TypedChoiceField(label="相关工作任务", required=False, coerce=int, empty_value=None, help_text="该项按零分计算")
    duplicate_of = forms.TypedChoiceField(
        label="与之为同一事项",
        required=False,
        coerce=int,
        empty_value=None,
        help_text="同一事项涉及另一项工作任务时选择，不重复扣分",
    )
    reason = forms.CharField(
        label="情况说明",
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "请填写情况说明（减分依据）"},
    )

    def __init__(
        self, *args: Any, units: Iterable[PlanUnit], tasks: Iterable[Indicator], active: Iterable[Deduction], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "unit").choices = unit_choices(units)
        choice_field(self, "task").choices = task_choices(tasks)
        choice_field(self, "duplicate_of").choices = [("", "—"), *((d.pk, deduction_label(d)) for d in active)]


def bonus_label(application: BonusApplication) -> str:
    return f"{application.unit.organisation.name} · {application.matter[:40]}（{application.get_source_display()}）"


class OfficeBonusForm(StyledFormMixin, forms.Form):
    """考核办认定加分: the office awards a bonus itself; points per matter come from the plan's rules."""

    unit = forms.TypedChoiceField(label="考核对象", coerce=int, error_messages={"required": "请选择考核对象"})
    kind = forms.ChoiceField(
        label="加分类型", choices=[("", "请选择"), *BonusKind.choices], error_messages={"required": "请选择加分类型"}
    )
    matter = forms.CharField(
        label="加分事项",
        max_length=300,
        error_messages={"required": "请填写加分事项"},
        help_text="一句话写明事项；同一事项只加一次分，累计加分以方案规定的上限为限",
    )
    note = forms.CharField(
        label="认定说明",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="不填则记为“考核办依据日常掌握情况认定”",
    )
    evidence = forms.FileField(label="佐证材料", required=False, help_text="可选：表彰文件、推广通报或报道截图")
    duplicate_of = forms.TypedChoiceField(
        label="与之为同一事项",
        required=False,
        coerce=int,
        empty_value=None,
        help_text="与该单位已认定的加分为同一事项时选择（只计一次）",
    )

    def __init__(self, *args: Any, units: Iterable[PlanUnit], approved: Iterable[BonusApplication], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "unit").choices = unit_choices(units)
        choice_field(self, "duplicate_of").choices = [("", "—"), *((a.pk, bonus_label(a)) for a in approved)]

    def clean_matter(self) -> str:
        matter = " ".join(str(self.cleaned_data["matter"]).split())
        if not matter:
            raise forms.ValidationError("请填写加分事项")
        return matter


class ReasonForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(label="理由", max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class LinkForm(StyledFormMixin, forms.Form):
    duplicate_of = forms.TypedChoiceField(label="与之为同一事项", coerce=int)

    def __init__(self, *args: Any, candidates: Iterable[Deduction], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "duplicate_of").choices = [("", "请选择"), *((d.pk, deduction_label(d)) for d in candidates)]


class VetoFlagForm(StyledFormMixin, forms.Form):
    unit = forms.TypedChoiceField(label="考核对象", coerce=int)
    flag = forms.ChoiceField(label="否决情形", choices=[("", "请选择"), *VetoKind.choices], help_text="有此情形的，不得评为优秀")
    note = forms.CharField(label="说明", max_length=2000, widget=forms.Textarea(attrs={"rows": 2}), help_text="如案号、判决文书")

    def __init__(
        self, *args: Any, units: Iterable[PlanUnit], conditions: Iterable[tuple[str, str]] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "unit").choices = unit_choices(units)
        if conditions is not None:  # the plan's veto conditions (scoring rules page)
            choice_field(self, "flag").choices = [("", "请选择"), *conditions]
            self.fields["flag"].help_text = "有此情形的，按评分规则降低等次"


class OfficeFilterForm(StyledFormMixin, forms.Form):
    unit = forms.TypedChoiceField(label="考核对象", required=False, coerce=int, empty_value=None)

    def __init__(self, *args: Any, units: Iterable[PlanUnit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = unit_choices(units)
        choice_field(self, "unit").choices = [("", "全部考核对象"), *choices[1:]]
