"""The upload handler stops oversize files and crowded requests while the body is still arriving."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from django.core.exceptions import TooManyFilesSent
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from django.core.handlers.wsgi import WSGIRequest
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.test import Client
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from django.test.utils import override_settings
from django.urls import path
from django.utils.crypto import get_random_string

from kaohe.core.uploads import DEFAULT_MAX_BYTES, DEFAULT_MAX_FILES, LimitedUploadHandler, limit_uploads, upload_refusal

KB = 1024
MB = 1024 * 1024


class CountingHandler(FileUploadHandler):
    """Sits after LimitedUploadHandler and records what reached Django's own handlers."""

    def __init__(self, request: HttpRequest | None = None) -> None:
        super().__init__(request)
        self.files = 0
        self.bytes = 0

    def new_file(self, *args, **kwargs) -> None:
        super().new_file(*args, **kwargs)
        self.files += 1

    def receive_data_chunk(self, raw_data, start):
        self.bytes += len(raw_data)
        return raw_data

    def file_complete(self, file_size):
        return None


def _answer(request: HttpRequest) -> JsonResponse:
    files = request.FILES.getlist("files")
    if refusal := upload_refusal(request):
        return JsonResponse({"refusal": refusal}, status=413)
    return JsonResponse({"files": [[f.name, f.size, f.read().decode()] for f in files], "note": request.POST.get("note")})


def upload_view(request: HttpRequest, counter: CountingHandler | None = None) -> JsonResponse:
    """The tiny view of the brief: install the handler first, then touch FILES."""
    request.upload_handlers.insert(0, LimitedUploadHandler(request))
    if counter is not None:
        request.upload_handlers.insert(1, counter)
    return _answer(request)


@limit_uploads
def guarded_view(request: HttpRequest) -> JsonResponse:
    return _answer(request)


urlpatterns = [path("guarded/", guarded_view)]


def multipart_request(fields: dict[str, Any]) -> tuple[WSGIRequest, io.BytesIO]:
    """A multipart POST whose body stream can tell how far Django read it."""
    return post_request(encode_multipart(BOUNDARY, fields))


def post_request(body: bytes) -> tuple[WSGIRequest, io.BytesIO]:
    stream = io.BytesIO(body)
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/upload/",
        "SCRIPT_NAME": "",
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "CONTENT_TYPE": MULTIPART_CONTENT,
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.input": stream,
        "wsgi.url_scheme": "http",
    }
    return WSGIRequest(environ), stream


def payload(response: HttpResponse) -> Any:
    return json.loads(response.content)


def small_files(count: int, *, padding: int = 0) -> list[SimpleUploadedFile]:
    return [SimpleUploadedFile(f"材料{i}.txt", f"第{i}份".encode() + b" " * padding, "text/plain") for i in range(count)]


def test_defaults():
    handler = LimitedUploadHandler()
    assert (handler.max_bytes, handler.max_files) == (DEFAULT_MAX_BYTES, DEFAULT_MAX_FILES) == (200 * MB, 20)


def test_files_within_limits_pass_through_unchanged():
    request, _ = multipart_request({"files": small_files(3), "note": "说明"})
    response = upload_view(request)
    assert response.status_code == 200
    assert payload(response) == {
        "files": [[f"材料{i}.txt", len(f"第{i}份".encode()), f"第{i}份"] for i in range(3)],
        "note": "说明",
    }
    assert upload_refusal(request) == ""


@override_settings(KAOHE_EVIDENCE_MAX_BYTES=256 * KB)
def test_oversize_file_stops_the_upload_before_the_body_is_read():
    big = SimpleUploadedFile("执法记录.mp4", bytes(5 * MB), "video/mp4")
    request, stream = multipart_request({"files": [SimpleUploadedFile("a.txt", b"a"), big]})
    counter = CountingHandler()
    response = upload_view(request, counter)
    assert response.status_code == 413
    message = "文件「执法记录.mp4」超过单个文件大小上限（256 KB），本次上传的文件均未保存"
    assert payload(response) == {"refusal": message}
    assert stream.tell() < 1 * MB  # the other 4 MB were never read, let alone spooled to disk
    assert counter.bytes <= 256 * KB + 1  # Django's own handlers saw no more than the limit


