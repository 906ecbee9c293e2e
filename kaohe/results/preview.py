"""Preview of draft scoring rules: the latest snapshot's own inputs recomputed by the engine; nothing is written.

The engine inputs are rebuilt from the snapshot's recorded ``inputs`` (loader.py gives their shape), so the
difference shown is the rules' alone: later changes of scores do not enter. The snapshot's recorded decision on
missing evaluations is kept (it belongs to that computation). Two queries: the snapshot, and the previous
year's grades when the draft keeps the 连续两年优秀 rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError

from kaohe.plans.models import Plan, ScoringPolicy
from kaohe.results.loader import build_policy, ckey, engine_bands, ukey
from kaohe.results.models import MissingPolicyChoice, ResultSnapshot
from kaohe.scoring import rules


@dataclass(frozen=True)
class PreviewRow:
    unit: str
    category: str
    old_final: Decimal | None
    new_final: Decimal | None
    old_rank: int | None
    new_rank: int | None
    old_grade: str
    new_grade: str

    @property
    def change(self) -> Decimal | None:
        if self.old_final is None or self.new_final is None:
            return None
        return self.new_final - self.old_final

    @property
    def grade_changed(self) -> bool:
        return self.old_grade != self.new_grade


@dataclass(frozen=True)
class Preview:
    snapshot: ResultSnapshot
    rows: list[PreviewRow]

    @property
    def scored_rows(self) -> list[PreviewRow]:
        """The rows with a score before or after (units still waiting for evaluations are only counted)."""
        return [r for r in self.rows if r.old_final is not None or r.new_final is not None]

    @property
    def unscored(self) -> int:
        return len(self.rows) - len(self.scored_rows)

    @property
    def changed(self) -> int:
        return sum(1 for r in self.rows if r.change or r.grade_changed or r.old_rank != r.new_rank)


def _dec(value: object) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _unit_input(unit_id: int, record: dict[str, Any]) -> rules.UnitInput:
    return rules.UnitInput(
        unit_id,
        [rules.TaskScore(int(e[0]), Decimal(str(e[3]))) for e in record["evaluations"]],
        [rules.NotApplicable(int(n[0]), str(n[2])) for n in record["not_applicable"]],
        [rules.Bonus(str(b[3]), Decimal(str(b[2]))) for b in record["bonuses"]],
        [rules.Deduction(str(d[4]), Decimal(str(d[2])), None if d[3] is None else int(d[3])) for d in record["deductions"]],
        frozenset(record["flags"]),
    )


def _previous_grades(inputs: dict[str, Any]) -> dict[int, str] | None:
    previous = inputs.get("previous")
    if not previous:
        return None
    grades = ResultSnapshot.objects.filter(pk=previous["snapshot"]).values_list("data__grades_by_organisation", flat=True).first()
    if grades is None:
        return None
    by_org = {int(org): str(grade) for org, grade in grades.items()}
    return {
        int(key[1:]): by_org[int(record["organisation"])]
        for key, record in inputs["units"].items()
        if int(record["organisation"]) in by_org
    }


def latest_snapshot(plan: Plan) -> ResultSnapshot | None:
    return ResultSnapshot.objects.filter(plan=plan).order_by("-computed_at", "-pk").first()


def policy_preview(plan: Plan, draft: ScoringPolicy, snapshot: ResultSnapshot | None = None) -> Preview | None:
    """Each unit's old → new final, rank and grade under ``draft`` (unsaved), largest change first; None without a snapshot."""
    snapshot = snapshot or latest_snapshot(plan)
    if snapshot is None:
        return None
    inputs, data = snapshot.inputs, snapshot.data
    policy, recorded = build_policy(draft, MissingPolicyChoice(snapshot.missing_policy))
    bands, vetoes = engine_bands(recorded)
    previous = _previous_grades(inputs) if draft.excellent_two_years else None
    by_category: dict[int, list[rules.UnitInput]] = {}
    for key, record in inputs["units"].items():
        by_category.setdefault(int(record["category"]), []).append(_unit_input(int(key[1:]), record))
    rows: list[PreviewRow] = []
    for ckey_, category in inputs["categories"].items():
        category_id = int(ckey_[1:])
        stored = data["categories"].get(ckey(category_id), {})
        name = stored.get("meta", {}).get("name", "")
        tasks = [
            rules.Task(int(t[0]), int(t[1]), int(t[2]), _dec(t[3]), rules.Component(t[4]), rules.Adjustment(t[5]))
            for t in category["tasks"]
        ]
        try:
            category_input = rules.CategoryInput(category_id, Decimal(category["full_score"]), tasks, bands, vetoes)
            result = rules.compute_category(category_input, by_category.get(category_id, []), policy, previous)
        except (TypeError, ValueError) as exc:
            raise ValidationError(f"类别“{name}”按草稿规则无法计算：{exc}") from exc
        old_units = stored.get("units", {})
        for r in result.units:
            old = old_units.get(ukey(r.unit_id), {})
            rows.append(
                PreviewRow(
                    unit=str(old.get("name", r.unit_id)),
                    category=name,
                    old_final=_dec(old.get("final")),
                    new_final=r.final,
                    old_rank=old.get("rank"),
                    new_rank=r.rank,
                    old_grade=old.get("grade") or "",
                    new_grade=r.grade or "",
                )
            )
    rows.sort(key=lambda r: (-(abs(r.change) if r.change is not None else Decimal(-1)), not r.grade_changed, r.category, r.unit))
    return Preview(snapshot, rows)
