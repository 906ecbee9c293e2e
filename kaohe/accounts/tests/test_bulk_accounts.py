"""Accounts in bulk (issue 12 item 4): the people-list import, the once-only password sheet, region-scoped
account pages and the move of a role (调动)."""

from __future__ import annotations

import io

import pytest
from django.apps import apps
from django.contrib.messages import get_messages
from django.contrib.sessions.models import Session
from django.db import models
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from conftest import PASSWORD
from kaohe.accounts import password_sheet
from kaohe.accounts.models import User
from kaohe.accounts.tests.conftest import login
from kaohe.core.models import AuditEvent
from kaohe.organisations.models import Membership, Organisation
from kaohe.organisations.roles import Role

IMPORT = reverse("accounts:user_import")
PREVIEW = reverse("accounts:user_import_preview")
APPLY = reverse("accounts:user_import_apply")
SHEET = reverse("accounts:password_sheet")
SHEET_XLSX = reverse("accounts:password_sheet_xlsx")
HEADER = ["姓名", "登录账号", "所属单位", "角色", "手机"]
GOOD: list[list[object]] = [
    ["王一", "wg_wangyi", "舞钢市人民政府", "考核对象", "13800000001"],
    ["赵二", "yfxz_zhaoer", "市司法局依法行政指导科", "考核主体", ""],
    ["钱三", "field_qian", "市司法局", "实地考察组成员", None],
]


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def _xlsx(rows: list[list[object]], header: list[str] | None = HEADER) -> io.BytesIO:
    book = Workbook()
    sheet = book.active
    if header:
        sheet.append(header)
    for row in rows:
        sheet.append(row)
    data = io.BytesIO()
    book.save(data)
    data.seek(0)
    data.name = "人员名单.xlsx"
    return data


def _upload(client, rows: list[list[object]], **kwargs):
    return client.post(IMPORT, {"file": _xlsx(rows, **kwargs)})


def _all_stored_text() -> str:
    """Every text value of every model row, plus the raw session data: where a clear password could hide."""
    chunks: list[str] = []
    for model in apps.get_models():
        fields = [f.attname for f in model._meta.concrete_fields if isinstance(f, (models.CharField, models.TextField))]
        json_fields = [f.attname for f in model._meta.concrete_fields if isinstance(f, models.JSONField)]
        if fields or json_fields:
            for values in model._default_manager.values_list(*fields, *json_fields):
                chunks.extend(str(v) for v in values)
    chunks.extend(Session.objects.values_list("session_data", flat=True))
    return "\n".join(chunks)


# ------------------------------------------------------------------------------ the people list


def test_people_import_preview_apply_and_password_sheet_once(personas):
    client = personas.client(personas.sysadmin)
    response = _upload(client, GOOD)
    assert response.status_code == 302 and response["Location"] == PREVIEW
    assert not User.objects.filter(username__in=["wg_wangyi", "yfxz_zhaoer", "field_qian"]).exists()  # nothing yet
    preview = client.get(PREVIEW)
    assert preview.status_code == 200
    assert [r.username for r in preview.context["check"].new] == ["wg_wangyi", "yfxz_zhaoer", "field_qian"]
    assert not preview.context["errors"]

    response = client.post(APPLY)
    assert response.status_code == 302 and response["Location"] == SHEET
    created = {u.username: u for u in User.objects.filter(username__in=["wg_wangyi", "yfxz_zhaoer", "field_qian"])}
    assert len(created) == 3
    wang = created["wg_wangyi"]
    assert wang.display_name == "王一" and wang.mobile == "13800000001" and wang.must_change_password
    assert Membership.objects.get(user=wang).role == Role.UNIT
    assert Membership.objects.get(user=created["yfxz_zhaoer"]).organisation.name == "市司法局依法行政指导科"
    assert Membership.objects.get(user=created["field_qian"]).role == Role.FIELD_GROUP

    page = client.get(SHEET)
    assert page.status_code == 200 and "no-store" in page["Cache-Control"]
    entries = page.context["entries"]
    assert [e.username for e in entries] == ["wg_wangyi", "yfxz_zhaoer", "field_qian"]
    html = page.content.decode()
    passwords = {e.username: e.password for e in entries}
    assert all(p in html for p in passwords.values())
    assert "首次登录须修改密码" in html and "舞钢市人民政府" in html
    for username, password in passwords.items():
        assert created[username].check_password(password)

    # Never stored in clear: not in any text field of any model, not in the (database) session either.
    stored = _all_stored_text()
    assert not [p for p in passwords.values() if p in stored]

    download = client.get(SHEET_XLSX)
    assert download.status_code == 200
    sheet = load_workbook(io.BytesIO(download.content)).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0] == ["单位", "姓名", "登录账号", "初始密码", "说明"]
    assert rows[1] == ["舞钢市人民政府", "王一", "wg_wangyi", passwords["wg_wangyi"], "首次登录须修改密码"]

    # Both showings are spent: the second visit says so and offers 重置密码; the download refuses.
    again = client.get(SHEET)
    assert again.context["entries"] is None
    assert "已发放" in again.content.decode() and "重置密码" in again.content.decode()
    refused = client.get(SHEET_XLSX)
    assert refused.status_code == 302 and "不能再次下载" in _messages(refused)[0]
    assert not [p for p in passwords.values() if p in _all_stored_text()]

    # Audited: the creation (per account and in sum) and both hand-outs, never the passwords.
    events = AuditEvent.objects.filter(action__startswith="account.")
    actions = list(events.values_list("action", flat=True))
    assert actions.count("account.create") == 3
    assert {"account.bulk_create", "account.password_sheet_show", "account.password_sheet_download"} <= set(actions)
    assert AuditEvent.objects.filter(action="membership.grant", after__user="wg_wangyi").exists()
    assert not [p for p in passwords.values() if any(p in str(e.after) for e in events)]


