"""Demo data of 案卷集中评查: the default checklist of every kind and a few units' lists (placeholder handlers),
with 规范性文件 and 重大行政决策 next to the 行政执法 and 行政复议 files.

The 2020 listing deadline (2021-01-13) has passed in the demo, so the lists are written directly (as if
listed in time) rather than through the unit's service; one audit event records the load.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from kaohe.accounts.models import User
from kaohe.core import audit
from kaohe.inspections.casefiles.models import CaseFile, CaseFileKind, ChecklistItem, ReviewSetting
from kaohe.inspections.casefiles.services import DEFAULT_CHECKLISTS
from kaohe.plans.models import Plan, PlanUnit

# unit → (prefix of 案号, number of 行政执法 files, of 行政复议 files, of 规范性文件, of 重大行政决策)
DEMO_LISTS: dict[str, tuple[str, int, int, int, int]] = {
    "舞钢市人民政府": ("舞", 5, 2, 2, 1),
    "市司法局": ("平司", 4, 2, 1, 0),
    "宝丰县人民政府": ("宝", 4, 1, 2, 1),
    "叶县人民政府": ("叶", 3, 1, 1, 1),
    "市公安局": ("平公", 6, 0, 0, 0),
    "市市场监管局": ("平市监", 5, 1, 1, 0),
}


@transaction.atomic
def load_demo_data(plan: Plan) -> None:
    """Idempotent: adds what is missing (checklist, settings, the listed files), never changes existing rows."""
    ReviewSetting.objects.get_or_create(plan=plan)
    for kind, default in DEFAULT_CHECKLISTS.items():
        if not ChecklistItem.objects.filter(plan=plan, kind=kind).exists():
            ChecklistItem.objects.bulk_create(
                ChecklistItem(plan=plan, kind=kind, order=i, name=name, max_deduction=points, description=text)
                for i, (name, points, text) in enumerate(default, 1)
            )
    office = User.objects.filter(username="office").first()
    created = 0
    units = PlanUnit.objects.filter(plan=plan, organisation__name__in=list(DEMO_LISTS)).select_related("organisation")
    for unit in units:
        prefix, enforcement, reconsideration, normative, decisions = DEMO_LISTS[unit.organisation.name]
        lister = User.objects.filter(memberships__organisation=unit.organisation).order_by("pk").first() or office
        if lister is None:
            continue
        rows = [(CaseFileKind.ENFORCEMENT, f"{prefix}罚决字〔2020〕{n}号", n) for n in range(1, enforcement + 1)]
        rows += [(CaseFileKind.RECONSIDERATION, f"{prefix}复决字〔2020〕{n}号", n) for n in range(1, reconsideration + 1)]
        rows += [(CaseFileKind.NORMATIVE, f"{prefix}政规〔2020〕{n}号", n) for n in range(1, normative + 1)]
        rows += [(CaseFileKind.MAJOR_DECISION, f"{prefix}重大决策〔2020〕{n}号", n) for n in range(1, decisions + 1)]
        for index, (kind, number, n) in enumerate(rows):
            _, made = CaseFile.objects.get_or_create(
                unit=unit,
                number=number,
                defaults={
                    "plan": plan,
                    "kind": kind,
                    "decided_on": dt.date(2020, 1 + (index * 2 + n) % 12, 5 + index),
                    "handler": f"工作人员{index + 1:02d}",
                    "listed_by": lister,
                },
            )
            created += made
    if created:
        audit.record(actor=None, action="casefile.demo", obj=plan, plan_id=plan.pk, after={"files": created})
