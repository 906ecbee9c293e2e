"""Upload rate limits: the counting (fake clock, no database) and the attachment forms that carry the decorator."""

from __future__ import annotations

import uuid

import pytest
from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from kaohe.core import ratelimit
from kaohe.core.models import AuditEvent
from kaohe.core.ratelimit import MB, Decision, Limits, UploadRateLimiter, Usage, decide

T0 = 1_700_000_000.0  # a whole minute, so bucket edges are easy to reason about


class Clock:
    def __init__(self, start: float = T0) -> None:
        self.t = start

    def __call__(self) -> float:
        return self.t

    def advance(self, seconds: float) -> None:
        self.t += seconds


def make(files: int = 3, mb: int = 10) -> tuple[UploadRateLimiter, Clock]:
    clock = Clock()
    # A fresh name each time: LocMemCache shares its store between instances of one name, and id() of a freed
    # clock is reused, so a name built from it could hand one test another's counts (a flaky failure seen once).
    cache = LocMemCache(f"ratelimit-test-{uuid.uuid4()}", {})
    return UploadRateLimiter(Limits(files_per_minute=files, bytes_per_hour=mb * MB), cache=cache, clock=clock), clock


# --- the counting ---------------------------------------------------------------------------------------


def test_files_per_minute_refuses_the_next_file_with_a_message_and_a_wait():
    limiter, clock = make(files=3)
    for _ in range(3):
        assert limiter.consume(1, files=1, nbytes=100).allowed
        clock.advance(1)
    refused = limiter.consume(1, files=1, nbytes=100)
    assert not refused.allowed
    assert refused.reason == "files_per_minute"
    assert refused.message == "上传过于频繁，请稍后再试（每分钟最多 3 个文件）"
    assert 1 <= refused.retry_after <= 65
    # the refusal was not counted: after the wait exactly one more file fits again
    clock.advance(refused.retry_after)
    assert limiter.consume(1, files=1, nbytes=100).allowed


def test_window_expiry_lets_uploads_through_again():
    limiter, clock = make(files=2)
    assert limiter.consume(7, files=2, nbytes=10).allowed
    assert not limiter.check(7, files=1, nbytes=10).allowed
    clock.advance(59)
    assert not limiter.check(7, files=1, nbytes=10).allowed  # still inside the minute
    clock.advance(6)  # 65 s: past the minute plus one 5-second bucket
    assert limiter.check(7, files=1, nbytes=10).allowed
    assert limiter.consume(7, files=2, nbytes=10).allowed


def test_a_file_counts_for_at_least_a_full_minute():
    """Strict: never more than N files in any 60 seconds, whatever the bucket edges."""
    limiter, clock = make(files=1)
    clock.advance(4.9)  # at the end of a 5-second bucket
    assert limiter.consume(1, files=1, nbytes=1).allowed
    clock.advance(59.9)
    assert not limiter.check(1, files=1, nbytes=1).allowed
    clock.advance(0.2)
    assert limiter.check(1, files=1, nbytes=1).allowed


def test_bytes_per_hour_counts_every_file_and_says_so():
    limiter, clock = make(files=100, mb=10)
    assert limiter.consume(1, files=1, nbytes=6 * MB).allowed
    clock.advance(600)
    refused = limiter.consume(1, files=1, nbytes=5 * MB)
    assert not refused.allowed and refused.reason == "bytes_per_hour"
    assert refused.message == "上传过于频繁，请稍后再试（每小时最多 10 MB）"
    assert 3000 <= refused.retry_after <= 3060  # when the first 6 MB leave the hour
    assert limiter.consume(1, files=1, nbytes=4 * MB).allowed  # what still fits is admitted
    clock.advance(refused.retry_after)
    assert limiter.consume(1, files=1, nbytes=5 * MB).allowed


def test_users_are_counted_apart():
    limiter, _ = make(files=1)
    assert limiter.consume(1, files=1, nbytes=1).allowed
    assert not limiter.consume(1, files=1, nbytes=1).allowed
    assert limiter.consume(2, files=1, nbytes=1).allowed


def test_a_request_larger_than_the_limit_waits_a_full_window():
    limiter, _ = make(files=2)
    refused = limiter.check(1, files=3, nbytes=1)
    assert not refused.allowed and refused.retry_after == 65


