"""Errors reach people as plain Chinese pages; a database failure mid-request shows no traceback and loses nothing."""

from __future__ import annotations

from django.db import OperationalError
from django.test import Client
from django.urls import reverse

from kaohe.plans.models import Plan


def test_database_going_away_mid_request_gives_a_clean_page_and_keeps_committed_data(personas, plan, monkeypatch):
    titles_before = list(Plan.objects.values_list("title", flat=True))
    client = personas.client(personas.office)
    client.raise_request_exception = False

    def gone(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr("kaohe.plans.selectors.category_summaries", gone)
    response = client.get(reverse("plans:detail", args=[plan.pk]))
    assert response.status_code == 500
    page = response.content.decode()
    assert "系统出错了" in page and "不会丢失" in page
    assert "Traceback" not in page and "OperationalError" not in page
    assert list(Plan.objects.values_list("title", flat=True)) == titles_before


def test_not_found_and_forbidden_pages_are_chinese(personas, plan):
    assert "页面不存在" in Client().get("/no-such-page/").content.decode()
    response = personas.client(personas.unit).get(reverse("plans:import", args=[plan.pk]))
    assert response.status_code == 403
    assert "没有权限" in response.content.decode()


def test_a_post_without_its_security_token_gets_the_sites_chinese_page(personas, settings):
    for debug in (False, True):
        settings.DEBUG = debug
        client = Client(enforce_csrf_checks=True)
        response = client.post(reverse("accounts:login"), {"username": "office", "password": "x"})
        assert response.status_code == 403
        page = response.content.decode()
        assert "安全校验未通过，操作未执行" in page and "刷新后重新操作" in page and "依法行政考核督导平台" in page
        assert "Cookie" in page  # no CSRF cookie was ever set: the page says what to check
        assert "DEBUG" not in page and "Forbidden" not in page and "CSRF verification failed" not in page
        # Logged in, with the cookie but a wrong token: the same page, inside the site's layout.
        user = personas.client(personas.office)
        user.handler.enforce_csrf_checks = True
        user.get(reverse("core:home"))
        refused = user.post(reverse("accounts:logout"), {"csrfmiddlewaretoken": "x" * 32})
        assert refused.status_code == 403
        page = refused.content.decode()
        assert "安全校验未通过" in page and 'data-testid="current-user"' in page and "DEBUG" not in page
        assert user.get(reverse("core:home")).status_code == 200  # nothing happened: still logged in
