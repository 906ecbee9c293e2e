"""Demo set-up for 结果运用: the 2020 Pingdingshan plan says its results are "纳入政绩考核…权重不低于总分值的10%",
so the demo plan lists 政绩考核 with a weight of 10 % of a 100-point total. (Its export needs published results;
典型经验 need evidence graded 优 or approved bonus matters, which the demo leaves to the user.) Idempotent.
"""

from __future__ import annotations

from decimal import Decimal

from kaohe.accounts.models import User
from kaohe.plans.models import Plan
from kaohe.results import services_use
from kaohe.results.models_use import DEFAULT_COLUMNS, ResultUse, UseColumn

NAME = "政绩考核"
NOTE = "考核方案：考核结果纳入政绩考核，权重不低于总分值的10%"


def load_demo_data(plan: Plan, office: User) -> None:
    if ResultUse.objects.filter(plan=plan, name=NAME).exists():
        return
    services_use.result_use_create(
        actor=office,
        plan=plan,
        name=NAME,
        weight=Decimal(10),
        total_points=Decimal(100),
        columns=[UseColumn.CATEGORY, *DEFAULT_COLUMNS],
        note=NOTE,
    )
