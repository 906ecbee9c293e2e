"""我的登录会话: a user sees and ends only their own sessions; "log out everywhere" really logs out."""

from __future__ import annotations

import datetime as dt

from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from conftest import PASSWORD
from kaohe.accounts.models import UserSession
from kaohe.accounts.tests.conftest import is_logged_in, login
from kaohe.core.models import AuditEvent


def test_sessions_page_lists_only_own_sessions_with_the_current_one_marked(personas):
    first, _ = login("office", user_agent="Firefox/office-laptop")
    second, _ = login("office", user_agent="Chrome/office-phone")
    login("unit_wugang", user_agent="Edge/unit-desk")
    page = first.get(reverse("accounts:sessions"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Firefox/office-laptop" in html and "Chrome/office-phone" in html
    assert "Edge/unit-desk" not in html
    assert html.count('data-testid="current-session"') == 1
    assert "127.0.0.1" in html
    rows = page.context["rows"]
    current = [r for r in rows if r["current"]]
    assert len(rows) == 2 and current[0]["row"].user_agent == "Firefox/office-laptop"
    assert is_logged_in(second)


def test_another_users_session_is_not_found(personas):
    office, _ = login("office")
    unit, _ = login("unit_wugang")
    theirs = UserSession.objects.get(user=personas.unit)
    response = office.post(reverse("accounts:session_end", args=[theirs.pk]))
    assert response.status_code == 404
    assert is_logged_in(unit)
    assert office.get(reverse("accounts:session_end", args=[theirs.pk])).status_code == 405
    assert not AuditEvent.objects.filter(action="auth.session_end").exists()


def test_ending_one_session_logs_that_browser_out(personas):
    here, _ = login("desk_yfxz", user_agent="Here/1")
    there, _ = login("desk_yfxz", user_agent="There/1")
    row = UserSession.objects.get(user=personas.desk, user_agent="There/1")
    response = here.post(reverse("accounts:session_end", args=[row.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("accounts:sessions")
    assert not is_logged_in(there)
    assert is_logged_in(here)
    assert not Session.objects.filter(session_key=row.session_id).exists()
    event = AuditEvent.objects.filter(action="auth.session_end").latest("seq")
    assert event.actor_id == personas.desk.pk and event.before["user_agent"] == "There/1"


def test_ending_the_current_session_is_a_logout(personas):
    client, _ = login("viewer")
    row = UserSession.objects.get(user=personas.viewer)
    response = client.post(reverse("accounts:session_end", args=[row.pk]))
    assert response["Location"] == reverse("accounts:login")
    assert not is_logged_in(client)
    assert AuditEvent.objects.filter(action="auth.logout", actor_id=personas.viewer.pk).exists()


def test_log_out_everywhere_else(personas):
    mine, _ = login("office", user_agent="Mine/1")
    others = [login("office", user_agent=f"Other/{i}")[0] for i in range(2)]
    forced = personas.client(personas.office)  # a session opened without the form (still tracked)
    unit, _ = login("unit_wugang")
    response = mine.post(reverse("accounts:sessions_end_others"))
    assert response.status_code == 302
    assert all(not is_logged_in(c) for c in [*others, forced])
    assert is_logged_in(mine)
    assert is_logged_in(unit)  # somebody else's session is untouched
    event = AuditEvent.objects.filter(action="auth.sessions_end_others").latest("seq")
    assert event.actor_id == personas.office.pk and event.after == {"ended": 3}
    page = mine.get(reverse("accounts:sessions")).content.decode()
    assert "Other/0" not in page and "退出其他所有会话" not in page


def test_untracked_sessions_are_ended_too(personas):
    """Sessions opened before this feature existed have no tracking row; log out everywhere still finds them."""
    old, _ = login("office", user_agent="Old/1")
    UserSession.objects.filter(user=personas.office, user_agent="Old/1").delete()
    mine, _ = login("office")
    mine.post(reverse("accounts:sessions_end_others"))
    assert not is_logged_in(old)
    assert is_logged_in(mine)


def test_changing_the_password_ends_other_sessions_and_keeps_this_one(personas):
    mine, _ = login("unit_sfj", user_agent="Mine/1")
    other, _ = login("unit_sfj", user_agent="Other/1")
    response = mine.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": "Changed#2021x", "new_password2": "Changed#2021x"},
    )
    assert response.status_code == 302
    assert is_logged_in(mine)
    assert not is_logged_in(other)
    # The current session keeps its tracking row under its new key.
    page = mine.get(reverse("accounts:sessions"))
    assert [r["row"].user_agent for r in page.context["rows"]] == ["Mine/1"]
    assert page.context["rows"][0]["current"]


def test_expired_sessions_are_cleaned_up(personas):
    client, _ = login("office", user_agent="Now/1")
    login("office", user_agent="Stale/1")
    row = UserSession.objects.get(user=personas.office, user_agent="Stale/1")
    Session.objects.filter(session_key=row.session_id).update(expire_date=timezone.now() - dt.timedelta(minutes=1))
    page = client.get(reverse("accounts:sessions")).content.decode()
    assert "Stale/1" not in page
    assert not UserSession.objects.filter(pk=row.pk).exists()


def test_a_new_ip_address_is_noted_by_the_middleware(personas, policy_middleware):
    client, _ = login("office", user_agent="Roaming/2")
    client.get(reverse("core:home"), REMOTE_ADDR="10.1.2.3")
    row = UserSession.objects.get(user=personas.office, user_agent="Roaming/2")
    assert (row.ip, row.last_ip) == ("127.0.0.1", "10.1.2.3")


def test_anonymous_is_sent_to_login(db):
    from django.test import Client

    for name in ("accounts:sessions", "accounts:totp"):
        response = Client().get(reverse(name))
        assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))
    response = Client().post(reverse("accounts:sessions_end_others"))
    assert response["Location"].startswith(reverse("accounts:login"))
