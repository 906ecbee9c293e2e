"""Uploads written once: staged into the media store while they arrive, checked, then moved into place.

Every check of the streaming path applies to a staged file (same verdicts, same messages), and whatever is
refused, cut off or not stored leaves no file behind.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import re
import tracemalloc
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadhandler import StopFutureHandlers
from django.core.handlers.wsgi import WSGIRequest
from django.http import HttpRequest, JsonResponse
from django.test.utils import override_settings

from kaohe.core import storage as evidence_storage
from kaohe.core.filetypes import Kind
from kaohe.core.storage import STAGING_DIR, StagedUpload, UploadRejected, store_stream
from kaohe.core.tests.test_filetypes import HTML, SVG, docx_bytes, exe_bytes, mp4_bytes, pdf_bytes, zip_of
from kaohe.core.tests.test_storage import PREFIX, STATIC, BytesSource, PatternStream, files_under
from kaohe.core.uploads import StagingUploadHandler, install_upload_handlers, limit_uploads, upload_refusal

MB = 1024 * 1024
BOUNDARY = "kaohe-staging-boundary"


@pytest.fixture
def media(tmp_path: Path) -> Iterator[Path]:
    """default_storage on local disk in a fresh folder; Django's temporary files in another one."""
    root = tmp_path / "media"
    spool = tmp_path / "spool"
    root.mkdir()
    spool.mkdir()
    storages = {"default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(root)}}}
    with override_settings(STORAGES={**storages, "staticfiles": STATIC}, FILE_UPLOAD_TEMP_DIR=str(spool)):
        yield root


def stage(data: bytes, name: str, *, chunk: int = 64 * 1024) -> StagedUpload:
    """Feed ``data`` through the staging handler as Django's parser would."""
    handler = StagingUploadHandler(None)
    with pytest.raises(StopFutureHandlers):
        handler.new_file("files", name, "application/octet-stream", None)
    for start in range(0, len(data), chunk):
        assert handler.receive_data_chunk(data[start : start + chunk], start) is None
    staged = handler.file_complete(len(data))
    assert isinstance(staged, StagedUpload)
    return staged


def outcome(source: Any, name: str, max_bytes: int) -> tuple[Any, ...]:
    try:
        stored = store_stream(source, prefix=PREFIX, original_name=name, max_bytes=max_bytes)
    except UploadRejected as exc:
        return ("refused", exc.message)
    return ("stored", stored.display_name, stored.size, stored.sha256, stored.kind, stored.mime, stored.name.rsplit(".", 1)[-1])


def large_zip(entries: dict[str, bytes]) -> bytes:
    return zip_of(entries, compression=zipfile.ZIP_STORED)


FILLER = hashlib.shake_256(b"scan").digest(700_000)
TEXT_TURNING_HTML = b"name,unit\n" * 60_000 + b"<script>alert(1)</script>\n"
BOMB = zip_of({"word/document.xml": bytes(50 * MB), "[Content_Types].xml": b"<Types/>"})  # 50 MB of zeros, ~50 KB


@pytest.mark.parametrize(
    ("name", "data", "max_bytes"),
    [
        ("报告.pdf", pdf_bytes(), 200 * MB),
        ("报告.pdf", pdf_bytes() + FILLER, 200 * MB),
        ("自查报告.docx", docx_bytes(), 200 * MB),
        ("电子公文.ofd", large_zip({"Doc_0/Res/scan.bin": FILLER, "OFD.xml": b"<ofd:OFD/>"}), 200 * MB),
        ("报告.docx", large_zip({"scan.bin": FILLER, "readme.txt": b"x"}), 200 * MB),  # refused by the tail
        ("报告.pdf", zip_of({"a.txt": b"a"}), 200 * MB),
        ("报告.pdf", exe_bytes(), 200 * MB),
        ("报告.pdf", HTML, 200 * MB),
        ("照片.png", SVG, 200 * MB),
        ("名单.csv", TEXT_TURNING_HTML, 200 * MB),  # refused only after the first chunk
        ("名单.csv", "单位,得分\n".encode("gb18030") * 50_000, 200 * MB),
        ("报告.pdf", pdf_bytes() + bytes(2000), 1000),
        ("报告.pdf", b"", 200 * MB),
        ("\u202e\u0000", pdf_bytes(), 200 * MB),  # nothing usable left of the name
        ("执法记录", mp4_bytes() + FILLER, 200 * MB),  # no extension: the detected one is added
        ("bomb.docx", BOMB, 200 * MB),  # stored as it is, never inflated, exactly as when streamed
        ("bomb.pdf", BOMB, 200 * MB),
    ],
)
def test_staged_uploads_get_the_verdicts_of_the_streaming_path(media, name, data, max_bytes):
    streamed = outcome(BytesSource(data), name, max_bytes)
    kept_by_stream = files_under(media)
    staged_outcome = outcome(stage(data, name), name, max_bytes)
    assert staged_outcome == streamed
    if streamed[0] == "refused":
        assert files_under(media) == []  # nothing staged, nothing stored
    else:
        assert len(files_under(media)) == len(kept_by_stream) + 1
        assert not any(STAGING_DIR in path for path in files_under(media))


def test_a_staged_file_is_moved_not_copied_and_hashed_right(media, monkeypatch):
    data = pdf_bytes() + hashlib.shake_256(b"pdf").digest(3 * MB)
    staged = stage(data, "报告.pdf")
    staged_inode = os.stat(staged.staged_path).st_ino

    def no_copy(*args: Any, **kwargs: Any) -> str:
        raise AssertionError("the staged file must not be copied")

    monkeypatch.setattr(FileSystemStorage, "save", no_copy)
    stored = store_stream(staged, prefix=PREFIX, original_name="报告.pdf", max_bytes=200 * MB)
    path = media / stored.name
    assert os.stat(path).st_ino == staged_inode  # the very file that was written while it arrived
    assert stored.sha256 == hashlib.sha256(path.read_bytes()).hexdigest() == hashlib.sha256(data).hexdigest()
    assert oct(os.stat(path).st_mode & 0o777) == oct(0o644)  # the storage's FILE_UPLOAD_PERMISSIONS
    assert files_under(media) == [stored.name]
    assert re.fullmatch(rf"{PREFIX}/[0-9a-f]{{32}}\.pdf", stored.name)


def test_staged_files_are_private_until_stored(media):
    staged = stage(pdf_bytes(), "报告.pdf")
    assert os.path.dirname(staged.staged_path) == str(media / STAGING_DIR)
    assert os.stat(staged.staged_path).st_mode & 0o777 == 0o600
    staged.close()  # Django closes request files after the response: an unstored file goes
    assert files_under(media) == []


def test_failed_move_falls_back_to_a_checked_copy(media, monkeypatch):
    def no_links(*args: Any) -> None:
        raise OSError(18, "Invalid cross-device link")

    monkeypatch.setattr(os, "link", no_links)
    data = pdf_bytes() + FILLER
    stored = store_stream(stage(data, "报告.pdf"), prefix=PREFIX, original_name="报告.pdf", max_bytes=200 * MB)
    assert (media / stored.name).read_bytes() == data
    assert stored.sha256 == hashlib.sha256(data).hexdigest()
    assert files_under(media) == [stored.name]


def test_a_storage_failure_after_staging_leaves_nothing(media, monkeypatch):
    def no_links(*args: Any) -> None:
        raise OSError(28, "No space left on device")

    def broken_save(*args: Any, **kwargs: Any) -> str:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "link", no_links)
    monkeypatch.setattr(FileSystemStorage, "save", broken_save)
    with pytest.raises(UploadRejected, match=evidence_storage.SAVE_FAILED):
        store_stream(stage(pdf_bytes(), "报告.pdf"), prefix=PREFIX, original_name="报告.pdf", max_bytes=200 * MB)
    assert files_under(media) == []


