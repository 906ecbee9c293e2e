"""Working days in mainland China: public holidays and make-up working weekends (调休).

Every rule that counts 工作日 goes through a :class:`Calendar`. A year's schedule comes from, in order:

1. the office's holiday table (:class:`~kaohe.core.models_calendar.HolidayCalendarYear`), which replaces
   everything else for that year;
2. the data shipped with chinesecalendar (``BUILTIN_YEARS``; 1.11.0 covers 2004–2026).

A year found in neither raises :class:`CalendarYearUnknown`; the calendar never guesses "weekdays only".
An office year with no 放假 row yet counts as not maintained (every real year has at least 元旦).

``Calendar`` is an immutable value: build one per request (``Calendar.from_database()`` costs one query)
or per test (``Calendar.builtin()`` / ``Calendar.from_tables(...)``, no database) and reuse it.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any
from zoneinfo import ZoneInfo

import chinese_calendar

from kaohe.core.models_calendar import HolidayCalendarYear, HolidayDate

SHANGHAI = ZoneInfo("Asia/Shanghai")
Source = HolidayCalendarYear.Source
Kind = HolidayDate.Kind
Row = tuple[dt.date, str, str]  # (date, kind, name) as in the office's table


class CalendarYearUnknown(LookupError):
    """No holiday schedule for ``year``: the office must maintain that year's table first."""

    def __init__(self, year: int) -> None:
        self.year = year
        self.message = f"尚无 {year} 年的节假日安排，请考核办先维护该年度节假日表"
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class YearSchedule:
    """One year's exceptions to "Monday to Friday": rest days and make-up working days, with holiday names."""

    year: int
    source: Source
    holidays: Mapping[dt.date, str] = field(default_factory=dict)
    workdays: Mapping[dt.date, str] = field(default_factory=dict)

    def is_working_day(self, day: dt.date) -> bool:
        if day in self.workdays:
            return True
        return day.weekday() < 5 and day not in self.holidays

    def rows(self) -> list[Row]:
        """The schedule as table rows, sorted by date (what an office import of this year would contain)."""
        rows = [(d, str(Kind.HOLIDAY), n) for d, n in self.holidays.items()]
        rows += [(d, str(Kind.WORKDAY), n) for d, n in self.workdays.items()]
        return sorted(rows)


def _chinese_name(english: str) -> str:
    try:
        return str(chinese_calendar.Holiday(english).chinese)
    except ValueError:
        return english


@functools.cache
def _builtin_schedules() -> Mapping[int, YearSchedule]:
    holidays: dict[int, dict[dt.date, str]] = {}
    workdays: dict[int, dict[dt.date, str]] = {}
    for day, english in chinese_calendar.holidays.items():
        holidays.setdefault(day.year, {})[day] = _chinese_name(english)
    for day, english in chinese_calendar.workdays.items():
        workdays.setdefault(day.year, {})[day] = _chinese_name(english)
    return MappingProxyType(
        {
            year: YearSchedule(
                year=year,
                source=Source.CHINESECALENDAR,
                holidays=MappingProxyType(holidays[year]),
                workdays=MappingProxyType(workdays.get(year, {})),
            )
            for year in sorted(holidays)
        }
    )


BUILTIN_YEARS: frozenset[int] = frozenset(_builtin_schedules())
"""Years the installed chinesecalendar has data for, read from its package data (not assumed)."""


def builtin_rows(year: int) -> list[Row]:
    """chinesecalendar's schedule for ``year`` as table rows, to pre-fill or copy into the office's table."""
    schedule = _builtin_schedules().get(year)
    if schedule is None:
        raise CalendarYearUnknown(year)
    return schedule.rows()


def schedule_from_rows(year: int, rows: Iterable[Row], *, source: Source = Source.OFFICE) -> YearSchedule:
    """Build one year's schedule from table rows. Rows must already be valid (services validate them)."""
    holidays: dict[dt.date, str] = {}
    workdays: dict[dt.date, str] = {}
    for day, kind, name in rows:
        if day.year != year:
            raise ValueError(f"{day.isoformat()} is not in {year}")
        if day in holidays or day in workdays:
            raise ValueError(f"{day.isoformat()} appears twice")
        if kind == Kind.HOLIDAY:
            holidays[day] = name
        elif kind == Kind.WORKDAY:
            workdays[day] = name
        else:
            raise ValueError(f"unknown kind {kind!r}")
    return YearSchedule(year, source, MappingProxyType(holidays), MappingProxyType(workdays))


def _plain_date(day: dt.date) -> dt.date:
    # datetime is a subclass of date; counting from a datetime would silently drop its time zone.
    if isinstance(day, dt.datetime):
        raise TypeError("Pass a date, not a datetime; convert with to_local_date() first")
    return day


