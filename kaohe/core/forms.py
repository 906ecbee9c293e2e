"""Form helpers: Tabler's classes on widgets, bounded date inputs, typed access to a form's choice fields."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django import forms
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

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


def _attrs_html(attrs: dict[str, Any]) -> str:
    """Django's ``django/forms/widgets/attrs.html``, in Python."""
    out = []
    for name, value in attrs.items():
        if value is False:
            continue
        out.append(
            f" {conditional_escape(name)}" if value is True else f' {conditional_escape(name)}="{conditional_escape(f"{value}")}"'
        )
    return "".join(out)


def _select_html(widget: dict[str, Any]) -> str:
    """Django's ``select.html`` with its ``select_option.html`` includes, in Python, byte for byte.

    The template engine renders each ``<option>`` as an include (~25 µs each); a select of a plan's units or tasks
    has hundreds, which cost more than the rest of many pages. ``tests/test_fast_select.py`` compares both."""
    parts = [f'<select name="{conditional_escape(widget["name"])}"{_attrs_html(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{conditional_escape(group_name)}">')
        for option in group_choices:
            value, label = conditional_escape(f"{option['value']}"), conditional_escape(option["label"])
            parts.append(f'\n  <option value="{value}"{_attrs_html(option["attrs"])}>{label}</option>\n')
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


class FastSelect(forms.Select):
    """``forms.Select`` rendering the same HTML without the template engine (see :func:`_select_html`)."""

    def render(self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None) -> SafeString:
        return mark_safe(_select_html(self.get_context(name, value, attrs)["widget"]))  # noqa: S308 — every value is escaped


class FastSelectMultiple(forms.SelectMultiple):
    """``forms.SelectMultiple`` rendering the same HTML without the template engine."""

    def render(self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None) -> SafeString:
        return mark_safe(_select_html(self.get_context(name, value, attrs)["widget"]))  # noqa: S308 — every value is escaped


FAST_WIDGETS: dict[type[forms.Widget], type[forms.Widget]] = {
    forms.Select: FastSelect,
    forms.SelectMultiple: FastSelectMultiple,
}


class StyledFormMixin:
    """Tabler's classes on every widget; plain selects render their options in Python (:class:`FastSelect`)."""

    fields: dict[str, forms.Field]  # the form's (this mixin comes before forms.Form or forms.ModelForm)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            fast = FAST_WIDGETS.get(type(widget))
            if fast is not None:  # the exact classes only: a subclass may render its own way
                widget.__class__ = fast
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