@override_settings(KAOHE_EVIDENCE_MAX_BYTES=64 * KB)
def test_declared_part_length_is_refused_at_once():
    body = (
        f"--{BOUNDARY}\r\n"
        'Content-Disposition: form-data; name="files"; filename="../../大文件.pdf"\r\n'
        "Content-Type: application/pdf\r\nContent-Length: 999999999\r\n\r\n"
        f"%PDF-1.7\r\n--{BOUNDARY}--\r\n"
    ).encode()
    request, _ = post_request(body)
    counter = CountingHandler()
    response = upload_view(request, counter)
    assert payload(response) == {"refusal": "文件「大文件.pdf」超过单个文件大小上限（64 KB），本次上传的文件均未保存"}
    assert counter.files == 0


def test_five_hundred_files_are_refused_at_the_twenty_first():
    request, stream = multipart_request({"files": small_files(500, padding=1000)})
    counter = CountingHandler()
    response = upload_view(request, counter)
    assert response.status_code == 413
    assert payload(response) == {"refusal": "一次最多上传 20 个文件，本次上传的文件均未保存"}
    assert counter.files == 20
    assert stream.tell() < len(stream.getvalue()) / 4


@override_settings(KAOHE_EVIDENCE_MAX_FILES_PER_REQUEST=3)
def test_file_limit_comes_from_settings():
    request, _ = multipart_request({"files": small_files(4)})
    assert payload(upload_view(request)) == {"refusal": "一次最多上传 3 个文件，本次上传的文件均未保存"}


@override_settings(KAOHE_EVIDENCE_MAX_FILES_PER_REQUEST=1000)
def test_djangos_own_file_limit_still_applies_above_ours():
    request, _ = multipart_request({"files": small_files(500)})
    with pytest.raises(TooManyFilesSent):
        upload_view(request)


# --- through the URL, middleware and CSRF -----------------------------------------------------------------


def csrf_client() -> tuple[Client, str]:
    client = Client(enforce_csrf_checks=True)
    token = get_random_string(32)
    client.cookies["csrftoken"] = token
    return client, token


@pytest.mark.urls(__name__)
def test_limit_uploads_keeps_csrf_protection():
    client, token = csrf_client()
    assert client.post("/guarded/", {"files": small_files(1)}).status_code == 403
    response = client.post("/guarded/", {"files": small_files(2), "csrfmiddlewaretoken": token})
    assert response.status_code == 200
    assert [name for name, _, _ in response.json()["files"]] == ["材料0.txt", "材料1.txt"]


@pytest.mark.urls(__name__)
@override_settings(KAOHE_EVIDENCE_MAX_BYTES=100 * KB)
def test_limit_uploads_refuses_oversize_through_the_stack():
    client, token = csrf_client()
    big = SimpleUploadedFile("台账.xlsx", bytes(MB))
    response = client.post("/guarded/", {"csrfmiddlewaretoken": token, "files": [big]})
    assert response.status_code == 413
    assert response.json()["refusal"] == "文件「台账.xlsx」超过单个文件大小上限（100 KB），本次上传的文件均未保存"


@pytest.mark.urls(__name__)
def test_five_hundred_files_through_the_stack():
    client, token = csrf_client()
    response = client.post("/guarded/", {"csrfmiddlewaretoken": token, "files": small_files(500)})
    assert response.status_code == 413
    assert response.json()["refusal"] == "一次最多上传 20 个文件，本次上传的文件均未保存"


@pytest.mark.urls(__name__)
@override_settings(KAOHE_EVIDENCE_MAX_FILES_PER_REQUEST=1000)
def test_djangos_limit_answers_400_through_the_stack():
    client, token = csrf_client()
    response = client.post("/guarded/", {"csrfmiddlewaretoken": token, "files": small_files(500)})
    assert response.status_code == 400
