"""The audit administrator browses, filters, exports and verifies the audit log; nobody else reaches it."""

from __future__ import annotations

import csv
import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from kaohe.accounts.models import User
from kaohe.core import audit
from kaohe.core.models import AuditEvent
from kaohe.organisations.models import Organisation
from kaohe.organisations.roles import Role

SHANGHAI = ZoneInfo("Asia/Shanghai")
LIST = reverse("security:audit_log")
EXPORT = reverse("security:audit_export")
VERIFY = reverse("security:audit_verify")


def _admin(username: str, role: Role) -> User:
    """An administrator persona (``auditor``, ``secadmin``), holding ``role`` in the organiser."""
    user = User.objects.get(username=username)
    assert user.memberships.filter(role=role).exists()
    return user


@pytest.fixture
def auditor(db):
    return _admin("auditor", Role.AUDIT_ADMIN)


def _at(monkeypatch, moment: dt.datetime) -> None:
    monkeypatch.setattr("django.utils.timezone.now", lambda: moment)


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_only_the_audit_admin_reads_the_log(personas, auditor):
    security_admin = _admin("secadmin", Role.SECURITY_ADMIN)
    personas.client(None).post(reverse("accounts:login"), {"username": "office", "password": "wrong-password"})
    response = personas.client(auditor).get(LIST)
    assert response.status_code == 200
    html = response.content.decode()
    assert "登录失败" in html  # auth.login_failed, labelled in Chinese
    assert "授予角色" in html  # membership.grant of the auditor's own membership
    assert AuditEvent.objects.filter(action="audit.view", actor_name="auditor").count() == 1
    # 三员分立: the system and security administrators are refused like everyone else.
    for user in (personas.sysadmin, security_admin, personas.office, personas.viewer, personas.unit, personas.other_office):
        client = personas.client(user)
        assert client.get(LIST).status_code == 403, user
        assert client.get(EXPORT).status_code == 403, user
        assert client.post(VERIFY).status_code == 403, user
    assert personas.client(None).get(LIST).status_code == 302
    assert not AuditEvent.objects.filter(action__in=["audit.view", "audit.export", "audit.verify"]).exclude(actor_name="auditor")


def test_rows_show_beijing_time_labels_and_compact_changes(personas, auditor, monkeypatch):
    _at(monkeypatch, dt.datetime(2020, 12, 20, 2, 0, 5, tzinfo=dt.UTC))
    audit.record(
        actor=personas.desk,
        action="evaluation.record",
        plan_id=7,
        organisation=Organisation.objects.get(name="舞钢市人民政府"),
        before={"score": "6.00", "grade": "良"},
        after={"score": "8.50", "grade": "优"},
        object_repr="舞钢市人民政府 · 1.1.1",
    )
    audit.record(actor=None, action="something.new", object_repr="未知操作")
    monkeypatch.undo()
    html = personas.client(auditor).get(LIST, {"plan": 7}).content.decode()
    assert "2020-12-20 10:00:05" in html  # 02:00:05 UTC is 10:00:05 in Beijing
    assert "评价" in html and "desk_yfxz" in html and "舞钢市人民政府" in html
    assert "等次</span>：良 → 优" in html and "得分</span>：6.00 → 8.50" in html  # field by field, not JSON
    assert "&quot;" not in html.split('data-testid="audit-table"')[1]
    html = personas.client(auditor).get(LIST, {"action": "something.new"}).content.decode()
    assert "<code>something.new</code>" in html and "未登记的操作" in html and "系统" in html  # no actor: the system


def test_changes_read_as_words(personas, auditor):
    """Model fields by their Chinese names, choices by their labels, booleans as 是/否; created and removed
    fields on one side only."""
    from kaohe.core.views_security import field_changes
    from kaohe.scoring.models import Evaluation

    event = audit.record(
        actor=personas.desk,
        action="evaluation.record",
        obj=None,
        before={"grade": "good", "score": "8.00", "same": 1, "gone": True},
        after={"grade": "excellent", "score": "10.00", "same": 1, "reason": ["甲", "乙"], "oddkey": None},
    )
    event.object_type = Evaluation._meta.label
    got = [(c.label, c.named, c.before, c.after) for c in field_changes(event)]
    assert got == [
        ("等次", True, "良", "优"),
        ("得分", True, "8.00", "10.00"),
        ("gone", False, "是", ""),
        ("扣分理由", True, "", "甲、乙"),  # the model field's own name
        ("oddkey", False, "", "（空）"),
    ]


