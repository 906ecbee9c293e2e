"""Streaming evidence into storage: names, keys, hashes, refusals that leave nothing behind, on disk and on S3."""

from __future__ import annotations

import hashlib
import os
import re
import tracemalloc
import zipfile
from pathlib import Path

import boto3
import pytest
from django.core.files.storage import FileSystemStorage, storages
from django.test.utils import override_settings
from moto import mock_aws

from kaohe.core import storage as evidence_storage
from kaohe.core.filetypes import EXECUTABLE, Kind
from kaohe.core.storage import (
    INTERRUPTED,
    SAVE_FAILED,
    UploadRejected,
    delete_quietly,
    open_for_download,
    sanitise_display_name,
    storage_key,
    store_stream,
)
from kaohe.core.tests.test_filetypes import HTML, SVG, docx_bytes, exe_bytes, mp4_bytes, ole_bytes, pdf_bytes, png_bytes, zip_of

MB = 1024 * 1024
PREFIX = "evidence/plan-3/unit-17/task-88"
KEY = re.compile(r"^evidence/plan-3/unit-17/task-88/[0-9a-f]{32}\.[a-z0-9]+$")
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
STATIC = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}


class PatternStream:
    """``size`` bytes of a repeating 1 MiB block, made on demand: never more than one read in memory.

    The default block is an MP4 ftyp box followed by pseudo-random bytes, so the stream sniffs as video.
    """

    def __init__(self, size: int, *, block: bytes | None = None, fail_after_reads: int | None = None) -> None:
        self.block = block if block is not None else mp4_bytes() + hashlib.shake_256(b"kaohe").digest(MB - len(mp4_bytes()))
        self.size = size
        self.position = 0
        self.reads = 0
        self.fail_after_reads = fail_after_reads
        self.on_fail = lambda: None

    def read(self, n: int) -> bytes:
        assert n is not None and n >= 0, "reads must be bounded"
        if self.fail_after_reads is not None and self.reads >= self.fail_after_reads:
            self.on_fail()
            raise OSError("connection reset by peer")
        self.reads += 1
        n = min(n, self.size - self.position)
        parts = []
        while n > 0:
            offset = self.position % len(self.block)
            piece = self.block[offset : offset + n]
            parts.append(piece)
            self.position += len(piece)
            n -= len(piece)
        return b"".join(parts)

    def expected_sha256(self) -> str:
        digest = hashlib.sha256()
        full, rest = divmod(self.size, len(self.block))
        for _ in range(full):
            digest.update(self.block)
        digest.update(self.block[:rest])
        return digest.hexdigest()


class BytesSource:
    def __init__(self, data: bytes) -> None:
        self.data = memoryview(data)
        self.position = 0

    def read(self, n: int) -> bytes:
        chunk = bytes(self.data[self.position : self.position + n])
        self.position += len(chunk)
        return chunk


def files_under(root: Path) -> list[str]:
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file())


@pytest.fixture
def media(tmp_path):
    """default_storage is a FileSystemStorage in a fresh folder for each test."""
    storages = {"default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}}}
    with override_settings(STORAGES={**storages, "staticfiles": STATIC}):
        yield tmp_path


def store(data: bytes, name: str, *, max_bytes: int = 200 * MB, **kwargs):
    return store_stream(BytesSource(data), prefix=PREFIX, original_name=name, max_bytes=max_bytes, **kwargs)


# --- names and keys ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("2020年度法治政府建设报告.pdf", "2020年度法治政府建设报告.pdf"),
        ("../../etc/报告.pdf", "报告.pdf"),
        ("..\\..\\windows\\报告.pdf", "报告.pdf"),
        ("C:\\fakepath\\自查 报告.docx", "自查 报告.docx"),
        ("报\x00告\x1f\x7f.pdf", "报告.pdf"),
        ("报告\r\n(终稿).pdf", "报告(终稿).pdf"),
        ("invoice\u202efdp.exe", "invoicefdp.exe"),  # right-to-left override would show "invoiceexe.pdf"
        ("\u2066报告\u2069\u200b.pdf", "报告.pdf"),
        ('关于"依法行政"的<说明>?.txt', "关于_依法行政_的_说明__.txt"),
        ("  报告.pdf. ", "报告.pdf"),
        ("e\u0301.pdf", "\u00e9.pdf"),  # NFC
    ],
)
def test_display_names_are_sanitised(raw, clean):
    assert sanitise_display_name(raw) == clean


