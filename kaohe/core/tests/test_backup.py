"""Backup and restore round-trip: every row, every number, every file hash and the audit chain come back.

These tests flush the database, so they are transactional (pytest-django runs them after the others).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.test.utils import override_settings

from conftest import make_outsider
from kaohe.accounts.models import User
from kaohe.core import audit, backup
from kaohe.core.models import AuditEvent
from kaohe.organisations.models import Organisation
from kaohe.plans.constants import Level, Method
from kaohe.plans.models import Indicator, Plan, PlanImport, PlanUnit

pytestmark = pytest.mark.django_db(transaction=True)

SHANGHAI = ZoneInfo("Asia/Shanghai")
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 17 + b"backup-test"


def _storage(location: Path) -> Any:
    return override_settings(
        STORAGES={
            "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(location)}},
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        }
    )


def _state() -> dict[str, Any]:
    """Every row of every backed-up model (all columns, many-to-many links included), keyed by model."""
    state: dict[str, Any] = {}
    for model in backup.backup_models(whole=True):
        rows = list(model._base_manager.order_by("pk").values())
        for f in model._meta.many_to_many:
            links: dict[Any, tuple[Any, ...]] = dict.fromkeys((r["id"] for r in rows), ())
            for pk, other in model._base_manager.order_by("pk", f.name).values_list("pk", f.name):
                if other is not None:
                    links[pk] = (*links[pk], other)
            for r in rows:
                r[f.name] = links[r["id"]]
        state[model._meta.label_lower] = rows
    return state


def _stored_hashes(names: list[str]) -> dict[str, str]:
    hashes = {}
    for name in names:
        with default_storage.open(name, "rb") as fh:
            hashes[name] = hashlib.sha256(fh.read()).hexdigest()
    return hashes


def _file_names() -> list[str]:
    from kaohe.inspections.abilitytests.models import QuestionImport
    from kaohe.scoring.models import BonusApplication
    from kaohe.submissions.models import EvidenceFile

    names = list(EvidenceFile.objects.values_list("storage_name", flat=True))
    names += [n for n in BonusApplication.objects.values_list("evidence_storage_name", flat=True) if n]
    names += [f.name for f in (p.file for p in PlanImport.objects.all()) if f]
    names += [f.name for f in (q.file for q in QuestionImport.objects.all()) if f]  # the demo's question bank
    return sorted(names)


def _rewrite(source: Path, target: Path, change: Any) -> None:
    """Copy an archive entry by entry, letting ``change(name, data)`` alter one (a valid zip, bad content)."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for info in old.infolist():
            new.writestr(info, change(info.filename, old.read(info.filename)))


@pytest.fixture
def installation(transactional_db, _isolated_storage, monkeypatch):
    """The demo plan with the other city, two evidence files, a bonus with evidence, evaluations and a deduction.

    The source installation's files are in the session's temporary storage (where the demo's import
    tables already are); restores go to a fresh, empty folder.
    """
    from kaohe.demo.loader import load_demo
    from kaohe.scoring.models import BonusApplication, BonusKind, Deduction, DeductionKind, Evaluation, EvaluationChange
    from kaohe.submissions import services

    media = Path(_isolated_storage)
    with _storage(media):
        plan = load_demo()
        make_outsider()
        moment = dt.datetime(2020, 12, 20, 10, 0, 0, 123456, tzinfo=SHANGHAI)
        monkeypatch.setattr("django.utils.timezone.now", lambda: moment)
        unit = PlanUnit.objects.get(plan=plan, organisation__name="舞钢市人民政府")
        tasks = list(
            Indicator.objects.filter(
                plan=plan,
                category=unit.category,
                level=Level.TASK,
                method=Method.SUBMISSION,
                assessor__isnull=False,
                deadline=dt.date(2020, 12, 31),
            ).order_by("order")[:3]
        )
        uploader = User.objects.get(username="unit_wugang")
        results = services.evidence_upload(
            actor=uploader,
            plan=plan,
            unit=unit,
            task=tasks[0],
            files=[SimpleUploadedFile("总结报告.pdf", PDF), SimpleUploadedFile("照片.png", PNG)],
        )
        assert all(r.accepted for r in results), results
        desk = User.objects.get(username="desk_yfxz")
        for task, score in zip(tasks, (Decimal("7.25"), Decimal("0.50"), Decimal("3.00")), strict=True):
            evaluation = Evaluation.objects.create(
                plan=plan,
                unit=unit,
                task=task,
                grade="good",
                score=score,
                desk=task.assessor,
                evaluated_by=desk,
                evaluated_at=moment,
            )
            EvaluationChange.objects.create(evaluation=evaluation, changed_by=desk, changed_at=moment, new_score=score)
        office = User.objects.get(username="office")
        # 9 MB: above boto3's multipart threshold when the plan archive is restored into S3.
        big = PDF + bytes(range(256)) * (9 * 4096)
        evidence_name = default_storage.save("adjustments/plan-test/bonus.pdf", ContentFile(big))
        BonusApplication.objects.create(
            plan=plan,
            unit=unit,
            kind=BonusKind.AWARD,
            matter="省级表彰",
            evidence_name="表彰文件.pdf",
            evidence_storage_name=evidence_name,
            points=Decimal("1.50"),
            applied_by=uploader,
        )
        Deduction.objects.create(
            plan=plan,
            unit=unit,
            kind=DeductionKind.INCIDENT,
            matter="事件",
            points=Decimal("2.25"),
            reason="说明",
            recorded_by=office,
        )
        monkeypatch.undo()
        audit.record(actor=office, action="evaluation.record", plan_id=plan.pk, after={"score": "7.25"})
        Client().force_login(office)  # a live login session: transient, left out of archives
        yield plan, media


