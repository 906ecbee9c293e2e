"""The plan's scoring rules (计分规则): one service that changes them, with the checks every change passes.

``policy_update`` is the only write; the scoring rules page (views_policy.py) and scripts use it. The checks
(``policy_problems``) are pure over the row and a few facts of the plan, so the page shows the same Chinese
messages before anything is saved.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from kaohe import access
from kaohe.accounts.models import User
from kaohe.core import audit
from kaohe.plans import hooks
from kaohe.plans.constants import VetoEffect
from kaohe.plans.models import Category, Plan, ScoringPolicy
from kaohe.plans.services import FROZEN_MESSAGE

HUNDRED = Decimal(100)

#: The fields of ScoringPolicy this service changes (回避 has its own service on the desks page).
POLICY_FIELDS: tuple[str, ...] = (
    "grade_excellent_pct",
    "grade_good_pct",
    "grade_fair_pct",
    "grade_poor_pct",
    "platform_weight",
    "field_weight",
    "case_review_weight",
    "convert_to_full_score",
    "grade_bands",
    "vetoes",
    "bonus_per_item",
    "bonus_cap",
    "deduction_min",
    "deduction_max",
    "bottom_n",
    "excellent_two_years",
    "missing_evaluations",
)
PERCENT_FIELDS = ("grade_excellent_pct", "grade_good_pct", "grade_fair_pct", "grade_poor_pct")
WEIGHT_FIELDS = ("platform_weight", "field_weight", "case_review_weight")
LABELS = {name: str(getattr(ScoringPolicy._meta.get_field(name), "verbose_name", name)) for name in POLICY_FIELDS}


def _number(value: object) -> Decimal | None:
    if isinstance(value, bool) or value is None or value == "":
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def band_problems(bands: object) -> list[str]:
    """Chinese problems of a list of grade bands, best first: ``[{"name", "min", "quota_pct"?}]``."""
    if bands in (None, []):
        return []
    if not isinstance(bands, list) or not all(isinstance(b, dict) for b in bands):
        return ["等次划分格式不正确"]
    problems: list[str] = []
    names: list[str] = []
    minimums: list[Decimal] = []
    for position, band in enumerate(bands, start=1):
        name = str(band.get("name", "")).strip()
        label = f"第{position}个等次" + (f"“{name}”" if name else "")
        if not name:
            problems.append(f"{label}：请填写等次名称")
        elif name in names:
            problems.append(f"{label}：等次名称重复")
        names.append(name)
        minimum = _number(band.get("min"))
        if minimum is None or minimum < 0:
            problems.append(f"{label}：最低分须为不小于0的数字")
        else:
            minimums.append(minimum)
        quota_raw = band.get("quota_pct")
        if quota_raw not in (None, ""):
            quota = _number(quota_raw)
            if quota is None or not 0 <= quota <= HUNDRED:
                problems.append(f"{label}：比例上限须在0至100之间")
    if len(minimums) == len(bands):
        for (better, worse), position in zip(itertools.pairwise(minimums), itertools.count(2), strict=False):
            if worse >= better:
                problems.append(f"第{position}个等次的最低分须低于上一等次（各等次最低分须从高到低排列）")
        last = bands[-1]
        if minimums[-1] != 0 or last.get("quota_pct") not in (None, ""):
            problems.append(f"最后一个等次“{str(last.get('name', '')).strip()}”的最低分须为0且不设比例，以容纳其余考核对象")
    return problems


def veto_problems(vetoes: object, *, recorded_flags: Mapping[str, int] | None = None) -> list[str]:
    """Chinese problems of the veto conditions ``[{"key", "label", "effect"}]``; a condition recorded on units stays."""
    if not isinstance(vetoes, list) or not all(isinstance(v, dict) for v in vetoes):
        return ["否决情形格式不正确"]
    problems: list[str] = []
    keys: set[str] = set()
    labels: set[str] = set()
    for position, veto in enumerate(vetoes, start=1):
        key = str(veto.get("key", "")).strip()
        label = str(veto.get("label", "")).strip()
        if not key:
            problems.append(f"第{position}项否决情形缺少编号")
        elif key in keys:
            problems.append(f"第{position}项否决情形编号重复")
        keys.add(key)
        if not label:
            problems.append(f"第{position}项否决情形：请填写情形")
        elif label in labels:
            problems.append(f"第{position}项否决情形“{label}”重复")
        elif len(label) > 200:
            problems.append(f"第{position}项否决情形不能超过200字")
        labels.add(label)
        if veto.get("effect") not in VetoEffect.values:
            problems.append(f"第{position}项否决情形：请选择处理方式")
    for key, count in sorted((recorded_flags or {}).items()):
        if key not in keys:
            problems.append(f"已有{count}个考核对象记录了否决情形“{key}”，不能删除该情形（可修改文字）")
    return problems


def policy_problems(
    policy: ScoringPolicy, *, full_scores: list[Decimal], recorded_flags: Mapping[str, int] | None = None
) -> list[str]:
    """Every problem of the rules, in Chinese, in the order of the page (empty: the rules can be saved)."""
    problems: list[str] = []
    for name in PERCENT_FIELDS:
        value = getattr(policy, name)
        if value is None or not 0 <= value <= HUNDRED:
            problems.append(f"{LABELS[name]}须在0至100之间")
    percentages = [getattr(policy, n) for n in PERCENT_FIELDS]
    if all(p is not None for p in percentages) and any(a < b for a, b in itertools.pairwise(percentages)):
        problems.append("等次得分比例须按优、良、中、差从高到低")
    weights = [getattr(policy, n) for n in WEIGHT_FIELDS]
    if any(w is not None for w in weights):
        if any(w is None for w in weights):
            problems.append("分项权重须三项都填写（某项不计分时填0），或三项都不填（不设权重）")
        elif any(w < 0 for w in weights):
            problems.append("分项权重不能为负数")
        else:
            total = sum(weights, Decimal(0))
            wanted = sorted(set(full_scores)) or [HUNDRED]
            if any(total != full for full in wanted):
                shown = "、".join(f"{full.normalize():f}" for full in wanted)
                problems.append(f"分项权重合计为{total.normalize():f}分，须等于各类别满分（{shown}分）")
    problems += band_problems(policy.grade_bands)
    problems += veto_problems(policy.vetoes, recorded_flags=recorded_flags)
    if policy.bonus_per_item is None or policy.bonus_per_item <= 0:
        problems.append("每项加分须大于0")
    if policy.bonus_cap is None or policy.bonus_cap < 0:
        problems.append("加分上限不能为负数")
    low, high = policy.deduction_min, policy.deduction_max
    if low is None or high is None or low <= 0:
        problems.append("每项减分下限须大于0")
    elif high < low:
        problems.append("每项减分上限不能低于下限（如1至3分）")
    if policy.bottom_n is None or not 0 <= policy.bottom_n <= 100:
        problems.append("约谈名单人数须在0至100之间")
    if policy.missing_evaluations not in ScoringPolicy.Missing.values:
        problems.append("请选择缺少评价时的处理方式")
    return problems


def audit_value(value: Any) -> Any:
    """A field value as it is written into the audit log (Decimals as text)."""
    return str(value) if isinstance(value, Decimal) else value


def plan_facts(plan: Plan) -> tuple[list[Decimal], dict[str, int], bool]:
    """(full score of each category, veto flags recorded per key, whether any evaluation was given as a grade).

    The flags and grades are scoring's records, asked through ``hooks.recorded_facts``.
    """
    full_scores = list(Category.objects.filter(plan=plan).values_list("full_score", flat=True))
    flags, graded = hooks.recorded_facts(plan)
    return full_scores, flags, graded


def apply_changes(policy: ScoringPolicy, changes: Mapping[str, Any]) -> None:
    unknown = sorted(set(changes) - set(POLICY_FIELDS))
    if unknown:
        raise ValidationError(f"不能修改：{'、'.join(unknown)}")
    for name, value in changes.items():
        setattr(policy, name, value)


def policy_update(*, actor: User, plan: Plan, changes: Mapping[str, Any], reason: str = "") -> ScoringPolicy:
    """Change the plan's scoring rules: every field in one transaction, audited before → after.

    Refused once the results are published (frozen until reopened); after the plan is published (已发布) a
    written reason is required. Grade percentages cannot change once a grade (优/良/中/差) was given: the
    score of that evaluation was computed under the old percentages.
    """
    access.require(actor, "policy:write", plan)
    reason = (reason or "").strip()
    if len(reason) > 500:
        raise ValidationError("修改理由不能超过500字")
    with transaction.atomic():
        plan = Plan.objects.select_for_update().get(pk=plan.pk)
        if plan.status in (Plan.Status.RESULTS_PUBLISHED, Plan.Status.ARCHIVED):
            raise ValidationError(
                FROZEN_MESSAGE if plan.status == Plan.Status.RESULTS_PUBLISHED else "方案已归档，评分规则不能修改"
            )
        if plan.status != Plan.Status.DRAFT and not reason:
            raise ValidationError("方案已发布，修改评分规则须填写修改理由")
        policy = ScoringPolicy.objects.select_for_update().filter(plan=plan).first() or ScoringPolicy(plan=plan)
        old = {name: getattr(policy, name) for name in POLICY_FIELDS}
        apply_changes(policy, changes)
        changed = [name for name in POLICY_FIELDS if old[name] != getattr(policy, name)]
        before = {name: audit_value(old[name]) for name in changed}
        after = {name: audit_value(getattr(policy, name)) for name in changed}
        if not changed:
            return policy
        full_scores, flags, graded = plan_facts(plan)
        problems = policy_problems(policy, full_scores=full_scores, recorded_flags=flags)
        if graded and any(name in PERCENT_FIELDS for name in changed):
            problems.insert(0, "已有按等次（优、良、中、差）给出的评价，等次得分比例不能再修改")
        if problems:
            raise ValidationError(problems)
        policy.full_clean()
        if policy.pk:
            policy.save(update_fields=changed)
        else:
            policy.save()
        audit.record(
            actor=actor,
            action="plan.policy_update",
            obj=policy,
            plan_id=plan.pk,
            organisation=plan.organiser,
            before=before,
            after={**after, "reason": reason},
        )
    return policy
