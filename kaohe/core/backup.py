"""Backup and restore: one .zip with the database rows, every stored file and a manifest of SHA-256s.

An archive holds

- ``data.json`` — Django's serialisation of the rows (the ``dumpdata`` format, loadable with
  ``loaddata``). Primary keys are kept, because the audit log refers to users, organisations and plans
  by id; content types and permissions, which migrations create anew on every installation, are
  referred to by their natural keys.
- ``files/<storage name>`` — every stored file the rows refer to: ``FileField`` values and the
  ``storage_name`` / ``*_storage_name`` columns (evidence, bonus evidence, import uploads).
- ``manifest.json`` — per file its name, size and SHA-256; the SHA-256 of ``data.json``; the row count
  of every model; the audit chain head and whether the chain verified; the applied migrations; the
  application version and the creation time.

:func:`create_backup` writes everything, or one plan (``plan_id``): that plan's rows (every model with
a foreign-key path to it), the organisations, regions, users and memberships those rows refer to, the
installation-wide reference data (holiday calendar) and the whole audit log — the log is one hash
chain and can only be proven whole. On PostgreSQL the rows are read in one REPEATABLE READ snapshot.

:func:`restore_backup` brings an archive back on an empty installation (migrated, nothing else). It
checks everything before writing anything: the archive's structure, every file's size and SHA-256,
the schema (the same migrations must be applied), that the database is empty and that storage holds
no different object under the same name. Then it loads the rows in one transaction, writes the files
to the default storage (deleting them again if anything fails), verifies the audit chain and records
the restore as an audit event.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import re
import tempfile
import tomllib
import zipfile
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.apps import apps
from django.conf import settings
from django.core import serializers
from django.core.files import File
from django.core.files.storage import Storage, default_storage
from django.core.management import call_command
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from kaohe.core import audit
from kaohe.core.models import AuditChainHead

FORMAT = "kaohe-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DATA = "data.json"
FILES_DIR = "files/"
CHUNK = 1024 * 1024

# Besides the platform's own apps: user groups, and the Django admin's change log (whole backups only).
EXTRA_MODELS = ("auth.Group",)
EXTRA_MODELS_ALL = ("admin.LogEntry",)


class BackupError(Exception):
    """A backup or restore that cannot go ahead; the message (Chinese) says why. Nothing was written."""


class PreciseJSONEncoder(DjangoJSONEncoder):
    """Django's encoder, but keeping microseconds: it cuts times to milliseconds, which would change
    every audit event's ``created_at`` and so break the hash chain after a restore."""

    def default(self, o: Any) -> Any:
        if isinstance(o, dt.datetime | dt.time):
            return o.isoformat()
        return super().default(o)


# ------------------------------------------------------------------------------------------ the models


# Referred to by natural key: migrate creates them anew on every installation.
NATURAL_KEY_MODELS = ("contenttypes.ContentType", "auth.Permission")


def backup_models(*, whole: bool = True) -> list[type[models.Model]]:
    """The models an archive holds, in an order loaddata is happy with (dependencies first).

    Models that point at rows no archive holds (a login session row pointing at ``django_session``)
    are transient and left out: after a restore everybody logs in again.
    """
    labels = [*EXTRA_MODELS, *(EXTRA_MODELS_ALL if whole else ())]
    picked: list[type[models.Model]] = []
    for config in apps.get_app_configs():
        for m in config.get_models():
            ours = config.name.startswith("kaohe.") and m._meta.managed and not m._meta.proxy
            if ours or m._meta.label in labels:
                picked.append(m)
    known = set(picked) | {apps.get_model(label) for label in NATURAL_KEY_MODELS}
    while transient := [m for m in picked if any(t not in known for t in _fk_targets(m))]:
        picked = [m for m in picked if m not in transient]
        known -= set(transient)
    by_app: dict[Any, list[type[models.Model]]] = {}
    for m in picked:
        by_app.setdefault(m._meta.app_config, []).append(m)
    return serializers.sort_dependencies(by_app.items(), allow_cycles=True)


