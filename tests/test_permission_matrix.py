"""Walk every URL of our apps as every persona, on real objects; expected statuses come from docs/permissions.md.

The objects are made once for this module (``tests/matrix_world.py``) inside a transaction rolled back at the
end; every case runs in its own savepoint, so a POST that changes something is undone before the next URL.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.matrix_world import World, build_world

DOC = Path(__file__).resolve().parents[1] / "docs" / "permissions.md"
NAMESPACES = {
    "core",
    "accounts",
    "plans",
    "submissions",
    "scoring",
    "results",
    "security",
    "reviews",
    "analysis",
    "practices",
    "fieldwork",
    "abilitytests",
    "testee",
    "casefiles",
    "search",
    "insights",
}
# Column heading in docs/permissions.md → persona (attribute of the ``personas`` fixture; None: not logged in).
COLUMNS: dict[str, str | None] = {
    "匿名": None,
    "考核办": "office",
    "考核主体": "desk",
    "考核对象": "unit",
    "同市另一考核对象": "unit2",
    "查看": "viewer",
    "实地考察组成员": "field",
    "评查员": "reviewer",
    "系统管理员": "sysadmin",
    "安全管理员": "secadmin",
    "审计管理员": "auditor",
    "外单位考核办": "other_office",
}
HEADINGS = list(COLUMNS)


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split("|")]


def _rows(text: str | None = None) -> dict[str, tuple[str, list[str]]]:
    """The url-matrix table of docs/permissions.md: URL name → (method, cells), as written."""
    text = DOC.read_text(encoding="utf-8") if text is None else text
    body = text[text.index("<!-- url-matrix:start -->") : text.index("<!-- url-matrix:end -->")]
    rows: dict[str, tuple[str, list[str]]] = {}
    for line in body.splitlines():
        cells = _cells(line)
        if line.strip().startswith("|") and ":" in cells[0]:
            rows[cells[0]] = (cells[1], cells[2:])
    return rows


def _headings(text: str | None = None) -> list[str]:
    text = DOC.read_text(encoding="utf-8") if text is None else text
    body = text[text.index("<!-- url-matrix:start -->") : text.index("<!-- url-matrix:end -->")]
    return next(_cells(line)[2:] for line in body.splitlines() if _cells(line)[0] == "URL name")


def _shape_problem(name: str, cells: list[str]) -> str:
    """Why a row cannot be walked (empty: it can). Rows of another branch's older format are named with the fix."""
    if len(cells) != len(HEADINGS):
        return f"row {name} has {len(cells)} cells, the matrix has {len(HEADINGS)} personas ({' | '.join(HEADINGS)})"
    if not all(c.isdigit() for c in cells):
        return f"row {name} has a cell that is not a status code: {cells}"
    return ""


def test_the_table_has_a_column_per_persona() -> None:
    assert _headings() == HEADINGS, f"docs/permissions.md url-matrix columns are {_headings()}, the matrix has {HEADINGS}"
    problems = [p for name, (_, cells) in _rows().items() if (p := _shape_problem(name, cells))]
    assert not problems, "docs/permissions.md url-matrix: " + "; ".join(problems)


def _url_params() -> dict[str, set[str]]:
    """Each of our URL names with the parameters its pattern takes."""
    found: dict[str, set[str]] = {}

    def walk(patterns: list[URLPattern | URLResolver], namespace: str | None, params: set[str]) -> None:
        for p in patterns:
            here = params | set(p.pattern.regex.groupindex)
            if isinstance(p, URLResolver):
                walk(p.url_patterns, p.namespace or namespace, here)
            elif namespace in NAMESPACES and p.name:
                found[f"{namespace}:{p.name}"] = here

    walk(get_resolver().url_patterns, None, set())
    return found


def test_every_url_has_a_row_in_the_matrix() -> None:
    names = set(_url_params())
    missing = names - set(_rows())
    stale = set(_rows()) - names
    assert not missing, f"URLs without a row in docs/permissions.md: {sorted(missing)}"
    assert not stale, f"Rows in docs/permissions.md for URLs that no longer exist: {sorted(stale)}"


def test_a_row_of_the_old_width_is_named_with_the_fix() -> None:
    """A row added in the 7-column format of before fails clearly, naming the row and the persona columns."""
    old = "| accounts:new_page | GET | 302 | 200 | 200 | 200 | 200 | 200 | 200 |"
    text = DOC.read_text(encoding="utf-8").replace("<!-- url-matrix:end -->", old + "\n<!-- url-matrix:end -->")
    _method, cells = _rows(text)["accounts:new_page"]
    assert _shape_problem("accounts:new_page", cells).startswith("row accounts:new_page has 7 cells, the matrix has 12 personas")
    assert _shape_problem("core:home", _rows()["core:home"][1]) == ""


@pytest.fixture(scope="module")
def world(django_db_setup: Any, django_db_blocker: Any) -> Iterator[World]:
    """The objects of ``matrix_world``, made once; the enclosing transaction is rolled back after the module."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield build_world()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def _kwargs(name: str, world: World) -> dict[str, int]:
    params = _url_params()[name]
    wanted = {p: obj.pk for p, obj in world.ids.items() if p in params}
    wanted.update({p: obj.pk for p, obj in world.per_url.get(name, {}).items() if p in params})
    assert set(wanted) == params, f"the matrix test does not know how to fill {params - set(wanted)} of {name}"
    return wanted


def test_every_parameter_is_a_real_object(world: World, db: None) -> None:
    """No URL is walked with an id that exists nowhere (the old 999999): each names a stored object of the city's
    plan (or, for the calendar and sessions, of the installation and of the office)."""
    plan = world.ids["plan_id"]
    objects = [*world.ids.values(), *(obj for by_param in world.per_url.values() for obj in by_param.values())]
    for obj in objects:
        assert type(obj)._default_manager.filter(pk=obj.pk).exists(), f"{type(obj).__name__} {obj.pk} is not stored"
        plan_id = getattr(obj, "plan_id", None)
        assert plan_id in (None, plan.pk), f"{type(obj).__name__} {obj.pk} belongs to another plan"
        unit_id = getattr(obj, "unit_id", None)  # so the 同市另一考核对象 column asks for another unit's objects
        assert unit_id in (None, world.ids["unit_id"].pk), f"{type(obj).__name__} {obj.pk} is not 舞钢's"
    for name in _url_params():
        assert reverse(name, kwargs=_kwargs(name, world))  # every parameter of every URL is filled from the world


@pytest.mark.parametrize(("name", "method", "cells"), [(n, m, c) for n, (m, c) in _rows().items()])
def test_status_by_persona(world: World, personas: Any, name: str, method: str, cells: list[str]) -> None:
    if problem := _shape_problem(name, cells):
        pytest.fail(problem)
    expected = [int(c) for c in cells]
    url = reverse(name, kwargs=_kwargs(name, world))
    got = []
    for persona in COLUMNS.values():
        client = personas.client(getattr(personas, persona) if persona else None)
        with transaction.atomic():  # each persona meets the same world: what one POST changes is undone
            response = client.post(url) if method == "POST" else client.get(url)
            transaction.set_rollback(True)
        got.append(response.status_code)
    assert dict(zip(HEADINGS, got, strict=True)) == dict(zip(HEADINGS, expected, strict=True))