def test_long_display_names_keep_their_extension():
    clean = sanitise_display_name("很长的文件名" * 60 + ".docx")
    assert len(clean) == 200
    assert clean.startswith("很长的文件名") and clean.endswith("长的.docx")


@pytest.mark.parametrize("raw", ["", "..", "../", "../../", "\x00\x01", "   ", "\u202e", "a/..", "C:\\temp\\"])
def test_names_with_nothing_left_are_refused(raw):
    with pytest.raises(UploadRejected, match="文件名无效"):
        sanitise_display_name(raw)


def test_storage_keys_are_random_and_never_from_the_name():
    first, second = storage_key(prefix=PREFIX, extension="pdf"), storage_key(prefix=PREFIX + "/", extension=".PDF")
    assert KEY.match(first) and KEY.match(second) and first != second
    assert re.fullmatch(r"[0-9a-f]{32}", storage_key(prefix="", extension=""))
    for prefix in ("../evidence", "evidence/../x", "evidence/报告", "/evidence/..", "evidence/a b"):
        with pytest.raises(ValueError, match="Unsafe"):
            storage_key(prefix=prefix, extension="pdf")
    with pytest.raises(ValueError, match="Unsafe"):
        storage_key(prefix=PREFIX, extension="pdf/../x")


# --- storing (local disk) ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "data", "kind", "mime", "display", "key_extension"),
    [
        ("../../自查报告.pdf", pdf_bytes(), Kind.PDF, "application/pdf", "自查报告.pdf", "pdf"),
        ("现场照片.jpg", png_bytes(), Kind.IMAGE, "image/png", "现场照片.jpg", "png"),
        ("情况报告.docx", docx_bytes(), Kind.WORD, DOCX_MIME, "情况报告.docx", "docx"),
        ("通知.wps", ole_bytes(["Data"]), Kind.WPS, "application/msword", "通知.wps", "wps"),
        ("执法记录", mp4_bytes(), Kind.VIDEO, "video/mp4", "执法记录.mp4", "mp4"),  # no extension: gets one
        ("名单.csv", "姓名,单位\n张三,司法局\n".encode("gb18030"), Kind.TEXT, "text/csv", "名单.csv", "csv"),
    ],
)
def test_store_and_read_back(media, name, data, kind, mime, display, key_extension):
    stored = store(data, name)
    assert KEY.match(stored.name)
    assert stored.name.endswith(f".{key_extension}")
    assert (stored.display_name, stored.kind, stored.mime) == (display, kind, mime)
    assert (stored.size, stored.sha256) == (len(data), hashlib.sha256(data).hexdigest())
    with open_for_download(stored.name) as handle:
        assert handle.read() == data
    assert files_under(media) == [stored.name]
    delete_quietly(stored.name)
    assert files_under(media) == []


def test_fifty_megabytes_stream_with_flat_memory(media):
    source = PatternStream(50 * MB)
    tracemalloc.start()
    try:
        stored = store_stream(source, prefix=PREFIX, original_name="执法记录仪导出.mp4", max_bytes=200 * MB)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert stored.size == 50 * MB
    assert stored.sha256 == source.expected_sha256()
    assert os.path.getsize(media / stored.name) == 50 * MB
    assert peak < 8 * MB, f"peak traced memory {peak / MB:.1f} MB"


# --- refusals: a clear message, and nothing left in storage ----------------------------------------------------


@pytest.mark.parametrize(
    ("name", "data", "max_bytes", "message"),
    [
        ("报告.pdf", b"", 200 * MB, "空文件"),
        ("报告.pdf", pdf_bytes() + bytes(2000), 1000, "文件超过大小上限（1000 字节）"),
        ("报告.pdf", exe_bytes(), 200 * MB, EXECUTABLE),
        ("报告.pdf", HTML, 200 * MB, "文件内容是网页（HTML），与扩展名 .pdf 不符"),
        ("照片.png", SVG, 200 * MB, "文件内容是 SVG 图形（可能含有脚本），不允许上传"),
        ("报告.pdf", zip_of({"a.txt": b"a"}), 200 * MB, "扩展名 .pdf 与文件内容（ZIP 压缩包）不符"),
        ("..", pdf_bytes(), 200 * MB, "文件名无效"),
        ("\u202e\u0000", pdf_bytes(), 200 * MB, "文件名无效"),
    ],
)
def test_refused_before_anything_is_written(media, name, data, max_bytes, message):
    with pytest.raises(UploadRejected, match=re.escape(message)):
        store(data, name, max_bytes=max_bytes)
    assert files_under(media) == []


