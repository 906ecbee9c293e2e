"""An upload handler that stops a request as soon as it carries an oversize file or too many files.

Django spools uploads to temporary files before a view runs. :class:`LimitedUploadHandler` sits in
front of Django's handlers and raises ``StopUpload(connection_reset=True)`` the moment one file passes
``settings.KAOHE_EVIDENCE_MAX_BYTES`` (default 200 MB) or the request brings more than
``settings.KAOHE_EVIDENCE_MAX_FILES_PER_REQUEST`` files (default 20), so the rest of the body is never
read or written to disk. Why it stopped is left on the request for the view (:func:`upload_refusal`);
Django's own ``DATA_UPLOAD_MAX_NUMBER_FILES`` still applies above it.

Handlers must be installed before anything reads ``request.POST``/``FILES``. CSRF middleware reads
them, so wrap the view with :func:`limit_uploads` (Django's documented csrf_exempt/csrf_protect pair)::

    @limit_uploads
    def evidence_upload(request, ...):
        if refusal := upload_refusal(request):
            ...  # answer with the message; request.FILES must not be used
        # each file then goes through kaohe.core.storage.store_stream()

The CSRF token is read from the part of the body that arrived before the stop: put
``{% csrf_token %}`` before the file input (or send the X-CSRFToken header, as htmx does).

With local-disk storage :func:`limit_uploads` also installs :class:`StagingUploadHandler` right after
the limiting one: each file is written once, into the media store's staging folder, while it arrives
(hashed, its first and last bytes kept for the type checks); ``store_stream`` checks it and moves it
into place. Whatever the view did not store is deleted when it returns (or fails).
"""

from __future__ import annotations

import functools
import hashlib
import logging
import os
import uuid
from collections.abc import Callable
from typing import Any, NoReturn

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, StopFutureHandlers, StopUpload
from django.http import HttpRequest, HttpResponseBase
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from kaohe.core.storage import (
    CHUNK_SIZE,
    TAIL_SIZE,
    StagedUpload,
    UploadRejected,
    human_size,
    sanitise_display_name,
    staging_location,
)

logger = logging.getLogger(__name__)

DEFAULT_MAX_BYTES = 200 * 1024 * 1024
DEFAULT_MAX_FILES = 20


def evidence_max_bytes() -> int:
    return int(getattr(settings, "KAOHE_EVIDENCE_MAX_BYTES", DEFAULT_MAX_BYTES))


def evidence_max_files() -> int:
    return int(getattr(settings, "KAOHE_EVIDENCE_MAX_FILES_PER_REQUEST", DEFAULT_MAX_FILES))


def too_many_files_message(max_files: int) -> str:
    return f"一次最多上传 {max_files} 个文件，本次上传的文件均未保存"


def oversize_file_message(file_name: str, max_bytes: int) -> str:
    try:
        shown = f"「{sanitise_display_name(file_name)}」"
    except UploadRejected:
        shown = ""
    return f"文件{shown}超过单个文件大小上限（{human_size(max_bytes)}），本次上传的文件均未保存"


def upload_refusal(request: HttpRequest) -> str:
    """Why :class:`LimitedUploadHandler` stopped this request's upload, or ""."""
    return str(getattr(request, "upload_refusal", ""))


class LimitedUploadHandler(FileUploadHandler):
    """Counts files and bytes as they arrive and stops the upload at the first limit crossed."""

    def __init__(self, request: HttpRequest | None = None, *, max_bytes: int | None = None, max_files: int | None = None) -> None:
        super().__init__(request)
        self.max_bytes = evidence_max_bytes() if max_bytes is None else max_bytes
        self.max_files = evidence_max_files() if max_files is None else max_files
        self.files_seen = 0
        self.refusal = ""

    def new_file(
        self,
        field_name: str,
        file_name: str,
        content_type: str,
        content_length: int | None,
        charset: str | None = None,
        content_type_extra: dict[str, bytes] | None = None,
    ) -> None:
        super().new_file(field_name, file_name, content_type, content_length, charset, content_type_extra)
        self.files_seen += 1
        if self.files_seen > self.max_files:
            self._refuse(too_many_files_message(self.max_files))
        if content_length is not None and content_length > self.max_bytes:
            self._refuse(oversize_file_message(file_name, self.max_bytes))

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        if start + len(raw_data) > self.max_bytes:
            self._refuse(oversize_file_message(self.file_name or "", self.max_bytes))
        return raw_data

    def file_complete(self, file_size: int) -> UploadedFile | None:
        return None  # the next handler (memory or temporary file) builds the file

    def _refuse(self, message: str) -> NoReturn:
        self.refusal = message
        if self.request is not None:
            self.request.upload_refusal = message  # type: ignore[attr-defined]
        raise StopUpload(connection_reset=True)


