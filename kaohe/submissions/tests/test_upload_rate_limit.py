"""A unit uploading too often is told to wait (429 + Retry-After, shown per file); nothing is stored meanwhile."""

from __future__ import annotations

import os

import pytest
from django.conf import settings as django_settings
from django.core.cache import caches
from django.urls import reverse

from kaohe.core import ratelimit
from kaohe.core.models import AuditEvent
from kaohe.core.ratelimit import MB
from kaohe.plans.constants import Level, Method
from kaohe.plans.models import Indicator
from kaohe.submissions.models import EvidenceFile
from kaohe.submissions.tests.conftest import pdf


class Clock:
    def __init__(self) -> None:
        self.t = 1_700_000_000.0

    def __call__(self) -> float:
        return self.t

    def advance(self, seconds: float) -> None:
        self.t += seconds


@pytest.fixture
def clock(monkeypatch, settings):
    """At most 3 files a minute and 1 MB an hour, on a fake clock, with empty counters."""
    settings.KAOHE_UPLOAD_RATE_FILES_PER_MINUTE = 3
    settings.KAOHE_UPLOAD_RATE_BYTES_PER_HOUR = 1 * MB
    caches["default"].clear()
    fake = Clock()
    monkeypatch.setattr(ratelimit, "now", fake)
    yield fake
    caches["default"].clear()


def upload_url(plan, unit, task):
    return reverse("submissions:upload", args=[plan.pk, unit.pk, task.pk])


def stored_files(plan, unit, task) -> int:
    folder = os.path.join(django_settings.MEDIA_ROOT, f"evidence/plan-{plan.pk}/unit-{unit.pk}/task-{task.pk}")
    return sum(len(names) for _, _, names in os.walk(folder))


def send(client, url, *names):
    return client.post(url, {"files": [pdf(n) for n in names]}, HTTP_ACCEPT="application/json")


def test_the_limit_answers_429_per_file_and_stores_nothing(personas, plan, wugang, task, in_window, clock):
    client = personas.client(personas.unit)
    url = upload_url(plan, wugang, task)
    for name in ("一.pdf", "二.pdf", "三.pdf"):  # as the page sends them: one file per request
        assert send(client, url, name).status_code == 200
    before = stored_files(plan, wugang, task)

    response = send(client, url, "四.pdf")
    assert response.status_code == 429
    assert response.json() == {"error": "上传过于频繁，请稍后再试（每分钟最多 3 个文件）", "files": []}
    assert 1 <= int(response["Retry-After"]) <= 65
    assert EvidenceFile.objects.filter(submission__unit=wugang).count() == 3
    assert stored_files(plan, wugang, task) == before
    event = AuditEvent.objects.get(action="evidence.rate_limited")
    assert (event.actor_id, event.plan_id, event.after["reason"]) == (personas.unit.pk, plan.pk, "files_per_minute")

    # hammering on does not flood the audit log, and is not counted
    assert send(client, url, "五.pdf").status_code == 429
    assert AuditEvent.objects.filter(action="evidence.rate_limited").count() == 1

    # once the window has passed, uploads go through again
    clock.advance(int(response["Retry-After"]))
    assert send(client, url, "四.pdf").status_code == 200
    assert EvidenceFile.objects.filter(submission__unit=wugang).count() == 4


def test_over_the_limit_the_body_is_never_read(personas, plan, wugang, task, in_window, clock, monkeypatch):
    client = personas.client(personas.unit)
    url = upload_url(plan, wugang, task)
    assert send(client, url, "一.pdf", "二.pdf", "三.pdf").status_code == 200

    def must_not_run(*args, **kwargs):
        raise AssertionError("the upload handler was installed: the body would be read")

    monkeypatch.setattr("kaohe.submissions.views.install_upload_handlers", must_not_run)
    assert send(client, url, "四.pdf").status_code == 429


def test_a_request_crossing_the_limit_is_refused_whole(personas, plan, wugang, task, in_window, clock):
    client = personas.client(personas.unit)
    url = upload_url(plan, wugang, task)
    assert send(client, url, "一.pdf", "二.pdf").status_code == 200
    response = send(client, url, "三.pdf", "四.pdf")  # 2 + 2 > 3: neither is kept
    assert response.status_code == 429
    assert EvidenceFile.objects.filter(submission__unit=wugang).count() == 2
    assert send(client, url, "三.pdf").status_code == 200  # the refused pair was not counted


def test_megabytes_per_hour(personas, plan, wugang, task, in_window, clock, settings):
    settings.KAOHE_UPLOAD_RATE_FILES_PER_MINUTE = 100
    settings.KAOHE_UPLOAD_RATE_BYTES_PER_HOUR = 100_000  # bytes; the body's Content-Length is checked first
    client = personas.client(personas.unit)
    url = upload_url(plan, wugang, task)
    big = b"%PDF-1.4\n" + b"0" * 60_000
    first = client.post(url, {"files": [pdf("甲.pdf", big)]}, HTTP_ACCEPT="application/json")
    assert first.status_code == 200
    second = client.post(url, {"files": [pdf("乙.pdf", big)]}, HTTP_ACCEPT="application/json")
    assert second.status_code == 429
    assert "每小时最多" in second.json()["error"]
    assert 3000 < int(second["Retry-After"]) <= 3660
    assert EvidenceFile.objects.filter(submission__unit=wugang).count() == 1
    clock.advance(int(second["Retry-After"]))
    assert client.post(url, {"files": [pdf("乙.pdf", big)]}, HTTP_ACCEPT="application/json").status_code == 200


def test_another_unit_is_not_affected(personas, plan, wugang, sfj, task, in_window, clock):
    client = personas.client(personas.unit)
    url = upload_url(plan, wugang, task)
    assert send(client, url, "一.pdf", "二.pdf", "三.pdf").status_code == 200
    assert send(client, url, "四.pdf").status_code == 429
    own_task = (  # 市司法局 (部门2) uploads to one of its own tasks meanwhile
        Indicator.objects.filter(plan=plan, category=sfj.category, level=Level.TASK, method=Method.SUBMISSION)
        .order_by("order")
        .first()
    )
    assert own_task is not None
    other = send(personas.client(personas.unit2), upload_url(plan, sfj, own_task), "司法局.pdf")
    assert other.status_code == 200, other.content


def test_without_javascript_the_refusal_is_a_page(personas, plan, wugang, task, in_window, clock):
    client = personas.client(personas.unit)
    url = upload_url(plan, wugang, task)
    assert client.post(url, {"files": [pdf(), pdf(), pdf()]}).status_code == 302
    response = client.post(url, {"files": [pdf()]}, HTTP_REFERER=f"http://testserver{url}")
    assert response.status_code == 429 and response["Retry-After"]
    body = response.content.decode()
    assert "上传过于频繁，请稍后再试（每分钟最多 3 个文件）" in body and "均未保存" in body


def test_limits_are_off_when_set_to_zero(personas, plan, wugang, task, in_window, clock, settings):
    settings.KAOHE_UPLOAD_RATE_FILES_PER_MINUTE = 0
    settings.KAOHE_UPLOAD_RATE_BYTES_PER_HOUR = 0
    client = personas.client(personas.unit)
    url = upload_url(plan, wugang, task)
    for i in range(3):
        assert send(client, url, *(f"{i}-{j}.pdf" for j in range(5))).status_code == 200
    assert EvidenceFile.objects.filter(submission__unit=wugang).count() == 15
