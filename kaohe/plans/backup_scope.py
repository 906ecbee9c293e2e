"""What a plan archive holds (``manage.py backup --plan``): chosen here, where plans live, for ``core.backup``.

Registered in ``PlansConfig.ready()`` through ``core.backup.register_plan_scope``; core writes, checks and
restores the archive without knowing what a plan is.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.db import models

from kaohe.accounts.models import User
from kaohe.core.backup import BackupError, backup_models, fk_target
from kaohe.core.models import AuditChainHead, AuditCheckpoint, AuditEvent
from kaohe.organisations.models import Membership, Organisation, Region
from kaohe.plans.models import Plan


def plan_scope(plan_id: int) -> tuple[dict[str, Any], dict[type[models.Model], models.QuerySet[Any]]]:
    """The archive's scope (for its manifest) and its rows, model by model."""
    plan = Plan.objects.filter(pk=plan_id).first()
    if plan is None:
        raise BackupError(f"考核方案 {plan_id} 不存在")
    scope = {"kind": "plan", "plan_id": plan.pk, "title": plan.title, "year": plan.year}
    return scope, plan_querysets(plan_id)


def _plan_paths(candidates: list[type[models.Model]]) -> dict[type[models.Model], str]:
    """For each model that belongs to a plan, the lookup from it to the plan's id (``submission__plan``)."""
    reference = {User, Organisation, Region, Membership, AuditEvent, AuditChainHead, AuditCheckpoint}
    paths: dict[type[models.Model], str] = {Plan: "pk"}
    changed = True
    while changed:
        changed = False
        for model in candidates:
            if model in paths or model in reference:
                continue
            for f in model._meta.concrete_fields:
                target = fk_target(f)
                if target is Plan:
                    paths[model] = f.name
                elif target in paths and target is not None:
                    paths[model] = f"{f.name}__{paths[target]}"
                else:
                    continue
                changed = True
                break
    return paths


def plan_querysets(plan_id: int) -> dict[type[models.Model], models.QuerySet[Any]]:
    """Every row a plan archive holds, model by model.

    - the plan's own rows: every model with a foreign-key path to the plan (or a plain ``plan_id``);
    - the whole audit log and the installation-wide reference data (holiday calendar);
    - the organisations (with their parents) and users those rows refer to, the regions of the
      organisations, the memberships in those organisations and the users holding them;
    - rows of other models that refer only to organisations and users already chosen.
    """
    group_model = apps.get_model("auth", "Group")
    people = {User, Organisation, Region, Membership, group_model}
    everything = backup_models(whole=False)
    paths = _plan_paths(everything)
    chosen: dict[type[models.Model], models.QuerySet[Any]] = {}
    follows_people: list[type[models.Model]] = []
    for model in everything:
        manager = model._base_manager
        if model in paths:
            chosen[model] = manager.filter(**{paths[model]: plan_id})
        elif model in (AuditEvent, AuditChainHead, AuditCheckpoint):
            chosen[model] = manager.all()
        elif any(f.attname == "plan_id" for f in model._meta.concrete_fields):  # e.g. notifications: a plain id
            chosen[model] = manager.filter(plan_id=plan_id)
        elif model in people:
            continue
        elif any(fk_target(f) in people for f in model._meta.concrete_fields):
            follows_people.append(model)
        else:
            chosen[model] = manager.all()  # installation-wide reference data (the holiday calendar)

    org_ids: set[int] = set()
    user_ids: set[int] = set()
    for model, rows in chosen.items():
        for f in model._meta.concrete_fields:
            target = fk_target(f)
            bucket = org_ids if target is Organisation else user_ids if target is User else None
            if bucket is not None:
                bucket.update(v for v in rows.values_list(f.attname, flat=True).distinct() if v is not None)
        for m2m in model._meta.many_to_many:
            if m2m.related_model is Organisation:  # e.g. the plan's member organisations
                org_ids.update(v for v in rows.values_list(m2m.name, flat=True) if v is not None)
    org_ids |= _ancestors(Organisation, org_ids)
    memberships = Membership._base_manager.filter(organisation_id__in=org_ids)
    user_ids.update(memberships.values_list("user_id", flat=True))
    region_ids = set(Organisation._base_manager.filter(pk__in=org_ids).values_list("region_id", flat=True))
    region_ids |= _ancestors(Region, region_ids)
    users = User._base_manager.filter(pk__in=user_ids)
    chosen[Region] = Region._base_manager.filter(pk__in=region_ids)
    chosen[Organisation] = Organisation._base_manager.filter(pk__in=org_ids)
    chosen[User] = users
    chosen[Membership] = memberships
    chosen[group_model] = group_model._base_manager.filter(pk__in=users.values("groups"))
    for model in follows_people:  # e.g. a user's password history: only for the users in the archive
        rows = model._base_manager.all()
        for f in model._meta.concrete_fields:
            target = fk_target(f)
            if target is not None and target in people:
                inside = models.Q(**{f"{f.attname}__in": chosen[target].values("pk")})
                rows = rows.filter(models.Q(**{f"{f.attname}__isnull": True}) | inside)
        chosen[model] = rows
    return {model: chosen[model].order_by("pk") for model in everything if model in chosen}


def _ancestors(model: type[models.Model], ids: set[int]) -> set[int]:
    found: set[int] = set()
    frontier = set(ids)
    while frontier:
        parents = set(model._base_manager.filter(pk__in=frontier, parent__isnull=False).values_list("parent_id", flat=True))
        frontier = parents - found - ids
        found |= parents
    return found
