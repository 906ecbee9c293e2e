"""factory_boy factories for the objects tests build: regions, organisations, accounts, plans and their tables.

Tests make what they need with these (or take the small city of ``tests/city.py`` that every test database holds);
the demo plan is for the end-to-end tests only. Factories write rows directly: they are for *arranging* a test.
What a user does (publish, upload, grade, release) goes through the services, which is what the tests test.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from kaohe.accounts.models import User
from kaohe.organisations.models import Membership, Organisation, Region
from kaohe.organisations.roles import Role
from kaohe.plans.constants import Adjustment, Level, Method
from kaohe.plans.models import AssessorDesk, Category, Indicator, Plan, PlanUnit, ScoringPolicy

PASSWORD = "Kaohe#2020demo"


class RegionFactory(DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ("parent", "name")

    name = factory.Sequence(lambda n: f"测试市{n}")
    level = Region.Level.CITY
    parent = None


class OrganisationFactory(DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ("region", "name")

    name = factory.Sequence(lambda n: f"测试单位{n}")
    kind = Organisation.Kind.DEPARTMENT
    region = factory.SubFactory(RegionFactory)


class UserFactory(DjangoModelFactory):
    """An account with the test password; ``UserFactory(username=..., memberships=[(org, Role.X)])``."""

    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    display_name = factory.LazyAttribute(lambda o: f"{o.username}（测试）")

    @factory.post_generation
    def password(self, create: bool, extracted: str | None, **kwargs: Any) -> None:
        self.set_password(extracted or PASSWORD)
        if create:
            self.save(update_fields=["password"])

    @factory.post_generation
    def memberships(self, create: bool, extracted: list[tuple[Organisation, Role]] | None, **kwargs: Any) -> None:
        for organisation, role in extracted or ():
            Membership.objects.get_or_create(user=self, organisation=organisation, role=role)


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership
        django_get_or_create = ("user", "organisation", "role")

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = Role.UNIT


class PlanFactory(DjangoModelFactory):
    """A draft plan of ``organiser`` with its scoring policy (as ``plans.services.plan_create`` makes it)."""

    class Meta:
        model = Plan
        skip_postgeneration_save = True

    organiser = factory.SubFactory(OrganisationFactory, kind=Organisation.Kind.OFFICE)
    year = 2020
    title = factory.LazyAttribute(lambda o: f"{o.organiser.region.name}{o.year}年度依法行政考核")
    period_start = factory.LazyAttribute(lambda o: dt.date(o.year, 1, 1))
    period_end = factory.LazyAttribute(lambda o: dt.date(o.year, 12, 31))
    status = Plan.Status.DRAFT

    @factory.post_generation
    def policy(self, create: bool, extracted: dict[str, Any] | None, **kwargs: Any) -> None:
        if create:
            ScoringPolicy.objects.create(plan=self, **(extracted or {}))

    @factory.post_generation
    def published(self, create: bool, extracted: bool | None, **kwargs: Any) -> None:
        if create and extracted:
            self.status = Plan.Status.PUBLISHED
            self.published_at = timezone.now()
            self.save(update_fields=["status", "published_at"])


class CategoryFactory(DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ("plan", "name")

    plan = factory.SubFactory(PlanFactory)
    name = factory.Sequence(lambda n: f"类别{n}")
    full_score = Decimal(100)
    order = factory.Sequence(int)


class DeskFactory(DjangoModelFactory):
    """考核主体 (AssessorDesk): an organisation that grades tasks of the plan."""

    class Meta:
        model = AssessorDesk
        django_get_or_create = ("plan", "organisation")

    plan = factory.SubFactory(PlanFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    seq = factory.Sequence(lambda n: str(n + 1))


class UnitFactory(DjangoModelFactory):
    """考核对象 (PlanUnit): an organisation assessed in a category of the plan."""

    class Meta:
        model = PlanUnit
        django_get_or_create = ("plan", "organisation")

    category = factory.SubFactory(CategoryFactory)
    plan = factory.SelfAttribute("category.plan")
    organisation = factory.SubFactory(OrganisationFactory)


class IndicatorFactory(DjangoModelFactory):
    """A node of a category's table. Default: a 报送资料 task; pass ``parent`` to hang it in a tree."""

    class Meta:
        model = Indicator

    category = factory.SubFactory(CategoryFactory)
    plan = factory.SelfAttribute("category.plan")
    parent = None
    level = Level.TASK
    code = factory.Sequence(lambda n: f"9.9.{n}")
    order = factory.Sequence(int)
    name = factory.Sequence(lambda n: f"工作任务{n}")
    points = Decimal(10)
    method = Method.SUBMISSION
    deadline = factory.LazyAttribute(lambda o: dt.date(o.plan.year, 12, 31) if o.method == Method.SUBMISSION else None)
    requirement = ""
    materials = ""
    assessor = None
    adjustment = Adjustment.NONE


def task(category: Category, code: str, points: Decimal | int | str, **fields: Any) -> Indicator:
    """A task under its 二级 (made when missing) under its 一级, codes like ``"1.2.3"``; the parents' points grow."""
    one, two, _ = code.split(".")
    level1, _ = Indicator.objects.get_or_create(
        plan=category.plan,
        category=category,
        code=one,
        level=Level.LEVEL1,
        defaults={"order": _next_order(category), "name": f"一级指标{one}", "points": Decimal(0)},
    )
    level2, _ = Indicator.objects.get_or_create(
        plan=category.plan,
        category=category,
        code=f"{one}.{two}",
        level=Level.LEVEL2,
        defaults={"order": _next_order(category), "parent": level1, "name": f"二级指标{one}.{two}", "points": Decimal(0)},
    )
    points = Decimal(points)
    node = IndicatorFactory(category=category, parent=level2, code=code, order=_next_order(category), points=points, **fields)
    if fields.get("adjustment", Adjustment.NONE) == Adjustment.NONE:
        for parent in (level1, level2):
            parent.points = (parent.points or Decimal(0)) + points
            parent.save(update_fields=["points"])
    else:
        for parent in (level1, level2):
            if parent.points == Decimal(0):
                parent.points = None
                parent.save(update_fields=["points"])
    return node


def _next_order(category: Category) -> int:
    last = Indicator.objects.filter(category=category).order_by("-order").values_list("order", flat=True).first()
    return (last or 0) + 1
