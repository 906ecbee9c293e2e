"""What changed since a snapshot was computed: its recorded inputs against the plan's rows now, counted by kind.

Consultation (征求意见) and 审定 refuse a stale snapshot at once; the refusal says what changed ("计算后有 3 项评价
被修改") so the office knows why it must recompute. The comparison works on the loader's ``inputs`` record
(see loader.py for its shape), so it sees exactly what the inputs digest covers.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError

from kaohe.plans.models import Plan
from kaohe.results.loader import digest_of, load_plan
from kaohe.results.models import ResultSnapshot


def _rows(inputs: Mapping[str, Any], kind: str, key: int) -> dict[tuple[str, Any], Any]:
    """``(unit key, row key) → row`` of one kind over every unit (row key = the row's element ``key``)."""
    rows: dict[tuple[str, Any], Any] = {}
    for ukey, record in (inputs.get("units") or {}).items():
        for row in record.get(kind) or []:
            rows[(ukey, row[key] if isinstance(row, list) else row)] = row
    return rows


def _diff(old: dict[tuple[str, Any], Any], new: dict[tuple[str, Any], Any]) -> tuple[int, int, int]:
    added = sum(1 for k in new if k not in old)
    removed = sum(1 for k in old if k not in new)
    changed = sum(1 for k in new if k in old and old[k] != new[k])
    return added, changed, removed


def input_changes(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[str]:
    """The differences between two ``inputs`` records, in words (empty when nothing that is counted changed)."""
    changes: list[str] = []
    added, changed, removed = _diff(_rows(old, "evaluations", 0), _rows(new, "evaluations", 0))
    if changed:
        changes.append(f"有 {changed} 项评价被修改")
    if added:
        changes.append(f"新增 {added} 项评价")
    if removed:
        changes.append(f"有 {removed} 项评价被删除")
    for kind, label in (
        ("not_applicable", "不涉及认定"),
        ("bonuses", "已认定加分"),
        ("deductions", "减分"),
        ("flags", "否决情形"),
    ):
        added, changed, removed = _diff(_rows(old, kind, 0), _rows(new, kind, 0))
        if added + changed + removed:
            changes.append(f"{label}有 {added + changed + removed} 项变化")
    if (old.get("units") or {}).keys() != (new.get("units") or {}).keys():
        changes.append("考核对象名单有变化")
    if old.get("categories") != new.get("categories"):
        changes.append("指标体系（任务或分值）有变化")
    if old.get("policy") != new.get("policy"):
        changes.append("计分规则有变化")
    if old.get("previous") != new.get("previous"):
        changes.append("上一年度考核结果有变化")
    return changes


def stale_reason(plan: Plan, snapshot: ResultSnapshot) -> str | None:
    """Why ``snapshot`` no longer matches the plan's rows (“计算后有 3 项评价被修改…”), or None when it still does."""
    current = load_plan(plan, snapshot.missing_policy).inputs
    if digest_of(current) == snapshot.inputs_digest:
        return None
    recorded = ResultSnapshot.objects.filter(pk=snapshot.pk).values_list("inputs", flat=True).get()
    changes = input_changes(recorded or {}, current) or ["输入有变化"]
    return f"第{snapshot.seq}次计算之后{'、'.join(changes)}（输入摘要不一致）"


def require_fresh(plan: Plan, snapshot: ResultSnapshot, *, then: str) -> None:
    """Refuse at once (ValidationError) when the snapshot is stale, saying what changed and what to do."""
    try:
        reason = stale_reason(plan, snapshot)
    except ValidationError as exc:
        raise ValidationError("无法核对当前得分：" + "；".join(exc.messages)) from exc
    if reason is not None:
        raise ValidationError(f"{reason}，请重新计算后{then}")
