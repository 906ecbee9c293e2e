"""The read API with an organisation's token: scopes, revocation, expiry, audit, visibility, published results only;
and the office's token pages (right role, wrong role, another office)."""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from kaohe.api.models import ApiToken, Scope
from kaohe.api.tests.conftest import bearer, make_token, publish
from kaohe.core.models import AuditEvent
from kaohe.organisations.models import Organisation, Region
from kaohe.plans.models import Plan
from kaohe.results import selectors as result_selectors
from kaohe.results import services as results
from tests import factories as f

API = "/api/v1"


def test_office_creates_a_token_whose_secret_is_shown_once_and_stored_as_a_hash(personas, plan):
    office = personas.client(personas.office)
    response = office.post(reverse("api:token_create"), {"name": "省平台汇总", "scopes": [Scope.PLANS_READ]})
    assert response.status_code == 200
    secret = response.context["new_secret"]
    assert secret.startswith("kh_") and secret in response.content.decode()
    token = ApiToken.objects.get()
    assert token.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in str(ApiToken.objects.values().get())  # only the hash and a short prefix are stored
    assert token.organisation == plan.organiser and token.scopes == [Scope.PLANS_READ]
    event = AuditEvent.objects.get(action="api.token_create")
    assert event.actor_id == personas.office.pk and secret not in str(event.after)
    # The list page never shows the secret again.
    page = office.get(reverse("api:exchange")).content.decode()
    assert token.prefix in page and secret not in page

    # Empty form: refused with a message, nothing made.
    refused = office.post(reverse("api:token_create"), {"name": ""})
    assert refused.status_code == 302 and ApiToken.objects.count() == 1


def test_plans_tree_and_audit_of_every_use(personas, plan, other_plan):
    made = make_token(personas.office, scopes=(Scope.PLANS_READ,))
    client = personas.client(None)
    listed = client.get(f"{API}/plans", **bearer(made.secret))
    assert listed.status_code == 200
    ids = [p["id"] for p in listed.json()]
    assert plan.pk in ids and other_plan.pk not in ids  # 洛阳's plan is another organisation's
    one = client.get(f"{API}/plans/{plan.pk}", **bearer(made.secret)).json()
    assert one["title"] == plan.title and one["region_path"].endswith(plan.organiser.region.name)
    assert one["results_published"] is False
    tree = client.get(f"{API}/plans/{plan.pk}/indicators", **bearer(made.secret)).json()
    assert {c["name"] for c in tree["categories"]} == set(plan.categories.values_list("name", flat=True))
    assert len(tree["indicators"]) == plan.indicators.count()
    by_id = {i["id"]: i for i in tree["indicators"]}
    assert all(i["parent_id"] is None or i["parent_id"] in by_id for i in tree["indicators"])

    # Another organisation's plan does not exist for this token; a wrong scope is 403.
    assert client.get(f"{API}/plans/{other_plan.pk}", **bearer(made.secret)).status_code == 404
    assert client.get(f"{API}/plans/{other_plan.pk}/indicators", **bearer(made.secret)).status_code == 404
    assert client.get(f"{API}/plans/999999", **bearer(made.secret)).status_code == 404
    forbidden = client.get(f"{API}/plans/{plan.pk}/results", **bearer(made.secret))
    assert forbidden.status_code == 403 and "results:read" in forbidden.json()["detail"]
    assert client.get(f"{API}/rollup", **bearer(made.secret)).status_code == 403

    uses = AuditEvent.objects.filter(action="api.token_use", object_id=str(made.token.pk))
    assert uses.count() == 8  # every authenticated call, allowed or not
    assert {e.after["path"] for e in uses} >= {f"{API}/plans", f"{API}/plans/{plan.pk}/indicators"}
    assert all(e.organisation_id == plan.organiser_id and e.actor_id is None for e in uses)
    made.token.refresh_from_db()
    assert made.token.last_used_at is not None


