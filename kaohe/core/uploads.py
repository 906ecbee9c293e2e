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
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, NoReturn

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import HttpRequest, HttpResponseBase
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from kaohe.core.storage import UploadRejected, human_size, sanitise_display_name

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


def limit_uploads(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Install :class:`LimitedUploadHandler` first for this view, keeping CSRF protection."""
    protected = csrf_protect(view)

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        request.upload_handlers = [LimitedUploadHandler(request), *request.upload_handlers]
        return protected(request, *args, **kwargs)

    return csrf_exempt(wrapped)
