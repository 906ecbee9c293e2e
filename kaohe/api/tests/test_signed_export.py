"""Signed export of a plan's published results and its import by "another installation": round trip, the same file
twice, a new version kept for confirmation, and every refusal (unknown key, tampered content, forged signature,
malformed files); the office pages and the management commands."""

from __future__ import annotations

import base64
import io
import json
import zipfile
from decimal import Decimal
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test.utils import override_settings
from django.urls import reverse

from kaohe.api import services, signing
from kaohe.api.models import ImportedResult, ImportStatus, ResultImport, TrustedKey
from kaohe.api.tests.conftest import publish, publish_again
from kaohe.core.models import AuditEvent
from kaohe.results import selectors as result_selectors


def _export(client: Any, plan: Any) -> bytes:
    response = client.get(reverse("api:export", args=[plan.pk]))
    assert response.status_code == 200, response
    assert response["Content-Type"] == "application/zip" and "attachment" in response["Content-Disposition"]
    return b"".join(response)


def _upload(client: Any, data: bytes, name: str = "results.zip") -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(reverse("api:import_upload"), {"file": SimpleUploadedFile(name, data, content_type="application/zip")})


def _messages(response: Any) -> list[str]:
    from django.contrib.messages import get_messages

    return [str(m) for m in get_messages(response.wsgi_request)]


def _members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {n: archive.read(n) for n in archive.namelist()}


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, body in members.items():
            archive.writestr(name, body)
    return buffer.getvalue()


def test_round_trip_same_file_twice_and_a_new_version(personas, plan, tmp_path):
    publication = publish(plan, personas.office)
    office = personas.client(personas.office)
    city_key = office.get(reverse("api:exchange")).context["public_key"]
    signed = _export(office, plan)
    assert _export(office, plan) == signed  # deterministic: the same publication gives the same bytes
    assert AuditEvent.objects.filter(action="api.results_export", plan_id=plan.pk).count() == 2

    # "Another installation": its own key pair, its office registers the city's public key (Base64 from the page).
    higher = personas.client(personas.other_office)
    with override_settings(KAOHE_EXCHANGE_KEY_FILE=str(tmp_path / "higher.pem")):
        assert higher.get(reverse("api:exchange")).context["public_key"].fingerprint != city_key.fingerprint
        refused = _upload(higher, signed)
        assert refused.status_code == 302 and any("未登记为受信任公钥" in m for m in _messages(refused))
        assert not ResultImport.objects.exists()

        added = higher.post(reverse("api:key_add"), {"name": "平顶山市考核平台", "public_key": city_key.base64})
        assert added.status_code == 302
        assert TrustedKey.objects.get().fingerprint == city_key.fingerprint
        response = _upload(higher, signed)
        assert response.status_code == 302
        first = ResultImport.objects.get()
        assert response.url == reverse("api:import_detail", args=[first.pk])
        assert first.status == ImportStatus.CURRENT and first.version == 1
        assert first.organiser_name == plan.organiser.name and first.region_path.endswith(plan.organiser.region.name)
        tables = result_selectors.all_category_tables(
            *type(publication.snapshot).objects.filter(pk=publication.snapshot_id).values_list("data", "inputs").get()
        )
        expected = [(r.name, Decimal(r.final), r.rank, r.grade) for t in tables for r in t.rows]
        assert [
            (r.organisation_name, r.final, r.rank, r.grade) for r in ImportedResult.objects.filter(result_import=first)
        ] == expected
        assert higher.get(reverse("api:import_detail", args=[first.pk])).status_code == 200

        # The same file again: nothing changes.
        events = AuditEvent.objects.count()
        again = _upload(higher, signed)
        assert any("未作改动" in m for m in _messages(again))
        assert ResultImport.objects.count() == 1 and AuditEvent.objects.count() == events

    # The city reopens and publishes again with a changed score: a new version, kept pending, never silently current.
    from kaohe.results import services as results

    results.release_reopen(actor=personas.office, plan=plan, release=publication.release, reason="更正一项评价")
    from kaohe.scoring.models import Evaluation

    evaluation = Evaluation.objects.filter(plan=plan).order_by("pk").first()
    Evaluation.objects.filter(pk=evaluation.pk).update(score=evaluation.score - Decimal("1.00"), reason="更正")
    publish_again(plan, personas.office)
    second_file = _export(office, plan)
    assert second_file != signed
    with override_settings(KAOHE_EXCHANGE_KEY_FILE=str(tmp_path / "higher.pem")):
        pending = _upload(higher, second_file)
        assert any("待确认" in m for m in _messages(pending))
        second = ResultImport.objects.get(version=2)
        first.refresh_from_db()
        assert second.status == ImportStatus.PENDING and first.status == ImportStatus.CURRENT
        assert higher.post(reverse("api:import_confirm", args=[second.pk])).status_code == 302
        first.refresh_from_db()
        second.refresh_from_db()
        assert second.status == ImportStatus.CURRENT and first.status == ImportStatus.SUPERSEDED
        assert ImportedResult.objects.filter(result_import=first).count() == len(expected)  # kept
        assert AuditEvent.objects.filter(action="api.import_confirm").count() == 1
        # Confirming twice is refused.
        higher.post(reverse("api:import_confirm", args=[second.pk]))
        assert AuditEvent.objects.filter(action="api.import_confirm").count() == 1


