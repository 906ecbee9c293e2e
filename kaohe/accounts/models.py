from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.sessions.models import Session
from django.db import models, transaction
from django.utils import timezone

from kaohe.accounts.history import history_count


class User(AbstractUser):
    """A person with a platform account. Roles come from memberships in organisations."""

    display_name = models.CharField("姓名", max_length=50, blank=True)
    mobile = models.CharField("手机", max_length=20, blank=True)
    must_change_password = models.BooleanField("下次登录须修改密码", default=False)
    password_changed_at = models.DateTimeField("密码修改时间", null=True, blank=True)
    # Opt-in: every in-app notification is also sent to ``email`` (kaohe/core/notifications.py).
    email_notifications = models.BooleanField("接收邮件通知", default=False)

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"

    def __str__(self) -> str:
        return self.display_name or self.username

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Whenever a password was set (any path: forms, admin, demo, createsuperuser), stamp it and keep its hash.

        ``set_password`` leaves the raw value in ``_password`` until the next save; that is the signal.
        """
        update_fields = kwargs.get("update_fields")
        password_set = getattr(self, "_password", None) is not None and (update_fields is None or "password" in update_fields)
        if password_set:
            self.password_changed_at = timezone.now()
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "password_changed_at"}
        with transaction.atomic():
            super().save(*args, **kwargs)
            if password_set and self.has_usable_password():
                PasswordHistory.remember(self)


class PasswordHistory(models.Model):
    """The hashes of a user's recent passwords, newest first; only the last ``KAOHE_PASSWORD_HISTORY_COUNT`` are kept."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="用户", on_delete=models.CASCADE, related_name="password_history"
    )
    password = models.CharField("密码哈希", max_length=128)
    created_at = models.DateTimeField("设置时间", default=timezone.now)

    class Meta:
        verbose_name = "历史密码"
        verbose_name_plural = "历史密码"
        ordering: ClassVar[list[str]] = ["-created_at", "-pk"]
        indexes: ClassVar[list[models.Index]] = [models.Index(fields=["user", "-created_at"], name="password_history_user_idx")]

    def __str__(self) -> str:
        return f"{self.user_id} @ {self.created_at:%Y-%m-%d %H:%M}"

    @classmethod
    def remember(cls, user: User) -> None:
        cls.objects.create(user=user, password=user.password, created_at=user.password_changed_at or timezone.now())
        keep = list(cls.objects.filter(user=user).order_by("-created_at", "-pk").values_list("pk", flat=True)[: history_count()])
        cls.objects.filter(user=user).exclude(pk__in=keep).delete()


class UserSession(models.Model):
    """A logged-in session of a user (one row per Django session row; deleted with it by the cascade).

    The Django session itself (``django_session``) stays the authority: deleting it logs the session
    out, and its ``expire_date`` gives the last activity (sessions are saved on every request).
    """

    session = models.OneToOneField(Session, verbose_name="会话", on_delete=models.CASCADE, related_name="kaohe_user_session")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="用户", on_delete=models.CASCADE, related_name="login_sessions"
    )
    created_at = models.DateTimeField("登录时间", default=timezone.now)
    ip = models.CharField("登录IP地址", max_length=64, blank=True)
    last_ip = models.CharField("最近IP地址", max_length=64, blank=True)
    user_agent = models.CharField("浏览器", max_length=200, blank=True)

    class Meta:
        verbose_name = "登录会话"
        verbose_name_plural = "登录会话"
        ordering: ClassVar[list[str]] = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.user_id} · {self.created_at:%Y-%m-%d %H:%M} · {self.ip}"


class TotpDevice(models.Model):
    """A user's authenticator app (TOTP, RFC 6238). One per user; usable once confirmed with a code.

    The secret is stored encrypted (AES-GCM, see ``kaohe/accounts/totp.py``) and is shown only while the
    device is being set up; after confirmation nobody, administrators included, can read it in the UI.
    ``last_step`` is the time step of the last accepted code, so a code cannot be used twice.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name="用户", on_delete=models.CASCADE, related_name="totp_device"
    )
    encrypted_secret = models.CharField("密钥（已加密）", max_length=255)
    confirmed_at = models.DateTimeField("启用时间", null=True, blank=True)
    last_step = models.BigIntegerField("最近使用的时间步", null=True, blank=True)
    created_at = models.DateTimeField("创建时间", default=timezone.now)

    class Meta:
        verbose_name = "双因素认证设备"
        verbose_name_plural = "双因素认证设备"

    def __str__(self) -> str:
        return f"{self.user_id} · {'已启用' if self.confirmed_at else '待确认'}"

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None