def left_out_models() -> list[str]:
    """The platform's models no archive holds (transient rows), for the manifest."""
    held = set(backup_models(whole=True))
    return sorted(
        m._meta.label_lower
        for config in apps.get_app_configs()
        if config.name.startswith("kaohe.")
        for m in config.get_models()
        if m not in held and m._meta.managed and not m._meta.proxy
    )


def _fk_targets(model: type[models.Model]) -> list[type[models.Model]]:
    """Models this one points at: foreign keys, one-to-ones and many-to-manys."""
    targets = [f.related_model for f in model._meta.get_fields() if f.concrete and f.is_relation and f.related_model]
    return [t for t in targets if isinstance(t, type)]


def _file_fields(model: type[models.Model]) -> list[str]:
    """Columns that name a stored file: FileFields and the ``storage_name`` convention."""
    names = []
    for f in model._meta.concrete_fields:
        if isinstance(f, models.FileField) or (
            isinstance(f, models.CharField) and (f.name == "storage_name" or f.name.endswith("_storage_name"))
        ):
            names.append(f.attname)
    return names


# ------------------------------------------------------------------------------- what a plan consists of

# A plan archive's rows are chosen by the app that owns plans (``kaohe/plans/backup_scope.py``, registered in its
# AppConfig.ready()): ``(plan_id) -> (scope, querysets)``, raising BackupError for a plan that does not exist.
PlanScope = Callable[[int], tuple[dict[str, Any], dict[type[models.Model], models.QuerySet[Any]]]]

_PLAN_SCOPE: list[PlanScope] = []


def register_plan_scope(scope: PlanScope) -> PlanScope:
    """Name the function that chooses a plan archive's rows (one; a later registration replaces it)."""
    _PLAN_SCOPE[:] = [scope]
    return scope


def fk_target(f: Any) -> type[models.Model] | None:
    """The model a foreign key or one-to-one points at; None for any other field."""
    return f.related_model if (f.many_to_one or f.one_to_one) else None


def _check_closed(querysets: dict[type[models.Model], models.QuerySet[Any]]) -> None:
    """Refuse a plan archive whose rows point at rows it does not hold (it could never be loaded)."""
    for model, rows in querysets.items():
        for f in model._meta.concrete_fields:
            target = fk_target(f)
            if target is None or target not in querysets:
                continue
            outside = rows.exclude(**{f"{f.attname}__isnull": True}).exclude(
                **{f"{f.attname}__in": querysets[target].values("pk")}
            )
            if outside.exists():
                row = outside.first()
                raise BackupError(
                    f"{model._meta.verbose_name} #{getattr(row, 'pk', '?')} 引用了方案之外的{target._meta.verbose_name}"
                    f"（{f.name}），无法单独备份该方案"
                )


# ------------------------------------------------------------------------------------------ writing


@dataclass
class BackupResult:
    path: Path
    size: int
    sha256: str
    rows: int
    files: int
    file_bytes: int
    missing_files: list[str]
    manifest: dict[str, Any]


class _HashingSink:
    """A text stream for the serializer: encodes, hashes, counts and writes into the zip entry."""

    def __init__(self, raw: IO[bytes]) -> None:
        self.raw = raw
        self.sha256 = hashlib.sha256()
        self.size = 0

    def write(self, text: str) -> int:
        data = text.encode("utf-8")
        self.sha256.update(data)
        self.size += len(data)
        self.raw.write(data)
        return len(text)

    def flush(self) -> None:
        self.raw.flush()


def app_version() -> str:
    try:
        with (Path(settings.BASE_DIR) / "pyproject.toml").open("rb") as fh:
            return str(tomllib.load(fh)["project"]["version"])
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        return "unknown"


def applied_migrations() -> dict[str, list[str]]:
    applied: dict[str, list[str]] = {}
    for app_label, name in MigrationRecorder(connection).applied_migrations():
        applied.setdefault(app_label, []).append(name)
    return {app: sorted(names) for app, names in sorted(applied.items())}


@contextlib.contextmanager
def _snapshot() -> Iterator[None]:
    """One consistent view of the database while everything is read.

    PostgreSQL: a REPEATABLE READ, READ ONLY transaction (writers carry on). SQLite (development): an
    ordinary transaction, which holds other writers back until the backup is done.
    """
    if connection.in_atomic_block:  # already inside a transaction (tests): it is the snapshot
        yield
        return
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield


