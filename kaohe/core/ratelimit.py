"""Per-user upload rate limits: at most N files a minute and M MB an hour, counted in Django's cache.

Two settings (environment variables in README "Configuration"), 0 switching a limit off:

- ``KAOHE_UPLOAD_RATE_FILES_PER_MINUTE`` (default 30): files received from one user in any 60 seconds;
- ``KAOHE_UPLOAD_RATE_BYTES_PER_HOUR`` (``KAOHE_UPLOAD_RATE_MB_PER_HOUR``, default 2,000 MB): bytes in any hour.

Keep them at or above the per-request limits (``KAOHE_EVIDENCE_MAX_FILES``, ``KAOHE_EVIDENCE_MAX_MB``), or a
request at those limits is refused whatever the history.

How an upload view uses it (the evidence upload in ``kaohe/submissions/views.py``; the attachment forms
carry :func:`limit_upload_rate`):

1. **before the body is read** — :func:`refuse_early` checks one more file and ``Content-Length`` more
   bytes against what the user sent recently; over a limit it answers HTTP 429 at once (with
   ``Retry-After``), so the body is never read or spooled;
2. **after the body is parsed, before anything is stored** — :func:`refuse_files` counts the files and bytes
   actually received and records them (over a limit: 429, nothing stored).

Refused requests are not counted, so waiting ``Retry-After`` seconds is always enough. Each refusal is
an audit event ``evidence.rate_limited`` (at most one per user a minute, so a script hammering the
server cannot flood the audit log).

The counting is pure (:func:`decide`, :class:`Usage`) and tested with a fake clock. Usage is kept in
buckets: 5-second buckets for the minute, 1-minute buckets for the hour; a bucket counts until its end
plus the window, so "at most N in any 60 seconds" holds strictly (a file may count up to one bucket
longer). One cache entry per user holds both lists (at most 13 + 61 small pairs).

The cache must be shared by every app server (``CACHES`` in config/settings.py: the database cache in
production, ``manage.py createcachetable``). If the cache fails (e.g. the table was never created) the
limiter logs the error and lets the upload through: a missing counter must not stop a deadline rush.
Concurrent requests of one user serialise on a short cache lock (``cache.add``).
"""

from __future__ import annotations

import functools
import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.cache import BaseCache, caches
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render

from kaohe.core.redirects import referer_path

logger = logging.getLogger(__name__)

MINUTE = 60
HOUR = 3600
FILE_BUCKET = 5  # seconds per bucket of the minute window
BYTE_BUCKET = 60  # seconds per bucket of the hour window
MB = 1024 * 1024
DEFAULT_FILES_PER_MINUTE = 30
DEFAULT_BYTES_PER_HOUR = 2000 * MB
AUDIT_ACTION = "evidence.rate_limited"

Buckets = list[tuple[int, int]]  # (bucket start in whole seconds, amount), oldest first


@dataclass(frozen=True)
class Limits:
    files_per_minute: int = DEFAULT_FILES_PER_MINUTE  # 0 = no limit
    bytes_per_hour: int = DEFAULT_BYTES_PER_HOUR  # 0 = no limit

    @property
    def active(self) -> bool:
        return self.files_per_minute > 0 or self.bytes_per_hour > 0

    @classmethod
    def from_settings(cls) -> Limits:
        return cls(
            files_per_minute=int(getattr(settings, "KAOHE_UPLOAD_RATE_FILES_PER_MINUTE", DEFAULT_FILES_PER_MINUTE)),
            bytes_per_hour=int(getattr(settings, "KAOHE_UPLOAD_RATE_BYTES_PER_HOUR", DEFAULT_BYTES_PER_HOUR)),
        )


@dataclass(frozen=True)
class Decision:
    allowed: bool
    retry_after: int = 0  # seconds, >= 1 when refused
    message: str = ""
    reason: str = ""  # "files_per_minute" or "bytes_per_hour" when refused


ALLOWED = Decision(allowed=True)


def files_message(limit: int) -> str:
    return f"上传过于频繁，请稍后再试（每分钟最多 {limit} 个文件）"


def bytes_message(limit: int) -> str:
    return f"上传过于频繁，请稍后再试（每小时最多 {limit // MB} MB）"


def _live(buckets: Buckets, now: float, window: int, width: int) -> Buckets:
    """The buckets still inside the window: a bucket counts until its end plus the window."""
    return [(start, amount) for start, amount in buckets if start + width + window > now]