@pytest.fixture
def city_file(personas, plan):
    """A published plan's signed file and the city's raw public key."""
    publish(plan, personas.office)
    signed = services.results_export(actor=personas.office, plan=plan)
    return signed.content, signing.own_public_key()


def _trust_and_import(personas, data: bytes, key: Any, tmp_path) -> Any:
    from kaohe.organisations.models import Organisation

    higher_office = Organisation.objects.get(name="洛阳市法治政府建设领导小组办公室")
    with override_settings(KAOHE_EXCHANGE_KEY_FILE=str(tmp_path / "higher.pem")):
        if not TrustedKey.objects.filter(fingerprint=key.fingerprint).exists():
            services.trusted_key_add(actor=personas.other_office, organisation=higher_office, name="平顶山", public_key=key.pem)
        return services.result_import(actor=personas.other_office, organisation=higher_office, data=data)


def _refusal(personas, data: bytes, key: Any, tmp_path) -> str:
    with pytest.raises(ValidationError) as caught:
        _trust_and_import(personas, data, key, tmp_path)
    assert not ResultImport.objects.exists() and not ImportedResult.objects.exists()
    return caught.value.messages[0]


def test_tampered_scores_are_refused(personas, city_file, tmp_path):
    data, key = city_file
    members = _members(data)
    body = json.loads(members["results.json"])
    unit = body["categories"][0]["units"][-1]
    unit["final"] = "99.99"
    members["results.json"] = signing.canonical(body)
    assert "摘要不一致" in _refusal(personas, _zip(members), key, tmp_path)

    # The digest rewritten too: the signature no longer matches.
    meta = json.loads(members["signature.json"])
    import hashlib

    meta["sha256"] = hashlib.sha256(members["results.json"]).hexdigest()
    members["signature.json"] = json.dumps(meta).encode()
    assert "签名验证未通过" in _refusal(personas, _zip(members), key, tmp_path)


def test_a_file_signed_by_another_key_claiming_the_trusted_one_is_refused(personas, city_file, tmp_path):
    data, key = city_file
    members = _members(data)
    forger = Ed25519PrivateKey.generate()
    meta = json.loads(members["signature.json"])
    meta["signature"] = base64.b64encode(forger.sign(members["results.json"])).decode()
    members["signature.json"] = json.dumps(meta).encode()
    assert "签名验证未通过" in _refusal(personas, _zip(members), key, tmp_path)
    # Signed by the forger and naming its own key: that key is not trusted.
    meta["public_key"] = base64.b64encode(signing.raw_public(forger.public_key())).decode()
    members["signature.json"] = json.dumps(meta).encode()
    assert "未登记为受信任公钥" in _refusal(personas, _zip(members), key, tmp_path)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda m: b"PK\x03\x04 not really a zip", "不是有效的签名导出文件"),
        (lambda m: b"%PDF-1.4", "不是有效的签名导出文件"),
        (lambda m: _zip({"results.json": m["results.json"]}), "文件内容不完整"),
        (lambda m: _zip({**m, "extra.txt": b"x"}), "文件内容不完整"),
        (lambda m: _zip({**m, "signature.json": b"{not json"}), "不是有效的签名导出文件"),
        (lambda m: _zip({**m, "signature.json": b'{"algorithm": "RSA"}'}), "Ed25519"),
        (lambda m: _zip({**m, "signature.json": b'{"algorithm": "Ed25519", "public_key": "%%%"}'}), "签名信息"),
        (lambda m: b"x" * (signing.MAX_FILE_BYTES + 1), "文件过大"),
    ],
)
def test_malformed_files_are_refused_in_chinese(personas, city_file, tmp_path, make, message):
    data, key = city_file
    assert message in _refusal(personas, make(_members(data)), key, tmp_path)


