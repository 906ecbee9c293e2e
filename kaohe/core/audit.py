"""Writing and verifying the keyed, hash-chained audit log.

Every service that changes data calls :func:`record` inside its transaction. The chain head row is
locked (``SELECT … FOR UPDATE``) while an event is appended, so concurrent writers serialise on it and
the chain never forks.

Each event's digest is HMAC-SHA256(audit key, canonical JSON of the event including the previous digest
and the key's id). The key lives outside the database (``KAOHE_AUDIT_KEY`` / ``_FILE``), so someone who can
write the database cannot recompute the chain after editing it. Rotation: older keys in
``KAOHE_AUDIT_KEYS_OLD`` still verify the events they sealed (each event names its key by a fingerprint).
Events written before the chain was keyed (up to ``AuditChainHead.legacy_until_seq``) verify by the old
rule, plain SHA-256.

Keying does not stop someone who can write the database from cutting the tail of the chain and moving the
head back; anchoring does: ``kaohe.core.audit_anchor`` writes checkpoints of the head outside the database,
and :func:`verify_chain` checks them too. ``manage.py verify_audit`` runs it.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import hashlib
import hmac
import json
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.db.models import Model
from django.utils import timezone

from kaohe.core.models import AuditChainHead, AuditEvent

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser
    from django.contrib.auth.models import AnonymousUser

_current_ip: contextvars.ContextVar[str] = contextvars.ContextVar("kaohe_current_ip", default="")
_current_user: contextvars.ContextVar[Any] = contextvars.ContextVar("kaohe_current_user", default=None)


def set_request_context(ip: str, user: Any) -> tuple[contextvars.Token[str], contextvars.Token[Any]]:
    return _current_ip.set(ip), _current_user.set(user)


def reset_request_context(tokens: tuple[contextvars.Token[str], contextvars.Token[Any]]) -> None:
    _current_ip.reset(tokens[0])
    _current_user.reset(tokens[1])


def current_user() -> Any:
    """The user of the current request, for audit receivers that are not handed an actor (admin edits)."""
    user = _current_user.get()
    return user if getattr(user, "is_authenticated", False) else None


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    raise TypeError(f"Not JSON serialisable in an audit event: {type(value).__name__}")


def normalise(payload: Any) -> Any:
    """Turn Decimals and dates into strings so that what is stored is what is hashed."""
    if payload is None:
        return None
    return json.loads(json.dumps(payload, default=_json_default, ensure_ascii=False))


@dataclass(frozen=True)
class AuditKeys:
    """The key that seals new events and every key that may verify old ones, by key id."""

    current_id: str
    by_id: dict[str, bytes]

    @property
    def current(self) -> bytes:
        return self.by_id[self.current_id]


def key_id_of(key: bytes) -> str:
    """A short fingerprint naming a key in events and checkpoints; derived by HMAC, it reveals nothing of the key."""
    return hmac.new(key, b"kaohe-audit-key-id", hashlib.sha256).hexdigest()[:12]


def audit_keys() -> AuditKeys:
    """``KAOHE_AUDIT_KEY`` seals; it and every ``KAOHE_AUDIT_KEYS_OLD`` verify. Read on each call (cheap)."""
    current = str(settings.KAOHE_AUDIT_KEY).encode("utf-8")
    by_id = {key_id_of(current): current}
    for old in getattr(settings, "KAOHE_AUDIT_KEYS_OLD", []):
        encoded = str(old).encode("utf-8")
        by_id.setdefault(key_id_of(encoded), encoded)
    return AuditKeys(current_id=key_id_of(current), by_id=by_id)


def _canonical(event: AuditEvent) -> dict[str, Any]:
    return {
        "seq": event.seq,
        "created_at": event.created_at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
        "actor_id": event.actor_id,
        "actor_name": event.actor_name,
        "organisation_id": event.organisation_id,
        "organisation_name": event.organisation_name,
        "ip": event.ip,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "object_repr": event.object_repr,
        "plan_id": event.plan_id,
        "before": event.before,
        "after": event.after,
        "prev_hash": event.prev_hash,
    }


def _encode(body: dict[str, Any]) -> bytes:
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def compute_hash(event: AuditEvent) -> str:
    """The legacy (unkeyed) digest: SHA-256 of the canonical event. Only events before the boundary use it."""
    return hashlib.sha256(_encode(_canonical(event))).hexdigest()


def compute_digest(event: AuditEvent, key: bytes) -> str:
    """The keyed digest: HMAC-SHA256 over the canonical event, its previous digest and its key id."""
    return hmac.new(key, _encode({**_canonical(event), "key_id": event.key_id}), hashlib.sha256).hexdigest()


def record(
    *,
    actor: AbstractBaseUser | AnonymousUser | None,
    action: str,
    obj: Model | None = None,
    plan_id: int | None = None,
    organisation: Any = None,
    before: Any = None,
    after: Any = None,
    object_repr: str = "",
) -> AuditEvent:
    """Append one event. Must run inside the caller's transaction (services use ``transaction.atomic``)."""
    keys = audit_keys()
    with transaction.atomic():
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(singleton=1)
        actor_id = getattr(actor, "pk", None)
        event = AuditEvent(
            seq=head.last_seq + 1,
            created_at=timezone.now(),
            actor_id=actor_id,
            actor_name=(getattr(actor, "username", "") or "") if actor_id else "",
            organisation_id=getattr(organisation, "pk", None),
            organisation_name=str(organisation) if organisation is not None else "",
            ip=_current_ip.get(),
            action=action,
            object_type=obj._meta.label if obj is not None else "",
            object_id=str(obj.pk) if obj is not None else "",
            object_repr=(object_repr or (str(obj) if obj is not None else ""))[:300],
            plan_id=plan_id,
            before=normalise(before),
            after=normalise(after),
            prev_hash=head.last_hash,
            key_id=keys.current_id,
        )
        event.hash = compute_digest(event, keys.current)
        event.save(force_insert=True)
        head.last_seq = event.seq
        head.last_hash = event.hash
        head.save(update_fields=["last_seq", "last_hash"])
    return event


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int
    first_broken_seq: int | None = None
    reason: str = ""
    anchors: int = 0  # checkpoints compared with the chain (anchor file lines and checkpoint rows)
    warnings: list[str] = field(default_factory=list)


