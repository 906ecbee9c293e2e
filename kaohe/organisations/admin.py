"""Django admin: accounts and organisations, for superusers (the operators) only.

The admin site admits only active superusers; everyone else gets the 403 page; the audit log and plan data are not registered
here, so the system administrator can neither read the audit trail nor change scores. Memberships are
shown read-only: roles change only on the account pages (``accounts:user_detail``), through the services
that enforce 三员分立. Every change of a region, organisation or account made here is an audit event.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import models, transaction
from django.http import HttpRequest

from kaohe.core import audit
from kaohe.organisations.models import Membership, Organisation, Region, RoleGrantProposal


def _is_system_admin(request: HttpRequest) -> bool:
    """Only an active superuser (the operators' account) enters ``/admin/``; every platform role, the system
    administrator's included, works on the platform's own pages (账号管理, 批量导入), which keep 三员分立 and regions."""
    return bool(request.user.is_active and request.user.is_superuser)


admin.site.has_permission = _is_system_admin  # type: ignore[method-assign]
admin.site.site_header = "依法行政考核督导平台 · 系统管理"
admin.site.site_title = "系统管理"
admin.site.index_title = "账号与组织机构"


class SystemAdminMixin:
    """Model admins open to active superusers only (``_is_system_admin``), not Django's per-model perms."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return _is_system_admin(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _is_system_admin(request)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return _is_system_admin(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _is_system_admin(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _is_system_admin(request)


def _field_values(obj: models.Model, names: list[str] | tuple[str, ...]) -> dict[str, Any]:
    """Plain values of the named fields (foreign keys as their text), for an audit event."""
    values: dict[str, Any] = {}
    for name in names:
        field = obj._meta.get_field(name)
        value = getattr(obj, name)
        values[name] = str(value) if isinstance(field, models.ForeignKey) and value is not None else value
    return values


class AuditedAdminMixin:
    """Saves and deletions made in the admin become audit events ``<audit_name>.create/change/delete``.

    A change records the changed fields before and after; nothing is recorded when nothing changed.
    """

    audit_name = ""
    audit_fields: tuple[str, ...] = ()

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        changed = [n for n in form.changed_data if n in self.audit_fields] if change else list(self.audit_fields)
        with transaction.atomic():
            before: dict[str, Any] = {}
            if change:
                stored = type(obj)._default_manager.filter(pk=obj.pk).first()
                before = _field_values(stored, changed) if stored is not None else {}
            super().save_model(request, obj, form, change)  # type: ignore[misc]
            if change and not changed:
                return
            audit.record(
                actor=request.user,
                action=f"{self.audit_name}.{'change' if change else 'create'}",
                obj=obj,
                organisation=obj if isinstance(obj, Organisation) else None,
                before=before or None,
                after=_field_values(obj, changed),
            )

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        with transaction.atomic():
            described = _field_values(obj, self.audit_fields)
            object_id, object_repr = obj.pk, str(obj)
            super().delete_model(request, obj)  # type: ignore[misc]
            audit.record(
                actor=request.user,
                action=f"{self.audit_name}.delete",
                object_repr=object_repr,
                before={"id": object_id, **described},
            )

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        """The changelist's "delete selected" action: one audited deletion per row."""
        with transaction.atomic():
            for obj in queryset:
                self.delete_model(request, obj)


@admin.register(Region)
class RegionAdmin(AuditedAdminMixin, SystemAdminMixin, admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("name", "level", "parent")
    search_fields = ("name",)
    audit_name = "region"
    audit_fields = ("name", "level", "parent")


@admin.register(Organisation)
class OrganisationAdmin(AuditedAdminMixin, SystemAdminMixin, admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("name", "kind", "region", "parent", "sort_key")
    list_filter = ("kind",)
    search_fields = ("name", "short_name")
    audit_name = "organisation"
    audit_fields = ("name", "short_name", "kind", "region", "parent", "sort_key")


class ReadOnlyAdminMixin(SystemAdminMixin):
    """Shown to the system administrator, but never added, changed or deleted in the admin (三员分立)."""

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Membership)
class MembershipAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):  # type: ignore[type-arg]
    """Read-only: roles are granted and revoked on the account pages (账号管理), where 三员分立 is enforced."""

    list_display = ("user", "organisation", "role", "created_at")
    list_filter = ("role",)
    search_fields = ("user__username", "organisation__name")


@admin.register(RoleGrantProposal)
class RoleGrantProposalAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("user", "organisation", "role", "proposed_by", "proposed_at", "status", "decided_by", "decided_at")
    list_filter = ("status", "role")
