"""Demo set-up for 实地考核. Not called by ``kaohe.demo.loader.load_demo``: in the demo the office forms the groups
in the UI. It only sets the plan's 实地考核 time to that of the Pingdingshan 2020 plan (20–29 January 2021)
when the plan has none, so visit dates are checked against it. Idempotent.
"""

from __future__ import annotations

import datetime as dt

from kaohe.plans.models import Plan

FIELD_START = dt.date(2021, 1, 20)
FIELD_END = dt.date(2021, 1, 29)


def load_demo_data(plan: Plan) -> None:
    if plan.field_start is None and plan.field_end is None:
        plan.field_start, plan.field_end = FIELD_START, FIELD_END
        plan.save(update_fields=["field_start", "field_end", "updated_at"])
