"""Anchoring the audit chain outside the database: checkpoints of its head, and their verification.

A checkpoint is (seq, head digest, time, legacy boundary, key id, HMAC). ``audit_checkpoint`` appends it as
one JSON line to the anchor file (``KAOHE_AUDIT_ANCHOR_FILE``, opened ``O_APPEND``; make it append-only
with ``chattr +a`` and copy it off the machine) and stores the same row in ``AuditCheckpoint`` for the audit
administrator's page, where the latest ones are written down or printed.

What it proves: every event up to an anchored seq is the event that was there when the checkpoint was taken
(a rewrite changes the anchored digest, a cut leaves the chain shorter than the anchor), even against
someone who can write the database *and* knows the audit key, as long as the anchor file or the paper copy
is out of their reach. What it does not prove: events after the last checkpoint may be cut or rewritten by
someone holding the key; an event that was never written (a service that skips ``record``) is not missing
from the chain; and the anchor file on this machine is only as safe as the machine's root account — the
copy kept elsewhere (backup, paper) is the one that settles a dispute.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from kaohe.core import audit
from kaohe.core.models import AuditChainHead, AuditCheckpoint, AuditEvent

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser

ANCHOR_VERSION = 1


class AnchorError(Exception):
    """The anchor file could not be written; the checkpoint was not taken (nothing saved)."""


@dataclass(frozen=True)
class Anchor:
    seq: int
    head: str
    at: str  # ISO 8601, UTC, seconds
    legacy_until: int
    key_id: str
    mac: str

    def line(self) -> str:
        body = {
            "v": ANCHOR_VERSION,
            "seq": self.seq,
            "head": self.head,
            "at": self.at,
            "legacy_until": self.legacy_until,
            "key_id": self.key_id,
            "mac": self.mac,
        }
        return json.dumps(body, sort_keys=True, separators=(",", ":"))


def anchor_mac(key: bytes, *, seq: int, head: str, at: str, legacy_until: int) -> str:
    """HMAC over a checkpoint; the prefix keeps it apart from event digests."""
    message = f"kaohe-audit-anchor|v{ANCHOR_VERSION}|{seq}|{head}|{at}|{legacy_until}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def anchor_path() -> Path:
    return Path(settings.KAOHE_AUDIT_ANCHOR_FILE)


def _append_line(path: Path, line: str) -> None:
    """Append one line with O_APPEND (never rewrites what is there) and fsync it."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
        try:
            os.write(fd, (line + "\n").encode("ascii"))
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError as exc:
        raise AnchorError(f"无法写入审计锚定文件 {path}：{exc.strerror or exc}") from exc


def audit_checkpoint(*, actor: AbstractBaseUser | None = None) -> AuditCheckpoint:
    """Take a checkpoint of the chain head: an ``audit.checkpoint`` event, then its head anchored in the file
    and in the table. The file is written last inside the transaction, so a failed write saves nothing."""
    keys = audit.audit_keys()
    path = anchor_path()
    with transaction.atomic():
        previous = AuditCheckpoint.objects.order_by("-seq", "-pk").first()
        event = audit.record(
            actor=actor,
            action="audit.checkpoint",
            object_repr="审计链检查点",
            after={"anchor_file": path.name, "previous_checkpoint_seq": previous.seq if previous else None},
        )
        head = AuditChainHead.objects.select_for_update().get(singleton=1)  # still locked by record(): nothing in between
        now = timezone.now().astimezone(dt.UTC).replace(microsecond=0)
        at = now.isoformat()
        mac = anchor_mac(keys.current, seq=head.last_seq, head=head.last_hash, at=at, legacy_until=head.legacy_until_seq)
        checkpoint = AuditCheckpoint(
            seq=head.last_seq,
            head_hash=head.last_hash,
            created_at=now,
            legacy_until_seq=head.legacy_until_seq,
            key_id=keys.current_id,
            mac=mac,
            actor_name=event.actor_name,
        )
        checkpoint.full_clean()
        checkpoint.save(force_insert=True)
        anchor = Anchor(head.last_seq, head.last_hash, at, head.legacy_until_seq, keys.current_id, mac)
        _append_line(path, anchor.line())
    return checkpoint


@dataclass(frozen=True)
class _Line:
    where: str  # 锚定文件第 N 行 / 检查点表
    anchor: Anchor | None
    problem: str = ""


