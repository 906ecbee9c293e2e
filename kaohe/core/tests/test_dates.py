"""Bounded dates (kaohe/core/dates.py, BoundedDateField): the windows, the refusal, and that no form escapes them."""

from __future__ import annotations

import datetime as dt
import importlib
import pkgutil
from dataclasses import dataclass

import pytest
from django import forms
from django.core.exceptions import ValidationError

import kaohe
from kaohe.core.dates import (
    SITE_DATE_BOUNDS,
    bounds_message,
    case_date_bounds,
    check_date_in_bounds,
    plan_date_bounds,
    year_date_bounds,
)
from kaohe.core.forms import BoundedDateField, PlanDatesMixin


@dataclass
class PlanLike:
    year: int


def test_a_plan_window_is_its_year_plus_minus_two_and_reaches_two_years_past_today() -> None:
    assert plan_date_bounds(PlanLike(2020), today=dt.date(2020, 12, 20)) == (dt.date(2018, 1, 1), dt.date(2022, 12, 31))
    # An office (or the demo) still working on the 2020 plan in 2026 can set this year's dates.
    assert plan_date_bounds(PlanLike(2020), today=dt.date(2026, 12, 3)) == (dt.date(2018, 1, 1), dt.date(2028, 12, 31))
    # A plan drawn up ahead of its year.
    assert year_date_bounds(2027, today=dt.date(2026, 11, 1)) == (dt.date(2025, 1, 1), dt.date(2029, 12, 31))
    assert case_date_bounds(PlanLike(2020)) == (dt.date(2019, 1, 1), dt.date(2020, 12, 31))


@pytest.mark.parametrize("value", [dt.date.min, dt.date(2017, 12, 31), dt.date(2023, 1, 1), dt.date.max])
def test_a_date_outside_the_window_is_refused_in_chinese(value: dt.date) -> None:
    bounds = (dt.date(2018, 1, 1), dt.date(2022, 12, 31))
    with pytest.raises(ValidationError) as refused:
        check_date_in_bounds(value, bounds=bounds, field_label="补充截止日期")
    assert refused.value.messages == ["补充截止日期须在2018年1月1日至2022年12月31日之间"]
    assert refused.value.code == "date_out_of_bounds"


@pytest.mark.parametrize("value", [dt.date(2018, 1, 1), dt.date(2020, 6, 30), dt.date(2022, 12, 31)])
def test_a_date_inside_the_window_and_its_ends_pass(value: dt.date) -> None:
    check_date_in_bounds(value, bounds=(dt.date(2018, 1, 1), dt.date(2022, 12, 31)))


def test_without_a_plan_the_site_window_applies() -> None:
    check_date_in_bounds(dt.date(2100, 12, 31))
    with pytest.raises(ValidationError, match="日期须在2000年1月1日至2100年12月31日之间"):
        check_date_in_bounds(dt.date(9999, 12, 31))
    assert bounds_message(SITE_DATE_BOUNDS) == "日期须在2000年1月1日至2100年12月31日之间"


class _Form(PlanDatesMixin, forms.Form):
    due = BoundedDateField(label="整改期限")
    decided = BoundedDateField(label="决定日期", window="case", required=False)
    searched = BoundedDateField(label="截止日期", window=None, required=False)


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        ({"due": "2021-05-31"}, {}),
        ({"due": "9999-12-31"}, {"due": ["整改期限须在2018年1月1日至2022年12月31日之间"]}),
        ({"due": "0001-01-01"}, {"due": ["整改期限须在2018年1月1日至2022年12月31日之间"]}),
        ({"due": "2020-13-45"}, {"due": ["整改期限不是有效的日期（例如 2020-12-31）"]}),
        ({"due": "abc"}, {"due": ["整改期限不是有效的日期（例如 2020-12-31）"]}),
        ({"due": "2021-05-31", "decided": "2021-01-01"}, {"decided": ["决定日期须在2019年1月1日至2020年12月31日之间"]}),
        ({"due": "2021-05-31", "searched": "2101-01-01"}, {"searched": ["截止日期须在2000年1月1日至2100年12月31日之间"]}),
    ],
)
def test_the_form_field_takes_its_window_from_the_plan(
    data: dict[str, str], errors: dict[str, list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: dt.date(2020, 12, 20))
    form = _Form(data, plan=PlanLike(2020))
    assert form.is_valid() is not bool(errors)
    assert form.errors == errors


def test_the_date_input_carries_its_window_for_the_browser() -> None:
    html = str(_Form(plan=PlanLike(2020))["decided"])
    assert 'type="date"' in html and 'min="2019-01-01"' in html and 'max="2020-12-31"' in html


# --- no form escapes the bounds ------------------------------------------------------------------------


def _all_forms() -> list[type[forms.BaseForm]]:
    for module in pkgutil.walk_packages(kaohe.__path__, "kaohe."):
        if ".tests" in module.name or ".migrations" in module.name:
            continue
        importlib.import_module(module.name)
    found: list[type[forms.BaseForm]] = []
    pending: list[type[forms.BaseForm]] = [forms.BaseForm]
    while pending:
        cls = pending.pop()
        for sub in cls.__subclasses__():
            pending.append(sub)
            if sub.__module__.startswith("kaohe.") and ".tests" not in sub.__module__:
                found.append(sub)
    return found


def _date_fields() -> list[tuple[str, type[forms.BaseForm], forms.Field]]:
    return [
        (f"{form.__module__}.{form.__qualname__}.{name}", form, field)
        for form in _all_forms()
        for name, field in getattr(form, "base_fields", {}).items()
        if isinstance(field, forms.DateField | forms.DateTimeField | forms.SplitDateTimeField)
    ]


def bounded_date_fields() -> list[str]:
    """Every date field of every form of the code base, as "module.Form.field" (used by tests/test_date_inputs.py)."""
    return sorted({name for name, _, _ in _date_fields()})


def test_every_date_field_of_every_form_is_bounded() -> None:
    fields = _date_fields()
    assert len(fields) >= 15, "the walk found too few date fields to be looking at the code base"
    unbounded = [name for name, _, field in fields if not isinstance(field, BoundedDateField)]
    assert not unbounded, f"use kaohe.core.forms.BoundedDateField for: {unbounded}"
    windowless = [
        name
        for name, form, field in fields
        if isinstance(field, BoundedDateField) and field.window is not None and not issubclass(form, PlanDatesMixin)
    ]
    assert not windowless, f"forms with plan dates take plan= (PlanDatesMixin): {windowless}"
