"""The operator's commands of the exchange between installations whose networks are not connected:
``exchange_trust_key`` (register a lower installation's public key for an office) and ``import_signed_results``
(import its signed file as an office account): a good file, a tampered file, an unknown key, and wrong arguments."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test.utils import override_settings

from kaohe.api import services, signing
from kaohe.api.models import ImportedResult, ImportStatus, ResultImport, TrustedKey
from kaohe.api.tests.conftest import publish
from kaohe.core.models import AuditEvent
from kaohe.organisations.models import Organisation

HIGHER = "洛阳市法治政府建设领导小组办公室"  # personas.other_office's office: "the higher installation" here


@pytest.fixture
def city_export(personas: Any, plan: Any, tmp_path: Any) -> tuple[Any, Any]:
    """The city's signed file and its public key (PEM) written to files, as an operator carries them."""
    publish(plan, personas.office)
    signed = services.results_export(actor=personas.office, plan=plan)
    zip_file = tmp_path / "city.zip"
    zip_file.write_bytes(signed.content)
    pem = tmp_path / "city.pem"
    pem.write_text(signing.own_public_key().pem, encoding="utf-8")
    return zip_file, pem


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_trust_then_import_a_good_file_once(personas, city_export, tmp_path):
    zip_file, pem = city_export
    with override_settings(KAOHE_EXCHANGE_KEY_FILE=str(tmp_path / "higher.pem")):
        printed = _run("exchange_trust_key", "--organisation", HIGHER, "--name", "平顶山市考核平台", str(pem))
        key = TrustedKey.objects.get()
        assert key.organisation.name == HIGHER and key.added_by == personas.other_office
        assert key.fingerprint == signing.fingerprint_of(signing.parse_public_key(pem.read_text()))
        assert key.fingerprint in printed and "已为" in printed
        assert AuditEvent.objects.filter(action="api.key_trust").count() == 1

        printed = _run("import_signed_results", "--office", personas.other_office.username, str(zip_file))
        found = ResultImport.objects.get()
        assert "已导入" in printed and found.status == ImportStatus.CURRENT
        assert found.imported_by == personas.other_office and found.organisation.name == HIGHER
        rows = list(ImportedResult.objects.filter(result_import=found))
        assert rows and f"{len(rows)} 个考核对象" in printed
        assert all(r.final is not None for r in rows)
        # The same file again: nothing changes, and it says so.
        again = _run("import_signed_results", "--office", personas.other_office.username, str(zip_file))
        assert "未作改动" in again and ResultImport.objects.count() == 1
        # The same key twice is refused in Chinese.
        with pytest.raises(CommandError, match="该公钥已登记"):
            _run("exchange_trust_key", "--organisation", HIGHER, "--name", "再登记", str(pem))


def test_a_tampered_file_is_refused_and_nothing_stored(personas, city_export, tmp_path):
    zip_file, pem = city_export
    with zipfile.ZipFile(zip_file) as archive:
        members = {n: archive.read(n) for n in archive.namelist()}
    body = json.loads(members["results.json"])
    body["categories"][0]["units"][-1]["final"] = "99.99"
    members["results.json"] = signing.canonical(body)
    tampered = tmp_path / "tampered.zip"
    with zipfile.ZipFile(tampered, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    with override_settings(KAOHE_EXCHANGE_KEY_FILE=str(tmp_path / "higher.pem")):
        _run("exchange_trust_key", "--organisation", HIGHER, "--name", "平顶山市考核平台", str(pem))
        with pytest.raises(CommandError, match=r"拒绝导入：.*摘要不一致"):
            _run("import_signed_results", "--office", personas.other_office.username, str(tampered))
    assert not ResultImport.objects.exists() and not ImportedResult.objects.exists()


def test_a_file_of_an_unknown_key_is_refused(personas, city_export, tmp_path):
    zip_file, _pem = city_export
    with pytest.raises(CommandError, match="未登记为受信任公钥"):
        _run("import_signed_results", "--office", personas.other_office.username, str(zip_file))
    assert not ResultImport.objects.exists()


def test_command_line_exit_status_is_non_zero_on_refusal(personas, city_export):
    """Run as from a shell (``call_command`` raises; ``manage.py`` turns that into exit status 1)."""
    from django.core.management import ManagementUtility

    zip_file, _pem = city_export
    utility = ManagementUtility(["manage.py", "import_signed_results", "--office", personas.other_office.username, str(zip_file)])
    with pytest.raises(SystemExit) as exited:
        utility.execute()
    assert exited.value.code != 0


def test_wrong_accounts_organisations_and_files_are_refused(personas, city_export, tmp_path):
    zip_file, pem = city_export
    with pytest.raises(CommandError, match="不存在"):
        _run("import_signed_results", "--office", "nobody", str(zip_file))
    with pytest.raises(CommandError, match="不是考核办账号"):
        _run("import_signed_results", "--office", personas.desk.username, str(zip_file))
    with pytest.raises(CommandError, match="无法读取文件"):
        _run("import_signed_results", "--office", personas.other_office.username, str(tmp_path / "missing.zip"))
    with pytest.raises(CommandError, match="单位“某某单位”不存在"):
        _run("exchange_trust_key", "--organisation", "某某单位", "--name", "x", str(pem))
    with pytest.raises(CommandError, match=r"不是“.*”的考核办账号"):
        _run("exchange_trust_key", "--organisation", HIGHER, "--name", "x", "--by", personas.desk.username, str(pem))
    bad = tmp_path / "bad.pem"
    bad.write_text("-----BEGIN PUBLIC KEY-----\nxx\n-----END PUBLIC KEY-----\n", encoding="utf-8")
    with pytest.raises(CommandError, match="公钥"):
        _run("exchange_trust_key", "--organisation", HIGHER, "--name", "x", str(bad))
    with pytest.raises(CommandError, match="无法读取公钥文件"):
        _run("exchange_trust_key", "--organisation", HIGHER, "--name", "x", str(tmp_path / "missing.pem"))
    assert not TrustedKey.objects.exists() and not ResultImport.objects.exists()
    assert Organisation.objects.filter(name=HIGHER).exists()
