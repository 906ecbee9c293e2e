from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from kaohe.accounts.models import User
from kaohe.organisations.admin import SystemAdminMixin


@admin.register(User)
class UserAdmin(SystemAdminMixin, BaseUserAdmin):  # type: ignore[misc,type-arg]
    fieldsets = (
        *(BaseUserAdmin.fieldsets or ()),
        ("平台", {"fields": ("display_name", "must_change_password", "password_changed_at")}),
    )
    list_display = ("username", "display_name", "is_active", "last_login")
