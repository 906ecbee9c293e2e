"""Walk every URL of our apps as every persona; expected statuses come from docs/permissions.md."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from kaohe.plans.models import PlanImport, PlanUnit

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
    "fieldwork",
    "abilitytests",
    "testee",
    "casefiles",
}
PERSONAS = ["anonymous", "office", "desk", "unit", "viewer", "sysadmin", "other_office"]


def _matrix() -> dict[str, tuple[str, list[int]]]:
    text = DOC.read_text(encoding="utf-8")
    body = text[text.index("<!-- url-matrix:start -->") : text.index("<!-- url-matrix:end -->")]
    rows: dict[str, tuple[str, list[int]]] = {}
    for line in body.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 2 + len(PERSONAS) and ":" in cells[0]:
            rows[cells[0]] = (cells[1], [int(c) for c in cells[2:]])
    return rows


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


def test_every_url_has_a_row_in_the_matrix():
    names = set(_url_params())
    missing = names - set(_matrix())
    stale = set(_matrix()) - names
    assert not missing, f"URLs without a row in docs/permissions.md: {sorted(missing)}"
    assert not stale, f"Rows in docs/permissions.md for URLs that no longer exist: {sorted(stale)}"


def _kwargs(name: str, plan) -> dict[str, int]:
    params = _url_params()[name]
    wanted: dict[str, int] = {}
    if "plan_id" in params:
        wanted["plan_id"] = plan.pk
    if "category_id" in params:
        wanted["category_id"] = plan.categories.get(name="县区政府").pk
    if "unit_id" in params:
        wanted["unit_id"] = PlanUnit.objects.get(plan=plan, organisation__name="舞钢市人民政府").pk
    if "task_id" in params:
        from kaohe.plans.constants import Level, Method
        from kaohe.plans.models import Indicator

        wanted["task_id"] = (
            Indicator.objects.filter(
                plan=plan,
                category__name="县区政府",
                level=Level.TASK,
                method=Method.SUBMISSION,
                assessor__organisation__name="市司法局依法行政指导科",
            )
            .order_by("order")
            .first()
            .pk
        )
    for absent in ("file_id", "na_id", "date_id"):  # ids that exist in no plan: every persona must get 404 (or 403 first)
        if absent in params:
            wanted[absent] = 999999
    for absent in ("application_id", "deduction_id", "flag_id"):  # adjustments (加减分): ids in no plan → 404
        if absent in params:
            wanted[absent] = 999999
    if "request_id" in params:  # reviews: a review request in no plan → 404 for everyone
        wanted["request_id"] = 999999
    if "snapshot_id" in params:  # results: a snapshot in no plan → 404 for the office (403 first for other insiders)
        wanted["snapshot_id"] = 999999
    if "session_id" in params:  # a login session that exists nowhere: everyone's own-sessions lookup gives 404
        wanted["session_id"] = 999999
    for absent in ("item_id", "report_id"):  # rectification (整改): ids in no plan → 404 (403 first for other roles)
        if absent in params:
            wanted[absent] = 999999
    if "recipient_id" in params:  # results release: a copy recipient in no plan → 404 for the office (403 first for others)
        wanted["recipient_id"] = 999999
    for absent in ("sample_id", "sampled_id", "reviewer_id"):  # casefiles: ids in no plan → 404 (403 first for other roles)
        if absent in params:
            wanted[absent] = 999999
    for absent in ("test_id", "testee_id", "bank_import_id"):  # ability tests: ids in no plan → 404 (403 first for other roles)
        if absent in params:
            wanted[absent] = 999999
    for absent in (
        "group_id",
        "assignment_id",
        "photo_id",
    ):  # fieldwork (实地考核): ids in no plan → 404 (403 first for other roles)
        if absent in params:
            wanted[absent] = 999999
    for absent in (
        "account_id",
        "membership_id",
        "proposal_id",
    ):  # accounts and roles: unknown ids → 404 for the admin (403 first for others)
        if absent in params:
            wanted[absent] = 999999
    if "import_id" in params:
        wanted["import_id"] = PlanImport.objects.filter(plan=plan).order_by("pk").first().pk
    assert set(wanted) == params, f"the matrix test does not know how to fill {params - set(wanted)}"
    return wanted


@pytest.mark.parametrize(("name", "method", "expected"), [(n, m, e) for n, (m, e) in _matrix().items()])
def test_status_by_persona(personas, demo_plan, name, method, expected):
    url = reverse(name, kwargs=_kwargs(name, demo_plan))
    users = {
        "anonymous": None,
        "office": personas.office,
        "desk": personas.desk,
        "unit": personas.unit,
        "viewer": personas.viewer,
        "sysadmin": personas.sysadmin,
        "other_office": personas.other_office,
    }
    got = []
    for persona in PERSONAS:
        client = personas.client(users[persona])
        response = client.post(url) if method == "POST" else client.get(url)
        got.append(response.status_code)
    assert dict(zip(PERSONAS, got, strict=True)) == dict(zip(PERSONAS, expected, strict=True))
