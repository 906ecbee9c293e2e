"""Demo set-up for 整改: the office asks its 重点单位 for a progress report every 10 working days.

The demo plan's results are not published, so it has no 约谈 and no 重点单位 yet; once the office marks one (约谈与重点单位
page), its next 整改进展报告 date shows on the 整改 pages. The 整改期限 stays the default (05-31 of the next year).
Idempotent: an interval already set (by the demo or the office) is left alone.
"""

from __future__ import annotations

from kaohe.accounts.models import User
from kaohe.plans.models import Plan
from kaohe.reviews import services_rectification
from kaohe.reviews.models import RectificationSetting

FOCUS_REPORT_DAYS = 10


def load_demo_data(plan: Plan, office: User) -> None:
    setting = RectificationSetting.objects.filter(plan=plan).first()
    if setting is not None and setting.focus_report_days is not None:
        return
    services_rectification.rectification_setting_set(
        actor=office,
        plan=plan,
        due_date=setting.due_date if setting is not None else services_rectification.default_due_date(plan),
        focus_report_days=FOCUS_REPORT_DAYS,
    )
