"""Writing and verifying the hash-chained audit log.

Every service that changes data calls :func:`record` inside its transaction. The chain head row is
locked (``SELECT … FOR UPDATE``) while an event is appended, so concurrent writers serialise on it and
the chain never forks. ``manage.py verify_audit`` recomputes every hash.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Model
from django.utils import timezone

from kaohe.core.models import AuditChainHead, AuditEvent

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


def compute_hash(event: AuditEvent) -> str:
    body = {
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
    canonical = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def record(
    *,
    actor: Any,
    action: str,
    obj: Model | None = None,
    plan_id: int | None = None,
    organisation: Any = None,
    before: Any = None,
    after: Any = None,
    object_repr: str = "",
) -> AuditEvent:
    """Append one event. Must run inside the caller's transaction (services use ``transaction.atomic``)."""
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
        )
        event.hash = compute_hash(event)
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


def verify_chain(*, batch_size: int = 2000) -> VerifyResult:
    """Recompute every hash in order; report the first event whose hash or link does not match."""
    prev_hash = ""
    expected_seq = 1
    checked = 0
    for event in AuditEvent.objects.order_by("seq").iterator(chunk_size=batch_size):
        if event.seq != expected_seq:
            return VerifyResult(False, checked, expected_seq, f"缺少序号为 {expected_seq} 的事件")
        if event.prev_hash != prev_hash:
            return VerifyResult(False, checked, event.seq, "与上一事件的链接不符")
        if compute_hash(event) != event.hash:
            return VerifyResult(False, checked, event.seq, "事件内容与其哈希不符（已被改动）")
        prev_hash = event.hash
        expected_seq += 1
        checked += 1
    head = AuditChainHead.objects.filter(singleton=1).first()
    if head is not None and (head.last_seq != checked or head.last_hash != prev_hash):
        return VerifyResult(False, checked, checked + 1, "链尾事件缺失（链头记录的序号或哈希与最后一条不符）")
    return VerifyResult(True, checked)
