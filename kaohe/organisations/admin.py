"""Django admin: accounts and organisations, for the system administrator only (三员分立).

The admin site admits only holders of ``admin:site``; the audit log and plan data are not registered
here, so the system administrator can neither read the audit trail nor change scores.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from kaohe.organisations import access
from kaohe.organisations.models import Membership, Organisation, Region


def _is_system_admin(request: HttpRequest) -> bool:
    return bool(request.user.is_active and access.can(request.user, "admin:site"))


admin.site.has_permission = _is_system_admin  # type: ignore[method-assign]
admin.site.site_header = "依法行政考核督导平台 · 系统管理"
admin.site.site_title = "系统管理"
admin.site.index_title = "账号与组织机构"


class SystemAdminMixin:
    """Model admins whose permissions follow the ``admin:site`` capability, not Django's per-model perms."""

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


@admin.register(Region)
class RegionAdmin(SystemAdminMixin, admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("name", "level", "parent")
    search_fields = ("name",)


@admin.register(Organisation)
class OrganisationAdmin(SystemAdminMixin, admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("name", "kind", "region", "parent", "sort_key")
    list_filter = ("kind",)
    search_fields = ("name", "short_name")


@admin.register(Membership)
class MembershipAdmin(SystemAdminMixin, admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("user", "organisation", "role")
    list_filter = ("role",)
    search_fields = ("user__username", "organisation__name")
    autocomplete_fields = ("organisation",)