def _expected_digest(event: AuditEvent, legacy_until: int, keys: AuditKeys) -> tuple[str | None, str]:
    """The digest the event should carry, or None and the reason it cannot be checked."""
    if event.seq <= legacy_until:
        if event.key_id:
            return None, "早期（未加密钥）事件不应带密钥标识"
        return compute_hash(event), ""
    key = keys.by_id.get(event.key_id)
    if key is None:
        return None, f"事件由未配置的审计密钥（{event.key_id or '无'}）封存：密钥错误，或事件被伪造"
    return compute_digest(event, key), ""


def verify_events(*, batch_size: int = 2000) -> VerifyResult:
    """Recompute every digest in order; report the first event whose digest, key or link does not match."""
    keys = audit_keys()
    head = AuditChainHead.objects.filter(singleton=1).first()
    legacy_until = head.legacy_until_seq if head is not None else 0
    prev_hash = ""
    expected_seq = 1
    checked = 0
    for event in AuditEvent.objects.order_by("seq").iterator(chunk_size=batch_size):
        if event.seq != expected_seq:
            return VerifyResult(False, checked, expected_seq, f"缺少序号为 {expected_seq} 的事件")
        if event.prev_hash != prev_hash:
            return VerifyResult(False, checked, event.seq, "与上一事件的链接不符")
        expected, problem = _expected_digest(event, legacy_until, keys)
        if expected is None:
            return VerifyResult(False, checked, event.seq, problem)
        if not hmac.compare_digest(expected, event.hash):
            return VerifyResult(False, checked, event.seq, "事件内容与其哈希不符（已被改动，或以错误的密钥重算）")
        prev_hash = event.hash
        expected_seq += 1
        checked += 1
    if head is not None and (head.last_seq != checked or head.last_hash != prev_hash):
        return VerifyResult(False, checked, checked + 1, "链尾事件缺失（链头记录的序号或哈希与最后一条不符）")
    return VerifyResult(True, checked)


def verify_chain(*, batch_size: int = 2000, require_anchor_file: bool = True) -> VerifyResult:
    """The keyed chain, then every checkpoint (anchor file and table) against it.

    ``require_anchor_file``: checkpoints in the table but no anchor file on this server is a failure (the
    nightly ``verify_audit``); the web page, which may run on another app server, reports it as a warning.
    """
    from kaohe.core.audit_anchor import verify_anchors

    result = verify_events(batch_size=batch_size)
    if not result.ok:
        return result
    return verify_anchors(result, require_anchor_file=require_anchor_file)