def test_another_storage_gets_a_checked_copy(media, tmp_path):
    other = FileSystemStorage(location=str(tmp_path / "elsewhere"))
    with pytest.raises(UploadRejected, match="可执行程序"):
        store_stream(stage(exe_bytes(), "a.pdf"), prefix=PREFIX, original_name="a.pdf", max_bytes=MB, storage=other)
    stored = store_stream(stage(pdf_bytes(), "a.pdf"), prefix=PREFIX, original_name="a.pdf", max_bytes=MB, storage=other)
    assert (tmp_path / "elsewhere" / stored.name).read_bytes() == pdf_bytes()
    assert files_under(media) == []  # the staged copies went


def test_storage_that_is_not_plain_local_disk_is_not_staged(tmp_path):
    class Transforming(FileSystemStorage):
        pass

    storages = {"default": {"BACKEND": f"{__name__}.Transforming", "OPTIONS": {"location": str(tmp_path)}}}
    globals()["Transforming"] = Transforming
    with override_settings(STORAGES={**storages, "staticfiles": STATIC}):
        handler = StagingUploadHandler(None)
        handler.new_file("files", "a.pdf", "application/pdf", None)  # no StopFutureHandlers: Django spools it
        assert handler.receive_data_chunk(b"%PDF", 0) == b"%PDF"
        assert handler.file_complete(4) is None
    assert files_under(tmp_path) == []