def test_oversize_midstream_deletes_what_was_written(media):
    source = PatternStream(3 * MB)
    with pytest.raises(UploadRejected) as caught:
        store_stream(source, prefix=PREFIX, original_name="执法记录.mp4", max_bytes=1 * MB)
    assert caught.value.message == "文件超过大小上限（1 MB）"
    assert source.reads > 3  # writing had started
    assert files_under(media) == []


def test_interrupted_upload_leaves_no_half_file(media):
    source = PatternStream(10 * MB, fail_after_reads=6)
    seen_while_failing: list[list[str]] = []
    source.on_fail = lambda: seen_while_failing.append(files_under(media))
    with pytest.raises(UploadRejected) as caught:
        store_stream(source, prefix=PREFIX, original_name="执法记录.mp4", max_bytes=200 * MB)
    assert caught.value.message == INTERRUPTED
    assert isinstance(caught.value.__cause__, OSError)
    assert len(seen_while_failing[0]) == 1  # a partial file existed when the client went away
    assert files_under(media) == []


def test_interrupted_before_the_first_chunk(media):
    with pytest.raises(UploadRejected, match=INTERRUPTED):
        store_stream(PatternStream(MB, fail_after_reads=0), prefix=PREFIX, original_name="a.mp4", max_bytes=MB)
    assert files_under(media) == []


def test_process_shutdown_midstream_still_cleans_up(media):
    source = PatternStream(10 * MB, fail_after_reads=4)

    def stop():
        raise SystemExit(1)  # e.g. a worker being recycled

    source.on_fail = stop
    with pytest.raises(SystemExit):
        store_stream(source, prefix=PREFIX, original_name="a.mp4", max_bytes=200 * MB)
    assert files_under(media) == []


class BrokenDiskStorage(FileSystemStorage):
    """Writes part of the file, then fails like a full disk."""

    def _save(self, name, content):
        path = Path(self.path(name))
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(next(iter(content.chunks())))
        raise OSError(28, "No space left on device")


class RefusingStorage(FileSystemStorage):
    def save(self, name, content, max_length=None):
        raise PermissionError("read-only storage")


@pytest.mark.parametrize("storage_class", [BrokenDiskStorage, RefusingStorage])
def test_storage_failure_is_reported_and_leaves_nothing(tmp_path, storage_class):
    target = storage_class(location=str(tmp_path))
    with pytest.raises(UploadRejected) as caught:
        store(pdf_bytes() + bytes(600_000), "报告.pdf", storage=target)
    assert caught.value.message == SAVE_FAILED == "文件保存失败，请重试"
    assert isinstance(caught.value.__cause__, OSError)
    assert files_under(tmp_path) == []


def test_text_that_turns_into_html_after_the_first_chunk(media):
    data = b"name,unit\n" * 60_000 + b"<script>alert(1)</script>\n"
    with pytest.raises(UploadRejected, match="文本文件中含有网页或脚本代码"):
        store(data, "名单.csv")
    assert files_under(media) == []


def test_large_zip_is_confirmed_by_its_central_directory(media):
    filler = PatternStream(700_000, block=hashlib.shake_256(b"scan").digest(MB)).read(700_000)
    ofd = zip_of({"Doc_0/Res/scan.bin": filler, "OFD.xml": b"<ofd:OFD/>"}, compression=zipfile.ZIP_STORED)
    stored = store(ofd, "电子公文.ofd")
    assert (stored.kind, stored.mime, stored.size) == (Kind.OFD, "application/ofd", len(ofd))
    assert files_under(media) == [stored.name]

    plain = zip_of({"scan.bin": filler, "readme.txt": b"x"}, compression=zipfile.ZIP_STORED)
    with pytest.raises(UploadRejected, match=re.escape("扩展名 .docx 与文件内容（ZIP 压缩包）不符")):
        store(plain, "报告.docx")
    assert files_under(media) == [stored.name]  # the refused one was written, then removed


def test_delete_quietly_never_raises(media, caplog):
    delete_quietly("")
    delete_quietly("evidence/missing.pdf")

    class Broken(FileSystemStorage):
        def delete(self, name):
            raise OSError("gone")

    delete_quietly("evidence/x.pdf", storage=Broken(location=str(media)))
    assert "Could not delete stored file evidence/x.pdf" in caplog.text


