"""事件触发报送: when each event's evidence is due, and whether it came in time. Pure functions, no database.

A task in event mode (``Indicator.event_label``) asks the unit to record each event (出庭应诉, 履行复议决定 …) and to
upload its evidence within ``event_days`` working days (“负责人出庭应诉后5个工作日内上传至督导平台”). The n-th working
day after the event, on the holiday calendar with its 调休, ends at 24:00 Beijing time; evidence uploaded by then
is 按时, later is 逾期; none yet past it is 逾期未报 (counted as 逾期). A year the calendar does not know yet gives
no deadline (期限待定) rather than a wrong one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from kaohe.core.calendar import Calendar, CalendarYearUnknown, deadline_end
from kaohe.submissions.models import EventState

LATE_STATES = (EventState.LATE, EventState.MISSING)


def event_deadline(calendar: Calendar, occurred_on: dt.date, days: int) -> dt.date | None:
    """The last day to upload: the ``days``-th working day after the event; None while its year is unknown."""
    try:
        return calendar.add_working_days(occurred_on, days)
    except CalendarYearUnknown:
        return None


def event_state(*, deadline: dt.date | None, arrived: dt.datetime | None, now: dt.datetime) -> EventState:
    """按时 / 逾期上传 by the first evidence's upload time; without evidence, 逾期未报 once the deadline has passed."""
    if deadline is None:
        return EventState.UNKNOWN
    end = deadline_end(deadline)
    if arrived is not None:
        return EventState.ON_TIME if arrived <= end else EventState.LATE
    return EventState.MISSING if now > end else EventState.PENDING


@dataclass(frozen=True)
class EventTally:
    """“事件 N 件：按时 a 件，逾期 b 件” of one unit × task (待上传 and 期限待定 are the rest)."""

    total: int = 0
    on_time: int = 0
    late: int = 0
    missing: int = 0

    @property
    def overdue(self) -> int:
        """逾期: uploaded late, or not uploaded and past the deadline."""
        return self.late + self.missing

    @property
    def summary(self) -> str:
        return f"事件 {self.total} 件：按时 {self.on_time} 件，逾期 {self.overdue} 件"


def tally(states: Iterable[EventState]) -> EventTally:
    states = list(states)
    return EventTally(
        total=len(states),
        on_time=sum(1 for s in states if s == EventState.ON_TIME),
        late=sum(1 for s in states if s == EventState.LATE),
        missing=sum(1 for s in states if s == EventState.MISSING),
    )