def test_imported_account_must_change_its_password_at_first_login(personas, policy_middleware):
    client = personas.client(personas.sysadmin)
    _upload(client, GOOD[:1])
    client.post(APPLY)
    password = client.get(SHEET).context["entries"][0].password
    newcomer, response = login("wg_wangyi", password)
    assert response.status_code == 302
    home = newcomer.get(reverse("core:home"))
    assert home.status_code == 302 and home["Location"].startswith(reverse("accounts:password_change"))
    done = newcomer.post(
        reverse("accounts:password_change"),
        {"old_password": password, "new_password1": "Mine#Own2026x", "new_password2": "Mine#Own2026x", "next": "/"},
    )
    assert done.status_code == 302
    assert newcomer.get(reverse("core:home")).status_code == 200


def test_every_error_of_the_list_at_once_and_nothing_written(personas, make_user):
    taken = make_user("taken_user", Role.VIEWER)
    rows = [
        ["甲", "dup_user", "舞钢市人民政府", "考核对象", ""],
        ["乙", "DUP_USER", "舞钢市人民政府", "考核对象", ""],  # same account, other case
        ["丙", "ghost_unit", "不存在的单位", "考核对象", ""],
        ["丁", "bad_role", "舞钢市人民政府", "局长", ""],
        ["戊", "admin_try", "市司法局", "系统管理员", ""],
        ["己", "taken_user", "舞钢市人民政府", "考核对象", ""],
        ["庚", "far_away", "洛阳市司法局", "考核对象", ""],  # another city: not in the administrator's region
        ["辛", "bad mobile", "舞钢市人民政府", "考核对象", "abc"],
        ["", "no_name", "舞钢市人民政府", "考核对象", ""],
        ["癸", "fine_user", "舞钢市人民政府", "考核对象", ""],
    ]
    client = personas.client(personas.sysadmin)
    _upload(client, rows)
    preview = client.get(PREVIEW)
    messages = [p.message for p in preview.context["errors"]]
    text = "\n".join(messages)
    assert "登录账号“DUP_USER”与第2行重复" in text
    assert "找不到单位“不存在的单位”" in text
    assert "角色“局长”无法识别" in text
    assert "系统管理员不能通过批量导入授予" in text
    assert "登录账号“taken_user”已被占用" in text
    assert "找不到单位“洛阳市司法局”" in text
    assert "手机“abc”格式不正确" in text
    assert "缺少姓名" in text
    assert len(messages) == 8
    assert "确认导入" not in preview.content.decode()
    response = client.post(APPLY)
    assert response.status_code == 302 and response["Location"] == PREVIEW
    assert "文件有 8 处错误，未导入任何内容" in _messages(response)[0]
    assert not User.objects.filter(username__in=["fine_user", "dup_user", "far_away"]).exists()
    assert not Membership.objects.filter(user=taken, role=Role.UNIT).exists()
    assert not AuditEvent.objects.filter(action__in=["account.create", "account.bulk_create"]).exists()