def test_human_sizes():
    assert [evidence_storage.human_size(n) for n in (200 * MB, 512 * 1024, 1536 * 1024, 900)] == [
        "200 MB",
        "512 KB",
        "1.5 MB",
        "900 字节",
    ]


# --- S3 (moto, in process) ----------------------------------------------------------------------------------

BUCKET = "kaohe-evidence-test"


@pytest.fixture
def s3(monkeypatch):
    """default_storage is django-storages' S3Storage against moto's in-process S3."""
    for variable in ("AWS_PROFILE", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    with mock_aws():
        client = boto3.client("s3", region_name="us-east-1")
        client.create_bucket(Bucket=BUCKET)
        options = {
            "bucket_name": BUCKET,
            "region_name": "us-east-1",
            "access_key": "testing",
            "secret_key": "testing",
            "addressing_style": "path",
            "default_acl": None,
            "querystring_auth": True,
            "file_overwrite": False,
        }
        with override_settings(
            STORAGES={"default": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}, "staticfiles": STATIC}
        ):
            yield client


def bucket_keys(client) -> list[str]:
    return sorted(item["Key"] for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []))


def test_s3_storage_is_in_use(s3):
    from storages.backends.s3 import S3Storage

    assert isinstance(storages["default"], S3Storage)


def test_s3_store_read_delete(s3):
    data = pdf_bytes() + bytes(range(256)) * 400
    stored = store(data, "../自查报告.pdf")
    assert KEY.match(stored.name) and stored.display_name == "自查报告.pdf"
    assert bucket_keys(s3) == [stored.name]
    head = s3.head_object(Bucket=BUCKET, Key=stored.name)
    assert (head["ContentLength"], head["ContentType"]) == (len(data), "application/pdf")
    body = s3.get_object(Bucket=BUCKET, Key=stored.name)["Body"].read()
    assert hashlib.sha256(body).hexdigest() == stored.sha256 == hashlib.sha256(data).hexdigest()
    with open_for_download(stored.name) as handle:
        assert handle.read() == data
    delete_quietly(stored.name)
    assert bucket_keys(s3) == []


def test_s3_multipart_stream(s3):
    source = PatternStream(9 * MB)  # above boto3's 8 MB multipart threshold
    stored = store_stream(source, prefix=PREFIX, original_name="执法记录.mp4", max_bytes=200 * MB)
    assert (stored.size, stored.sha256, stored.kind) == (9 * MB, source.expected_sha256(), Kind.VIDEO)
    body = s3.get_object(Bucket=BUCKET, Key=stored.name)["Body"].read()
    assert hashlib.sha256(body).hexdigest() == stored.sha256
    assert s3.head_object(Bucket=BUCKET, Key=stored.name)["ContentType"] == "video/mp4"


@pytest.mark.parametrize(
    ("source", "max_bytes", "message"),
    [
        (lambda: PatternStream(12 * MB), 10 * MB, "文件超过大小上限（10 MB）"),  # during the multipart upload
        (lambda: PatternStream(12 * MB, fail_after_reads=40), 200 * MB, INTERRUPTED),  # client gone after 10 MB
        (lambda: PatternStream(2 * MB, fail_after_reads=3), 200 * MB, INTERRUPTED),  # small, single PUT
    ],
)
def test_s3_failed_upload_leaves_no_object(s3, source, max_bytes, message):
    with pytest.raises(UploadRejected) as caught:
        store_stream(source(), prefix=PREFIX, original_name="执法记录.mp4", max_bytes=max_bytes)
    assert caught.value.message == message
    assert bucket_keys(s3) == []
    assert s3.list_multipart_uploads(Bucket=BUCKET).get("Uploads", []) == []


def test_s3_refused_zip_is_removed_after_the_tail_check(s3):
    filler = PatternStream(700_000, block=hashlib.shake_256(b"scan").digest(MB)).read(700_000)
    plain = zip_of({"scan.bin": filler, "readme.txt": b"x"}, compression=zipfile.ZIP_STORED)
    with pytest.raises(UploadRejected, match=re.escape("扩展名 .xlsx 与文件内容（ZIP 压缩包）不符")):
        store(plain, "台账.xlsx")
    assert bucket_keys(s3) == []