# --- through Django's parser: a request body generated on the fly -------------------------------------------


class MultipartBody(io.RawIOBase):
    """One file field of ``size`` bytes (a repeating block) in a multipart body, never held in memory."""

    def __init__(self, size: int, *, name: str = "执法记录.mp4", cut_at: int | None = None, reset_at: int | None = None):
        self.file = PatternStream(size)
        self.prefix = (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="files"; filename="{name}"\r\nContent-Type: video/mp4\r\n\r\n'
        ).encode()
        self.suffix = f"\r\n--{BOUNDARY}--\r\n".encode()
        self.length = len(self.prefix) + size + len(self.suffix)
        self.sent = 0
        self.cut_at = cut_at
        self.reset_at = reset_at

    def readable(self) -> bool:
        return True

    def read(self, n: int = -1) -> bytes:
        n = self.length - self.sent if n is None or n < 0 else min(n, self.length - self.sent)
        if self.reset_at is not None and self.sent >= self.reset_at:
            raise OSError("connection reset by peer")
        if self.cut_at is not None:
            n = min(n, max(self.cut_at - self.sent, 0))  # the client stops sending
        out = bytearray()
        while len(out) < n:
            position = self.sent + len(out)
            if position < len(self.prefix):
                out += self.prefix[position : position + n - len(out)]
            elif position < len(self.prefix) + self.file.size:
                out += self.file.read(min(n - len(out), len(self.prefix) + self.file.size - position))
            else:
                offset = position - len(self.prefix) - self.file.size
                out += self.suffix[offset : offset + n - len(out)]
        self.sent += len(out)
        return bytes(out)


def request_with(body: MultipartBody) -> WSGIRequest:
    return WSGIRequest(
        {
            "REQUEST_METHOD": "POST",
            "PATH_INFO": "/upload",
            "SERVER_NAME": "testserver",
            "SERVER_PORT": "80",
            "CONTENT_TYPE": f"multipart/form-data; boundary={BOUNDARY}",
            "CONTENT_LENGTH": str(body.length),
            "wsgi.input": body,
            "wsgi.url_scheme": "http",
        }
    )