def test_filters_narrow_the_log(personas, auditor, monkeypatch):
    wugang = Organisation.objects.get(name="舞钢市人民政府")
    _at(monkeypatch, dt.datetime(2021, 3, 1, 23, 30, tzinfo=SHANGHAI))
    audit.record(actor=personas.unit, action="evidence.upload", plan_id=41, organisation=wugang, obj=wugang)
    _at(monkeypatch, dt.datetime(2021, 3, 2, 0, 30, tzinfo=SHANGHAI))
    audit.record(actor=personas.office, action="evidence.extend", plan_id=41)
    audit.record(actor=personas.office, action="plan.publish", plan_id=42)
    monkeypatch.undo()
    client = personas.client(auditor)

    def seqs(**params):
        response = client.get(LIST, params)
        assert response.status_code == 200, response.content.decode()[:500]
        return [row.event.action for row in response.context["rows"] if row.event.action != "audit.view"]

    assert seqs(plan=41) == ["evidence.extend", "evidence.upload"]  # newest first
    assert seqs(plan=41, action="evidence.*") == ["evidence.extend", "evidence.upload"]
    assert seqs(plan=41, action="evidence.upload") == ["evidence.upload"]
    assert seqs(plan=41, actor="OFFICE") == ["evidence.extend"]  # usernames match whatever the case
    assert seqs(plan=41, organisation="舞钢") == ["evidence.upload"]
    assert seqs(plan=41, object_type="organisations.Organisation") == ["evidence.upload"]
    assert seqs(plan=41, start="2021-03-02") == ["evidence.extend"]  # days are Beijing days
    assert seqs(plan=41, end="2021-03-01") == ["evidence.upload"]
    assert seqs(start="2021-03-01", end="2021-03-02", action="plan.*") == ["plan.publish"]
    bad = client.get(LIST, {"start": "2021-03-02", "end": "2021-03-01"})
    assert bad.status_code == 400
    assert "起始日期晚于截止日期" in bad.content.decode()
    assert client.get(LIST, {"action": "drop table;"}).status_code == 400
    viewed = AuditEvent.objects.filter(action="audit.view").order_by("seq").last()
    assert viewed.after["filters"] == {"action": "drop table;"} or viewed.after["filters"] == {}


def test_pages_are_paginated_with_a_constant_number_of_queries(personas, auditor):
    for i in range(120):
        audit.record(actor=personas.office, action="plan.create", plan_id=900, object_repr=f"方案{i}")
    audit.record(actor=personas.viewer, action="plan.publish", plan_id=900)
    client = personas.client(auditor)
    client.get(LIST)  # warm the session

    def page_queries(**params) -> tuple[int, int]:
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(LIST, params)
        assert response.status_code == 200
        return len(response.context["rows"]), len(ctx.captured_queries)

    full_rows, full_queries = page_queries(plan=900)
    assert full_rows == 50
    second_rows, second_queries = page_queries(plan=900, page=3)
    assert second_rows == 21
    one_rows, one_queries = page_queries(plan=900, actor="viewer")
    assert one_rows == 1
    # session, user, memberships, the top regions (is the auditor the installation's?), count, page rows, latest
    # checkpoints, the audit.view event (savepoint, chain head, insert, head update, release), session save: the
    # same whatever the number of rows.
    assert full_queries == second_queries == one_queries == 15
    html = client.get(LIST, {"plan": 900, "page": 2}).content.decode()
    assert "第 2 / 3 页" in html
    assert "plan=900&amp;page=3" in html


