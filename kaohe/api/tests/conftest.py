"""Exchange tests: each test has its own signing key (tmp_path), a published plan helper and a token helper."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.test.utils import override_settings
from django.utils import timezone

from kaohe.api import services
from kaohe.api.models import Scope
from kaohe.organisations.roles import Role
from kaohe.plans.models import PlanUnit
from kaohe.results import services as results
from kaohe.results.tests.conftest import grade, tasks_of


@pytest.fixture(autouse=True)
def _own_key(tmp_path: Any) -> Any:
    """This installation's key pair lives in the test's own folder (never the developer's var/)."""
    with override_settings(KAOHE_EXCHANGE_KEY_FILE=str(tmp_path / "this-installation.pem")):
        yield tmp_path


def publish(plan: Any, office: Any) -> Any:
    """Grade every unit (each a quarter point below the one before), compute, consult, approve and publish."""
    for k, unit in enumerate(PlanUnit.objects.filter(plan=plan).select_related("category").order_by("pk")):
        biggest = max(tasks_of(unit), key=lambda t: t.points or 0)
        grade(plan, unit, office, scores={biggest.code: (biggest.points or Decimal(0)) - Decimal(k) * Decimal("0.25")})
    return publish_again(plan, office)


def publish_again(plan: Any, office: Any) -> Any:
    snapshot = results.results_compute(actor=office, plan=plan, missing_policy="report")
    release = results.release_start(
        actor=office, plan=plan, snapshot=snapshot, consult_until=timezone.localdate() + dt.timedelta(days=3)
    )
    results.consultation_close(actor=office, plan=plan, release=release)
    results.release_approve(
        actor=office, plan=plan, release=release, approved_by="领导小组会议", approved_on=timezone.localdate()
    )
    return results.release_publish(actor=office, plan=plan, release=release)


def make_token(
    office_user: Any, *, scopes: tuple[str, ...] = (Scope.PLANS_READ, Scope.RESULTS_READ), **kwargs: Any
) -> services.NewToken:
    organisation = next(m.organisation for m in office_user.memberships.select_related("organisation") if m.role == Role.OFFICE)
    return services.token_create(actor=office_user, organisation=organisation, name="省平台汇总", scopes=list(scopes), **kwargs)


def bearer(secret: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
