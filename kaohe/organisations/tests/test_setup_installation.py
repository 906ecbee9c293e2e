"""manage.py setup_installation: a new installation's region, office and first system administrator."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import CommandError, call_command

from kaohe.accounts.models import User
from kaohe.core.models import AuditEvent
from kaohe.organisations.models import Membership, Organisation, Region
from kaohe.organisations.roles import ADMIN_ROLES, Role

ARGS = ["--province", "河南省", "--city", "焦作市", "--office", "焦作市法治政府建设领导小组办公室", "--sysadmin", "jz_sysadmin"]


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command("setup_installation", *args, stdout=out)
    return out.getvalue()


def test_refused_while_a_system_administrator_exists(db):
    assert Membership.objects.filter(role=Role.SYSTEM_ADMIN, user__is_active=True).exists()  # the city's sysadmin
    with pytest.raises(CommandError, match="已有系统管理员"):
        _run(*ARGS)
    assert not User.objects.filter(username="jz_sysadmin").exists()


def test_creates_region_office_and_the_first_sysadmin_with_a_one_time_password(db):
    User.objects.filter(memberships__role__in=[r.value for r in ADMIN_ROLES]).update(is_active=False)
    output = _run(*ARGS)
    password = re.search(r"账号 jz_sysadmin  一次性初始密码：(\S+)", output).group(1)
    user = User.objects.get(username="jz_sysadmin")
    assert user.must_change_password and user.check_password(password) and password not in user.password
    office = Organisation.objects.get(name="焦作市法治政府建设领导小组办公室")
    assert office.kind == Organisation.Kind.OFFICE and office.region == Region.objects.get(name="焦作市")
    assert office.region.parent.name == "河南省"
    assert list(Membership.objects.filter(user=user).values_list("organisation__name", "role")) == [
        ("焦作市法治政府建设领导小组办公室", Role.SYSTEM_ADMIN)
    ]
    event = AuditEvent.objects.get(action="installation.setup")
    assert event.after["system_admin"] == "jz_sysadmin" and password not in str(event.after)
    # Only once: the second administrator is granted in the pages, with the security administrator's confirmation.
    with pytest.raises(CommandError, match="已有系统管理员"):
        _run("--province", "河南省", "--city", "焦作市", "--office", "焦作市法治政府建设领导小组办公室", "--sysadmin", "x2")


def test_three_powers_three_accounts_each_with_its_own_password(db):
    User.objects.filter(memberships__role__in=[r.value for r in ADMIN_ROLES]).update(is_active=False)
    with pytest.raises(CommandError, match="三个不同的账号"):
        _run(*ARGS, "--secadmin", "JZ_SYSADMIN")
    assert not User.objects.filter(username="jz_sysadmin").exists()
    output = _run(*ARGS, "--secadmin", "jz_sec", "--auditadmin", "jz_audit")
    found = dict(re.findall(r"账号 (\S+)  一次性初始密码：(\S+)", output))
    assert set(found) == {"jz_sysadmin", "jz_sec", "jz_audit"} and len(set(found.values())) == 3
    for username, role in (("jz_sysadmin", Role.SYSTEM_ADMIN), ("jz_sec", Role.SECURITY_ADMIN), ("jz_audit", Role.AUDIT_ADMIN)):
        user = User.objects.get(username=username)
        assert user.check_password(found[username]) and user.must_change_password
        assert list(Membership.objects.filter(user=user).values_list("role", flat=True)) == [role]


def test_an_existing_account_name_is_refused_and_nothing_is_made(db):
    User.objects.filter(memberships__role__in=[r.value for r in ADMIN_ROLES]).update(is_active=False)
    with pytest.raises(CommandError, match="账号 office 已存在"):
        _run(*ARGS, "--auditadmin", "office")
    assert not Region.objects.filter(name="焦作市").exists() and not User.objects.filter(username="jz_sysadmin").exists()