def test_unknown_revoked_and_expired_tokens_get_401(personas, plan, monkeypatch):
    client = personas.client(None)
    missing = client.get(f"{API}/plans")
    assert missing.status_code == 401 and missing.json()["detail"] == "接口令牌无效、已吊销或已过期"
    assert missing["WWW-Authenticate"] == "Bearer"
    assert client.get(f"{API}/plans", **bearer("kh_not-a-token")).status_code == 401
    assert client.get(f"{API}/plans", HTTP_AUTHORIZATION="Basic b2ZmaWNlOng=").status_code == 401

    made = make_token(personas.office)
    assert client.get(f"{API}/plans", **bearer(made.secret)).status_code == 200
    office = personas.client(personas.office)
    assert office.post(reverse("api:token_revoke", args=[made.token.pk])).status_code == 302
    assert client.get(f"{API}/plans", **bearer(made.secret)).status_code == 401  # at once
    assert AuditEvent.objects.filter(action="api.token_revoke", actor_id=personas.office.pk).count() == 1
    refused = AuditEvent.objects.get(action="api.token_refused")
    assert refused.after["reason"] == "已吊销"
    # Revoking again is refused with a message, nothing changes.
    office.post(reverse("api:token_revoke", args=[made.token.pk]))
    assert AuditEvent.objects.filter(action="api.token_revoke").count() == 1

    later = make_token(personas.office, expires_on=timezone.localdate() + dt.timedelta(days=1))
    assert client.get(f"{API}/plans", **bearer(later.secret)).status_code == 200
    moment = timezone.now() + dt.timedelta(days=3)
    monkeypatch.setattr("django.utils.timezone.now", lambda: moment)
    assert client.get(f"{API}/plans", **bearer(later.secret)).status_code == 401
    assert AuditEvent.objects.filter(action="api.token_refused").last().after["reason"] == "已过期"


def test_an_expiry_in_the_past_is_refused(personas, plan):
    office = personas.client(personas.office)
    yesterday = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    response = office.post(reverse("api:token_create"), {"name": "x", "scopes": [Scope.PLANS_READ], "expires_on": yesterday})
    assert response.status_code == 302 and not ApiToken.objects.exists()


def test_results_only_when_published_never_the_draft_snapshot(personas, plan):
    made = make_token(personas.office)
    client = personas.client(None)
    url = f"{API}/plans/{plan.pk}/results"
    assert client.get(url, **bearer(made.secret)).status_code == 404
    results.results_compute(actor=personas.office, plan=plan, missing_policy="report")
    computed = client.get(url, **bearer(made.secret))
    assert computed.status_code == 404 and computed.json()["detail"] == "考核结果尚未公布"
    assert client.get(f"{API}/rollup", **bearer(made.secret)).json() == []

    publication = publish(plan, personas.office)
    body = client.get(url, **bearer(made.secret)).json()
    tables = result_selectors.all_category_tables(
        *type(publication.snapshot).objects.filter(pk=publication.snapshot_id).values_list("data", "inputs").get()
    )
    expected = [(r.name, r.final, r.rank, r.grade) for t in tables for r in t.rows]
    got = [(u["name"], u["final"], u["rank"], u["grade"]) for c in body["categories"] for u in c["units"]]
    assert [(n, Decimal(s), k, g) for n, s, k, g in got] == [(n, Decimal(s), k, g) for n, s, k, g in expected]
    assert all(u["region_path"] for c in body["categories"] for u in c["units"])
    assert body["snapshot_seq"] == publication.snapshot.seq

    rollup = client.get(f"{API}/rollup", **bearer(made.secret)).json()
    assert len(rollup) == 1 and rollup[0]["plan"]["id"] == plan.pk
    finals = [Decimal(s) for _n, s, _k, _g in expected]
    assert rollup[0]["unit_count"] == len(expected) == rollup[0]["scored_count"]
    assert Decimal(rollup[0]["average"]) == (sum(finals) / len(finals)).quantize(Decimal("0.01"))
    assert sum(g["count"] for g in rollup[0]["grades"]) == len(expected)

    # Withdrawn: the scores are no longer served.
    results.release_reopen(actor=personas.office, plan=plan, release=publication.release, reason="更正一项评价")
    assert client.get(url, **bearer(made.secret)).status_code == 404


