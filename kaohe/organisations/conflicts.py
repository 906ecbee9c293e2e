"""回避 (conflict of interest): who may not score which unit.

One rule for every scoring moment (desk grading, 实地考核 scores, case-file reviews, ability-test scores,
复核 adjustments) and every assignment page. An organisation is in conflict with a unit when it stands on
the unit's organisation line: it is the unit itself, a section of the unit (a section belongs to its
department: ``Organisation.parent``), the unit's parent department, or a sibling section of the same
department. A person is in conflict when any organisation they belong to (any membership, whatever the role,
as it is in the database now — a membership gained after an assignment counts) is; callers may add the
organisation a person was drawn from (a field group member's, a reviewer's).

The functions return the reason in words ("" when there is none), so that a refusal and a warning name the
rule and the organisations concerned.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from kaohe.organisations.models import Membership, Organisation

PREFIX = "回避："


def relation(scorer: Organisation, unit: Organisation) -> str:
    """How ``scorer`` stands on ``unit``'s organisation line, in words ("" when it does not)."""
    if scorer.pk == unit.pk:
        return f"{scorer}就是被评价单位"
    if scorer.parent_id is not None and scorer.parent_id == unit.pk:
        return f"{scorer}是{unit}的内设科室"
    if unit.parent_id is not None and unit.parent_id == scorer.pk:
        return f"{unit}是{scorer}的内设科室"
    if (
        scorer.parent_id is not None
        and scorer.parent_id == unit.parent_id
        and scorer.kind == Organisation.Kind.SECTION
        and unit.kind == Organisation.Kind.SECTION
    ):
        return f"{scorer}与{unit}同属{scorer.parent}"
    return ""


def organisation_conflict(scorer: Organisation, unit: Organisation) -> str:
    """Why the organisation ``scorer`` (a desk, the office) may not score ``unit`` ("" when it may)."""
    found = relation(scorer, unit)
    return f"{PREFIX}{found}，不能评价本单位（{unit}）" if found else ""


def person_organisations(user: Any) -> list[Organisation]:
    """Every organisation the person belongs to now (read fresh: a membership gained today counts)."""
    if user is None or getattr(user, "pk", None) is None:
        return []
    return [
        m.organisation
        for m in Membership.objects.filter(user_id=user.pk).select_related("organisation__parent").order_by("organisation_id")
    ]


def person_conflict(
    user: Any,
    unit: Organisation,
    *,
    also: Iterable[Organisation] = (),
    ignore: Iterable[int] = (),
    organisations: Iterable[Organisation] | None = None,
    act: str = "评价本单位",
) -> str:
    """Why the person ``user`` may not score ``unit`` ("" when they may).

    ``also``: organisations the person was drawn from (kept on their group or panel row); ``ignore``: ids of
    organisations judged separately (the desk a person grades for follows the plan's policy instead);
    ``organisations``: the person's organisations when the caller has loaded them already (pages, bulk checks);
    ``act``: what is refused, in words ("评价本单位", "评查本单位案卷").
    """
    skipped = set(ignore)
    seen: set[int] = set()
    mine = list(also) + list(person_organisations(user) if organisations is None else organisations)
    for org in mine:
        if org.pk in seen or org.pk in skipped:
            continue
        seen.add(org.pk)
        found = relation(org, unit)
        if found:
            who = getattr(user, "display_name", "") or str(user)
            detail = "" if org.pk == unit.pk else f"，{found}"
            return f"{PREFIX}{who}在{org}任职{detail}，不能{act}（{unit}）"
    return ""


def conflicts_with(scorer: Any, unit: Organisation) -> bool:
    """Whether ``scorer`` (an Organisation, or a person through their memberships) may not score ``unit``."""
    if isinstance(scorer, Organisation):
        return bool(organisation_conflict(scorer, unit))
    return bool(person_conflict(scorer, unit))
