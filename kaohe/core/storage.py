"""Evidence files in Django storage: safe display names, opaque keys, streamed saves.

Files go through ``default_storage`` (local disk, or S3-compatible storage via django-storages; see
``STORAGES`` in settings). :func:`store_stream` reads an upload in chunks, sniffs its type from the
first chunk before anything is written, and hashes and counts the bytes while the storage backend
pulls them, so memory stays flat whatever the size. On any failure after writing started the partial
object is deleted and :class:`UploadRejected` is raised with a message for the user, so the caller
can roll back its transaction and nothing stored is changed.

On local disk an upload is written once: :class:`kaohe.core.uploads.StagingUploadHandler` writes it
into ``.staging/`` inside the media store while hashing it and keeping its first and last bytes, and
:func:`store_stream` runs the same checks on what was staged (re-reading only a text file, for the
text checks) and links it into place under its key instead of copying it (:class:`StagedUpload`).

The user's file name is only ever a display name: storage keys are random
(``evidence/plan-3/unit-17/task-88/<uuid4 hex>.pdf``).
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import re
import time
import unicodedata
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any, Protocol, cast

from django.core.files import File
from django.core.files.storage import FileSystemStorage, Storage, default_storage
from django.core.files.uploadedfile import UploadedFile

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


# --- staged uploads (local disk, written once) ------------------------------------------------------------

STAGING_DIR = ".staging"  # inside the media store, so that moving a file into place is a rename on one disk


def staging_location(storage: Storage | None = None) -> str | None:
    """The staging folder of ``storage`` (default: default_storage) when it is plain local disk, else None."""
    target = storage if storage is not None else default_storage
    if target.__class__ is not FileSystemStorage:  # S3, or a subclass that may transform what it saves
        return None
    return os.path.join(os.path.abspath(cast(FileSystemStorage, target).location), STAGING_DIR)


class StagedUpload(UploadedFile):
    """An upload already on disk in the media store's staging folder, hashed as it arrived.

    ``head`` is its first :data:`CHUNK_SIZE` bytes, ``tail`` its last :data:`TAIL_SIZE` (a ZIP's central
    directory). It reads like any uploaded file; :func:`store_stream` moves it into place instead. Closing
    it (Django closes request files at the end of the response) deletes the staged file if it is still
    there, so nothing that was not stored outlives the request.
    """

    def __init__(
        self,
        file: IO[bytes],
        *,
        path: str,
        name: str,
        content_type: str,
        size: int,
        charset: str | None,
        content_type_extra: dict[str, bytes] | None,
        sha256: str,
        head: bytes,
        tail: bytes,
    ) -> None:
        super().__init__(file, name, content_type, size, charset, content_type_extra)
        self.staged_path = path
        self.staged_size = size
        self.sha256 = sha256
        self.head = head
        self.tail = tail

    def discard(self) -> None:
        """Delete the staged file (if it was not moved into place) and drop the kept bytes; never raises."""
        self.head = self.tail = b""
        if self.file is not None:
            with contextlib.suppress(OSError):
                self.file.close()
        try:
            os.unlink(self.staged_path)
        except FileNotFoundError:
            pass
        except OSError:
            logger.warning("Could not delete staged upload %s", self.staged_path, exc_info=True)

    def close(self) -> None:
        self.discard()


def purge_stale_staging(*, max_age_hours: int = 24, storage: Storage | None = None) -> int:
    """Delete staged files older than ``max_age_hours`` (a worker killed mid-upload leaves one); how many."""
    location = staging_location(storage)
    if location is None or not os.path.isdir(location):
        return 0
    cutoff = time.time() - max_age_hours * 3600
    removed = 0
    with os.scandir(location) as entries:
        for entry in entries:
            try:
                if entry.is_file(follow_symlinks=False) and entry.stat(follow_symlinks=False).st_mtime < cutoff:
                    os.unlink(entry.path)
                    removed += 1
            except OSError:
                logger.warning("Could not delete stale staged upload %s", entry.path, exc_info=True)
    return removed


def _check_staged_text(staged: StagedUpload) -> None:
    """The text checks run over the whole file, as when it is streamed (one read of the staged file)."""
    guard = filetypes.TextGuard()
    with open(staged.staged_path, "rb") as fh:
        while chunk := fh.read(CHUNK_SIZE):
            guard.feed(chunk)
    guard.finish()


def _move_into_place(staged: StagedUpload, target: FileSystemStorage, key: str) -> None:
    """Hard-link the staged file under ``key`` (never replacing a file), then drop the staging name."""
    full_path = target.path(key)
    directory = os.path.dirname(full_path)
    if target.directory_permissions_mode is not None:
        old_umask = os.umask(0o777 & ~target.directory_permissions_mode)
        try:
            os.makedirs(directory, target.directory_permissions_mode, exist_ok=True)
        finally:
            os.umask(old_umask)
    else:
        os.makedirs(directory, exist_ok=True)
    os.link(staged.staged_path, full_path)
    try:
        if target.file_permissions_mode is not None:
            os.chmod(full_path, target.file_permissions_mode)
        os.unlink(staged.staged_path)
    except BaseException:
        os.unlink(full_path)
        raise


def _store_staged(
    staged: StagedUpload, *, target: FileSystemStorage, prefix: str, display_name: str, max_bytes: int
) -> StoredFile | None:
    """The checks of the streaming path on what was staged, then a move; None: copy it instead."""
    head = staged.head
    size = staged.staged_size
    if not head or size == 0:
        raise UploadRejected(filetypes.EMPTY)
    if size > max_bytes:
        raise UploadRejected(oversize_message(max_bytes))
    whole = size < CHUNK_SIZE  # what _read_head calls "source_done"
    detection = filetypes.detect(head, display_name, tail=head if whole else None)
    if not detection.accepted:
        raise UploadRejected(detection.reason)
    if detection.kind is Kind.TEXT:
        try:
            _check_staged_text(staged)
        except filetypes.ContentRejected as exc:
            raise UploadRejected(exc.reason) from None
    if filetypes.is_zip(head) and not whole:  # a large ZIP: its central directory confirms (or refutes) the kind
        final = filetypes.detect(head, display_name, tail=staged.tail)
        if not final.accepted:
            raise UploadRejected(final.reason)
        detection = final
    key = storage_key(prefix=prefix, extension=detection.extension)
    try:
        _move_into_place(staged, target, key)
    except OSError:
        logger.warning("Moving staged upload %s into place failed; copying it", staged.staged_path, exc_info=True)
        return None
    return StoredFile(
        name=key,
        display_name=_display_with_extension(display_name, detection),
        size=size,
        sha256=staged.sha256,
        kind=detection.kind,
        mime=detection.mime,
    )


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
    if isinstance(fileobj, StagedUpload):
        if fileobj.file is None or fileobj.file.closed:  # already stored (or discarded): nothing left to read
            raise UploadRejected(INTERRUPTED)
        try:
            display_name = sanitise_display_name(original_name)
            location = staging_location(target)
            if location is not None and os.path.dirname(fileobj.staged_path) == location:
                stored = _store_staged(
                    fileobj,
                    target=cast(FileSystemStorage, target),
                    prefix=prefix,
                    display_name=display_name,
                    max_bytes=max_bytes,
                )
                if stored is not None:
                    return stored
            fileobj.seek(0)  # another storage (or the move failed): stream a copy, with every check again
            return _store_copy(fileobj, target=target, prefix=prefix, display_name=display_name, max_bytes=max_bytes)
        finally:
            fileobj.discard()  # stored or refused, the staged file goes
    display_name = sanitise_display_name(original_name)
    return _store_copy(fileobj, target=target, prefix=prefix, display_name=display_name, max_bytes=max_bytes)


def _store_copy(fileobj: Readable, *, target: Storage, prefix: str, display_name: str, max_bytes: int) -> StoredFile:
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