class StagingUploadHandler(FileUploadHandler):
    """Writes each file straight into the local media store's staging folder, hashing it as it arrives.

    Keeps the first :data:`~kaohe.core.storage.CHUNK_SIZE` bytes (for sniffing) and the last
    :data:`~kaohe.core.storage.TAIL_SIZE` (a ZIP's central directory) in memory, nothing else; the file
    it hands the view is a :class:`~kaohe.core.storage.StagedUpload`. Inactive when storage is not local
    disk (Django's own handlers then spool the file as before). Call :meth:`discard_unclaimed` when the
    view is done: a file cut off mid-body (client gone, request stopped) never reaches the view.
    """

    def __init__(self, request: HttpRequest | None = None) -> None:
        super().__init__(request)
        self.location = staging_location()
        self.activated = False
        self.staged: list[StagedUpload] = []
        self._path = ""
        self._sha256 = hashlib.sha256()
        self._head = bytearray()
        self._tail = bytearray()

    def new_file(
        self,
        field_name: str,
        file_name: str,
        content_type: str,
        content_length: int | None,
        charset: str | None = None,
        content_type_extra: dict[str, bytes] | None = None,
    ) -> None:
        super().new_file(field_name, file_name, content_type, content_length, charset, content_type_extra)
        self.activated = False
        if self.location is None:
            return
        path = os.path.join(self.location, f"{uuid.uuid4().hex}.part")
        try:
            os.makedirs(self.location, mode=0o700, exist_ok=True)
            fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o600)
        except OSError:
            logger.warning("Could not stage an upload in %s; spooling it instead", self.location, exc_info=True)
            return
        self.file = os.fdopen(fd, "w+b")
        self._path = path
        self._sha256 = hashlib.sha256()
        self._head = bytearray()
        self._tail = bytearray()
        self.activated = True
        raise StopFutureHandlers  # Django's memory/temporary-file handlers never see this file

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        if not self.activated:
            return raw_data
        self.file.write(raw_data)
        self._sha256.update(raw_data)
        if len(self._head) < CHUNK_SIZE:
            self._head += raw_data[: CHUNK_SIZE - len(self._head)]
        self._tail += raw_data
        if len(self._tail) > TAIL_SIZE:
            del self._tail[: len(self._tail) - TAIL_SIZE]
        return None

    def file_complete(self, file_size: int) -> UploadedFile | None:
        if not self.activated:
            return None
        self.activated = False
        self.file.flush()
        self.file.seek(0)
        staged = StagedUpload(
            self.file,
            path=self._path,
            name=self.file_name or "",
            content_type=self.content_type or "",
            size=file_size,
            charset=self.charset,
            content_type_extra=self.content_type_extra,
            sha256=self._sha256.hexdigest(),
            head=bytes(self._head),
            tail=bytes(self._tail),
        )
        # The request and its handlers form a reference cycle that only the cyclic GC frees, maybe much later:
        # keep no buffers here, or each request would hold ~1 MB long after it ended.
        self._head = bytearray()
        self._tail = bytearray()
        self.staged.append(staged)
        del self.file  # MultiPartParser closes ``handler.file`` when stopped; this one belongs to the view now
        self._path = ""
        return staged

    def upload_interrupted(self) -> None:
        self._discard_current()

    def discard_unclaimed(self) -> None:
        """Delete every staged file that was not moved into place, and the one cut off mid-body."""
        self._discard_current()
        for staged in self.staged:
            staged.discard()
        self.staged = []
        self._head = bytearray()
        self._tail = bytearray()

    def _discard_current(self) -> None:
        if not self._path:
            return
        file = getattr(self, "file", None)
        if file is not None:
            file.close()
        try:
            os.unlink(self._path)
        except FileNotFoundError:
            pass
        except OSError:
            logger.warning("Could not delete staged upload %s", self._path, exc_info=True)
        self._path = ""
        self.activated = False


def install_upload_handlers(request: HttpRequest) -> StagingUploadHandler:
    """Put :class:`LimitedUploadHandler` and :class:`StagingUploadHandler` in front of Django's handlers.

    Before anything reads the body; call ``discard_unclaimed()`` on the returned handler in a ``finally``.
    """
    staging = StagingUploadHandler(request)
    request.upload_handlers = [LimitedUploadHandler(request), staging, *request.upload_handlers]
    return staging


def limit_uploads(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Install the limiting and staging handlers first for this view, keeping CSRF protection."""
    protected = csrf_protect(view)

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        staging = install_upload_handlers(request)
        try:
            return protected(request, *args, **kwargs)
        finally:
            staging.discard_unclaimed()

    return csrf_exempt(wrapped)
