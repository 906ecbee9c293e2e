"""When a task locks for a unit.

A task's deadline is the end of its 时间要求 day in Asia/Shanghai (or the plan's 资料报送截止 when the table
gives none). An extension for that unit or for all units moves it later; an open 退回补充 opens the task
again until its own due date. The latest of these applies.

Nothing here raises on a stored date: the last representable day (9999-12-31) means "no limit".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


# Later than any deadline a form accepts (they are bounded, see kaohe.core.dates); a date stored before that
# bound existed (9999-12-31) counts as "no limit" instead of overflowing.
NO_LIMIT = dt.datetime.max.replace(tzinfo=SHANGHAI)


def end_of_day(day: dt.date) -> dt.datetime:
    """The first instant after ``day`` in Asia/Shanghai: a deadline holds while now < this."""
    if day >= dt.date.max:
        return NO_LIMIT
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=SHANGHAI)


def effective_deadline(
    *,
    task_deadline: dt.date | None,
    plan_deadline: dt.date | None,
    extensions: Iterable[dt.date] = (),
    return_due: dt.date | None = None,
) -> dt.date | None:
    base = task_deadline or plan_deadline
    candidates = [d for d in (base, return_due, *extensions) if d is not None]
    if base is None and return_due is None and not candidates:
        return None
    return max(candidates) if candidates else None


def is_open(deadline: dt.date | None, now: dt.datetime) -> bool:
    return deadline is None or now < end_of_day(deadline)


def today(now: dt.datetime) -> dt.date:
    return now.astimezone(SHANGHAI).date()
