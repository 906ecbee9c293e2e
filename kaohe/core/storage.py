"""Evidence files in Django storage: safe display names, opaque keys, streamed saves.

Files go through ``default_storage`` (local disk, or S3-compatible storage via django-storages; see
``STORAGES`` in settings). :func:`store_stream` reads an upload in chunks, sniffs its type from the
first chunk before anything is written, and hashes and counts the bytes while the storage backend
pulls them, so memory stays flat whatever the size. On any failure after writing started the partial
object is deleted and :class:`UploadRejected` is raised with a message for the user, so the caller
can roll back its transaction and nothing stored is changed.

The user's file name is only ever a display name: storage keys are random
(``evidence/plan-3/unit-17/task-88/<uuid4 hex>.pdf``).
"""

from __future__ import annotations

import hashlib
import logging
import re
import unicodedata
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any, Protocol, cast

from django.core.files import File
from django.core.files.storage import Storage, default_storage

from kaohe.core import filetypes
from kaohe.core.filetypes import Kind

logger = logging.getLogger(__name__)

CHUNK_SIZE = 256 * 1024
TAIL_SIZE = 512 * 1024  # kept from the end of a ZIP upload: room for a central directory of thousands of entries
DISPLAY_NAME_MAX = 200

INVALID_NAME = "文件名无效（为空，或只含路径、控制字符）"
INTERRUPTED = "上传中断，文件未保存，请重新上传"
SAVE_FAILED = "文件保存失败，请重试"


