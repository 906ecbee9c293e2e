"""Forms of 依法行政能力测试 (Chinese messages; the services re-check everything)."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from django import forms

from kaohe.core.forms import StyledFormMixin, model_choice_field
from kaohe.inspections.abilitytests.draws import Rule
from kaohe.inspections.abilitytests.models import AbilityTest, Group
from kaohe.plans.constants import Level, Method
from kaohe.plans.models import Indicator, Plan, PlanUnit


class PersonForm(StyledFormMixin, forms.Form):
    name = forms.CharField(label="姓名", max_length=50, error_messages={"required": "请填写姓名"})
    post = forms.CharField(label="职务", max_length=50, required=False)
    group = forms.ChoiceField(label="分组", choices=Group.choices, error_messages={"required": "请选择分组"})
    section = forms.CharField(label="处室", max_length=50, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, error_messages={"required": "请刷新页面后重试"})


class RemoveForm(forms.Form):
    index = forms.IntegerField(min_value=0, error_messages={"required": "请选择要删除的人员"})
    version = forms.IntegerField(min_value=0, error_messages={"required": "请刷新页面后重试"})


class XlsxForm(StyledFormMixin, forms.Form):
    file = forms.FileField(label="Excel 文件（.xlsx）", error_messages={"required": "请选择要导入的 .xlsx 文件"})


class ApplyForm(forms.Form):
    accept_warnings = forms.BooleanField(required=False)


class VersionForm(forms.Form):
    """?version=N on the roster page (an old version)."""

    version = forms.IntegerField(min_value=1, required=False)


def suggest_rules(task_name: str) -> dict[str, int]:
    """Rule defaults read from the task's wording: '1名负责同志和2名成员', '10至15名…工作人员'."""
    initial: dict[str, int] = {}
    if m := re.search(r"(\d+)\s*名负责同志", task_name):
        initial["leader_min"] = initial["leader_max"] = int(m.group(1))
    if m := re.search(r"(\d+)\s*名成员", task_name):
        initial["member_min"] = initial["member_max"] = int(m.group(1))
    if m := re.search(r"(\d+)\s*[至到~－-]\s*(\d+)\s*名", task_name):
        initial["staff_min"], initial["staff_max"] = int(m.group(1)), int(m.group(2))
    return initial


def _count(label: str) -> forms.IntegerField:
    return forms.IntegerField(label=label, min_value=0, max_value=200, required=False)


class AbilityTestForm(StyledFormMixin, forms.Form):
    unit = forms.ModelChoiceField(
        label="考核对象", queryset=PlanUnit.objects.none(), error_messages={"required": "请选择考核对象"}
    )
    task = forms.ModelChoiceField(
        label="工作任务", queryset=Indicator.objects.none(), error_messages={"required": "请选择工作任务"}
    )
    mode = forms.ChoiceField(label="测试方式", choices=AbilityTest.Mode.choices)
    leader_min = _count("领导小组负责同志（下限）")
    leader_max = _count("领导小组负责同志（上限）")
    member_min = _count("领导小组成员（下限）")
    member_max = _count("领导小组成员（上限）")
    staff_min = _count("工作人员（下限）")
    staff_max = _count("工作人员（上限）")
    single = _count("单选题（道）")
    multiple = _count("多选题（道）")
    judge = _count("判断题（道）")
    short = _count("简答题（道）")
    category = forms.CharField(label="只用该分类的试题（可空）", max_length=50, required=False)
    difficulty = forms.CharField(label="只用该难度的试题（可空）", max_length=20, required=False)
    time_limit_minutes = forms.IntegerField(label="答题时限（分钟）", min_value=1, max_value=240, initial=30)
    oral_max_score = forms.DecimalField(
        label="现场提问每人满分", min_value=Decimal(1), max_value=Decimal(1000), decimal_places=2, initial=Decimal(100)
    )

    def __init__(self, *args: Any, plan: Plan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        units = PlanUnit.objects.filter(plan=plan).select_related("organisation", "category")
        model_choice_field(self, "unit").queryset = units.order_by("category__order", "organisation__sort_key")
        model_choice_field(self, "unit").label_from_instance = lambda obj: f"{obj.organisation.name}（{obj.category.name}）"  # type: ignore[method-assign]
        tasks = Indicator.objects.filter(plan=plan, level=Level.TASK).exclude(method=Method.SUBMISSION).select_related("category")
        model_choice_field(self, "task").queryset = tasks.order_by("category__order", "order")
        model_choice_field(self, "task").label_from_instance = lambda obj: f"【{obj.category.name}】{obj.code} {obj.name[:40]}"  # type: ignore[method-assign]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        rules: list[Rule] = []
        for group in ("leader", "member", "staff"):
            low, high = data.get(f"{group}_min"), data.get(f"{group}_max")
            if low is None and high is None:
                continue
            low = high if low is None else low
            high = low if high is None else high
            assert low is not None and high is not None  # noqa: S101 - narrowed above
            if low > high:
                self.add_error(f"{group}_max", f"{Group(group).label}：上限不能小于下限")
                continue
            if high > 0:
                rules.append(Rule(group, low, high))
        if not rules and not self.errors:
            raise forms.ValidationError("请至少设置一项抽取人数（如 1 名负责同志、2 名成员，或 10 至 15 名工作人员）")
        data["rules"] = rules
        unit, task = data.get("unit"), data.get("task")
        if unit is not None and task is not None and unit.category_id != task.category_id:
            self.add_error("task", f"该任务属于“{task.category.name}”，与考核对象的类别“{unit.category.name}”不符")
        data["paper_rules"] = {
            "single": data.get("single") or 0,
            "multiple": data.get("multiple") or 0,
            "judge": data.get("judge") or 0,
            "short": data.get("short") or 0,
            "category": (data.get("category") or "").strip(),
            "difficulty": (data.get("difficulty") or "").strip(),
        }
        if (
            data.get("mode") == AbilityTest.Mode.ONLINE
            and sum(data["paper_rules"][k] for k in ("single", "multiple", "judge", "short")) == 0
        ):
            self.add_error("single", "在线测试请设置组卷题量（如单选 10 道、多选 5 道、判断 5 道）")
        return data


class OpenForm(forms.Form):
    time_limit_minutes = forms.IntegerField(
        min_value=1,
        max_value=240,
        error_messages={"required": "请填写答题时限", "min_value": "答题时限至少 1 分钟", "max_value": "答题时限最多 240 分钟"},
    )


class CodeForm(StyledFormMixin, forms.Form):
    code = forms.CharField(label="测试码", max_length=32, error_messages={"required": "请输入测试码"})