def test_a_large_upload_is_written_once_with_flat_memory(media):
    body = MultipartBody(60 * MB)
    request = request_with(body)
    staging = install_upload_handlers(request)
    tracemalloc.start()
    try:
        (upload,) = request.FILES.getlist("files")
        stored = store_stream(upload, prefix=PREFIX, original_name=upload.name or "", max_bytes=200 * MB)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
        staging.discard_unclaimed()
    assert isinstance(upload, StagedUpload)
    assert peak < 4 * MB, f"peak traced memory {peak / MB:.1f} MB for a 60 MB file"
    assert stored.size == 60 * MB and stored.kind == Kind.VIDEO
    assert stored.sha256 == body.file.expected_sha256()
    assert files_under(media) == [stored.name]
    assert os.listdir(settings.FILE_UPLOAD_TEMP_DIR) == []  # no temporary copy was spooled


@limit_uploads
def answer_view(request: HttpRequest) -> JsonResponse:
    files = request.FILES.getlist("files")
    if refusal := upload_refusal(request):
        return JsonResponse({"refusal": refusal}, status=413)
    return JsonResponse({"files": [f.name for f in files]})  # read, but never stored


def call(request: WSGIRequest) -> Any:
    request._dont_enforce_csrf_checks = True  # type: ignore[attr-defined]
    return answer_view(request)


def test_an_upload_the_view_does_not_store_leaves_nothing(media):
    response = call(request_with(MultipartBody(3 * MB)))
    assert response.status_code == 200
    assert files_under(media) == []


def test_an_oversize_upload_stopped_mid_body_leaves_nothing(media, settings):
    settings.KAOHE_EVIDENCE_MAX_BYTES = 2 * MB
    body = MultipartBody(10 * MB)
    response = call(request_with(body))
    assert response.status_code == 413
    assert "超过单个文件大小上限（2 MB）" in json.loads(response.content)["refusal"]
    assert body.sent < 4 * MB  # stopped early, the rest never read
    assert files_under(media) == []


def test_a_client_that_goes_away_mid_body_leaves_nothing(media):
    with pytest.raises(OSError, match="connection reset"):
        call(request_with(MultipartBody(10 * MB, reset_at=5 * MB)))
    assert files_under(media) == []


def test_a_body_cut_short_leaves_nothing(media):
    with contextlib.suppress(Exception):  # Django may refuse the truncated body; either way nothing may stay
        call(request_with(MultipartBody(10 * MB, cut_at=5 * MB)))
    assert files_under(media) == []


def test_stale_staged_files_are_purged(media):
    fresh = stage(pdf_bytes(), "新.pdf")
    stale = stage(pdf_bytes(), "旧.pdf")
    os.utime(stale.staged_path, (0, 0))
    assert evidence_storage.purge_stale_staging(max_age_hours=24) == 1
    assert os.path.exists(fresh.staged_path) and not os.path.exists(stale.staged_path)
    fresh.close()


def test_a_staged_upload_is_stored_once(media):
    staged = stage(pdf_bytes(), "报告.pdf")
    stored = store_stream(staged, prefix=PREFIX, original_name="报告.pdf", max_bytes=MB)
    with pytest.raises(UploadRejected, match=evidence_storage.INTERRUPTED):
        store_stream(staged, prefix=PREFIX, original_name="报告.pdf", max_bytes=MB)
    assert files_under(media) == [stored.name]


def test_no_buffers_outlive_a_stored_upload(media):
    """The request and its handlers are a reference cycle freed late: neither may keep the head or tail."""
    handler = StagingUploadHandler(None)
    with pytest.raises(StopFutureHandlers):
        handler.new_file("files", "执法记录.mp4", "video/mp4", None)
    data = mp4_bytes() + FILLER
    handler.receive_data_chunk(data, 0)
    staged = handler.file_complete(len(data))
    assert isinstance(staged, StagedUpload) and len(staged.tail) == evidence_storage.TAIL_SIZE < len(data)
    assert (len(handler._head), len(handler._tail)) == (0, 0)
    store_stream(staged, prefix=PREFIX, original_name="执法记录.mp4", max_bytes=MB)
    assert (staged.head, staged.tail) == (b"", b"")
    handler.discard_unclaimed()
    assert handler.staged == []
