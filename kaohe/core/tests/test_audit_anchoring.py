"""The audit chain is keyed (HMAC with a key outside the database) and anchored (checkpoints in a file).

The two attacks of the penetration test (finding 7) — rewrite an event and recompute every later digest,
or cut the tail and move the head back — must fail ``verify_audit``; an honest chain must pass, across a
key rotation and with the unkeyed events of an older installation.
"""

from __future__ import annotations

import hashlib
import hmac
import importlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps as django_apps
from django.core.management import call_command
from django.core.management.base import CommandError

from kaohe.core import audit
from kaohe.core.audit_anchor import AnchorError, audit_checkpoint
from kaohe.core.models import AuditChainHead, AuditCheckpoint, AuditEvent

KEY = "test-only-audit-key-not-for-production-0123456789"


@pytest.fixture
def anchors(settings: Any, tmp_path: Path) -> Path:
    """Each test its own anchor file, and the test suite's key."""
    path = tmp_path / "anchors" / "audit-anchors.log"
    settings.KAOHE_AUDIT_ANCHOR_FILE = str(path)
    settings.KAOHE_AUDIT_KEY = KEY
    settings.KAOHE_AUDIT_KEYS_OLD = []
    return path


def _events(personas, n: int) -> list[AuditEvent]:
    return [audit.record(actor=personas.office, action="evaluation.record", after={"score": f"{i}.00"}) for i in range(n)]


def _rewrite_from(seq: int, digest: Callable[[AuditEvent], str], *, key_id: str | None = None) -> None:
    """What an attacker with write access to the database does: recompute every digest from ``seq`` on and move
    the head to the new last digest."""
    prev = AuditEvent.objects.get(seq=seq - 1).hash if seq > 1 else ""
    for event in AuditEvent.objects.filter(seq__gte=seq).order_by("seq"):
        event.prev_hash = prev
        if key_id is not None:
            event.key_id = key_id
        event.hash = digest(event)
        AuditEvent.objects.filter(pk=event.pk).update(prev_hash=event.prev_hash, hash=event.hash, key_id=event.key_id)
        prev = event.hash
    AuditChainHead.objects.filter(singleton=1).update(last_hash=prev)


def _edit(event: AuditEvent, after: dict[str, str]) -> None:
    AuditEvent.objects.filter(pk=event.pk).update(after=after)


def _plain_sha256(event: AuditEvent) -> str:
    return audit.compute_hash(event)


def _hmac_with(key: str) -> Callable[[AuditEvent], str]:
    return lambda event: audit.compute_digest(event, key.encode())


def _verify_fails(match: str) -> None:
    with pytest.raises(CommandError, match=match):
        call_command("verify_audit")


def test_new_events_are_sealed_with_the_key_not_plain_sha256(personas, anchors):
    event = _events(personas, 1)[0]
    assert event.key_id == audit.key_id_of(KEY.encode())
    assert KEY not in event.key_id  # a fingerprint, never the key
    expected = hmac.new(KEY.encode(), audit._encode({**audit._canonical(event), "key_id": event.key_id}), hashlib.sha256)
    assert event.hash == expected.hexdigest()
    assert event.hash != audit.compute_hash(event)
    assert audit.verify_chain().ok


def test_attack_rewrite_with_plain_sha256_fails(personas, anchors):
    target, *_ = _events(personas, 3)
    _edit(target, {"score": "10.00"})
    _rewrite_from(target.seq, _plain_sha256)
    result = audit.verify_chain()
    assert not result.ok
    assert result.first_broken_seq == target.seq
    _verify_fails(f"第 {target.seq} 号事件 — 事件内容与其哈希不符")


def test_attack_rewrite_with_the_right_algorithm_but_without_the_key_fails(personas, anchors):
    target, *_ = _events(personas, 3)
    _edit(target, {"score": "10.00"})
    for guess in ("", "dev-only-insecure-audit-key-do-not-use-in-production", "test-only-secret-key-not-for-production"):
        _rewrite_from(target.seq, _hmac_with(guess))
        result = audit.verify_chain()
        assert not result.ok, guess
        assert result.first_broken_seq == target.seq
    # Naming a key id the installation does not have does not help either.
    _rewrite_from(target.seq, _hmac_with("attacker-key"), key_id=audit.key_id_of(b"attacker-key"))
    _verify_fails(f"第 {target.seq} 号事件 — 事件由未配置的审计密钥")


