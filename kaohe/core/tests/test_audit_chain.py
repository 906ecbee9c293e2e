"""The audit log is append-only and hash-chained; tampering is detected and located."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from kaohe.core import audit
from kaohe.core.models import AuditEvent


def _tamper(seq: int, column: str, value: str) -> None:
    table = AuditEvent._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET {column} = %s WHERE seq = %s", [value, seq])  # noqa: S608


def test_events_chain_and_verify(personas):
    first = audit.record(actor=personas.office, action="test.one", after={"points": "1.50"})
    second = audit.record(actor=personas.office, action="test.two", before={"points": "1.50"}, after={"points": "2"})
    assert second.seq == first.seq + 1
    assert second.prev_hash == first.hash
    assert first.actor_name == "office"
    result = audit.verify_chain()
    assert result.ok, result.reason
    assert result.checked == AuditEvent.objects.count()


def test_tampered_row_is_named_by_verify(personas):
    event = audit.record(actor=personas.office, action="test.score", after={"score": "8.00"})
    audit.record(actor=personas.office, action="test.later")
    _tamper(event.seq, "after", '{"score": "10.00"}')
    result = audit.verify_chain()
    assert not result.ok
    assert result.first_broken_seq == event.seq
    with pytest.raises(CommandError, match=f"第 {event.seq} 号事件"):
        call_command("verify_audit")


def test_deleted_row_breaks_the_chain(personas):
    event = audit.record(actor=personas.office, action="test.a")
    audit.record(actor=personas.office, action="test.b")
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {AuditEvent._meta.db_table} WHERE seq = %s", [event.seq])  # noqa: S608
    result = audit.verify_chain()
    assert not result.ok
    assert result.first_broken_seq == event.seq


def test_events_cannot_be_edited_or_deleted_through_the_orm(personas):
    event = audit.record(actor=personas.office, action="test.c")
    event.action = "test.changed"
    with pytest.raises(RuntimeError):
        event.save()
    with pytest.raises(RuntimeError):
        event.delete()
    assert AuditEvent.objects.get(pk=event.pk).action == "test.c"


def test_verify_command_reports_intact_chain(personas, capsys):
    audit.record(actor=personas.office, action="test.d")
    call_command("verify_audit")
    assert "审计链完整" in capsys.readouterr().out
