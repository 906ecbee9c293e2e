"""The status enums, for templates: ``{% if item.status == enums.RectificationItemStatus.REPORTED %}``.

Templates compare statuses with enum members, never with string literals (``tests/test_template_statuses.py``
fails on a literal and on a name below that does not exist). The context processor ``enums`` exposes, from the
``models`` module of every installed ``kaohe`` app:

- each enum nested in a model, as ``<Model><Enum>``: ``PlanStatus``, ``SampledFileStatus``, ``BonusApplicationStatus``;
- each enum at the module's top level (defined there or imported into it), by its own name: ``ReleaseStatus``,
  ``CategoryStatus``.

Each is a mapping of member name → member, so a misspelt member renders as nothing; the test catches it. Built
once, from the app registry, so core imports no app above it.
"""

from __future__ import annotations

import enum
import functools
import inspect
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.http import HttpRequest


def _members(cls: type[enum.Enum]) -> Mapping[str, enum.Enum]:
    return MappingProxyType({member.name: member for member in cls})


def _is_enum(value: Any) -> bool:
    return inspect.isclass(value) and issubclass(value, enum.Enum) and value.__module__.startswith("kaohe.")


@functools.cache
def template_enums() -> Mapping[str, Mapping[str, enum.Enum]]:
    """Every status enum of the apps' models modules, by its template name (see the module's docstring)."""
    found: dict[str, type[enum.Enum]] = {}

    def add(name: str, cls: type[enum.Enum]) -> None:
        if found.setdefault(name, cls) is not cls:
            raise ImproperlyConfigured(f"two enums are named {name} in templates: {found[name]} and {cls}")

    for config in apps.get_app_configs():
        module = config.models_module
        if module is None or not config.name.startswith("kaohe."):
            continue
        for name, value in sorted(vars(module).items()):
            if _is_enum(value):
                add(name, value)
            elif inspect.isclass(value) and issubclass(value, models.Model) and value.__module__ == module.__name__:
                for attr, nested in sorted(vars(value).items()):
                    if _is_enum(nested):
                        add(f"{value.__name__}{attr}", nested)
    return MappingProxyType({name: _members(cls) for name, cls in sorted(found.items())})


def enums(request: HttpRequest) -> dict[str, Any]:
    return {"enums": template_enums()}
