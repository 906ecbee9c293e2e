"""The access layer holds: views fetch through ``kaohe.access`` and never query the ORM themselves.

Two source checks (ast, no database):

- no ``views*.py`` module under ``kaohe/`` touches ``Model.objects`` or calls a QuerySet method; its reads go
  through the app's selectors, its "X for this user" lookups through ``kaohe.access``;
- every view a URLconf routes to calls into ``kaohe.access`` (directly, or through a helper of its own module; core's
  pages through ``kaohe.core.capabilities``, which the access layer answers from below core's layer), except the few public or self-only pages listed in ``NO_ACCESS_CALL`` with the reason.

And ``scoring.services.evaluation_record_derived`` checks who records a derived score and on which task.
"""

from __future__ import annotations

import ast
import inspect
from collections.abc import Callable, Iterator
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import URLPattern, URLResolver, get_resolver

ROOT = Path(__file__).resolve().parent.parent
KAOHE = ROOT / "kaohe"

# QuerySet / manager methods whose call in a view is a query (names no other object in views uses).
QUERYSET_METHODS = frozenset(
    {
        "filter",
        "exclude",
        "select_related",
        "prefetch_related",
        "values_list",
        "annotate",
        "aggregate",
        "order_by",
        "distinct",
        "exists",
        "first",
        "last",
        "only",
        "defer",
        "select_for_update",
        "in_bulk",
        "get_or_create",
        "update_or_create",
        "bulk_create",
        "bulk_update",
        "all",
        "count",
        "none",
    }
)

# Views that need no access call, each with its reason: public pages, and pages about the signed-in person only.
NO_ACCESS_CALL: dict[str, str] = {
    "kaohe.core.views.healthz": "health check for the load balancer, public",
    "kaohe.core.views.home": "the signed-in person's own home: each section comes from the app that registers it "
    "(core/home.py), which asks kaohe.access for that person's memberships, plans and to-dos",
    "kaohe.accounts.admin._login_through_the_platform": "the Django admin's login: sends to the platform's login, "
    "or 403 to anyone the admin site itself refuses (superusers only)",
    "kaohe.accounts.views.LoginView": "login page, public",
    "kaohe.accounts.views.login_totp": "second login step of the person who has just given their password",
    "kaohe.accounts.views.LogoutView": "ends the signed-in person's own session",
    "kaohe.accounts.views.password_change": "the signed-in person's own password",
    "kaohe.accounts.views.session_end": "ends one of the signed-in person's own sessions",
    "kaohe.core.views.notifications_read": "marks the signed-in person's own notifications read",
    "kaohe.accounts.views.email_notifications": "the signed-in person's own e-mail preference",
    "kaohe.accounts.views.sessions": "the signed-in person's own sessions",
    "kaohe.accounts.views.sessions_end_others": "ends the signed-in person's own other sessions",
    "kaohe.accounts.views.totp_status": "the signed-in person's own second factor",
    "kaohe.accounts.views.totp_start": "the signed-in person's own second factor",
    "kaohe.accounts.views.totp_confirm": "the signed-in person's own second factor",
    "kaohe.accounts.views.totp_disable": "the signed-in person's own second factor",
    "kaohe.accounts.views_bulk.password_sheet_xlsx": "the sheet kept in the person's own session by the account "
    "services, which checked accounts:manage when they created the accounts",
    "kaohe.inspections.abilitytests.views_testee.enter": "testees enter with the code on their slip, without an account",
    "kaohe.submissions.views_search.search_page": "submissions.search.search filters everything by access.search_scope(user)",
}


def view_modules() -> list[Path]:
    return sorted(p for p in KAOHE.rglob("views*.py") if "tests" not in p.parts)


def queries_in(source: str) -> list[tuple[int, str]]:
    """(line, what) for each ``.objects`` and QuerySet method call in ``source``."""
    found: dict[int, list[str]] = {}
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute) and node.attr == "objects":
            found.setdefault(node.lineno, []).append(".objects")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in QUERYSET_METHODS:
            found.setdefault(node.lineno, []).append(f".{node.func.attr}()")
    return [(line, " ".join(sorted(set(what)))) for line, what in sorted(found.items())]


def test_views_do_not_query_the_orm() -> None:
    offences = []
    for path in view_modules():
        for line, what in queries_in(path.read_text()):
            offences.append(f"{path.relative_to(ROOT)}:{line}: {what}")
    assert view_modules(), "no view modules found"
    assert not offences, "views query the ORM (move it to the app's selectors or kaohe.access):\n" + "\n".join(offences)


# ------------------------------------------------------------------------------ every view asks kaohe.access


def _patterns(resolver: URLResolver) -> Iterator[URLPattern]:
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            yield from _patterns(entry)
        else:
            yield entry


