"""案卷集中评查 fixtures: the small city's plan with the default checklist and six units' case-file lists.

The listing deadline of the city's plan (2021-01-13) has passed, so the lists are written directly, as if listed in
time; a test that lists through the pages opens the listing first.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

# unit → (prefix of 案号, number of 行政执法 files, number of 行政复议 files)
LISTS: dict[str, tuple[str, int, int]] = {
    "舞钢市人民政府": ("舞", 5, 2),
    "市司法局": ("平司", 4, 2),
    "宝丰县人民政府": ("宝", 4, 1),
    "郏县人民政府": ("郏", 3, 1),
    "市公安局": ("平公", 6, 0),
    "市财政局": ("平财", 5, 1),
}


@pytest.fixture
def listed(personas: Any, plan: Any) -> Any:
    """The plan with its review setting, the default checklist of every kind (100 points each) and the case-file
    lists of ``LISTS``."""
    from kaohe.accounts.models import User
    from kaohe.inspections.casefiles.models import CaseFile, CaseFileKind, ChecklistItem, ReviewSetting
    from kaohe.inspections.casefiles.services import DEFAULT_CHECKLISTS
    from kaohe.plans.models import PlanUnit

    ReviewSetting.objects.get_or_create(plan=plan)
    ChecklistItem.objects.bulk_create(
        ChecklistItem(plan=plan, kind=kind, order=i, name=name, max_deduction=points, description=text)
        for kind, rows in DEFAULT_CHECKLISTS.items()
        for i, (name, points, text) in enumerate(rows, 1)
    )
    for unit in PlanUnit.objects.filter(plan=plan, organisation__name__in=list(LISTS)).select_related("organisation"):
        prefix, enforcement, reconsideration = LISTS[unit.organisation.name]
        lister = User.objects.filter(memberships__organisation=unit.organisation).order_by("pk").first() or personas.office
        rows = [(CaseFileKind.ENFORCEMENT, f"{prefix}罚决字〔2020〕{n}号", n) for n in range(1, enforcement + 1)]
        rows += [(CaseFileKind.RECONSIDERATION, f"{prefix}复决字〔2020〕{n}号", n) for n in range(1, reconsideration + 1)]
        CaseFile.objects.bulk_create(
            CaseFile(
                plan=plan,
                unit=unit,
                number=number,
                kind=kind,
                decided_on=dt.date(2020, 1 + (index * 2 + n) % 12, 5 + index),
                handler=f"工作人员{index + 1:02d}",
                listed_by=lister,
            )
            for index, (kind, number, n) in enumerate(rows)
        )
    return plan
