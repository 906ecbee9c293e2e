"""The three admin powers by region: a city's administrators act on the city and below, the top region's on all.

The province (河南省) gets its own department and administrators here, so it is the installation's top region and
the small city's (平顶山市) system, security and audit administrators are a city's: they reach 舞钢's account (a
county below them), never 洛阳市's nor the province's, and nothing of those leaks into their lists.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

import pytest
from axes.models import AccessAttempt
from django.urls import reverse
from django.utils import timezone

from kaohe.accounts.models import TotpDevice, User
from kaohe.core import audit
from kaohe.core.models import AuditEvent
from kaohe.organisations.models import Organisation, Region, RoleGrantProposal
from kaohe.organisations.roles import Role
from kaohe.plans.models import Plan
from tests import factories as f


@dataclass
class Province:
    department: Organisation
    sysadmin: User
    secadmin: User
    auditor: User
    clerk: User  # a plan role in the province's department


@pytest.fixture
def province(db) -> Province:
    henan = Region.objects.get(name="河南省", parent=None)
    department = f.OrganisationFactory.create(name="河南省司法厅", region=henan, kind=Organisation.Kind.DEPARTMENT)
    return Province(
        department=department,
        sysadmin=f.UserFactory.create(username="henan_sys", memberships=[(department, Role.SYSTEM_ADMIN)]),
        secadmin=f.UserFactory.create(username="henan_sec", memberships=[(department, Role.SECURITY_ADMIN)]),
        auditor=f.UserFactory.create(username="henan_audit", memberships=[(department, Role.AUDIT_ADMIN)]),
        clerk=f.UserFactory.create(username="henan_clerk", memberships=[(department, Role.OFFICE)]),
    )


def test_a_city_system_admin_manages_a_county_account_not_another_citys_nor_the_provinces(personas, province):
    client = personas.client(personas.sysadmin)
    assert client.get(reverse("accounts:user_detail", args=[personas.unit.pk])).status_code == 200  # 舞钢 (county)
    for outsider in (personas.other_office, province.clerk, province.sysadmin):
        assert client.get(reverse("accounts:user_detail", args=[outsider.pk])).status_code == 404
        assert client.post(reverse("accounts:user_password", args=[outsider.pk])).status_code == 404
        assert client.post(reverse("accounts:user_active", args=[outsider.pk]), {"active": ""}).status_code == 404
    listing = client.get(reverse("accounts:users")).content.decode()
    assert "unit_wugang" in listing
    assert "other_office" not in listing and "henan_clerk" not in listing and "henan_sys" not in listing
    assert User.objects.get(pk=personas.other_office.pk).is_active
    # The province's system administrator reaches all three.
    top = personas.client(province.sysadmin)
    for account in (personas.unit, personas.other_office, province.clerk):
        assert top.get(reverse("accounts:user_detail", args=[account.pk])).status_code == 200


def _attempt(username: str) -> None:
    AccessAttempt.objects.create(
        username=username,
        ip_address="10.0.0.9",
        user_agent="test",
        http_accept="*/*",
        path_info="/accounts/login/",
        get_data="",
        post_data="",
        failures_since_start=9,
    )


def test_a_city_security_admin_sees_and_releases_its_regions_lockouts_only(personas, province):
    for name in ("unit_wugang", "other_office", "henan_clerk", "nobody"):
        _attempt(name)
    for user in (personas.other_office, province.clerk):
        TotpDevice.objects.create(user=user, encrypted_secret="x", confirmed_at=timezone.now())
    client = personas.client(personas.secadmin)
    page = client.get(reverse("accounts:security_lockouts"))
    names = {row.username for row in page.context["lockouts"]}
    assert names == {"unit_wugang"}
    assert page.context["totp_enabled_count"] == 0
    # Another city's and the province's accounts: refused like an unknown one, nothing released or reset.
    for name in ("other_office", "henan_clerk", "nobody"):
        client.post(reverse("accounts:security_unlock"), {"username": name})
        assert AccessAttempt.objects.filter(username=name).exists()
    for user in (personas.other_office, province.clerk):
        client.post(reverse("accounts:security_totp_reset"), {"username": user.username, "confirm": "on"})
        assert TotpDevice.objects.filter(user=user).exists()
    assert not AuditEvent.objects.filter(action="auth.totp_reset").exists()
    client.post(reverse("accounts:security_unlock"), {"username": "unit_wugang"})
    assert not AccessAttempt.objects.filter(username="unit_wugang").exists()
    # The province's security administrator sees every lockout, names of no account included.
    top = personas.client(province.secadmin)
    seen = {row.username for row in top.get(reverse("accounts:security_lockouts")).context["lockouts"]}
    assert seen == {"other_office", "henan_clerk", "nobody"}
    assert top.get(reverse("accounts:security_lockouts")).context["totp_enabled_count"] == 2


def test_a_city_security_admin_decides_grants_of_its_region_only(personas, province):
    luoyang_office = Organisation.objects.get(name="洛阳市法治政府建设领导小组办公室")
    candidate = f.UserFactory.create(username="ly_candidate")
    proposal = RoleGrantProposal.objects.create(
        user=candidate, organisation=luoyang_office, role=Role.AUDIT_ADMIN, proposed_by=province.sysadmin
    )
    client = personas.client(personas.secadmin)
    assert "ly_candidate" not in client.get(reverse("accounts:grant_proposals")).content.decode()
    response = client.post(reverse("accounts:grant_decide", args=[proposal.pk]), {"decision": "confirm"})
    assert response.status_code == 404
    proposal.refresh_from_db()
    assert proposal.status == RoleGrantProposal.Status.PENDING
    assert "ly_candidate" in personas.client(province.secadmin).get(reverse("accounts:grant_proposals")).content.decode()


def test_a_city_audit_admin_reads_its_regions_events_only(personas, province, plan):
    wugang = Organisation.objects.get(name="舞钢市人民政府")
    luoyang_office = Organisation.objects.get(name="洛阳市法治政府建设领导小组办公室")
    luoyang_plan = Plan.objects.get(organiser=luoyang_office)
    audit.record(actor=personas.unit, action="evidence.upload", organisation=wugang, object_repr="舞钢的资料")
    audit.record(actor=personas.office, action="plan.settings", plan_id=plan.pk, object_repr="本市方案")
    audit.record(actor=personas.unit, action="auth.login", object_repr="舞钢登录")
    audit.record(actor=personas.other_office, action="plan.settings", plan_id=luoyang_plan.pk, object_repr="洛阳方案")
    audit.record(actor=personas.other_office, action="auth.login", object_repr="洛阳登录")
    audit.record(actor=province.clerk, action="org.edit", organisation=province.department, object_repr="省厅事件")
    audit.record(actor=None, action="auth.login_failed", object_repr="无此账号")
    mine = {"舞钢的资料", "本市方案", "舞钢登录"}
    others = {"洛阳方案", "洛阳登录", "省厅事件", "无此账号"}

    client = personas.client(personas.auditor)
    page = client.get(reverse("security:audit_log"))
    shown = {row.event.object_repr for row in page.context["rows"]}
    assert mine <= shown and not others & shown
    exported = client.get(reverse("security:audit_export"), {"format": "csv"})
    text = b"".join(exported.streaming_content).decode("utf-8-sig")
    rows = " ".join(" ".join(r) for r in csv.reader(io.StringIO(text)))
    assert all(m in rows for m in mine) and not any(o in rows for o in others)
    # The province's audit administrator reads everything.
    top = personas.client(province.auditor).get(reverse("security:audit_log"))
    assert mine | others <= {row.event.object_repr for row in top.context["rows"]}
