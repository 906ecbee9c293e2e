"""Shared test set-up: the demo plan loaded once per session, personas, and an isolated file store.

Personas (STYLE habit 10): the demo accounts of 平顶山 (office, two desks, two units, viewer, field-group
members, case reviewers, and the system, security and audit administrators) plus an outsider: another city's office with its own draft plan, and a unit of that city.
"""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.test.utils import override_settings

from kaohe.accounts.models import User
from kaohe.organisations.models import Membership, Organisation, Region
from kaohe.organisations.roles import Role

PASSWORD = "Kaohe#2020demo"


@pytest.fixture(scope="session", autouse=True)
def _isolated_storage() -> Iterator[str]:
    """Uploaded files go to a temporary folder, never to the developer's var/."""
    media = tempfile.mkdtemp(prefix="kaohe-test-media-")
    storages = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": media}},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with override_settings(
        STORAGES=storages, MEDIA_ROOT=media, PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]
    ):
        yield media
    shutil.rmtree(media, ignore_errors=True)


def make_outsider() -> None:
    """Another city (洛阳市) with its own office, a draft plan and a unit: the wrong organisation."""
    from kaohe.plans import services

    province = Region.objects.get(name="河南省", parent=None)
    city, _ = Region.objects.get_or_create(parent=province, name="洛阳市", defaults={"level": Region.Level.CITY})
    office_org, _ = Organisation.objects.get_or_create(
        region=city, name="洛阳市法治政府建设领导小组办公室", defaults={"kind": Organisation.Kind.OFFICE}
    )
    unit_org, _ = Organisation.objects.get_or_create(
        region=city, name="洛阳市司法局", defaults={"kind": Organisation.Kind.DEPARTMENT}
    )
    for username, org, role in (("other_office", office_org, Role.OFFICE), ("other_unit", unit_org, Role.UNIT)):
        user, created = User.objects.get_or_create(username=username, defaults={"display_name": f"外单位{role.label}"})
        if created:
            user.set_password(PASSWORD)
            user.save()
        Membership.objects.get_or_create(user=user, organisation=org, role=role)
    office = User.objects.get(username="other_office")
    from kaohe.plans.models import Plan

    if not Plan.objects.filter(organiser=office_org).exists():
        services.plan_create(
            actor=office,
            organiser=office_org,
            year=2020,
            title="洛阳市2020年度依法行政考核",
            period_start=dt.date(2020, 1, 1),
            period_end=dt.date(2020, 12, 31),
        )


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: Any, django_db_blocker: Any, _isolated_storage: str) -> None:
    from kaohe.demo import loader as demo

    with django_db_blocker.unblock():
        demo.load_demo()
        make_outsider()


@dataclass
class Personas:
    office: User
    desk: User  # 市司法局依法行政指导科
    desk2: User  # 市财政局
    unit: User  # 舞钢市人民政府 (县区政府)
    unit2: User  # 市司法局 (部门2)
    viewer: User
    sysadmin: User
    secadmin: User  # 安全管理员
    auditor: User  # 审计管理员
    other_office: User
    other_unit: User
    field: User  # 实地考察组 member (市司法局); in no group until a test puts them in one
    field2: User  # 实地考察组 member (市财政局)
    reviewer: User  # 评查员 (市司法局); on no panel until a test puts them on one
    reviewer2: User  # 评查员 (市公安局)

    def client(self, user: User | None) -> Client:
        client = Client()
        if user is not None:
            client.force_login(user)
        return client


@pytest.fixture
def personas(db: Any) -> Personas:
    users = {u.username: u for u in User.objects.all()}
    return Personas(
        office=users["office"],
        desk=users["desk_yfxz"],
        desk2=users["desk_czj"],
        unit=users["unit_wugang"],
        unit2=users["unit_sfj"],
        viewer=users["viewer"],
        sysadmin=users["sysadmin"],
        secadmin=users["secadmin"],
        auditor=users["auditor"],
        other_office=users["other_office"],
        other_unit=users["other_unit"],
        field=users["field_a"],
        field2=users["field_b"],
        reviewer=users["reviewer_a"],
        reviewer2=users["reviewer_b"],
    )


@pytest.fixture
def demo_plan(db: Any) -> Any:
    from kaohe.demo.loader import DEMO_TITLE
    from kaohe.plans.models import Plan

    return Plan.objects.get(title=DEMO_TITLE)


@pytest.fixture
def other_plan(db: Any) -> Any:
    from kaohe.plans.models import Plan

    return Plan.objects.get(title="洛阳市2020年度依法行政考核")


@pytest.fixture
def operator(db: Any) -> User:
    """A superuser (the operators' account): the only one who enters the Django admin (``/admin/``)."""
    user = User.objects.create_superuser(username="operator", password=PASSWORD, display_name="运维人员")
    user.must_change_password = False
    user.save(update_fields=["must_change_password"])
    return user
