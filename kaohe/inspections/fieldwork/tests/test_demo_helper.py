"""The demo's 实地考核 helper (kaohe/inspections/fieldwork/demo.py), on the small city's plan, which has no window.

The one test file here that imports a demo module: it tests that module, not with it.
"""

from __future__ import annotations

import datetime as dt

from kaohe.inspections.fieldwork.demo import load_demo_data
from kaohe.inspections.fieldwork.tests.conftest import unit_named


def test_demo_helper_sets_the_field_window_once(plan):
    load_demo_data(plan)
    load_demo_data(plan)
    plan.refresh_from_db()
    assert (plan.field_start, plan.field_end) == (dt.date(2021, 1, 20), dt.date(2021, 1, 29))
    assert unit_named(plan, "舞钢市人民政府").field_assignments.count() == 0