@cache
def _module_facts(module_name: str) -> tuple[dict[str, ast.FunctionDef | ast.AsyncFunctionDef], frozenset[str], frozenset[str]]:
    """The module's functions by name (methods as ``Class.method``), the names it imported from kaohe.access,
    and the names bound to a kaohe.access module."""
    module = __import__(module_name, fromlist=["_"])
    tree = ast.parse(inspect.getsource(module))
    functions: dict[str, ast.FunctionDef | ast.AsyncFunctionDef] = {}
    access_names: set[str] = set()
    access_modules: set[str] = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            functions[node.name] = node
        elif isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    functions[f"{node.name}.{item.name}"] = item
    for found in ast.walk(tree):
        if isinstance(found, ast.ImportFrom) and found.module:
            for alias in found.names:
                bound = alias.asname or alias.name
                if (
                    (found.module == "kaohe" and alias.name == "access")
                    or (
                        found.module == "kaohe.access"
                        and alias.name
                        in {"accounts", "base", "evidence", "grading", "fieldwork", "abilitytests", "casefiles", "plans"}
                        | {"results", "reviews"}
                    )
                    or (found.module == "kaohe.core" and alias.name == "capabilities")
                ):
                    access_modules.add(bound)
                elif found.module == "kaohe.access" or found.module.startswith("kaohe.access."):
                    access_names.add(bound)
        elif isinstance(found, ast.Import):
            for alias in found.names:
                if alias.name.startswith("kaohe.access") and alias.asname:
                    access_modules.add(alias.asname)
    return functions, frozenset(access_names), frozenset(access_modules)


def calls_access(module_name: str, function: str, seen: frozenset[str] = frozenset()) -> bool:
    """Whether ``function`` of ``module_name`` calls into kaohe.access, itself or through its module's helpers."""
    functions, access_names, access_modules = _module_facts(module_name)
    methods = [name for name in functions if name.startswith(f"{function}.")]
    if methods:  # a class-based view: one of its own methods asks access
        return any(calls_access(module_name, name, seen | {function}) for name in methods)
    node = functions.get(function)
    if node is None:
        return False
    klass = function.split(".")[0] if "." in function else None
    for sub in ast.walk(node):
        if not isinstance(sub, ast.Call):
            continue
        func = sub.func
        if isinstance(func, ast.Name):
            if func.id in access_names:
                return True
            if func.id in functions and func.id not in seen and calls_access(module_name, func.id, seen | {function}):
                return True
        elif isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
            if func.value.id in access_modules:
                return True
            method = f"{klass}.{func.attr}" if klass and func.value.id == "self" else ""
            if method in functions and method not in seen and calls_access(module_name, method, seen | {function}):
                return True
    return False


def _views() -> list[tuple[str, str]]:
    """(module, function or class name) of every kaohe view in the URLconf."""
    found: set[tuple[str, str]] = set()
    for pattern in _patterns(get_resolver()):
        callback: Callable[..., Any] = pattern.callback
        view_class = getattr(callback, "view_class", None)
        if view_class is not None:
            if not view_class.__module__.startswith("kaohe."):
                continue
            found.add((view_class.__module__, view_class.__name__))
            continue
        function = inspect.unwrap(callback)
        if function.__module__.startswith("kaohe."):
            found.add((function.__module__, function.__qualname__))
    return sorted(found)


def test_every_view_calls_into_access() -> None:
    views = _views()
    assert len(views) > 100, "the URLconf walk found too few views"
    missing = [f"{m}.{f}" for m, f in views if f"{m}.{f}" not in NO_ACCESS_CALL and not calls_access(m, f)]
    assert not missing, "views that never call into kaohe.access (fetch through it, or list them with a reason):\n" + "\n".join(
        missing
    )
    stale = sorted(set(NO_ACCESS_CALL) - {f"{m}.{f}" for m, f in views})
    assert not stale, f"NO_ACCESS_CALL lists views the URLconf no longer routes to: {stale}"


# ------------------------------------------------------------------------------ the checks can fail


def test_the_source_checks_catch_a_violation() -> None:
    """Both detectors see the usual shapes (guards against a check that silently passes everything)."""
    sample = "def view(request, plan_id):\n    plan = Plan.objects.get(pk=plan_id)\n    return plan.units.filter(x=1).first()\n"
    assert queries_in(sample) == [(2, ".objects"), (3, ".filter() .first()")]
    assert not calls_access("kaohe.core.views", "healthz")
    assert calls_access("kaohe.plans.views", "plan_detail")


# ------------------------------------------------------------------------------ derived scores


@pytest.mark.django_db
def test_derived_scores_check_their_actor_and_task(personas: Any, demo_plan: Any) -> None:
    from kaohe.plans.constants import Level, Method
    from kaohe.plans.models import Indicator
    from kaohe.scoring.models import EvaluationChange
    from kaohe.scoring.services import evaluation_record_derived

    field_task = Indicator.objects.filter(plan=demo_plan, level=Level.TASK, method=Method.FIELD, points__isnull=False).first()
    assert field_task is not None
    unit = demo_plan.units.filter(category_id=field_task.category_id).first()
    desk_task = Indicator.objects.filter(
        plan=demo_plan, level=Level.TASK, method=Method.SUBMISSION, category_id=field_task.category_id
    ).first()
    assert unit is not None and desk_task is not None

    def record(actor: Any, task: Any, source: str) -> Any:
        return evaluation_record_derived(
            actor=actor,
            plan=demo_plan,
            unit=unit,
            task=task,
            score=Decimal(task.points or 0),
            reason="",
            source=source,
            expected_version=-1,
        )

    for outsider in (personas.unit, personas.desk, personas.viewer, personas.other_office):
        with pytest.raises(PermissionDenied):
            record(outsider, field_task, EvaluationChange.Source.FIELD)
    with pytest.raises(PermissionDenied):  # the office's test and review results only, never a group member
        record(personas.field, field_task, EvaluationChange.Source.CASE_REVIEW)
    with pytest.raises(ValidationError):  # a 报送资料 task is the desk's, whoever records
        record(personas.office, desk_task, EvaluationChange.Source.FIELD)
    evaluation = record(personas.office, field_task, EvaluationChange.Source.FIELD)
    assert evaluation.score == field_task.points
