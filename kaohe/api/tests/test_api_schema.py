"""The read API against its own OpenAPI schema (schemathesis): every operation, generated requests with a valid
token, all of schemathesis's checks (no server error, status codes, content types and bodies as documented);
then every operation once more on the city's published plan, so the documented 200 bodies are checked too."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings

from kaohe.api.tests.conftest import make_token, publish


@pytest.fixture
def api_schema(db: Any) -> Iterator[Any]:
    """The schema as the application serves it, calls going to the application through WSGI in this test's
    transaction (as Django's test client does, the connection is not closed at the end of each request)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def secret(personas: Any, plan: Any) -> str:
    return make_token(personas.office).secret


def test_every_operation_conforms_to_the_schema(api_schema: Any, secret: str) -> None:
    """Generated requests (a few per operation, so it runs in seconds) with a valid token; every check."""
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) == 5
    for operation in operations:

        @given(case=operation.as_strategy(headers={"Authorization": f"Bearer {secret}"}))
        @settings(max_examples=8, deadline=None, database=None, suppress_health_check=list(HealthCheck))
        def check(case: Any) -> None:
            case.call_and_validate()

        check()


def test_every_operation_on_the_published_plan_conforms(api_schema: Any, personas: Any, plan: Any, secret: str) -> None:
    publish(plan, personas.office)
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert {op.path for op in operations} == {
        f"/api/v1{p}"
        for p in ("/plans", "/plans/{plan_id}", "/plans/{plan_id}/indicators", "/plans/{plan_id}/results", "/rollup")
    }
    for operation in operations:
        params = {"plan_id": plan.pk} if "{plan_id}" in operation.path else None
        case = operation.Case(path_parameters=params)
        response = case.call_and_validate(headers={"Authorization": f"Bearer {secret}"})
        assert response.status_code == 200, (operation.path, response.text)
