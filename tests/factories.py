"""factory_boy factories for the objects tests build: regions, organisations, accounts, plans and their tables.

Tests make what they need with these (or take the small city of ``tests/city.py`` that every test database holds);
the demo plan is for the end-to-end tests only. Factories write rows directly: they are for *arranging* a test.
What a user does (publish, upload, grade, release) goes through the services, which is what the tests test.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone
from factory.declarations import LazyAttribute, SelfAttribute, Sequence, SubFactory
from factory.django import DjangoModelFactory

from kaohe.accounts.models import User
from kaohe.organisations.models import Membership, Organisation, Region
from kaohe.organisations.roles import Role
from kaohe.plans.constants import Adjustment, Level, Method
from kaohe.plans.models import AssessorDesk, Category, Indicator, Plan, PlanUnit, ScoringPolicy

PASSWORD = "Kaohe#2020demo"


class RegionFactory(DjangoModelFactory[Region]):
    class Meta:
        model = Region
        django_get_or_create = ("parent", "name")

    name = Sequence(lambda n: f"测试市{n}")
    level = Region.Level.CITY
    parent = None


class OrganisationFactory(DjangoModelFactory[Organisation]):
    class Meta:
        model = Organisation
        django_get_or_create = ("region", "name")

    name = Sequence(lambda n: f"测试单位{n}")
    kind = Organisation.Kind.DEPARTMENT
    region = SubFactory(RegionFactory)


class UserFactory(DjangoModelFactory[User]):
    """An account with the test password (or ``password=``); ``memberships=[(organisation, Role.X), ...]``."""

    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = Sequence(lambda n: f"user{n}")
    display_name = LazyAttribute(lambda o: f"{o.username}（测试）")

    @classmethod
    def _create(cls, model_class: type[User], *args: Any, **kwargs: Any) -> User:
        password = kwargs.pop("password", None) or PASSWORD
        memberships: list[tuple[Organisation, Role]] = kwargs.pop("memberships", None) or []
        user: User = super()._create(model_class, *args, **kwargs)
        user.set_password(password)
        user.save(update_fields=["password"])
        for organisation, role in memberships:
            Membership.objects.get_or_create(user=user, organisation=organisation, role=role)
        return user


class MembershipFactory(DjangoModelFactory[Membership]):
    class Meta:
        model = Membership
        django_get_or_create = ("user", "organisation", "role")

    user = SubFactory(UserFactory)
    organisation = SubFactory(OrganisationFactory)
    role = Role.UNIT


class PlanFactory(DjangoModelFactory[Plan]):
    """A draft plan with its scoring policy, as ``plans.services.plan_create`` makes it.

    ``published=True`` makes it published; ``policy={...}`` sets fields of its ScoringPolicy.
    """

    class Meta:
        model = Plan

    organiser = SubFactory(OrganisationFactory, kind=Organisation.Kind.OFFICE)
    year = 2020
    title = LazyAttribute(lambda o: f"{o.organiser.region.name}{o.year}年度依法行政考核")
    period_start = LazyAttribute(lambda o: dt.date(o.year, 1, 1))
    period_end = LazyAttribute(lambda o: dt.date(o.year, 12, 31))
    status = Plan.Status.DRAFT

    @classmethod
    def _create(cls, model_class: type[Plan], *args: Any, **kwargs: Any) -> Plan:
        policy: dict[str, Any] = kwargs.pop("policy", None) or {}
        if kwargs.pop("published", False):
            kwargs.update(status=Plan.Status.PUBLISHED, published_at=timezone.now())
        plan: Plan = super()._create(model_class, *args, **kwargs)
        ScoringPolicy.objects.create(plan=plan, **policy)
        return plan


class CategoryFactory(DjangoModelFactory[Category]):
    class Meta:
        model = Category
        django_get_or_create = ("plan", "name")

    plan = SubFactory(PlanFactory)
    name = Sequence(lambda n: f"类别{n}")
    full_score = Decimal(100)
    order = Sequence(int)


class DeskFactory(DjangoModelFactory[AssessorDesk]):
    """考核主体 (AssessorDesk): an organisation that grades tasks of the plan."""

    class Meta:
        model = AssessorDesk
        django_get_or_create = ("plan", "organisation")

    plan = SubFactory(PlanFactory)
    organisation = SubFactory(OrganisationFactory)
    seq = Sequence(lambda n: str(n + 1))


class UnitFactory(DjangoModelFactory[PlanUnit]):
    """考核对象 (PlanUnit): an organisation assessed in a category of the plan."""

    class Meta:
        model = PlanUnit
        django_get_or_create = ("plan", "organisation")

    category = SubFactory(CategoryFactory)
    plan = SelfAttribute("category.plan")
    organisation = SubFactory(OrganisationFactory)


class IndicatorFactory(DjangoModelFactory[Indicator]):
    """A node of a category's table. Default: a 报送资料 task; pass ``parent`` to hang it in a tree."""

    class Meta:
        model = Indicator

    category = SubFactory(CategoryFactory)
    plan = SelfAttribute("category.plan")
    parent = None
    level = Level.TASK
    code = Sequence(lambda n: f"9.9.{n}")
    order = Sequence(int)
    name = Sequence(lambda n: f"工作任务{n}")
    points = Decimal(10)
    method = Method.SUBMISSION
    deadline = LazyAttribute(lambda o: dt.date(o.plan.year, 12, 31) if o.method == Method.SUBMISSION else None)
    requirement = ""
    materials = ""
    assessor = None
    adjustment = Adjustment.NONE


def task(
    category: Category, code: str, points: Decimal | int | str, *, level1: str = "", level2: str = "", **fields: Any
) -> Indicator:
    """A task under its 二级 (made when missing) under its 一级, codes like ``"1.2.3"``; the parents' points grow.

    ``level1``/``level2`` name the parents when this call makes them (default 一级指标N / 二级指标N.M).
    """
    one, two, _ = code.split(".")
    parent1, _ = Indicator.objects.get_or_create(
        plan=category.plan,
        category=category,
        code=one,
        level=Level.LEVEL1,
        defaults={"order": _next_order(category), "name": level1 or f"一级指标{one}", "points": Decimal(0)},
    )
    parent2, _ = Indicator.objects.get_or_create(
        plan=category.plan,
        category=category,
        code=f"{one}.{two}",
        level=Level.LEVEL2,
        defaults={
            "order": _next_order(category),
            "parent": parent1,
            "name": level2 or f"二级指标{one}.{two}",
            "points": Decimal(0),
        },
    )
    points = Decimal(points)
    node = IndicatorFactory.create(
        category=category, parent=parent2, code=code, order=_next_order(category), points=points, **fields
    )
    if fields.get("adjustment", Adjustment.NONE) == Adjustment.NONE:
        for parent in (parent1, parent2):
            parent.points = (parent.points or Decimal(0)) + points
            parent.save(update_fields=["points"])
    else:
        for parent in (parent1, parent2):
            if parent.points == Decimal(0):
                parent.points = None
                parent.save(update_fields=["points"])
    return node


def _next_order(category: Category) -> int:
    last = Indicator.objects.filter(category=category).order_by("-order").values_list("order", flat=True).first()
    return (last or 0) + 1