def test_an_account_already_holding_the_role_is_reused_unchanged(personas):
    client = personas.client(personas.sysadmin)
    _upload(client, [["舞钢", "unit_wugang", "舞钢市人民政府", "考核对象", ""], GOOD[1]])
    preview = client.get(PREVIEW)
    assert [r.username for r in preview.context["check"].kept] == ["unit_wugang"]
    before = User.objects.get(username="unit_wugang").password
    client.post(APPLY)
    assert User.objects.get(username="unit_wugang").password == before
    assert [e.username for e in client.get(SHEET).context["entries"]] == ["yfxz_zhaoer"]


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"", "empty.xlsx", "文件是空的"),
        (b"just some text", "names.xlsx", "不是有效的 .xlsx 文件"),
        (b"%PDF-1.4 ...", "scan.xlsx", "这是 PDF 文件"),
        (b"PK\x03\x04", "names.csv", "请上传 .xlsx 格式"),
    ],
)
def test_bad_files_are_refused_with_a_clear_message(personas, content, name, message):
    client = personas.client(personas.sysadmin)
    upload = io.BytesIO(content)
    upload.name = name
    response = client.post(IMPORT, {"file": upload})
    if response.status_code == 302:  # read, refused by the guarded reader: shown on the preview
        response = client.get(PREVIEW)
        assert message in "\n".join(p.message for p in response.context["errors"])
    else:
        assert response.status_code == 400
        assert message in response.content.decode()
    assert client.post(APPLY).status_code == 302
    assert not AuditEvent.objects.filter(action="account.bulk_create").exists()


def test_oversize_and_missing_columns(personas, settings):
    client = personas.client(personas.sysadmin)
    settings.KAOHE_IMPORT_MAX_BYTES = 1024
    big = io.BytesIO(b"PK" + b"0" * 2048)
    big.name = "big.xlsx"
    response = client.post(IMPORT, {"file": big})
    assert response.status_code == 400 and "文件过大" in response.content.decode()
    settings.KAOHE_IMPORT_MAX_BYTES = 20 * 1024 * 1024
    _upload(client, [["王一", "舞钢市人民政府"]], header=["姓名", "所属单位"])
    errors = client.get(PREVIEW).context["errors"]
    assert "找不到表头“姓名”、“登录账号”、“所属单位”、“角色”" in errors[0].message
    _upload(client, [], header=HEADER)
    assert "表头下方没有任何人员" in client.get(PREVIEW).context["errors"][0].message


def test_template_download(personas):
    response = personas.client(personas.sysadmin).get(reverse("accounts:user_import_template"))
    assert response.status_code == 200
    rows = [[c.value for c in r] for r in load_workbook(io.BytesIO(response.content)).active.iter_rows()]
    assert rows[0] == HEADER
    assert AuditEvent.objects.filter(action="account.import_template").exists()


def test_only_the_system_administrator_imports(personas):
    for user in (personas.office, personas.unit, personas.secadmin, personas.auditor, personas.other_office):
        client = personas.client(user)
        assert client.get(IMPORT).status_code == 403
        assert client.post(IMPORT, {"file": _xlsx(GOOD)}).status_code == 403
        assert client.get(PREVIEW).status_code == 403
        assert client.post(APPLY).status_code == 403
        assert client.get(reverse("accounts:user_import_template")).status_code == 403
    assert personas.client(None).get(IMPORT).status_code == 302
    assert not User.objects.filter(username="wg_wangyi").exists()


def test_the_pending_list_and_the_sheet_belong_to_the_session_of_who_made_them(personas):
    client = personas.client(personas.sysadmin)
    _upload(client, GOOD[:1])
    client.post(APPLY)
    other = personas.client(personas.office)  # another session: nothing to show, nothing to download
    page = other.get(SHEET)
    assert page.status_code == 200 and page.context["entries"] is None and page.context["state"] is None
    assert other.get(SHEET_XLSX).status_code == 302


def test_the_sheet_expires(personas, monkeypatch):
    client = personas.client(personas.sysadmin)
    _upload(client, GOOD[:1])
    client.post(APPLY)
    monkeypatch.setattr(password_sheet, "TTL", password_sheet.TTL * 0 - password_sheet.TTL)
    assert client.get(SHEET).context["entries"] is None
    assert client.get(SHEET_XLSX).status_code == 302


# ------------------------------------------------------------------------------ regions


@pytest.fixture
def luoyang_admin(db):
    """A system administrator of 洛阳市 (another region)."""
    user = User.objects.create_user(username="ly_sysadmin", password=PASSWORD, display_name="洛阳系统管理员")
    Membership.objects.create(user=user, organisation=Organisation.objects.get(name="洛阳市司法局"), role=Role.SYSTEM_ADMIN)
    return user