def test_attack_rewrite_even_with_the_key_fails_on_an_anchor(personas, anchors):
    """Someone holding the key as well can recompute the chain; the checkpoint taken before still catches it."""
    target, *_ = _events(personas, 3)
    audit_checkpoint(actor=None)
    _events(personas, 2)
    _edit(target, {"score": "10.00"})
    _rewrite_from(target.seq, _hmac_with(KEY))
    assert audit.verify_events().ok  # the chain alone cannot tell
    result = audit.verify_chain()
    assert not result.ok
    assert "锚定的不符" in result.reason and "审计链被改写" in result.reason
    _verify_fails("锚定文件第 1 行锚定的不符")


def test_attack_passing_keyed_events_off_as_legacy_fails_on_an_anchor(personas, anchors):
    """Moving the unkeyed-segment boundary over keyed events, to recompute them with plain SHA-256."""
    target, *_ = _events(personas, 3)
    audit_checkpoint(actor=None)
    last = _events(personas, 1)[-1]
    _edit(target, {"score": "10.00"})
    AuditChainHead.objects.filter(singleton=1).update(legacy_until_seq=last.seq)
    _rewrite_from(1, _plain_sha256, key_id="")
    assert audit.verify_events().ok
    _verify_fails("早期事件截至序号为 0")


def test_attack_cut_the_tail_and_move_the_head_back_fails(personas, anchors):
    events = _events(personas, 4)
    checkpoint = audit_checkpoint(actor=None)
    keep = events[1]
    AuditEvent.objects.filter(seq__gt=keep.seq).delete()  # a queryset delete: what raw SQL would do
    AuditCheckpoint.objects.filter(seq__gt=keep.seq).delete()  # and the copy of the checkpoint in the table
    AuditChainHead.objects.filter(singleton=1).update(last_seq=keep.seq, last_hash=keep.hash)
    assert audit.verify_events().ok  # a shorter chain is still a valid chain
    result = audit.verify_chain()
    assert not result.ok
    assert result.first_broken_seq == keep.seq + 1
    assert f"短于锚定文件第 1 行锚定的第 {checkpoint.seq} 号（链尾被截去）" in result.reason
    _verify_fails("链尾被截去")


def test_honest_chain_with_checkpoints_verifies(personas, anchors, capsys):
    _events(personas, 2)
    call_command("audit_checkpoint")
    assert "已生成检查点" in capsys.readouterr().out
    _events(personas, 2)
    second = audit_checkpoint(actor=personas.office)
    _events(personas, 1)
    lines = anchors.read_text().splitlines()
    assert len(lines) == 2
    anchor = json.loads(lines[1])
    head = AuditChainHead.objects.get(singleton=1)
    assert anchor["seq"] == second.seq == head.last_seq - 1  # the checkpoint's own event is anchored; one later event
    assert anchor["head"] == AuditEvent.objects.get(seq=second.seq).hash
    assert AuditEvent.objects.get(seq=second.seq).action == "audit.checkpoint"
    assert AuditCheckpoint.objects.count() == 2
    result = audit.verify_chain()
    assert result.ok, result.reason
    assert result.anchors == 4  # two file lines, two table rows
    call_command("verify_audit")
    assert "与 4 个检查点相符" in capsys.readouterr().out


def test_a_wrong_key_fails(personas, anchors, settings):
    first = _events(personas, 2)[0]
    settings.KAOHE_AUDIT_KEY = "another-key-that-is-long-enough-0123456789"
    result = audit.verify_chain()
    assert not result.ok
    assert "未配置的审计密钥" in result.reason
    assert result.first_broken_seq is not None and result.first_broken_seq <= first.seq