def default_filename(plan_id: int | None = None) -> str:
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    return f"kaohe-backup-{stamp}{f'-plan-{plan_id}' if plan_id else ''}.zip"


def create_backup(output: Path, *, plan_id: int | None = None, storage: Storage | None = None) -> BackupResult:
    """Write everything (or one plan) to ``output`` (a .zip; a directory gets a dated file name)."""
    store = storage if storage is not None else default_storage
    if output.is_dir():
        output = output / default_filename(plan_id)
    output.parent.mkdir(parents=True, exist_ok=True)
    fd, partial_name = tempfile.mkstemp(prefix=f".{output.name}.", suffix=".partial", dir=output.parent)  # mode 0600
    partial = Path(partial_name)
    try:
        with os.fdopen(fd, "wb") as handle, zipfile.ZipFile(handle, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            manifest = _write_archive(archive, plan_id=plan_id, store=store)
        os.replace(partial, output)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    digest, size = _hash_file(output)
    scope = manifest["scope"]
    audit.record(
        actor=None,
        action="backup.create",
        plan_id=plan_id,
        object_repr=output.name,
        after={
            "scope": scope["kind"],
            "archive": output.name,
            "sha256": digest,
            "size": size,
            "rows": sum(manifest["models"].values()),
            "files": len(manifest["files"]),
            "missing_files": len(manifest["missing_files"]),
            "audit_head_seq": manifest["audit_chain"]["head_seq"],
        },
    )
    return BackupResult(
        path=output,
        size=size,
        sha256=digest,
        rows=sum(manifest["models"].values()),
        files=len(manifest["files"]),
        file_bytes=sum(f["size"] for f in manifest["files"]),
        missing_files=manifest["missing_files"],
        manifest=manifest,
    )


def _write_archive(archive: zipfile.ZipFile, *, plan_id: int | None, store: Storage) -> dict[str, Any]:
    created_at = timezone.localtime()
    with _snapshot():
        if plan_id is None:
            querysets = {m: m._base_manager.order_by("pk") for m in backup_models(whole=True)}
            scope: dict[str, Any] = {"kind": "all"}
        else:
            if not _PLAN_SCOPE:
                raise BackupError("没有可按方案备份的应用")
            scope, querysets = _PLAN_SCOPE[0](plan_id)
            _check_closed(querysets)
        head = AuditChainHead.objects.filter(singleton=1).first()
        chain = audit.verify_chain()
        counts: Counter[str] = Counter()
        file_names: dict[str, None] = {}
        data_entry = zipfile.ZipInfo(DATA, date_time=created_at.timetuple()[:6])
        data_entry.compress_type = zipfile.ZIP_DEFLATED
        with archive.open(data_entry, "w", force_zip64=True) as raw:
            sink = _HashingSink(raw)
            serializers.serialize(
                "json",
                _rows(querysets, counts, file_names),
                stream=sink,
                use_natural_foreign_keys=True,
                use_natural_primary_keys=False,
                cls=PreciseJSONEncoder,
            )
        files, missing = _write_files(archive, list(file_names), store, created_at)
        manifest = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "app_version": app_version(),
            "created_at": created_at.isoformat(),
            "scope": scope,
            "database": connection.vendor,
            "migrations": applied_migrations(),
            "data": {"name": DATA, "size": sink.size, "sha256": sink.sha256.hexdigest()},
            "models": {m._meta.label_lower: counts[m._meta.label_lower] for m in querysets},
            "left_out": left_out_models(),
            "files": files,
            "missing_files": missing,
            "audit_chain": {
                "head_seq": head.last_seq if head else 0,
                "head_hash": head.last_hash if head else "",
                "verified": chain.ok,
                "checked": chain.checked,
                "first_broken_seq": chain.first_broken_seq,
            },
        }
    archive.writestr(MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=2), compress_type=zipfile.ZIP_DEFLATED)
    return manifest