def test_export_xlsx_and_csv_of_the_filtered_events(personas, auditor):
    audit.record(actor=personas.office, action="plan.import_upload", plan_id=77, object_repr='=HYPERLINK("http://x")')
    audit.record(actor=personas.office, action="evaluation.record", plan_id=77, before={"score": "1.50"}, after={"score": "2.00"})
    client = personas.client(auditor)

    response = client.get(EXPORT, {"plan": 77})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"].startswith("attachment; filename*=UTF-8''")
    assert response["X-Content-Type-Options"] == "nosniff"
    sheet = load_workbook(io.BytesIO(_body(response))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("序号", "时间（北京时间）", "操作人")
    assert [r[8] for r in rows[1:]] == ["plan.import_upload", "evaluation.record"]  # oldest first
    assert rows[1][7] == "上传导入文件"
    assert rows[1][11] == '=HYPERLINK("http://x")'  # kept as text, never a formula
    assert sheet.cell(row=2, column=12).data_type == "s"
    assert rows[2][13] == '{"score":"1.50"}' and rows[2][14] == '{"score":"2.00"}'

    response = client.get(EXPORT, {"plan": 77, "format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].endswith(".csv")
    assert response["X-Content-Type-Options"] == "nosniff"
    raw = _body(response)
    assert raw.startswith("\ufeff".encode())
    lines = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert lines[0][0] == "序号" and lines[0][7] == "操作"
    assert [line[8] for line in lines[1:]] == ["plan.import_upload", "evaluation.record"]
    assert lines[1][11] == '\'=HYPERLINK("http://x")'  # neutralised for spreadsheets

    exports = AuditEvent.objects.filter(action="audit.export", actor_name="auditor").order_by("seq")
    assert [(e.after["format"], e.after["rows"], e.after["filters"]) for e in exports] == [
        ("xlsx", 2, {"plan": 77}),
        ("csv", 2, {"plan": 77}),
    ]
    assert client.get(EXPORT, {"start": "bad"}).status_code == 302  # invalid filters: nothing exported


def test_verify_button_reports_intact_or_the_first_broken_event(personas, auditor):
    client = personas.client(auditor)
    response = client.post(VERIFY, follow=True)
    assert "审计链完整" in response.content.decode()
    event = audit.record(actor=personas.office, action="evaluation.record", after={"score": "8.00"})
    audit.record(actor=personas.office, action="evaluation.record", after={"score": "9.00"})
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {AuditEvent._meta.db_table} SET after = %s WHERE seq = %s", ['{"score": "10.00"}', event.seq])  # noqa: S608
    html = client.post(VERIFY, follow=True).content.decode()
    assert f"审计链校验失败：第 {event.seq} 号事件" in html
    assert "已被改动" in html
    results = [e.after["ok"] for e in AuditEvent.objects.filter(action="audit.verify").order_by("seq")]
    assert results == [True, False]


def test_every_audited_action_in_the_code_has_a_chinese_label():
    import re
    from pathlib import Path

    from kaohe.core.views_security import action_labels

    root = Path(__file__).resolve().parents[2]
    found: set[str] = set()
    for path in root.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        found |= set(re.findall(r'action="([a-z_]+\.[a-z_]+)"', path.read_text(encoding="utf-8")))
    missing = sorted(a for a in found if a not in action_labels())
    assert missing == [], (
        f"audit actions without a Chinese label in views_security.ACTION_LABELS or an AppConfig.audit_labels: {missing}"
    )


def test_latest_checkpoints_are_shown_to_be_written_down(personas, auditor, settings, tmp_path):
    from kaohe.core.audit_anchor import audit_checkpoint

    settings.KAOHE_AUDIT_ANCHOR_FILE = str(tmp_path / "audit-anchors.log")
    client = personas.client(auditor)
    assert "尚未生成检查点" in client.get(LIST).content.decode()
    checkpoints = [audit_checkpoint(actor=None) for _ in range(7)]
    html = client.get(LIST).content.decode()
    assert html.count('data-testid="checkpoint-row"') == 5  # the latest five
    newest = checkpoints[-1]
    assert f"<td>{newest.seq}</td><td><code>{newest.head_hash[:16]}</code></td>" in html
    assert newest.head_hash[:17] not in html  # shortened
    assert f"<td>{checkpoints[1].seq}</td>" not in html
    assert "生成审计链检查点" in client.get(LIST, {"action": "audit.checkpoint"}).content.decode()


def test_verify_button_checks_the_anchors(personas, auditor, settings, tmp_path):
    from kaohe.core.audit_anchor import audit_checkpoint

    anchors = tmp_path / "audit-anchors.log"
    settings.KAOHE_AUDIT_ANCHOR_FILE = str(anchors)
    client = personas.client(auditor)
    audit.record(actor=personas.office, action="evaluation.record", after={"score": "8.00"})
    checkpoint = audit_checkpoint(actor=None)
    html = client.post(VERIFY, follow=True).content.decode()
    assert "审计链完整" in html and "与 2 个检查点相符" in html
    # The tail cut back below the checkpoint, the head moved, the table's copy of the checkpoint removed.
    keep = AuditEvent.objects.get(seq=checkpoint.seq - 1)
    AuditEvent.objects.filter(seq__gt=keep.seq).delete()
    from kaohe.core.models import AuditChainHead, AuditCheckpoint

    AuditCheckpoint.objects.all().delete()
    AuditChainHead.objects.filter(singleton=1).update(last_seq=keep.seq, last_hash=keep.hash)
    html = client.post(VERIFY, follow=True).content.decode()
    assert "审计链校验失败" in html and "链尾被截去" in html
    verified = AuditEvent.objects.filter(action="audit.verify").order_by("seq").last()
    assert verified is not None and verified.after["ok"] is False


def test_verify_button_warns_when_this_server_has_no_anchor_file(personas, auditor, settings, tmp_path):
    from kaohe.core.audit_anchor import audit_checkpoint

    anchors = tmp_path / "audit-anchors.log"
    settings.KAOHE_AUDIT_ANCHOR_FILE = str(anchors)
    audit_checkpoint(actor=None)
    anchors.unlink()
    html = personas.client(auditor).post(VERIFY, follow=True).content.decode()
    assert "审计链完整" in html and "找不到审计锚定文件" in html and "alert-warning" in html
