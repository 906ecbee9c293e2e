"""Forms of the indicator tree editor (views_tree.py)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms

from kaohe.core.forms import BoundedDateField, PlanDatesMixin, StyledFormMixin, model_choice_field
from kaohe.plans.constants import DEFAULT_EVENT_DAYS, EVENT_LABEL_MAX, MAX_EVENT_DAYS, Adjustment, Level, Method
from kaohe.plans.models import AssessorDesk, Category, Indicator, Plan
from kaohe.plans.services_tree import MATERIALS_MAX, NAME_MAX, POINTS_MAX, REASON_MAX, REQUIREMENT_MAX

POINTS_ERRORS = {
    "invalid": "分值须为数字",
    "min_value": "分值不能为负数",
    "max_value": f"分值不能超过{POINTS_MAX}分",
    "max_digits": "分值位数过多",
    "max_decimal_places": "分值最多保留两位小数",
    "max_whole_digits": "分值位数过多",
}


def _node_label(node: Indicator) -> str:
    return f"{node.code} {node.name[:40]}"


class NodeChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return _node_label(obj)


class DeskChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.organisation.name)


class ReasonMixin(forms.Form):
    reason = forms.CharField(
        label="修改理由",
        max_length=REASON_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="方案发布后修改指标须填写，理由随通知发给相关考核对象和考核主体",
        error_messages={"max_length": f"修改理由不能超过{REASON_MAX}个字"},
    )

    def __init__(self, *args: Any, plan: Plan | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if plan is not None:
            self.require_reason_if_published(plan)

    def require_reason_if_published(self, plan: Plan) -> None:
        """A draft changes freely (no reason asked); a published plan needs one, asked last."""
        if plan.is_draft:
            self.fields.pop("reason", None)
            return
        self.fields["reason"] = self.fields.pop("reason")
        if plan.status == Plan.Status.PUBLISHED:
            self.fields["reason"].required = True
            self.fields["reason"].error_messages["required"] = "方案已发布，修改指标须填写修改理由"


class IndicatorForm(StyledFormMixin, PlanDatesMixin, ReasonMixin):
    """The editable fields of one node; task-only fields are dropped for 一级 / 二级."""

    name = forms.CharField(
        label="名称",
        max_length=NAME_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "请填写名称", "max_length": f"名称不能超过{NAME_MAX}个字"},
    )
    points = forms.DecimalField(
        label="分值",
        required=False,
        min_value=Decimal(0),
        max_value=POINTS_MAX,
        max_digits=7,
        decimal_places=2,
        error_messages=POINTS_ERRORS,
        help_text="留空表示未写分值",
    )
    method = forms.ChoiceField(
        label="考核方式", choices=[("", "—"), *Method.choices], error_messages={"invalid_choice": "请选择考核方式"}
    )
    materials = forms.CharField(
        label="报送材料",
        required=False,
        max_length=MATERIALS_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"max_length": f"报送材料不能超过{MATERIALS_MAX}个字"},
    )
    deadline = BoundedDateField(label="时间要求", required=False)
    requirement = forms.CharField(
        label="工作要求",
        required=False,
        max_length=REQUIREMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": f"工作要求不能超过{REQUIREMENT_MAX}个字"},
    )
    assessor = DeskChoiceField(label="责任主体", queryset=AssessorDesk.objects.none(), required=False, empty_label="（未指定）")
    adjustment = forms.ChoiceField(label="加减分项", choices=Adjustment.choices, required=False)
    counts_next_year = forms.BooleanField(
        label="明年考核（不计入本年度分值和计算，复制到下一年度时成为普通任务）", required=False
    )

    event_label = forms.CharField(
        label="事件触发报送：触发事件",
        required=False,
        max_length=EVENT_LABEL_MAX,
        help_text="如“出庭应诉”“履行复议决定”；填写后考核对象逐件登记事件，每件事件在下列期限内上传资料。留空为普通任务",
        error_messages={"max_length": f"触发事件不能超过{EVENT_LABEL_MAX}个字"},
    )
    event_days = forms.IntegerField(
        label="事件后报送期限（工作日）",
        required=False,
        min_value=1,
        max_value=MAX_EVENT_DAYS,
        initial=DEFAULT_EVENT_DAYS,
        error_messages={
            "invalid": "报送期限须为整数（工作日）",
            "min_value": f"报送期限须在1至{MAX_EVENT_DAYS}个工作日之间",
            "max_value": f"报送期限须在1至{MAX_EVENT_DAYS}个工作日之间",
        },
    )

    TASK_FIELDS = (
        "method",
        "materials",
        "deadline",
        "requirement",
        "assessor",
        "adjustment",
        "counts_next_year",
        "event_label",
        "event_days",
    )

    def __init__(self, *args: Any, plan: Plan, level: int, **kwargs: Any) -> None:
        super().__init__(*args, plan=plan, **kwargs)  # PlanDatesMixin takes ``plan``
        self.require_reason_if_published(plan)
        if level == Level.TASK:
            desks = AssessorDesk.objects.filter(plan=plan).select_related("organisation").order_by("seq", "pk")
            model_choice_field(self, "assessor").queryset = desks
            self.fields["method"].error_messages["required"] = "请选择考核方式"
        else:
            for name in self.TASK_FIELDS:
                del self.fields[name]

    def values(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("reason", None)
        return data


class AddIndicatorForm(IndicatorForm):
    level = forms.TypedChoiceField(label="层级", choices=Level.choices, coerce=int, widget=forms.HiddenInput)
    parent = NodeChoiceField(label="上级指标", queryset=Indicator.objects.none(), required=False)

    def __init__(self, *args: Any, plan: Plan, category: Category, level: int, **kwargs: Any) -> None:
        super().__init__(*args, plan=plan, level=level, **kwargs)
        model_choice_field(self, "parent").queryset = Indicator.objects.filter(
            category=category, level__in=[Level.LEVEL1, Level.LEVEL2]
        ).order_by("order")
        if level == Level.LEVEL1:
            del self.fields["parent"]
        self.order_fields(["level", "parent"])


class MoveForm(StyledFormMixin, ReasonMixin):
    direction = forms.ChoiceField(label="移动", choices=[("", "—"), ("up", "上移"), ("down", "下移")], required=False)
    new_parent = NodeChoiceField(label="移到", queryset=Indicator.objects.none(), required=False, empty_label="（不变）")

    def __init__(self, *args: Any, plan: Plan, node: Indicator, **kwargs: Any) -> None:
        super().__init__(*args, plan=plan, **kwargs)
        if node.level == Level.LEVEL1:
            del self.fields["new_parent"]
        else:
            model_choice_field(self, "new_parent").queryset = (
                Indicator.objects.filter(category_id=node.category_id, level=node.level - 1)
                .exclude(pk=node.parent_id or 0)
                .order_by("order")
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("direction") and not data.get("new_parent"):
            raise forms.ValidationError("请选择上移、下移或移到的上级指标")
        return data


class DeleteForm(StyledFormMixin, ReasonMixin):
    pass


class AssignDeskForm(StyledFormMixin, ReasonMixin):
    tasks = forms.ModelMultipleChoiceField(
        label="工作任务",
        queryset=Indicator.objects.none(),
        error_messages={"required": "请至少勾选一项工作任务", "invalid_choice": "勾选的工作任务不属于本类别"},
    )
    desk = DeskChoiceField(label="责任主体", queryset=AssessorDesk.objects.none(), required=False, empty_label="（未指定）")

    def __init__(self, *args: Any, plan: Plan, category: Category, **kwargs: Any) -> None:
        super().__init__(*args, plan=plan, **kwargs)
        model_choice_field(self, "tasks").queryset = Indicator.objects.filter(category=category, level=Level.TASK)
        model_choice_field(self, "desk").queryset = (
            AssessorDesk.objects.filter(plan=plan).select_related("organisation").order_by("seq", "pk")
        )