def test_whole_backup_round_trips_and_tampering_is_refused(installation, tmp_path):
    _, media = installation
    with _storage(media):
        before = _state()
        names = _file_names()
        hashes = _stored_hashes(names)
        assert len(names) >= 9  # two evidence files, the bonus evidence, five demo import tables, the question bank
        archive = tmp_path / "all.zip"
        out = io.StringIO()
        call_command("backup", "--output", str(archive), stdout=out)
        assert "备份已写入" in out.getvalue()
    manifest = json.loads(zipfile.ZipFile(archive).read("manifest.json"))
    assert manifest["scope"] == {"kind": "all"}
    assert {f["name"]: f["sha256"] for f in manifest["files"]} == hashes
    assert manifest["models"]["plans.plan"] == 2
    assert manifest["models"]["scoring.evaluation"] == 3
    assert manifest["audit_chain"]["verified"] is True
    assert manifest["audit_chain"]["head_seq"] == len(before["core.auditevent"])
    # Every row can be loaded on its own: whatever an archived model points at is archived too (or is
    # a content type or permission, referred to by natural key); transient models are named, not held.
    from django.apps import apps

    held = {*manifest["models"], "contenttypes.contenttype", "auth.permission"}
    for label in manifest["models"]:
        for target in backup._fk_targets(apps.get_model(label)):
            assert target._meta.label_lower in held, (label, target._meta.label_lower)
    assert not set(manifest["left_out"]) & set(manifest["models"])
    assert AuditEvent.objects.filter(action="backup.create").count() == 1

    call_command("flush", interactive=False, verbosity=0)
    assert not Plan.objects.exists() and not User.objects.exists() and not AuditEvent.objects.exists()
    target = tmp_path / "media-target"
    target.mkdir()
    evidence = next(f for f in manifest["files"] if f["name"].startswith("evidence/"))

    # A file changed by one byte, in an otherwise valid archive: refused before anything is written.
    tampered = tmp_path / "tampered.zip"
    _rewrite(archive, tampered, lambda name, data: data[:-1] + b"X" if name == f"files/{evidence['name']}" else data)
    # The same byte flipped in the raw archive: the zip's own CRC catches it.
    raw = bytearray(archive.read_bytes())
    position = raw.index(PDF)
    raw[position + 3] ^= 0x01
    flipped = tmp_path / "flipped.zip"
    flipped.write_bytes(bytes(raw))
    with _storage(target):
        with pytest.raises(CommandError, match=rf"文件 {evidence['name']} 的 SHA-256 与清单不符"):
            call_command("restore", str(tampered))
        with pytest.raises(CommandError, match="未恢复"):
            call_command("restore", str(flipped))
        assert not User.objects.exists() and not AuditEvent.objects.exists()
        assert not any(target.iterdir())

        out = io.StringIO()
        call_command("restore", str(archive), stdout=out)
        assert "审计链完整" in out.getvalue()
        after = _state()
        assert _stored_hashes(names) == hashes  # every file, byte for byte, in the new storage
        with pytest.raises(CommandError, match="目标数据库不是空的"):
            call_command("restore", str(archive))

    # Every row and every column came back; the audit log gained exactly the restore event.
    restored_events = after.pop("core.auditevent")
    original_events = before.pop("core.auditevent")
    assert restored_events[:-1] == original_events
    assert restored_events[-1]["action"] == "backup.restore"
    after.pop("core.auditchainhead"), before.pop("core.auditchainhead")
    for label, rows in before.items():
        assert after[label] == rows, label
        assert len(rows) == manifest["models"][label], label
    from kaohe.scoring.models import BonusApplication, Deduction, Evaluation

    assert sorted(Evaluation.objects.values_list("score", flat=True)) == [Decimal("0.50"), Decimal("3.00"), Decimal("7.25")]
    assert list(BonusApplication.objects.values_list("points", flat=True)) == [Decimal("1.50")]
    assert list(Deduction.objects.values_list("points", flat=True)) == [Decimal("2.25")]
    result = audit.verify_chain()
    assert result.ok, result.reason
    assert result.checked == len(original_events) + 1
    # The restored accounts work: the demo password still logs in.
    assert User.objects.get(username="unit_wugang").check_password("Kaohe#2020demo")


