"""Form helpers: Tabler's classes on widgets, bounded date inputs, typed access to a form's choice fields."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django import forms

from kaohe.core.dates import SITE_DATE_BOUNDS, Bounds, HasYear, case_date_bounds, check_date_in_bounds, plan_date_bounds


def choice_field(form: forms.BaseForm, name: str) -> forms.ChoiceField:
    """The form's field ``name``, which must be a ChoiceField (so its ``choices`` can be set, typed)."""
    field = form.fields[name]
    if not isinstance(field, forms.ChoiceField):
        raise TypeError(f"{name} is a {type(field).__name__}, not a ChoiceField")
    return field


def model_choice_field(form: forms.BaseForm, name: str) -> forms.ModelChoiceField[Any]:
    """The form's field ``name``, which must be a ModelChoiceField (so its ``queryset`` can be set, typed)."""
    field = form.fields[name]
    if not isinstance(field, forms.ModelChoiceField):
        raise TypeError(f"{name} is a {type(field).__name__}, not a ModelChoiceField")
    return field


class StyledFormMixin:
    fields: dict[str, forms.Field]  # the form's (this mixin comes before forms.Form or forms.ModelForm)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput | forms.RadioSelect | forms.CheckboxSelectMultiple):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()


ISO_DATE = "%Y-%m-%d"


class BoundedDateField(forms.DateField):
    """A date input (``<input type="date">`` with min/max) refusing dates outside a window, in Chinese.

    ``window`` names the plan's window the form sets (:class:`PlanDatesMixin`): ``"plan"`` or ``"case"``;
    ``None`` keeps ``bounds`` (default: 2000–2100, for dates of no plan). See :mod:`kaohe.core.dates`.
    """

    def __init__(self, *, window: str | None = "plan", bounds: Bounds = SITE_DATE_BOUNDS, **kwargs: Any) -> None:
        if window not in (None, *WINDOWS):
            raise ValueError(f"unknown date window {window!r}")
        kwargs.setdefault("widget", forms.DateInput(attrs={"type": "date"}, format=ISO_DATE))
        label = str(kwargs.get("label") or "日期")
        kwargs["error_messages"] = {"invalid": f"{label}不是有效的日期（例如 2020-12-31）", **kwargs.get("error_messages", {})}
        super().__init__(**kwargs)
        # <input type="date"> only shows an ISO value (YYYY-MM-DD); the zh-hans input format would be
        # "2026/12/08", which browsers render as an empty field. Whatever widget a form passes, render ISO.
        if isinstance(self.widget, forms.DateInput):
            self.widget.format = ISO_DATE
            self.widget.attrs["type"] = "date"
        self.window = window
        self.set_bounds(bounds)

    def set_bounds(self, bounds: Bounds) -> None:
        self.bounds = bounds
        self.widget.attrs.update({"min": bounds[0].isoformat(), "max": bounds[1].isoformat()})

    def validate(self, value: Any) -> None:
        super().validate(value)
        if isinstance(value, dt.date):
            check_date_in_bounds(value, bounds=self.bounds, field_label=str(self.label or "日期"))


WINDOWS: dict[str, Callable[[HasYear], Bounds]] = {"plan": plan_date_bounds, "case": case_date_bounds}


class PlanDatesMixin:
    """A form with dates of one plan: ``plan=`` sets the window of each :class:`BoundedDateField`."""

    fields: dict[str, forms.Field]  # the form's

    def __init__(self, *args: Any, plan: HasYear, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, BoundedDateField) and field.window is not None:
                field.set_bounds(WINDOWS[field.window](plan))
