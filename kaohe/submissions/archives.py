"""Zip archives of evidence with a manifest (names, sizes, SHA-256), written to a temporary file.

Files are copied from storage in chunks into a spooled temporary file, so memory stays flat; the
archive is never unpacked or inspected on the server.
"""

from __future__ import annotations

import io
import tempfile
import zipfile
from collections.abc import Callable, Iterable

from django.core.files.storage import default_storage

from kaohe.submissions.models import EvidenceFile

CHUNK = 1024 * 1024
_FORBIDDEN = str.maketrans({c: "_" for c in '\\/:*?"<>|'})


def _safe(part: str) -> str:
    return part.translate(_FORBIDDEN).strip() or "_"


def build_archive(
    files: Iterable[EvidenceFile],
    *,
    folder_of: dict[int, str],
    progress: Callable[[int], None] | None = None,
) -> tempfile.SpooledTemporaryFile[bytes]:
    """A zip of the given files; ``folder_of`` maps submission id → folder name inside the zip; ``progress(n)``
    is told after each file how many have been copied (a background job's progress bar)."""
    # Returned open: the FileResponse streaming it closes it.
    out: tempfile.SpooledTemporaryFile[bytes] = tempfile.SpooledTemporaryFile(max_size=8 * CHUNK)  # noqa: SIM115
    manifest = io.StringIO()
    manifest.write("文件\t大小(字节)\tSHA-256\t上传人\t上传时间\n")
    used: set[str] = set()
    copied = 0
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as archive:
        for evidence in files:
            folder = _safe(folder_of.get(evidence.submission_id, "资料"))
            base = _safe(evidence.display_name)
            arcname = f"{folder}/{base}"
            n = 1
            while arcname in used:
                n += 1
                stem, dot, ext = base.rpartition(".")
                arcname = f"{folder}/{stem or base}({n}){dot}{ext if stem else ''}"
            used.add(arcname)
            with default_storage.open(evidence.storage_name, "rb") as src, archive.open(arcname, "w", force_zip64=True) as dst:
                while chunk := src.read(CHUNK):
                    dst.write(chunk)
            manifest.write(
                f"{arcname}\t{evidence.size}\t{evidence.sha256}\t{evidence.uploaded_by}\t{evidence.uploaded_at:%Y-%m-%d %H:%M:%S}\n"
            )
            copied += 1
            if progress is not None:
                progress(copied)
        archive.writestr("清单.txt", manifest.getvalue().encode("utf-8"))
    out.seek(0)
    return out
