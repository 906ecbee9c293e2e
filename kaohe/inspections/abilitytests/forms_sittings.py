"""Forms of 统一考试场次 (Chinese messages; the services re-check everything)."""

from __future__ import annotations

from typing import Any

from django import forms

from kaohe.core.forms import StyledFormMixin, model_choice_field
from kaohe.plans.constants import Level, Method
from kaohe.plans.models import Indicator, Plan


def _count(label: str) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        min_value=0,
        max_value=200,
        required=False,
        error_messages={"invalid": f"{label}须为整数", "min_value": f"{label}不能为负数", "max_value": f"{label}最多 200 道"},
    )


class SittingForm(StyledFormMixin, forms.Form):
    title = forms.CharField(
        label="场次名称",
        max_length=100,
        initial="全市领导干部法律知识考试",
        error_messages={"required": "请填写场次名称", "max_length": "场次名称不能超过 100 字"},
    )
    tasks = forms.ModelMultipleChoiceField(
        label="计分的工作任务（每个类别一项；参加的考核对象 = 所选任务所属类别的全部考核对象）",
        queryset=Indicator.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "请至少选择一项计分的工作任务", "invalid_choice": "所选工作任务不属于本方案"},
    )
    single = _count("单选题（道）")
    multiple = _count("多选题（道）")
    judge = _count("判断题（道）")
    short = _count("简答题（道）")
    category = forms.CharField(label="只用该分类的试题（可空）", max_length=50, required=False)
    difficulty = forms.CharField(label="只用该难度的试题（可空）", max_length=20, required=False)
    time_limit_minutes = forms.IntegerField(
        label="答题时限（分钟）",
        min_value=1,
        max_value=240,
        initial=60,
        error_messages={"required": "请填写答题时限", "min_value": "答题时限至少 1 分钟", "max_value": "答题时限最多 240 分钟"},
    )

    def __init__(self, *args: Any, plan: Plan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        tasks = Indicator.objects.filter(plan=plan, level=Level.TASK).exclude(method=Method.SUBMISSION).select_related("category")
        field = model_choice_field(self, "tasks")
        field.queryset = tasks.order_by("category__order", "order")
        field.label_from_instance = lambda obj: f"【{obj.category.name}】{obj.code} {obj.name[:40]}"  # type: ignore[method-assign]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        data["paper_rules"] = {
            "single": data.get("single") or 0,
            "multiple": data.get("multiple") or 0,
            "judge": data.get("judge") or 0,
            "short": data.get("short") or 0,
            "category": (data.get("category") or "").strip(),
            "difficulty": (data.get("difficulty") or "").strip(),
        }
        if not self.errors and sum(data["paper_rules"][k] for k in ("single", "multiple", "judge", "short")) == 0:
            self.add_error("single", "请设置组卷题量（如单选 30 道、多选 10 道、判断 10 道）")
        return data