class UploadRejected(Exception):
    """An upload that was refused or failed; ``message`` is for the user. Nothing was left in storage."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class StoredFile:
    name: str  # the storage key
    display_name: str
    size: int
    sha256: str
    kind: Kind
    mime: str


class Readable(Protocol):
    def read(self, size: int, /) -> bytes: ...


def human_size(size: int) -> str:
    """200 MB, 512 KB, 900 字节: for messages about limits."""
    for unit, factor in (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
        if size >= factor:
            value = size / factor
            return f"{value:.0f} {unit}" if value == int(value) else f"{value:.1f} {unit}"
    return f"{size} 字节"


def oversize_message(max_bytes: int) -> str:
    return f"文件超过大小上限（{human_size(max_bytes)}）"


# --- names ---------------------------------------------------------------------------------------------

_WINDOWS_RESERVED = re.compile(r'[<>:"|?*]')
_SPACES = re.compile(r"\s+")


def sanitise_display_name(name: str) -> str:
    """A file name that is safe to show and to offer on download; never used as a path.

    Drops any directory part (``../``, ``C:\\fakepath\\``), control and invisible format characters
    (including the bidi overrides U+202A–U+202E and U+2066–U+2069 that disguise ``.exe`` as ``.pdf``),
    replaces characters Windows forbids in names, and trims to 200 characters keeping the extension.
    Raises :class:`UploadRejected` when nothing usable is left.
    """
    text = unicodedata.normalize("NFC", name or "")
    text = "".join(
        " " if unicodedata.category(ch) in {"Zl", "Zp"} else ch
        for ch in text
        if unicodedata.category(ch) not in {"Cc", "Cf", "Cs"}
    )
    text = re.split(r"[\\/]", text)[-1]
    text = _WINDOWS_RESERVED.sub("_", text)
    text = _SPACES.sub(" ", text).strip(" .")
    if not text:
        raise UploadRejected(INVALID_NAME)
    if len(text) > DISPLAY_NAME_MAX:
        ext = filetypes.extension_of(text)
        suffix = f".{text.rsplit('.', 1)[1]}" if ext else ""
        text = text[: DISPLAY_NAME_MAX - len(suffix)].rstrip(" .") + suffix
    return text


_KEY_SEGMENT = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")


def storage_key(*, prefix: str, extension: str) -> str:
    """A fresh random key under ``prefix``, e.g. ``evidence/plan-3/unit-17/task-88/<uuid4 hex>.pdf``."""
    segments = [segment for segment in prefix.strip("/").split("/") if segment]
    for segment in segments:
        if not _KEY_SEGMENT.fullmatch(segment):
            raise ValueError(f"Unsafe storage prefix segment: {segment!r}")
    ext = extension.lower().lstrip(".")
    if ext and not re.fullmatch(r"[a-z0-9]{1,10}", ext):
        raise ValueError(f"Unsafe extension: {extension!r}")
    filename = uuid.uuid4().hex + (f".{ext}" if ext else "")
    return "/".join([*segments, filename])


# --- streaming -----------------------------------------------------------------------------------------


class _Refused(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class _HashingReader:
    """A read-only, non-seekable file that storage backends pull from.

    Bytes come from ``source`` a chunk at a time; each chunk is counted, hashed, checked against
    the size limit (and, for text, by :class:`filetypes.TextGuard`) before the backend sees it.
    ``chunks()`` serves FileSystemStorage; ``read(n)`` serves S3's upload_fileobj. Any refusal is
    also kept in ``failure``, because a backend may wrap the exception it sees.
    """

    def __init__(
        self,
        source: Readable,
        head: bytes,
        *,
        source_done: bool,
        max_bytes: int,
        name: str,
        content_type: str,
        keep_tail: bool,
        guard: filetypes.TextGuard | None,
    ) -> None:
        self._source = source
        self._max_bytes = max_bytes
        self._guard = guard
        self._buffer = b""
        self._source_done = False
        self._sha256 = hashlib.sha256()
        self.name = name
        self.content_type = content_type
        self.closed = False
        self.size = 0
        self.tail: bytearray | None = bytearray() if keep_tail else None
        self.failure: Exception | None = None
        self._take(head)
        if source_done:
            self._finish_source()

    @property
    def sha256(self) -> str:
        return self._sha256.hexdigest()

    def _fail(self, exc: Exception) -> Exception:
        self.failure = exc
        return exc

    def _take(self, chunk: bytes) -> None:
        self.size += len(chunk)
        if self.size > self._max_bytes:
            raise self._fail(_Refused(oversize_message(self._max_bytes)))
        if self._guard is not None:
            try:
                self._guard.feed(chunk)
            except filetypes.ContentRejected as exc:
                raise self._fail(_Refused(exc.reason)) from None
        self._sha256.update(chunk)
        if self.tail is not None:
            self.tail += chunk
            if len(self.tail) > TAIL_SIZE:
                del self.tail[: len(self.tail) - TAIL_SIZE]
        self._buffer = chunk

    def _finish_source(self) -> None:
        self._source_done = True
        if self._guard is not None:
            try:
                self._guard.finish()
            except filetypes.ContentRejected as exc:
                raise self._fail(_Refused(exc.reason)) from None

    def _refill(self) -> bool:
        if self._source_done:
            return False
        try:
            chunk = self._source.read(CHUNK_SIZE)
        except Exception as exc:  # the client went away, or the temporary file broke
            raise self._fail(_Refused(INTERRUPTED)) from exc
        if not chunk:
            self._finish_source()
            return False
        self._take(bytes(chunk))
        return True

    def read(self, size: int | None = -1) -> bytes:
        if size is None or size < 0:
            # Only allowed once the source is exhausted (S3 asks for "the rest" of a small file).
            if self._buffer or not self._source_done:
                raise self._fail(ValueError("Unbounded read refused: uploads are streamed in chunks"))
            return b""
        parts: list[bytes] = []
        wanted = size
        while wanted > 0:
            if not self._buffer and not self._refill():
                break
            piece, self._buffer = self._buffer[:wanted], self._buffer[wanted:]
            parts.append(piece)
            wanted -= len(piece)
        return b"".join(parts)

    def chunks(self, chunk_size: int | None = None) -> Iterator[bytes]:
        while data := self.read(chunk_size or CHUNK_SIZE):
            yield data

    def multiple_chunks(self, chunk_size: int | None = None) -> bool:
        return True

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False

    def close(self) -> None:
        self.closed = True


def _read_head(source: Readable) -> tuple[bytes, bool]:
    """Up to one chunk from the start of ``source``, and whether that was all of it."""
    parts: list[bytes] = []
    have = 0
    try:
        while have < CHUNK_SIZE:
            data = source.read(CHUNK_SIZE - have)
            if not data:
                return b"".join(parts), True
            parts.append(bytes(data))
            have += len(data)
    except Exception as exc:
        raise UploadRejected(INTERRUPTED) from exc
    return b"".join(parts), False


def _display_with_extension(display_name: str, detection: filetypes.Detection) -> str:
    """Append the detected extension when the name has none (or one that says nothing)."""
    ext = filetypes.extension_of(display_name)
    if not detection.extension or ext in filetypes.EXTENSIONS.get(detection.kind, frozenset()):
        return display_name
    suffix = f".{detection.extension}"
    return display_name[: DISPLAY_NAME_MAX - len(suffix)] + suffix


def store_stream(
    fileobj: Readable,
    *,
    prefix: str,
    original_name: str,
    max_bytes: int,
    storage: Storage | None = None,
) -> StoredFile:
    """Stream ``fileobj`` into storage under a fresh key below ``prefix``; see the module docstring.

    Raises :class:`UploadRejected` (with a Chinese message) for an invalid name, an empty, oversize or
    disallowed file, an interrupted upload or a storage failure; nothing is left in storage then.
    """
    target = storage if storage is not None else default_storage
    display_name = sanitise_display_name(original_name)
    head, source_done = _read_head(fileobj)
    if not head:
        raise UploadRejected(filetypes.EMPTY)
    if len(head) > max_bytes:
        raise UploadRejected(oversize_message(max_bytes))
    detection = filetypes.detect(head, display_name, tail=head if source_done else None)
    if not detection.accepted:
        raise UploadRejected(detection.reason)

    key = storage_key(prefix=prefix, extension=detection.extension)
    try:
        reader = _HashingReader(
            fileobj,
            head,
            source_done=source_done,
            max_bytes=max_bytes,
            name=key,
            content_type=detection.mime,
            keep_tail=filetypes.is_zip(head) and not source_done,
            guard=filetypes.TextGuard() if detection.kind is Kind.TEXT else None,
        )
    except _Refused as exc:  # nothing written yet
        raise UploadRejected(exc.message) from None
    saved = ""
    try:
        saved = target.save(key, cast(IO[Any], reader))
        if reader.tail is not None:  # a large ZIP: its central directory confirms (or refutes) the kind
            final = filetypes.detect(head, display_name, tail=bytes(reader.tail))
            if not final.accepted:
                raise _Refused(final.reason)
            detection = final
    except BaseException as exc:
        _discard(target, key, saved)
        refusal = reader.failure or exc  # the backend may have wrapped what the reader raised
        if isinstance(refusal, _Refused):
            raise UploadRejected(refusal.message) from refusal.__cause__ or refusal
        if isinstance(exc, Exception):
            logger.warning("Saving upload %s to storage failed", key, exc_info=True)
            raise UploadRejected(SAVE_FAILED) from exc
        raise
    return StoredFile(
        name=saved,
        display_name=_display_with_extension(display_name, detection),
        size=reader.size,
        sha256=reader.sha256,
        kind=detection.kind,
        mime=detection.mime,
    )


def _discard(target: Storage, key: str, saved: str) -> None:
    delete_quietly(key, storage=target)
    if saved and saved != key:
        delete_quietly(saved, storage=target)


def open_for_download(name: str, *, storage: Storage | None = None) -> File[bytes]:
    """Open a stored file for reading (a download view streams it with FileResponse)."""
    target = storage if storage is not None else default_storage
    return target.open(name, "rb")


def delete_quietly(name: str, *, storage: Storage | None = None) -> None:
    """Delete a stored file; a missing file or a storage error is logged, never raised."""
    if not name:
        return
    target = storage if storage is not None else default_storage
    try:
        target.delete(name)
    except Exception:
        logger.warning("Could not delete stored file %s", name, exc_info=True)


def store_attachment(upload: Any, *, prefix: str, what: str, form: str) -> StoredFile | None:
    """An optional file attached to a form (evidence size limit): stored, or a ValidationError in Chinese.

    ``what`` names the file ("附件"), ``form`` what was therefore not submitted ("复核申请").
    """
    from django.conf import settings
    from django.core.exceptions import ValidationError

    if upload is None:
        return None
    try:
        return store_stream(
            upload,
            prefix=prefix,
            original_name=getattr(upload, "name", "") or "",
            max_bytes=settings.KAOHE_EVIDENCE_MAX_BYTES,
        )
    except UploadRejected as exc:
        raise ValidationError(f"{what}未保存：{exc.message}。{form}未提交，请重新选择文件。") from exc