def _rows(
    querysets: dict[type[models.Model], models.QuerySet[Any]], counts: Counter[str], file_names: dict[str, None]
) -> Iterator[models.Model]:
    for model, rows in querysets.items():
        label = model._meta.label_lower
        columns = _file_fields(model)
        m2m = [f.name for f in model._meta.many_to_many]
        query = rows.prefetch_related(*m2m) if m2m else rows
        for obj in query.iterator(chunk_size=2000):
            counts[label] += 1
            for column in columns:
                value = getattr(obj, column)
                name = str(getattr(value, "name", value) or "")
                if name:
                    file_names.setdefault(name, None)
            yield obj


def _write_files(
    archive: zipfile.ZipFile, names: list[str], store: Storage, created_at: dt.datetime
) -> tuple[list[dict[str, Any]], list[str]]:
    files: list[dict[str, Any]] = []
    missing: list[str] = []
    for name in sorted(names):
        _check_name(name)
        if not store.exists(name):
            missing.append(name)
            continue
        entry = zipfile.ZipInfo(FILES_DIR + name, date_time=created_at.timetuple()[:6])
        entry.compress_type = zipfile.ZIP_STORED  # documents and images are compressed already
        digest = hashlib.sha256()
        size = 0
        with store.open(name, "rb") as source, archive.open(entry, "w", force_zip64=True) as target:
            while chunk := source.read(CHUNK):
                digest.update(chunk)
                size += len(chunk)
                target.write(chunk)
        files.append({"name": name, "size": size, "sha256": digest.hexdigest()})
    return files, missing


def _hash_file(path: Path) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


_SEGMENT = re.compile(r"[^\x00-\x1f\\]+")


def _check_name(name: str) -> None:
    """A storage name safe to put in (and take out of) an archive: relative, no ``..``, no backslashes."""
    segments = name.split("/")
    if not name or name.startswith("/") or any(s in ("", ".", "..") or not _SEGMENT.fullmatch(s) for s in segments):
        raise BackupError(f"不安全的文件名：{name!r}")


# ------------------------------------------------------------------------------------------ reading


@dataclass
class Manifest:
    raw: dict[str, Any]
    files: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def scope(self) -> dict[str, Any]:
        return dict(self.raw.get("scope") or {})

    @property
    def models(self) -> dict[str, int]:
        return {str(k): int(v) for k, v in (self.raw.get("models") or {}).items()}


def read_manifest(archive: zipfile.ZipFile) -> Manifest:
    try:
        raw = json.loads(archive.read(MANIFEST).decode("utf-8"))
    except KeyError:
        raise BackupError("不是本平台的备份文件：缺少 manifest.json") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BackupError(f"manifest.json 无法读取：{exc}") from exc
    if not isinstance(raw, dict) or raw.get("format") != FORMAT:
        raise BackupError("不是本平台的备份文件（manifest.json 格式不符）")
    if raw.get("format_version") != FORMAT_VERSION:
        raise BackupError(f"备份格式版本 {raw.get('format_version')} 不受支持（本版本支持 {FORMAT_VERSION}）")
    files: dict[str, dict[str, Any]] = {}
    for item in raw.get("files") or []:
        _check_name(str(item["name"]))
        files[str(item["name"])] = item
    return Manifest(raw=raw, files=files)


def _copy_checked(source: IO[bytes], expected_size: int, expected_sha256: str, what: str, sink: Callable[[bytes], Any]) -> None:
    digest = hashlib.sha256()
    size = 0
    while chunk := source.read(CHUNK):
        size += len(chunk)
        if size > expected_size:
            raise BackupError(f"{what} 比清单记载的大（已被改动或损坏）")
        digest.update(chunk)
        sink(chunk)
    if size != expected_size:
        raise BackupError(f"{what} 的大小 {size} 与清单记载的 {expected_size} 不符（已被改动或损坏）")
    if digest.hexdigest() != expected_sha256:
        raise BackupError(f"{what} 的 SHA-256 与清单不符（已被改动或损坏）")


