"""Shared test set-up: the small city of tests/city.py built once per session, personas, an isolated file store.

Personas (STYLE habit 10): the accounts of the small city 平顶山 (office, two desks, two units, viewer, field-group
members, case reviewers, and the system, security and audit administrators) plus an outsider: another city's office
with its own draft plan, and a unit of that city. Tests make anything else with the factories of tests/factories.py.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.test.utils import override_settings

from kaohe.accounts.models import User
from kaohe.organisations.models import Organisation, Region
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
    from tests import factories as f

    province = f.RegionFactory.create(name="河南省", parent=None, level=Region.Level.PROVINCE)
    city = f.RegionFactory.create(parent=province, name="洛阳市", level=Region.Level.CITY)
    office_org = f.OrganisationFactory.create(region=city, name="洛阳市法治政府建设领导小组办公室", kind=Organisation.Kind.OFFICE)
    unit_org = f.OrganisationFactory.create(region=city, name="洛阳市司法局", kind=Organisation.Kind.DEPARTMENT)
    f.UserFactory.create(username="other_office", display_name="外单位考核办", memberships=[(office_org, Role.OFFICE)])
    f.UserFactory.create(username="other_unit", display_name="外单位考核对象", memberships=[(unit_org, Role.UNIT)])
    f.PlanFactory.create(organiser=office_org, year=2020, title="洛阳市2020年度依法行政考核")


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: Any, django_db_blocker: Any, _isolated_storage: str) -> None:
    from tests.city import build_city

    with django_db_blocker.unblock():
        build_city()
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
def plan(db: Any) -> Any:
    """The small city's published plan (tests/city.py): three categories, ten units, four desks."""
    from kaohe.plans.models import Plan
    from tests.city import PLAN_TITLE

    return Plan.objects.get(title=PLAN_TITLE)


@pytest.fixture
def demo_plan(db: Any) -> Any:
    """The Pingdingshan 2020 demo plan, for end-to-end tests only (tests on factories use ``plan``).

    Loaded into the test's own transaction (about 2 s) on top of the small city, whose organisations and accounts it
    shares by name.
    """
    from kaohe.demo import loader as demo

    return demo.load_demo()


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