def test_old_key_events_still_verify_after_rotation(personas, anchors, settings):
    old_events = _events(personas, 2)
    audit_checkpoint(actor=None)
    settings.KAOHE_AUDIT_KEY = "the-new-audit-key-after-rotation-0123456789"
    settings.KAOHE_AUDIT_KEYS_OLD = [KEY]
    new_event = _events(personas, 1)[0]
    assert new_event.key_id == audit.key_id_of(b"the-new-audit-key-after-rotation-0123456789")
    assert new_event.key_id != old_events[0].key_id
    audit_checkpoint(actor=None)
    result = audit.verify_chain()
    assert result.ok, result.reason
    # Dropping the old key from the configuration makes the old events unverifiable.
    settings.KAOHE_AUDIT_KEYS_OLD = []
    assert not audit.verify_chain().ok


def test_legacy_unkeyed_events_verify_up_to_their_boundary_only(personas, anchors):
    events = _events(personas, 3)
    boundary = events[1].seq
    # An installation from before the key: every event up to the boundary sealed with plain SHA-256.
    _rewrite_from(1, _plain_sha256, key_id="")
    _rewrite_from(boundary + 1, _hmac_with(KEY), key_id=audit.key_id_of(KEY.encode()))
    migration = importlib.import_module("kaohe.core.migrations.0005_audit_legacy_boundary")
    AuditChainHead.objects.filter(singleton=1).update(last_seq=boundary)  # the head as the upgrade found it
    migration.record_boundary(django_apps, None)
    AuditChainHead.objects.filter(singleton=1).update(last_seq=events[-1].seq)
    assert AuditChainHead.objects.get(singleton=1).legacy_until_seq == boundary
    result = audit.verify_chain()
    assert result.ok, result.reason
    # After the boundary an unkeyed event is refused.
    AuditChainHead.objects.filter(singleton=1).update(legacy_until_seq=boundary - 1)
    result = audit.verify_chain()
    assert not result.ok and result.first_broken_seq == boundary


def test_edited_or_truncated_anchor_file_fails(personas, anchors):
    _events(personas, 1)
    audit_checkpoint(actor=None)
    _events(personas, 1)
    audit_checkpoint(actor=None)
    original = anchors.read_text()
    first, second = original.splitlines()
    forged = json.loads(first)
    forged["seq"] -= 1
    anchors.write_text(json.dumps(forged) + "\n" + second + "\n")
    _verify_fails("锚定文件第 1 行的校验码不符")
    anchors.write_text("not json\n" + second + "\n")
    _verify_fails("锚定文件第 1 行格式不正确")
    anchors.write_text(first + "\n")  # the last line cut off; the table still has it
    _verify_fails("不在锚定文件中（锚定文件被截短或替换）")
    anchors.unlink()
    _verify_fails("找不到审计锚定文件")
    anchors.write_text(original)
    call_command("verify_audit")


def test_checkpoint_that_cannot_be_written_saves_nothing(personas, anchors, settings, tmp_path):
    _events(personas, 1)
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("x")
    settings.KAOHE_AUDIT_ANCHOR_FILE = str(blocker / "audit-anchors.log")
    events_before = AuditEvent.objects.count()
    with pytest.raises(AnchorError, match="无法写入审计锚定文件"):
        audit_checkpoint(actor=None)
    with pytest.raises(CommandError, match="未生成检查点"):
        call_command("audit_checkpoint")
    assert AuditEvent.objects.count() == events_before
    assert not AuditCheckpoint.objects.exists()
    assert not audit.verify_chain().ok  # an anchor file that cannot be read is a failure, not "no anchors"
    settings.KAOHE_AUDIT_ANCHOR_FILE = str(anchors)
    assert audit.verify_chain().ok


def test_checkpoints_are_append_only_through_the_orm(personas, anchors):
    checkpoint = audit_checkpoint(actor=None)
    checkpoint.seq = 1
    with pytest.raises(RuntimeError):
        checkpoint.save()
    with pytest.raises(RuntimeError):
        checkpoint.delete()
