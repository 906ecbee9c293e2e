"""E-mail copies of in-app notifications: only to users who opted in, after commit, failures logged not raised."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from django.core import mail
from django.db import transaction
from django.urls import reverse

from kaohe.accounts.models import User
from kaohe.core.models import AuditEvent
from kaohe.core.models_notification import Notification
from kaohe.core.notifications import notify_organisations
from kaohe.organisations.models import Membership
from kaohe.organisations.roles import Role

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def mail_settings(settings: Any) -> Any:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.TASKS = IMMEDIATE
    settings.KAOHE_SITE_URL = "https://kaohe.example.gov.cn"
    return settings


def _opt_in(user: User, email: str) -> None:
    user.email = email
    user.email_notifications = True
    user.save(update_fields=["email", "email_notifications"])


def _unit_org_id(user: User) -> int:
    return Membership.objects.get(user=user, role=Role.UNIT).organisation_id


def test_opted_in_members_get_an_email_with_a_link_others_only_the_in_app_notice(
    personas: Any, mail_settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    _opt_in(personas.unit, "wugang@example.gov.cn")
    personas.unit2.email = "sfj@example.gov.cn"  # an address but no opt-in: no e-mail
    personas.unit2.save(update_fields=["email"])
    orgs = [_unit_org_id(personas.unit), _unit_org_id(personas.unit2)]
    with django_capture_on_commit_callbacks(execute=True):
        sent = notify_organisations(
            organisation_ids=orgs,
            role=Role.UNIT,
            plan_id=None,
            title="请尽快报送资料",
            body="距报送截止还有3个工作日。",
            url="/plans/1/evidence/",
        )
    assert sent >= 2
    assert Notification.objects.filter(user=personas.unit2, title="请尽快报送资料").exists()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["wugang@example.gov.cn"]
    assert message.subject == "【依法行政考核】请尽快报送资料"
    assert "距报送截止还有3个工作日。" in message.body
    assert "查看详情：https://kaohe.example.gov.cn/plans/1/evidence/" in message.body
    assert "邮件通知" in message.body


def test_nothing_is_sent_before_commit_nor_when_the_transaction_rolls_back(
    personas: Any, mail_settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    _opt_in(personas.unit, "wugang@example.gov.cn")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notify_organisations(organisation_ids=[_unit_org_id(personas.unit)], role=Role.UNIT, plan_id=None, title="退回补充")
    assert mail.outbox == []  # scheduled, not sent inside the transaction
    assert len(callbacks) == 1

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                notify_organisations(organisation_ids=[_unit_org_id(personas.unit)], role=Role.UNIT, plan_id=None, title="回滚")
                raise RuntimeError("rolled back")
        except RuntimeError:
            pass
    assert callbacks == [] and mail.outbox == []


def test_opted_out_inactive_or_addressless_users_get_no_email(
    personas: Any, mail_settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    user = personas.unit
    user.email, user.email_notifications, user.is_active = "wugang@example.gov.cn", True, False
    user.save(update_fields=["email", "email_notifications", "is_active"])
    org = _unit_org_id(user)
    with django_capture_on_commit_callbacks(execute=True):
        notify_organisations(organisation_ids=[org], role=Role.UNIT, plan_id=None, title="停用账号")
    user.is_active, user.email = True, ""
    user.save(update_fields=["is_active", "email"])
    with django_capture_on_commit_callbacks(execute=True):
        notify_organisations(organisation_ids=[org], role=Role.UNIT, plan_id=None, title="没有邮箱")
    assert mail.outbox == []


def test_a_failing_mail_server_is_logged_and_does_not_break_the_caller(
    personas: Any, mail_settings: Any, django_capture_on_commit_callbacks: Any, monkeypatch: Any, caplog: Any
) -> None:
    _opt_in(personas.unit, "wugang@example.gov.cn")

    def broken(*args: Any, **kwargs: Any) -> int:
        raise OSError("connection refused")

    monkeypatch.setattr("kaohe.core.notification_mail.send_mail", broken)
    with caplog.at_level(logging.ERROR), django_capture_on_commit_callbacks(execute=True):
        created = notify_organisations(organisation_ids=[_unit_org_id(personas.unit)], role=Role.UNIT, plan_id=None, title="催报")
    assert created >= 1
    assert Notification.objects.filter(user=personas.unit, title="催报").exists()
    assert "notification e-mail to user" in caplog.text


def test_with_the_database_backend_the_email_waits_for_the_worker(
    personas: Any, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """Production: the request only enqueues a task row; `db_worker` sends it."""
    from django_tasks_db.models import DBTaskResult

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    _opt_in(personas.unit, "wugang@example.gov.cn")
    with django_capture_on_commit_callbacks(execute=True):
        notify_organisations(organisation_ids=[_unit_org_id(personas.unit)], role=Role.UNIT, plan_id=None, title="排队")
    assert mail.outbox == []
    row = DBTaskResult.objects.get()
    assert row.task_path == "kaohe.core.tasks.send_notification_emails"


# ------------------------------------------------------------------ the user's own choice (账号安全 → 邮件通知)


def test_a_user_opts_in_with_a_valid_address_and_out_again(personas: Any) -> None:
    client = personas.client(personas.unit)
    url = reverse("accounts:email_notifications")
    page = client.get(url)
    assert page.status_code == 200 and "同时通过电子邮件接收平台消息" in page.content.decode()

    missing = client.post(url, {"email": "", "email_notifications": "on"})
    assert missing.status_code == 400
    assert "接收邮件通知须填写有效的电子邮箱地址。" in missing.content.decode()
    invalid = client.post(url, {"email": "not-an-address", "email_notifications": "on"})
    assert invalid.status_code == 400
    assert "请输入有效的电子邮箱地址" in invalid.content.decode()
    personas.unit.refresh_from_db()
    assert personas.unit.email_notifications is False

    done = client.post(url, {"email": "wugang@example.gov.cn", "email_notifications": "on"})
    assert done.status_code == 302
    personas.unit.refresh_from_db()
    assert personas.unit.email_notifications is True and personas.unit.email == "wugang@example.gov.cn"
    event = AuditEvent.objects.filter(action="account.email_notifications").latest("seq")
    assert event.actor_id == personas.unit.pk and event.after["email_notifications"] is True

    client.post(url, {"email": "wugang@example.gov.cn"})
    personas.unit.refresh_from_db()
    assert personas.unit.email_notifications is False


def test_the_page_changes_only_ones_own_account(personas: Any) -> None:
    personas.client(personas.unit).post(
        reverse("accounts:email_notifications"), {"email": "wugang@example.gov.cn", "email_notifications": "on"}
    )
    for other in (personas.unit2, personas.office, personas.other_office):
        other.refresh_from_db()
        assert other.email_notifications is False
    assert personas.client(None).get(reverse("accounts:email_notifications")).status_code == 302