def verify_archive(archive: zipfile.ZipFile) -> Manifest:
    """Check the archive's structure and every byte against the manifest; raise BackupError otherwise."""
    manifest = read_manifest(archive)
    names = set(archive.namelist())
    expected = {MANIFEST, DATA} | {FILES_DIR + name for name in manifest.files}
    if extra := sorted(names - expected):
        raise BackupError(f"备份文件含有清单之外的内容：{', '.join(extra[:5])}")
    if absent := sorted(expected - names):
        raise BackupError(f"备份文件缺少清单所列的内容：{', '.join(absent[:5])}")
    data = manifest.raw.get("data") or {}
    try:
        with archive.open(DATA) as source:
            _copy_checked(source, int(data["size"]), str(data["sha256"]), DATA, lambda _: None)
        for name, item in manifest.files.items():
            with archive.open(FILES_DIR + name) as source:
                _copy_checked(source, int(item["size"]), str(item["sha256"]), f"文件 {name}", lambda _: None)
    except zipfile.BadZipFile as exc:
        raise BackupError(f"备份文件已损坏：{exc}") from exc
    return manifest


# ------------------------------------------------------------------------------------------ restoring


@dataclass
class RestoreResult:
    manifest: dict[str, Any]
    rows: int
    files_written: int
    files_present: int
    chain: audit.VerifyResult


def non_empty_tables() -> dict[str, int]:
    """Rows already present in the tables a restore would fill (an empty installation has none)."""
    found: dict[str, int] = {}
    for model in backup_models(whole=True):
        count = model._base_manager.count()
        if count:
            found[str(model._meta.verbose_name)] = count
    return found


def _check_schema(manifest: Manifest) -> None:
    theirs: dict[str, list[str]] = manifest.raw.get("migrations") or {}
    ours = applied_migrations()
    apps_in_archive = {label.split(".")[0] for label in manifest.models}
    differing = sorted(app for app in apps_in_archive if sorted(theirs.get(app, [])) != ours.get(app, []))
    if differing:
        raise BackupError(
            "备份所用的数据库结构与本安装不同（"
            + "、".join(differing)
            + f"）。请先安装与备份时相同的版本（{manifest.raw.get('app_version')}）并执行 migrate，恢复后再升级"
        )


def _storage_conflicts(archive: zipfile.ZipFile, manifest: Manifest, store: Storage) -> set[str]:
    """Names already in storage with the same bytes (skipped); a different object under a name refuses."""
    same: set[str] = set()
    for name, item in manifest.files.items():
        if not store.exists(name):
            continue
        digest = hashlib.sha256()
        with store.open(name, "rb") as existing:
            while chunk := existing.read(CHUNK):
                digest.update(chunk)
        if digest.hexdigest() != item["sha256"]:
            raise BackupError(f"存储中已有同名但内容不同的文件：{name}，不覆盖")
        same.add(name)
    return same


class _CheckedReader:
    """Reads a zip entry for a storage backend while checking its size and SHA-256 on the way.

    A plain, non-seekable, read-only stream: FileSystemStorage pulls ``chunks()`` through Django's
    File, S3 (``upload_fileobj``) calls ``read(n)``, multipart above 8 MB included.
    """

    closed = False

    def __init__(self, source: IO[bytes], item: dict[str, Any]) -> None:
        self.source = source
        self.item = item
        self.digest = hashlib.sha256()
        self.size = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False

    def close(self) -> None:
        self.closed = True

    def read(self, size: int = -1) -> bytes:
        chunk = self.source.read(size if size and size > 0 else CHUNK)
        self.size += len(chunk)
        self.digest.update(chunk)
        if self.size > int(self.item["size"]):
            raise BackupError(f"文件 {self.item['name']} 比清单记载的大")
        return chunk

    def check(self) -> None:
        if self.size != int(self.item["size"]) or self.digest.hexdigest() != self.item["sha256"]:
            raise BackupError(f"文件 {self.item['name']} 写入时校验不符")


# Loading rows must not append audit events: an app whose receivers would write one registers (in its
# AppConfig.ready()) a context manager that pauses them, e.g. organisations' membership receiver.
_RESTORE_PAUSES: list[Callable[[], contextlib.AbstractContextManager[None]]] = []