def _parse(number: int, text: str) -> _Line:
    where = f"锚定文件第 {number} 行"
    try:
        data = json.loads(text)
        anchor = Anchor(
            seq=int(data["seq"]),
            head=str(data["head"]),
            at=str(data["at"]),
            legacy_until=int(data["legacy_until"]),
            key_id=str(data["key_id"]),
            mac=str(data["mac"]),
        )
    except (ValueError, KeyError, TypeError):
        return _Line(where, None, "格式不正确（锚定文件被改动）")
    if data.get("v") != ANCHOR_VERSION:
        return _Line(where, None, f"版本 {data.get('v')!r} 无法识别")
    return _Line(where, anchor)


def read_anchor_file(path: Path) -> list[_Line] | None:
    """Every non-empty line of the anchor file, parsed; None when the file does not exist."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        return [_Line("锚定文件", None, f"无法读取：{exc.strerror or exc}")]
    try:
        text = raw.decode("ascii")
    except UnicodeDecodeError:
        return [_Line("锚定文件", None, "含有非法字符（锚定文件被改动）")]
    return [_parse(n, line) for n, line in enumerate(text.splitlines(), start=1) if line.strip()]


def _chunks(values: list[int], size: int = 500) -> list[list[int]]:
    return [values[i : i + size] for i in range(0, len(values), size)]


def verify_anchors(chain: audit.VerifyResult, *, require_anchor_file: bool = True) -> audit.VerifyResult:
    """Compare every checkpoint (file lines, then table rows) with the verified chain ``chain``.

    A checkpoint must carry a valid HMAC by a configured key, name an event that exists with exactly the
    anchored digest, and the same legacy boundary as the chain head; the chain must not be shorter than any
    checkpoint; every checkpoint of the table must also be in the file.
    """
    keys = audit.audit_keys()
    head = AuditChainHead.objects.filter(singleton=1).first()
    legacy_until = head.legacy_until_seq if head is not None else 0
    length = chain.checked
    warnings: list[str] = []

    lines = read_anchor_file(anchor_path())
    rows = list(AuditCheckpoint.objects.order_by("seq", "pk"))
    table = [
        _Line(
            f"检查点表第 {row.seq} 号检查点",
            Anchor(
                row.seq,
                row.head_hash,
                row.created_at.astimezone(dt.UTC).isoformat(),
                row.legacy_until_seq,
                row.key_id,
                row.mac,
            ),
        )
        for row in rows
    ]

    def failed(seq: int | None, reason: str) -> audit.VerifyResult:
        return replace(chain, ok=False, first_broken_seq=seq, reason=reason, warnings=warnings)

    if lines is None:
        if rows:
            message = f"找不到审计锚定文件 {anchor_path()}，而数据库中有 {len(rows)} 个检查点（锚定文件被删除，或不在本服务器）"
            if require_anchor_file:
                return failed(rows[-1].seq, message)
            warnings.append(message + "；锚定文件的核对以定时任务 verify_audit 为准")
        lines = []
    in_file = {line.anchor.mac for line in lines if line.anchor is not None}

    anchors = [*lines, *table]
    wanted = sorted({a.anchor.seq for a in anchors if a.anchor is not None and 0 < a.anchor.seq <= length})
    digests: dict[int, str] = {}
    for chunk in _chunks(wanted):
        digests.update(AuditEvent.objects.filter(seq__in=chunk).values_list("seq", "hash"))

    for item in anchors:
        if item.anchor is None:
            return failed(None, f"{item.where}{item.problem}")
        a = item.anchor
        key = keys.by_id.get(a.key_id)
        if key is None:
            return failed(a.seq, f"{item.where}由未配置的审计密钥（{a.key_id}）签署：密钥错误，或检查点被伪造")
        expected = anchor_mac(key, seq=a.seq, head=a.head, at=a.at, legacy_until=a.legacy_until)
        if not hmac.compare_digest(expected, a.mac):
            return failed(a.seq, f"{item.where}的校验码不符（检查点被改动或伪造）")
        if a.legacy_until != legacy_until:
            return failed(a.seq, f"{item.where}记录的早期事件截至序号为 {a.legacy_until}，链头为 {legacy_until}（审计链被改写）")
        if a.seq > length:
            return failed(length + 1, f"审计链只有 {length} 条事件，短于{item.where}锚定的第 {a.seq} 号（链尾被截去）")
        if a.seq and digests.get(a.seq) != a.head:
            return failed(a.seq, f"第 {a.seq} 号事件的哈希与{item.where}锚定的不符（审计链被改写）")
    if require_anchor_file or in_file:
        for row in rows:
            if row.mac not in in_file:
                return failed(row.seq, f"检查点表第 {row.seq} 号检查点不在锚定文件中（锚定文件被截短或替换）")
    return replace(chain, anchors=len(anchors), warnings=warnings)