def test_zero_switches_a_limit_off():
    limiter, _ = make(files=0, mb=0)
    assert not limiter.limits.active
    for _ in range(1000):
        assert limiter.consume(1, files=20, nbytes=200 * MB).allowed
    only_files = Limits(files_per_minute=1, bytes_per_hour=0)
    assert decide(Usage(), T0, only_files, files=1, nbytes=10**12).allowed


def test_record_counts_even_over_the_limit():
    limiter, _ = make(files=1)
    limiter.record(1, files=1, nbytes=1)
    limiter.record(1, files=1, nbytes=1)
    assert limiter.usage(1).files_in_minute(T0) == 2


def test_usage_stays_small_and_survives_garbage():
    limiter, clock = make(files=10_000, mb=10_000)
    for _ in range(2 * 3600 // 2):  # one file every 2 seconds for two hours
        assert limiter.consume(1, files=1, nbytes=1).allowed
        clock.advance(2)
    usage = limiter.usage(1)
    assert len(usage.files) <= 13 and len(usage.bytes) <= 61
    assert Usage.load("garbage") == Usage() and Usage.load({"f": [["x", 1]]}) == Usage()


def test_a_broken_cache_lets_uploads_through():
    class Broken(LocMemCache):
        def get(self, *args, **kwargs):
            raise RuntimeError("no such table: kaohe_cache")

    limiter = UploadRateLimiter(Limits(files_per_minute=1), cache=Broken("broken", {}), clock=Clock())
    assert limiter.check(1, files=5, nbytes=1) == Decision(allowed=True)
    assert limiter.consume(1, files=5, nbytes=1).allowed


def test_limits_come_from_settings(settings):
    settings.KAOHE_UPLOAD_RATE_FILES_PER_MINUTE = 4
    settings.KAOHE_UPLOAD_RATE_BYTES_PER_HOUR = 7 * MB
    assert ratelimit.limiter().limits == Limits(files_per_minute=4, bytes_per_hour=7 * MB)


# --- the attachment forms (加分申请 here; 复核申请 carries the same decorator) ------------------------------

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture
def clock(monkeypatch, settings):
    settings.KAOHE_UPLOAD_RATE_FILES_PER_MINUTE = 2
    settings.KAOHE_UPLOAD_RATE_BYTES_PER_HOUR = 100 * MB
    caches["default"].clear()
    fake = Clock()
    monkeypatch.setattr(ratelimit, "now", fake)
    yield fake
    caches["default"].clear()


def test_bonus_application_attachments_are_rate_limited(personas, plan, clock):
    from kaohe.scoring.models import BonusApplication

    client = personas.client(personas.unit)
    url = reverse("scoring:bonus_apply", args=[plan.pk])

    def apply(matter: str):
        evidence = SimpleUploadedFile("表彰决定.pdf", PDF, content_type="application/pdf")
        return client.post(url, {"kind": "award", "matter": matter, "evidence": evidence}, HTTP_REFERER="http://testserver/x")

    assert apply("省级表彰一").status_code == 302
    assert apply("省级表彰二").status_code == 302
    response = apply("省级表彰三")
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 65
    assert "上传过于频繁，请稍后再试（每分钟最多 2 个文件）" in response.content.decode()
    assert 'href="/x"' in response.content.decode()  # the page it came from, as a path of this site
    assert list(BonusApplication.objects.values_list("matter", flat=True).order_by("matter")) == ["省级表彰一", "省级表彰二"]
    event = AuditEvent.objects.get(action="evidence.rate_limited")
    assert event.actor_id == personas.unit.pk and event.plan_id == plan.pk
    assert event.after["reason"] == "files_per_minute"
    # another user is not affected
    assert personas.client(personas.unit2).post(url, {"kind": "award", "matter": "无附件"}).status_code != 429
    clock.advance(int(response["Retry-After"]))
    assert apply("省级表彰三").status_code == 302


def test_the_refusal_page_never_links_elsewhere(personas, plan, clock, settings):
    settings.KAOHE_UPLOAD_RATE_FILES_PER_MINUTE = 0
    settings.KAOHE_UPLOAD_RATE_BYTES_PER_HOUR = 1  # one byte an hour: every upload is refused before its body
    url = reverse("scoring:bonus_apply", args=[plan.pk])
    response = personas.client(personas.unit).post(url, {"kind": "award", "matter": "x"}, HTTP_REFERER="https://evil.example/")
    assert response.status_code == 429
    assert "evil.example" not in response.content.decode()
    assert "上传过于频繁，请稍后再试（每小时最多" in response.content.decode()
