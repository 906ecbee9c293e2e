"""Django admin is for superusers (operators) only; it exposes no audit log and no plan data."""

from __future__ import annotations

from django.urls import reverse

from kaohe.core.models import AuditEvent
from kaohe.organisations.models import Membership
from kaohe.organisations.roles import Role


def test_only_superusers_enter_admin(personas, operator):
    """Each persona of the matrix, staff flag or not, gets the 403 page; anonymous visitors go to the platform login."""
    assert personas.client(operator).get(reverse("admin:index")).status_code == 200
    staff = personas.unit2
    staff.is_staff = True
    staff.save(update_fields=["is_staff"])
    everyone = (
        personas.office,
        personas.desk,
        personas.unit,
        staff,
        personas.viewer,
        personas.field,
        personas.reviewer,
        personas.sysadmin,
        personas.secadmin,
        personas.auditor,
        personas.other_office,
    )
    for user in everyone:
        response = personas.client(user).get(reverse("admin:index"))
        assert response.status_code == 403, user
        assert "/admin/login/" not in response.get("Location", "")
    response = personas.client(None).get(reverse("admin:index"))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_admin_lists_accounts_but_not_audit_or_plans(personas, operator):
    client = personas.client(operator)
    assert client.get(reverse("admin:accounts_user_changelist")).status_code == 200
    index = client.get(reverse("admin:index")).content.decode()
    assert "审计事件" not in index
    assert "考核方案" not in index


def test_membership_changes_are_audited(personas):
    from kaohe.plans.models import PlanUnit

    org = PlanUnit.objects.select_related("organisation").first().organisation
    membership = Membership.objects.create(user=personas.viewer, organisation=org, role=Role.UNIT)
    granted = AuditEvent.objects.filter(action="membership.grant").latest("seq")
    assert granted.after == {"user": "viewer", "organisation": org.name, "role": "unit"}
    membership.delete()
    revoked = AuditEvent.objects.filter(action="membership.revoke").latest("seq")
    assert revoked.before["role"] == "unit"