def test_a_signed_file_of_the_wrong_shape_is_refused(personas, plan, tmp_path):
    """Signed by the trusted key but not an export (a field missing, a wrong type): refused before anything is stored."""
    for body in ({"format": "kaohe.published-results"}, {"hello": "world"}, [1, 2, 3]):
        data, _digest = signing.pack(body)
        key = signing.own_public_key()
        assert "文件内容格式不正确" in _refusal(personas, data, key, tmp_path)


def test_export_refused_before_publication_and_for_other_roles(personas, plan):
    office = personas.client(personas.office)
    response = office.get(reverse("api:export", args=[plan.pk]))
    assert response.status_code == 302 and any("尚未公布" in m for m in _messages(response))
    assert not AuditEvent.objects.filter(action="api.results_export").exists()
    publish(plan, personas.office)
    assert personas.client(personas.desk).get(reverse("api:export", args=[plan.pk])).status_code == 403
    assert personas.client(personas.viewer).get(reverse("api:export", args=[plan.pk])).status_code == 403
    assert personas.client(personas.other_office).get(reverse("api:export", args=[plan.pk])).status_code == 404
    assert personas.client(personas.sysadmin).get(reverse("api:export", args=[plan.pk])).status_code == 404


def test_other_offices_imports_do_not_exist_for_this_office(personas, city_file, tmp_path):
    data, key = city_file
    outcome = _trust_and_import(personas, data, key, tmp_path)
    found = outcome.result_import
    office = personas.client(personas.office)
    assert office.get(reverse("api:import_detail", args=[found.pk])).status_code == 404
    assert office.post(reverse("api:import_confirm", args=[found.pk])).status_code == 404
    assert personas.client(personas.desk).get(reverse("api:import_detail", args=[found.pk])).status_code == 403


def test_a_bad_public_key_is_refused(personas, plan):
    office = personas.client(personas.office)
    for text in (
        "not base64 !!",
        base64.b64encode(b"short").decode(),
        "-----BEGIN PUBLIC KEY-----\nxx\n-----END PUBLIC KEY-----",
    ):
        response = office.post(reverse("api:key_add"), {"name": "某平台", "public_key": text})
        assert response.status_code == 302 and any("公钥" in m for m in _messages(response))
    assert not TrustedKey.objects.exists()
    key = signing.own_public_key()
    office.post(reverse("api:key_add"), {"name": "某平台", "public_key": key.base64})
    again = office.post(reverse("api:key_add"), {"name": "某平台", "public_key": key.pem})
    assert any("已登记" in m for m in _messages(again)) and TrustedKey.objects.count() == 1


def test_commands_print_the_key_and_write_the_signed_file(personas, plan, tmp_path, capsys):
    call_command("exchange_public_key")
    key = signing.own_public_key()
    assert key.fingerprint in capsys.readouterr().out
    call_command("exchange_public_key", "--pem")
    assert capsys.readouterr().out == key.pem
    publish(plan, personas.office)
    out = tmp_path / "export.zip"
    call_command("export_signed_results", str(plan.pk), str(out))
    assert out.read_bytes() == services.results_export(actor=personas.office, plan=plan).content
    assert (tmp_path / "this-installation.pem").stat().st_mode & 0o077 == 0  # the private key is the owner's only
    page = personas.client(personas.office).get(reverse("api:public_key"))
    assert page.status_code == 200 and b"".join(page).decode() == key.pem


def test_the_import_page_shows_every_row_in_few_queries(personas, city_file, tmp_path, django_assert_max_num_queries):
    data, key = city_file
    found = _trust_and_import(personas, data, key, tmp_path).result_import
    higher = personas.client(personas.other_office)
    higher.get(reverse("api:import_detail", args=[found.pk]))
    with django_assert_max_num_queries(15):
        response = higher.get(reverse("api:import_detail", args=[found.pk]))
    rows = ImportedResult.objects.filter(result_import=found).count()
    assert rows > 5 and response.content.decode().count("<tr><td>") == rows