def test_account_pages_are_scoped_to_the_administrators_region(personas, luoyang_admin):
    ly = personas.client(luoyang_admin)
    pds = personas.client(personas.sysadmin)
    wugang, other_unit = personas.unit, User.objects.get(username="other_unit")
    # 404 outside the region, for every page and action of the account.
    for client, outsider in ((ly, wugang), (pds, other_unit)):
        assert client.get(reverse("accounts:user_detail", args=[outsider.pk])).status_code == 404
        assert client.post(reverse("accounts:user_password", args=[outsider.pk])).status_code == 404
        assert client.post(reverse("accounts:user_active", args=[outsider.pk]), {"active": "0"}).status_code == 404
        membership = Membership.objects.filter(user=outsider).first()
        assert client.post(reverse("accounts:membership_revoke", args=[outsider.pk, membership.pk])).status_code == 404
    assert ly.get(reverse("accounts:user_detail", args=[other_unit.pk])).status_code == 200
    listed = {u.username for u in ly.get(reverse("accounts:users")).context["page"]}
    assert "other_unit" in listed and "unit_wugang" not in listed and "office" not in listed
    listed = {u.username for u in pds.get(reverse("accounts:users")).context["page"]}
    assert "unit_wugang" in listed and "other_unit" not in listed
    # A role inside one's region only.
    newcomer = User.objects.create_user(username="newcomer", display_name="新人")
    response = ly.post(
        reverse("accounts:membership_add", args=[newcomer.pk]),
        {"organisation": Organisation.objects.get(name="舞钢市人民政府").pk, "role": Role.UNIT},
    )
    assert "所选单位不存在。" in _messages(response)
    assert not Membership.objects.filter(user=newcomer).exists()
    # An account with a role in both regions belongs to neither administrator alone.
    Membership.objects.create(user=newcomer, organisation=Organisation.objects.get(name="洛阳市司法局"), role=Role.VIEWER)
    Membership.objects.create(user=newcomer, organisation=Organisation.objects.get(name="市司法局"), role=Role.VIEWER)
    for client in (ly, pds):
        assert client.get(reverse("accounts:user_detail", args=[newcomer.pk])).status_code == 404


# ------------------------------------------------------------------------------ 调动


def test_move_a_role_to_another_organisation(personas):
    client = personas.client(personas.sysadmin)
    account = personas.unit2  # 市司法局, 考核对象
    membership = Membership.objects.get(user=account, role=Role.UNIT)
    target = Organisation.objects.get(name="舞钢市人民政府")
    others_before = AuditEvent.objects.filter(action__startswith="membership.").count()
    url = reverse("accounts:membership_move", args=[account.pk, membership.pk])
    response = client.post(url, {"organisation": target.pk})
    assert response.status_code == 302
    assert "调至舞钢市人民政府" in _messages(response)[0]
    membership.refresh_from_db()
    assert membership.organisation == target and membership.role == Role.UNIT
    event = AuditEvent.objects.filter(action="membership.move").get()
    assert event.before["organisation"] == "市司法局" and event.after["organisation"] == "舞钢市人民政府"
    assert event.actor_name == "sysadmin"
    assert AuditEvent.objects.filter(action__startswith="membership.").count() == others_before + 1  # one act, one event
    # Outside the region: refused by the form, nothing moves.
    far = Organisation.objects.get(name="洛阳市司法局")
    response = client.post(url, {"organisation": far.pk})
    assert "所选单位不存在或不在您管理的地区内。" in _messages(response)
    membership.refresh_from_db()
    assert membership.organisation == target


def test_move_is_refused_for_oneself_admin_powers_and_other_roles(personas, luoyang_admin):
    sys = personas.sysadmin
    own = Membership.objects.get(user=sys, role=Role.SYSTEM_ADMIN)
    target = Organisation.objects.get(name="市司法局")
    client = personas.client(sys)
    response = client.post(reverse("accounts:membership_move", args=[sys.pk, own.pk]), {"organisation": target.pk})
    assert "不能授予或撤销本人的角色" in _messages(response)[0]
    sec = Membership.objects.get(user=personas.secadmin, role=Role.SECURITY_ADMIN)
    response = client.post(reverse("accounts:membership_move", args=[personas.secadmin.pk, sec.pk]), {"organisation": target.pk})
    assert "管理员角色不能调动" in _messages(response)[-1]
    for user in (personas.office, personas.secadmin, personas.unit):
        membership = Membership.objects.get(user=personas.unit2, role=Role.UNIT)
        response = personas.client(user).post(
            reverse("accounts:membership_move", args=[personas.unit2.pk, membership.pk]), {"organisation": target.pk}
        )
        assert response.status_code == 403
    membership = Membership.objects.get(user=personas.unit2, role=Role.UNIT)
    response = personas.client(luoyang_admin).post(
        reverse("accounts:membership_move", args=[personas.unit2.pk, membership.pk]), {"organisation": target.pk}
    )
    assert response.status_code == 404
    assert not AuditEvent.objects.filter(action="membership.move").exists()
