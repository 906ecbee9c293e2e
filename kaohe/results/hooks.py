"""Results' answers to the questions of the apps below it (``plans/hooks.py``, ``reviews/hooks.py``).

Registered in ``ResultsConfig.ready()``.
"""

from __future__ import annotations

from typing import Any

from kaohe.plans.models import Plan
from kaohe.results.models import MissingPolicyChoice, ResultSnapshot


def missing_decision(plan: Plan) -> tuple[bool | None, str]:
    """The office's recorded decision on missing evaluations, from its latest computation (None: not computed)."""
    latest = ResultSnapshot.objects.filter(plan=plan).order_by("-seq").only("missing_policy", "decision_note").first()
    if latest is None:
        return None, ""
    return latest.missing_policy == MissingPolicyChoice.ZERO, latest.decision_note


def bottom_units(plan: Plan) -> list[tuple[str, int, list[int]]]:
    """The bottom-N (约谈) list of each category of the results in force, as the bulletin names it; [] when no
    results are published (two queries)."""
    from kaohe.results.loader import ckey
    from kaohe.results.selectors import json_path, publication_in_force

    publication = publication_in_force(plan)
    if publication is None:
        return []
    keys = [ckey(int(c["id"])) for c in publication.snapshot.summary]
    paths: list[Any] = [json_path("inputs", "policy", "bottom_n")]
    paths += [json_path("data", "categories", key, "meta") for key in keys]
    row = ResultSnapshot.objects.filter(pk=publication.snapshot_id).values_list(*paths).first()
    if row is None:
        return []
    bottom_n = int(row[0] or 0)
    return [(meta["name"], bottom_n, [int(u) for u in meta["bottom"]]) for meta in row[1:] if meta and meta.get("bottom")]