def register_restore_pause(pause: Callable[[], contextlib.AbstractContextManager[None]]) -> None:
    """Enter ``pause()`` around the loading of a restore (idempotent: a pause is kept once)."""
    if pause not in _RESTORE_PAUSES:
        _RESTORE_PAUSES.append(pause)


@contextlib.contextmanager
def _quiet_receivers() -> Iterator[None]:
    with contextlib.ExitStack() as stack:
        for pause in list(_RESTORE_PAUSES):
            stack.enter_context(pause())
        yield


def restore_backup(path: Path, *, storage: Storage | None = None) -> RestoreResult:
    """Bring an archive back on an empty installation; see the module docstring for the checks."""
    store = storage if storage is not None else default_storage
    archive_sha256, _ = _hash_file(path)
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise BackupError(f"无法打开备份文件：{exc}") from exc
    with archive:
        manifest = verify_archive(archive)
        _check_schema(manifest)
        if occupied := non_empty_tables():
            listing = "、".join(f"{name} {count} 条" for name, count in list(occupied.items())[:6])
            raise BackupError(f"目标数据库不是空的（{listing}）。恢复只能在刚执行过 migrate 的空数据库上进行")
        present = _storage_conflicts(archive, manifest, store)
        written: list[str] = []
        rows = 0
        with tempfile.TemporaryDirectory(prefix="kaohe-restore-") as tmp:
            fixture = Path(tmp) / "data.json"
            data = manifest.raw["data"]
            with archive.open(DATA) as source, fixture.open("wb") as target:
                _copy_checked(source, int(data["size"]), str(data["sha256"]), DATA, target.write)
            try:
                with transaction.atomic(), _quiet_receivers():
                    call_command("loaddata", str(fixture), verbosity=0)
                    rows = sum(model._base_manager.count() for model in backup_models(whole=True))
                    head = AuditChainHead.objects.filter(singleton=1).first()
                    expected = manifest.raw.get("audit_chain") or {}
                    if (head.last_seq if head else 0) != expected.get("head_seq", 0):
                        raise BackupError("载入数据时审计链被追加了事件，已撤销恢复")
                    for name, item in sorted(manifest.files.items()):
                        if name in present:
                            continue
                        with archive.open(FILES_DIR + name) as source:
                            reader = _CheckedReader(source, item)
                            saved = store.save(name, File(reader, name=name))  # type: ignore[arg-type]
                            written.append(saved)
                            reader.check()
                        if saved != name:
                            raise BackupError(f"存储把 {name} 另存为 {saved}，已撤销恢复")
            except BaseException:
                for name in written:
                    with contextlib.suppress(Exception):
                        store.delete(name)
                raise
    chain = audit.verify_chain()
    audit.record(
        actor=None,
        action="backup.restore",
        plan_id=manifest.scope.get("plan_id"),
        object_repr=path.name,
        after={
            "archive": path.name,
            "sha256": archive_sha256,
            "scope": manifest.scope.get("kind"),
            "created_at": manifest.raw.get("created_at"),
            "rows": rows,
            "files": len(manifest.files),
            "chain_ok": chain.ok,
        },
    )
    return RestoreResult(manifest=manifest.raw, rows=rows, files_written=len(written), files_present=len(present), chain=chain)


def describe(manifest: dict[str, Any]) -> list[str]:
    """Lines for the commands' output: what an archive holds."""
    scope = manifest.get("scope") or {}
    what = "全部数据" if scope.get("kind") == "all" else f"考核方案 {scope.get('plan_id')}「{scope.get('title')}」"
    files = manifest.get("files") or []
    chain = manifest.get("audit_chain") or {}
    return [
        f"范围：{what}",
        f"创建时间：{manifest.get('created_at')}（版本 {manifest.get('app_version')}）",
        f"数据：{sum((manifest.get('models') or {}).values())} 行，{len([c for c in (manifest.get('models') or {}).values() if c])} 种数据",
        f"文件：{len(files)} 个，共 {sum(int(f['size']) for f in files)} 字节",
        f"审计链：至第 {chain.get('head_seq')} 号事件，备份时校验{'完整' if chain.get('verified') else '未通过'}",
    ]