def to_local_date(moment: dt.datetime) -> dt.date:
    """The Beijing-time calendar date of an aware datetime (e.g. when a document was received)."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("to_local_date() needs an aware datetime")
    return moment.astimezone(SHANGHAI).date()


def deadline_end(day: dt.date) -> dt.datetime:
    """The last instant of ``day`` in Beijing time (23:59:59.999999+08:00): a deadline "on day X" ends here."""
    return dt.datetime.combine(_plain_date(day), dt.time.max, tzinfo=SHANGHAI)


class Calendar:
    """Which days are working days, for the years it has a schedule for."""

    def __init__(self, schedules: Mapping[int, YearSchedule], *, incomplete_years: Iterable[int] = ()) -> None:
        self._schedules: Mapping[int, YearSchedule] = MappingProxyType(dict(schedules))
        self.incomplete_years: frozenset[int] = frozenset(incomplete_years) - set(self._schedules)

    # ---------------------------------------------------------------------------------- building

    @classmethod
    def builtin(cls) -> Calendar:
        """chinesecalendar's data only; no database."""
        return cls(_builtin_schedules())

    @classmethod
    def from_tables(
        cls,
        tables: Mapping[int, Iterable[Row]],
        *,
        sources: Mapping[int, Source] | None = None,
        builtin: bool = True,
    ) -> Calendar:
        """Office-style tables (year → rows) over chinesecalendar, each table replacing its whole year.

        A table without any 放假 row counts as not yet maintained: that year becomes unknown (see module doc).
        """
        schedules: dict[int, YearSchedule] = dict(_builtin_schedules()) if builtin else {}
        incomplete: set[int] = set()
        for year, rows in tables.items():
            source = (sources or {}).get(year, Source.OFFICE)
            schedule = schedule_from_rows(year, rows, source=source)
            if schedule.holidays:
                schedules[year] = schedule
            else:
                schedules.pop(year, None)
                incomplete.add(year)
        return cls(schedules, incomplete_years=incomplete)

    @classmethod
    def from_database(cls) -> Calendar:
        """The office's table over chinesecalendar, loaded with one query (a LEFT JOIN of years and dates)."""
        tables: dict[int, list[Row]] = {}
        sources: dict[int, Source] = {}
        rows = HolidayCalendarYear.objects.order_by("year").values_list(
            "year", "source", "dates__date", "dates__kind", "dates__name"
        )
        for year, source, day, kind, name in rows:
            sources[year] = Source(source)
            table = tables.setdefault(year, [])
            if day is not None:
                table.append((day, kind, name))
        return cls.from_tables(tables, sources=sources)

    # ---------------------------------------------------------------------------------- coverage

    def known_years(self) -> list[int]:
        return sorted(self._schedules)

    def missing_years(self, years: Iterable[int]) -> list[int]:
        """Those of ``years`` with no usable schedule, sorted; the office must maintain them."""
        return sorted({y for y in years if y not in self._schedules})

    def source(self, year: int) -> Source | None:
        schedule = self._schedules.get(year)
        return schedule.source if schedule is not None else None

    def schedule(self, year: int) -> YearSchedule:
        try:
            return self._schedules[year]
        except KeyError:
            raise CalendarYearUnknown(year) from None

    # ---------------------------------------------------------------------------------- counting

    def is_working_day(self, day: dt.date) -> bool:
        day = _plain_date(day)
        return self.schedule(day.year).is_working_day(day)

    def holiday_name(self, day: dt.date) -> str:
        """The holiday a rest or make-up day belongs to ("春节"), or "" for an ordinary day."""
        schedule = self.schedule(_plain_date(day).year)
        return schedule.holidays.get(day) or schedule.workdays.get(day) or ""

    def add_working_days(self, start: dt.date, n: int) -> dt.date:
        """The ``n``-th working day after ``start`` (counting starts the day after; ``start`` itself may be a rest day).

        2021-04-29 + 5 → 2021-05-10 (劳动节 1–5 May off, Saturday 8 May worked).
        """
        day = _plain_date(start)
        if n < 1:
            raise ValueError("n must be at least 1")
        remaining = n
        while remaining:
            day += dt.timedelta(days=1)
            if self.is_working_day(day):
                remaining -= 1
        return day

    def working_days_between(self, a: dt.date, b: dt.date) -> int:
        """How many working days lie in (a, b]: after ``a``, up to and including ``b``; negative if b < a.

        ``working_days_between(d, add_working_days(d, n)) == n``.
        """
        a, b = _plain_date(a), _plain_date(b)
        if b < a:
            return -self.working_days_between(b, a)
        count = 0
        day = a
        while day < b:
            day += dt.timedelta(days=1)
            if self.is_working_day(day):
                count += 1
        return count

    def deadline_end(self, day: dt.date) -> dt.datetime:
        return deadline_end(day)

    def working_deadline(self, start: dt.date, n: int) -> dt.datetime:
        """When "within ``n`` working days of ``start``" runs out: the end of the n-th working day, Beijing time."""
        return deadline_end(self.add_working_days(start, n))

    def is_within_working_days(self, start: dt.date, n: int, moment: dt.datetime) -> bool:
        """Whether ``moment`` (aware) falls within ``n`` working days after ``start``; day n+1 is late."""
        if moment.tzinfo is None or moment.utcoffset() is None:
            raise ValueError("is_within_working_days() needs an aware datetime")
        return moment <= self.working_deadline(start, n)


# ------------------------------------------------------------------------------ database shortcuts

_REQUEST_ATTR = "_kaohe_calendar"


def get_calendar(request: Any = None) -> Calendar:
    """The database calendar; with a request, built once and kept on it for the rest of that request."""
    if request is None:
        return Calendar.from_database()
    cached = getattr(request, _REQUEST_ATTR, None)
    if not isinstance(cached, Calendar):
        cached = Calendar.from_database()
        setattr(request, _REQUEST_ATTR, cached)
    return cached


def add_working_days(start: dt.date, n: int) -> dt.date:
    """:meth:`Calendar.add_working_days` on the database calendar (one query per call; reuse a Calendar in loops)."""
    return Calendar.from_database().add_working_days(start, n)


def working_deadline(start: dt.date, n: int) -> dt.datetime:
    """:meth:`Calendar.working_deadline` on the database calendar."""
    return Calendar.from_database().working_deadline(start, n)