def _added(buckets: Buckets, now: float, width: int, amount: int) -> Buckets:
    start = int(now // width) * width
    if buckets and buckets[-1][0] == start:
        return [*buckets[:-1], (start, buckets[-1][1] + amount)]
    return [*buckets, (start, amount)]


def _wait(buckets: Buckets, now: float, window: int, width: int, amount: int, limit: int) -> int | None:
    """Seconds until ``amount`` more fits under ``limit`` (None: it fits now)."""
    used = sum(n for _, n in buckets)
    excess = used + amount - limit
    if excess <= 0:
        return None
    if amount > limit:
        return window + width  # never fits: the honest answer is "after a full window"
    freed = 0
    for start, n in buckets:
        freed += n
        if freed >= excess:
            return max(1, math.ceil(start + width + window - now))
    return window + width  # unreachable when buckets are live; kept for safety


@dataclass
class Usage:
    """One user's recent uploads: file counts per 5-second bucket, bytes per 1-minute bucket."""

    files: Buckets = field(default_factory=list)
    bytes: Buckets = field(default_factory=list)

    def pruned(self, now: float) -> Usage:
        return Usage(_live(self.files, now, MINUTE, FILE_BUCKET), _live(self.bytes, now, HOUR, BYTE_BUCKET))

    def added(self, now: float, *, files: int, nbytes: int) -> Usage:
        live = self.pruned(now)
        return Usage(
            _added(live.files, now, FILE_BUCKET, files) if files else live.files,
            _added(live.bytes, now, BYTE_BUCKET, nbytes) if nbytes else live.bytes,
        )

    def files_in_minute(self, now: float) -> int:
        return sum(n for _, n in self.pruned(now).files)

    def bytes_in_hour(self, now: float) -> int:
        return sum(n for _, n in self.pruned(now).bytes)

    def dump(self) -> dict[str, list[list[int]]]:
        return {"f": [list(b) for b in self.files], "b": [list(b) for b in self.bytes]}

    @classmethod
    def load(cls, data: Any) -> Usage:
        if not isinstance(data, dict):
            return cls()
        try:
            return cls(
                [(int(s), int(n)) for s, n in data.get("f", [])],
                [(int(s), int(n)) for s, n in data.get("b", [])],
            )
        except (TypeError, ValueError):
            return cls()


def decide(usage: Usage, now: float, limits: Limits, *, files: int, nbytes: int) -> Decision:
    """May ``files`` more files of ``nbytes`` in total be received now? Pure: no cache, no clock."""
    live = usage.pruned(now)
    if limits.files_per_minute > 0 and files > 0:
        wait = _wait(live.files, now, MINUTE, FILE_BUCKET, files, limits.files_per_minute)
        if wait is not None:
            return Decision(False, wait, files_message(limits.files_per_minute), "files_per_minute")
    if limits.bytes_per_hour > 0 and nbytes > 0:
        wait = _wait(live.bytes, now, HOUR, BYTE_BUCKET, nbytes, limits.bytes_per_hour)
        if wait is not None:
            return Decision(False, wait, bytes_message(limits.bytes_per_hour), "bytes_per_hour")
    return ALLOWED


def now() -> float:
    """Seconds since the epoch (tests replace this module attribute with a fake clock)."""
    return time.time()


class UploadRateLimiter:
    """Reads and records one user's usage in a cache; ``clock`` and ``cache`` are injectable for tests."""

    LOCK_SECONDS = 5
    LOCK_WAIT = 1.0

    def __init__(self, limits: Limits, *, cache: BaseCache | None = None, clock: Callable[[], float] | None = None) -> None:
        self.limits = limits
        self.cache = cache if cache is not None else caches["default"]
        self.clock = clock if clock is not None else now

    @staticmethod
    def key(user_id: object) -> str:
        return f"kaohe:upload-rate:{user_id}"

    def usage(self, user_id: object) -> Usage:
        return Usage.load(self.cache.get(self.key(user_id)))

    def check(self, user_id: object, *, files: int, nbytes: int) -> Decision:
        """Would this upload be admitted? Records nothing."""
        if not self.limits.active:
            return ALLOWED
        try:
            usage = self.usage(user_id)
        except Exception:
            logger.exception("upload rate limit: cache unavailable, upload let through")
            return ALLOWED
        return decide(usage, self.clock(), self.limits, files=files, nbytes=nbytes)

    def consume(self, user_id: object, *, files: int, nbytes: int) -> Decision:
        """Admit and record this upload, or refuse it and record nothing."""
        return self._update(user_id, files=files, nbytes=nbytes, force=False)

    def record(self, user_id: object, *, files: int, nbytes: int) -> None:
        """Count an upload that was already received, whatever the limits say (the attachment forms)."""
        self._update(user_id, files=files, nbytes=nbytes, force=True)

    def _update(self, user_id: object, *, files: int, nbytes: int, force: bool) -> Decision:
        if not self.limits.active:
            return ALLOWED
        key = self.key(user_id)
        try:
            locked = self._lock(key)
            try:
                now = self.clock()
                usage = self.usage(user_id)
                decision = decide(usage, now, self.limits, files=files, nbytes=nbytes)
                if decision.allowed or force:
                    self.cache.set(key, usage.added(now, files=files, nbytes=nbytes).dump(), timeout=HOUR + 2 * BYTE_BUCKET)
                return decision
            finally:
                if locked:
                    self.cache.delete(f"{key}:lock")
        except Exception:
            logger.exception("upload rate limit: cache unavailable, upload let through uncounted")
            return ALLOWED

    def _lock(self, key: str) -> bool:
        deadline = time.monotonic() + self.LOCK_WAIT
        while not self.cache.add(f"{key}:lock", 1, timeout=self.LOCK_SECONDS):
            if time.monotonic() > deadline:
                return False  # a stuck lock expires by itself; counting slightly loosely beats blocking
            time.sleep(0.02)
        return True


def limiter() -> UploadRateLimiter:
    return UploadRateLimiter(Limits.from_settings())


# --- in views -------------------------------------------------------------------------------------------


def _content_length(request: HttpRequest) -> int:
    try:
        return max(0, int(request.META.get("CONTENT_LENGTH") or 0))
    except ValueError:
        return 0


def refuse_early(request: HttpRequest, plan_id: int | None = None) -> HttpResponse | None:
    """Before the body is read: a 429 if one more file of ``Content-Length`` bytes is over a limit."""
    user = request.user
    if not user.is_authenticated:
        return None
    decision = limiter().check(user.pk, files=1, nbytes=_content_length(request))
    return None if decision.allowed else refused(request, decision, plan_id=plan_id)


def refuse_files(request: HttpRequest, files: list[Any], plan_id: int | None = None) -> HttpResponse | None:
    """After the body is parsed, before storing: count these files (a 429 and nothing counted if over)."""
    decision = limiter().consume(request.user.pk, files=len(files), nbytes=sum(int(f.size or 0) for f in files))
    return None if decision.allowed else refused(request, decision, plan_id=plan_id)


def refused(request: HttpRequest, decision: Decision, *, plan_id: int | None = None) -> HttpResponse:
    """The 429 answer: JSON for the upload page's script (shown per file), otherwise a short page."""
    _audit(request, decision, plan_id)
    response: HttpResponse
    if request.headers.get("Accept", "").startswith("application/json"):
        response = JsonResponse({"error": decision.message, "files": []}, status=429, json_dumps_params={"ensure_ascii": False})
    else:
        back = referer_path(request, default="/")
        response = render(
            request,
            "errors/429.html",
            {"message": decision.message, "retry_after": decision.retry_after, "back": back},
            status=429,
        )
    response["Retry-After"] = str(decision.retry_after)
    return response


def _audit(request: HttpRequest, decision: Decision, plan_id: int | None) -> None:
    from kaohe.core import audit

    try:
        first = limiter().cache.add(f"{UploadRateLimiter.key(request.user.pk)}:audited", 1, timeout=MINUTE)
    except Exception:
        first = True
    if not first:
        return
    audit.record(
        actor=request.user,
        action="evidence.rate_limited",
        plan_id=plan_id,
        object_repr="上传频率限制",
        after={"reason": decision.reason, "retry_after": decision.retry_after, "path": request.path},
    )


def limit_upload_rate(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """For a form that takes one attachment: refuse before the body is read, count what was received.

    Put it above ``@limit_uploads`` so it runs first. The files are counted after the view ran (one
    attachment per request, so the early check of one file is exact for the file count).
    """

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        plan_id = kwargs.get("plan_id")
        if request.method == "POST" and (answer := refuse_early(request, plan_id)) is not None:
            return answer
        response = view(request, *args, **kwargs)
        parsed = getattr(request, "_files", None)  # set only once the view has parsed the body
        received = [f for name in parsed for f in parsed.getlist(name)] if parsed else []
        if received and request.user.is_authenticated:
            limiter().record(request.user.pk, files=len(received), nbytes=sum(int(f.size or 0) for f in received))
        return response

    return wrapped