@pytest.fixture
def s3_target(monkeypatch):
    """An empty bucket in moto's in-process S3 as the restored installation's default storage."""
    import boto3
    from moto import mock_aws

    for variable in ("AWS_PROFILE", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        client = boto3.client("s3", region_name="us-east-1")
        client.create_bucket(Bucket="kaohe-restore-test")
        options = {"bucket_name": "kaohe-restore-test", "region_name": "us-east-1", "default_acl": None, "file_overwrite": False}
        with override_settings(
            STORAGES={
                "default": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options},
                "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
            }
        ):
            yield client


def test_plan_backup_holds_the_plan_and_whom_it_refers_to(installation, tmp_path, s3_target):
    plan, media = installation
    with _storage(media):
        before = _state()
        names = _file_names()
        other_plan = Plan.objects.get(title="洛阳市2020年度依法行政考核")
        archive = backup.create_backup(tmp_path, plan_id=plan.pk).path
        with pytest.raises(backup.BackupError, match="不存在"):
            backup.create_backup(tmp_path / "none.zip", plan_id=999999)
    assert archive.name.startswith("kaohe-backup-") and archive.name.endswith(f"-plan-{plan.pk}.zip")
    manifest = json.loads(zipfile.ZipFile(archive).read("manifest.json"))
    assert manifest["scope"]["plan_id"] == plan.pk
    assert manifest["models"]["plans.plan"] == 1
    assert sorted(f["name"] for f in manifest["files"]) == names  # the other plan has no files
    call_command("flush", interactive=False, verbosity=0)
    # Restored into S3 (s3_target): the stream goes through upload_fileobj, multipart for the 9 MB file.
    result = backup.restore_backup(archive)
    assert result.chain.ok, result.chain.reason
    assert list(Plan.objects.values_list("pk", flat=True)) == [plan.pk]
    assert not Plan.objects.filter(pk=other_plan.pk).exists()
    assert not Organisation.objects.filter(name__startswith="洛阳").exists()
    assert not User.objects.filter(username__startswith="other_").exists()
    assert set(User.objects.values_list("username", flat=True)) >= {
        "office",
        "desk_yfxz",
        "unit_wugang",
        "viewer",
        "sysadmin",
    }
    after = _state()
    for label in (
        "plans.indicator",
        "plans.planunit",
        "submissions.evidencefile",
        "scoring.evaluation",
        "scoring.bonusapplication",
    ):
        assert after[label] == before[label], label
    assert len(after["core.auditevent"]) == len(before["core.auditevent"]) + 1  # the whole chain, and the restore
    assert _stored_hashes(names) == {f["name"]: f["sha256"] for f in manifest["files"]}
    keys = sorted(item["Key"] for item in s3_target.list_objects_v2(Bucket="kaohe-restore-test")["Contents"])
    assert keys == names
