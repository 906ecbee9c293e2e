"""Accounts in the Django admin (superusers only).

Creating an account or setting its password here gives an initial password: the user must change it
at the next login, and every session of theirs ends. Each act is audited. Password history, sessions
and second-factor devices are deliberately not registered: the system administrator cannot read them,
and resetting a lost second factor is the security administrator's act (三员分立).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import update_wrapper
from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from kaohe.accounts.forms import PolicyAdminPasswordChangeForm
from kaohe.accounts.models import User
from kaohe.core import audit
from kaohe.organisations.admin import SystemAdminMixin


def _login_through_the_platform(request: HttpRequest, extra_context: Any = None) -> HttpResponse:
    """The admin has no login form of its own: the platform's (lockout, second factor) is the only way in.

    A logged-in user who is not a superuser gets the 403 page (sending them to the login page, which sends
    logged-in users on to ``next``, would loop between the two).
    """
    if request.user.is_authenticated:
        if admin.site.has_permission(request):
            return redirect("admin:index")
        raise PermissionDenied("系统管理后台仅限超级用户（运维人员）使用。")
    return redirect_to_login(request.GET.get("next") or reverse("admin:index"), login_url=reverse("accounts:login"))


admin.site.login = _login_through_the_platform  # type: ignore[method-assign]

_admin_view = admin.site.admin_view


def _superusers_only(view: Callable[..., HttpResponse], cacheable: bool = False) -> Callable[..., HttpResponse]:
    """Every admin page answers a logged-in non-superuser with the 403 page at once (no detour via the login)."""
    wrapped = _admin_view(view, cacheable)

    def inner(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated and not admin.site.has_permission(request):
            raise PermissionDenied("系统管理后台仅限超级用户（运维人员）使用。")
        return wrapped(request, *args, **kwargs)

    return update_wrapper(inner, wrapped)


admin.site.admin_view = _superusers_only  # type: ignore[method-assign,assignment]

# Fields whose changes are security relevant and go into the audit event (never the password hash).
_AUDITED_FIELDS = ("username", "display_name", "email", "is_active", "is_staff", "is_superuser", "must_change_password")


@admin.register(User)
class UserAdmin(SystemAdminMixin, BaseUserAdmin):  # type: ignore[type-arg]
    # No groups or per-user Django permissions: the platform's powers come from memberships only, which
    # change on the account pages (三员分立), so nothing here could grant a power outside the audit trail.
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("个人信息", {"fields": ("display_name", "first_name", "last_name", "email")}),
        ("状态", {"fields": ("is_active", "is_staff", "is_superuser")}),
        ("平台", {"fields": ("must_change_password", "password_changed_at", "last_login", "date_joined")}),
    )
    readonly_fields = ("password_changed_at", "last_login", "date_joined")
    list_display = ("username", "display_name", "is_active", "must_change_password", "last_login")
    change_password_form = PolicyAdminPasswordChangeForm

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        before = {}
        if change:
            stored = User.objects.filter(pk=obj.pk).values(*_AUDITED_FIELDS).first() or {}
            before = {k: stored.get(k) for k in form.changed_data if k in _AUDITED_FIELDS}
        else:
            obj.must_change_password = True  # an initial password: to be changed at first login
        super().save_model(request, obj, form, change)
        after = {k: getattr(obj, k) for k in (form.changed_data if change else _AUDITED_FIELDS) if k in _AUDITED_FIELDS}
        if change and not after:
            return
        audit.record(
            actor=request.user,
            action="account.change" if change else "account.create",
            obj=obj,
            object_repr=obj.username,
            before=before or None,
            after=after,
        )

    def delete_model(self, request: HttpRequest, obj: User) -> None:
        with transaction.atomic():
            described = {"id": obj.pk, **{k: getattr(obj, k) for k in _AUDITED_FIELDS}}
            super().delete_model(request, obj)
            audit.record(actor=request.user, action="account.delete", object_repr=described["username"], before=described)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        """The changelist's "delete selected" action: one audited deletion per account."""
        with transaction.atomic():
            for obj in queryset:
                self.delete_model(request, obj)
