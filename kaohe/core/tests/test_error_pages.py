"""Errors reach people as plain Chinese pages; a database failure mid-request shows no traceback and loses nothing."""

from __future__ import annotations

from django.db import OperationalError
from django.test import Client
from django.urls import reverse

from kaohe.plans.models import Plan


def test_database_going_away_mid_request_gives_a_clean_page_and_keeps_committed_data(personas, demo_plan, monkeypatch):
    titles_before = list(Plan.objects.values_list("title", flat=True))
    client = personas.client(personas.office)
    client.raise_request_exception = False

    def gone(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr("kaohe.plans.selectors.category_summaries", gone)
    response = client.get(reverse("plans:detail", args=[demo_plan.pk]))
    assert response.status_code == 500
    page = response.content.decode()
    assert "系统出错了" in page and "不会丢失" in page
    assert "Traceback" not in page and "OperationalError" not in page
    assert list(Plan.objects.values_list("title", flat=True)) == titles_before


def test_not_found_and_forbidden_pages_are_chinese(personas, demo_plan):
    assert "页面不存在" in Client().get("/no-such-page/").content.decode()
    response = personas.client(personas.unit).get(reverse("plans:import", args=[demo_plan.pk]))
    assert response.status_code == 403
    assert "没有权限" in response.content.decode()