def test_a_province_office_reads_its_cities_plans_but_a_city_not_its_province(personas, plan):
    city = plan.organiser.region
    province = city.parent or f.RegionFactory.create(name="河南省", parent=None, level=Region.Level.PROVINCE)
    if city.parent_id is None:
        Region.objects.filter(pk=city.pk).update(parent=province)
    province_office = f.OrganisationFactory.create(region=province, name="省依法行政考核办公室", kind=Organisation.Kind.OFFICE)
    user = f.UserFactory.create(username="province_office", memberships=[(province_office, "office")])
    made = make_token(user)
    client = personas.client(None)
    ids = [p["id"] for p in client.get(f"{API}/plans", **bearer(made.secret)).json()]
    assert plan.pk in ids
    draft = f.PlanFactory.create(organiser=plan.organiser, year=2021, title="平顶山市2021年度依法行政考核")
    assert draft.status == Plan.Status.DRAFT
    assert client.get(f"{API}/plans/{draft.pk}", **bearer(made.secret)).status_code == 404  # never a draft
    province_plan = f.PlanFactory.create(
        organiser=province_office, year=2020, title="省2020年度考核", status=Plan.Status.PUBLISHED
    )
    city_token = make_token(personas.office)
    assert client.get(f"{API}/plans/{province_plan.pk}", **bearer(city_token.secret)).status_code == 404


def test_openapi_schema_is_served_and_no_docs_page(client):
    schema = client.get(f"{API}/openapi.json")
    assert schema.status_code == 200 and schema.json()["openapi"].startswith("3.")
    assert {"/api/v1/plans", "/api/v1/plans/{plan_id}/results", "/api/v1/rollup"} <= set(schema.json()["paths"])
    assert client.get(f"{API}/docs").status_code == 404  # Swagger UI would load from a CDN


@pytest.mark.parametrize("who", ["desk", "unit", "viewer", "sysadmin", "auditor"])
def test_only_an_office_manages_tokens(personas, plan, who):
    made = make_token(personas.office)
    client = personas.client(getattr(personas, who))
    assert client.get(reverse("api:exchange")).status_code == 403
    assert client.post(reverse("api:token_create"), {"name": "x", "scopes": [Scope.PLANS_READ]}).status_code == 403
    assert client.post(reverse("api:token_revoke", args=[made.token.pk])).status_code == 403
    made.token.refresh_from_db()
    assert made.token.revoked_at is None and ApiToken.objects.count() == 1


def test_another_office_does_not_see_nor_revoke_this_offices_tokens(personas, plan):
    made = make_token(personas.office)
    other = personas.client(personas.other_office)
    page = other.get(reverse("api:exchange"))
    assert page.status_code == 200 and made.token.prefix not in page.content.decode()
    assert other.post(reverse("api:token_revoke", args=[made.token.pk])).status_code == 404
    made.token.refresh_from_db()
    assert made.token.revoked_at is None
    assert personas.client(None).get(reverse("api:exchange")).status_code == 302  # login first


def test_the_exchange_page_query_count_does_not_grow_with_tokens(personas, plan, django_assert_max_num_queries):
    for _ in range(5):
        make_token(personas.office)
    office = personas.client(personas.office)
    office.get(reverse("api:exchange"))
    with django_assert_max_num_queries(20):
        response = office.get(reverse("api:exchange"))
    assert response.content.decode().count('data-testid="token-row"') == 5


def test_the_home_page_links_the_office_to_its_exchange_page(personas, plan):
    assert 'data-testid="exchange-link"' in personas.client(personas.office).get("/").content.decode()
    assert 'data-testid="exchange-link"' not in personas.client(personas.desk).get("/").content.decode()
