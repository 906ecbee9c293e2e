"""Login accounts from a plan's 考核主体联系表 (附件2, 督导平台登录账号) and 考核对象名单 (附件1 with a 登录账号 column),
created by the plan's office when it applies the import, with a once-only password sheet."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from kaohe.accounts import bulk
from kaohe.accounts.models import User
from kaohe.accounts.people_sheet import PeopleTable
from kaohe.core.models import AuditEvent
from kaohe.organisations.models import Membership, Organisation
from kaohe.organisations.roles import Role
from kaohe.plans.import_accounts import plan_accounts_create
from kaohe.plans.models import AssessorDesk, PlanImport, PlanUnit
from kaohe.plans.tests.test_import_views import XLSX, draft_plan  # noqa: F401  (fixture)

DESK_HEADER = ["序号", "单位", "联系人", "联系电话", "联系地址", "督导平台登录账号"]
UNIT_HEADER = ["单位名称", "类别", "联系人", "督导平台登录账号"]


def _book(header: list[str], rows: list[list[object]]) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "附件2"
    ws.append(header)
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _upload(client, plan, data: bytes, kind: str) -> PlanImport:
    file = SimpleUploadedFile("名单.xlsx", data, content_type=XLSX)
    response = client.post(reverse("plans:import", args=[plan.pk]), {"kind": kind, "file": file})
    assert response.status_code == 302, response.content.decode()[:2000]
    return PlanImport.objects.filter(plan=plan).latest("pk")


DESKS = [
    [1, "市委编办", "张编办", "0375-1", "市委大院", "bb_zhang"],
    [2, "市新设局", "李新设", "0375-2", "新区", "xsj_li"],
    [3, "市财政局", "王财政", "0375-3", "财政大楼", ""],  # no account: no login for this desk
]


def test_office_creates_desk_accounts_with_the_import(personas, draft_plan):  # noqa: F811
    client = personas.client(personas.office)
    record = _upload(client, draft_plan, _book(DESK_HEADER, DESKS), "assessors")
    assert record.summary["account_rows"] == 2 and record.summary["account_new"] == 2
    preview = client.get(reverse("plans:import_preview", args=[draft_plan.pk, record.pk])).content.decode()
    assert 'name="create_accounts" id="id_create_accounts" checked' in preview  # default on for 附件2
    assert not User.objects.filter(username__in=["bb_zhang", "xsj_li"]).exists()

    response = client.post(reverse("plans:import_apply", args=[draft_plan.pk, record.pk]), {"create_accounts": "on"})
    assert response.status_code == 302 and response["Location"] == reverse("accounts:password_sheet")
    zhang = User.objects.get(username="bb_zhang")
    assert zhang.display_name == "张编办" and zhang.must_change_password
    membership = Membership.objects.get(user=zhang)
    assert membership.role == Role.DESK and membership.organisation.name == "市委编办"
    assert AssessorDesk.objects.filter(plan=draft_plan, organisation=membership.organisation).exists()
    li = Membership.objects.get(user__username="xsj_li")
    assert li.organisation.name == "市新设局" and li.role == Role.DESK  # organisation created by the import
    sheet = client.get(reverse("accounts:password_sheet"))
    entries = {e.username: e for e in sheet.context["entries"]}
    assert set(entries) == {"bb_zhang", "xsj_li"}
    assert zhang.check_password(entries["bb_zhang"].password)
    assert entries["bb_zhang"].organisation == "市委编办"
    bulk_event = AuditEvent.objects.get(action="account.bulk_create")
    assert bulk_event.plan_id == draft_plan.pk and bulk_event.after["source"] == "plan_import"
    assert AuditEvent.objects.filter(action="account.create", plan_id=draft_plan.pk).count() == 2


def test_without_the_choice_no_account_is_created(personas, draft_plan):  # noqa: F811
    client = personas.client(personas.office)
    record = _upload(client, draft_plan, _book(DESK_HEADER, DESKS), "assessors")
    response = client.post(reverse("plans:import_apply", args=[draft_plan.pk, record.pk]))
    assert response["Location"] == reverse("plans:detail", args=[draft_plan.pk])
    assert AssessorDesk.objects.filter(plan=draft_plan, organisation__name="市新设局").exists()
    assert not User.objects.filter(username__in=["bb_zhang", "xsj_li"]).exists()


def test_a_taken_account_blocks_account_creation_and_nothing_is_written(personas, draft_plan):  # noqa: F811
    rows = [
        [1, "市委编办", "张编办", "", "", "unit_wugang"],  # another organisation's account
        [2, "市新设局", "李新设", "", "", "desk_yfxz"],  # exists, and the organisation not even created yet
        [3, "市司法局依法行政指导科", "依法行政科", "", "", "DESK_YFXZ"],  # the same account twice (case)
    ]
    client = personas.client(personas.office)
    record = _upload(client, draft_plan, _book(DESK_HEADER, rows), "assessors")
    messages = [p["message"] for p in record.summary["account_problems"]]
    assert any("登录账号“unit_wugang”已被占用" in m for m in messages)
    assert any("登录账号“desk_yfxz”已被占用" in m for m in messages)
    assert record.error_count == 1  # the duplicate 登录账号 is an error of the table itself
    preview = client.get(reverse("plans:import_preview", args=[draft_plan.pk, record.pk])).content.decode()
    assert "account-problems" in preview

    rows = rows[:2]
    record = _upload(client, draft_plan, _book(DESK_HEADER, rows), "assessors")
    preview = client.get(reverse("plans:import_preview", args=[draft_plan.pk, record.pk])).content.decode()
    assert 'id="id_create_accounts">' in preview  # not ticked when accounts have problems
    desks_before = AssessorDesk.objects.filter(plan=draft_plan).count()
    response = client.post(reverse("plans:import_apply", args=[draft_plan.pk, record.pk]), {"create_accounts": "on"})
    assert response["Location"] == reverse("plans:import_preview", args=[draft_plan.pk, record.pk])
    assert AssessorDesk.objects.filter(plan=draft_plan).count() == desks_before  # all or nothing
    assert not AssessorDesk.objects.filter(plan=draft_plan, organisation__name="市新设局").exists()
    assert not AuditEvent.objects.filter(action="account.bulk_create").exists()
    record.refresh_from_db()
    assert record.status == PlanImport.Status.PREVIEW


def test_an_account_already_of_that_desk_is_reused(personas, draft_plan):  # noqa: F811
    rows = [[1, "市司法局依法行政指导科", "依法行政科", "", "", "desk_yfxz"]]
    client = personas.client(personas.office)
    record = _upload(client, draft_plan, _book(DESK_HEADER, rows), "assessors")
    assert record.summary["account_problems"] == [] and record.summary["account_new"] == 0
    response = client.post(reverse("plans:import_apply", args=[draft_plan.pk, record.pk]), {"create_accounts": "on"})
    assert response["Location"] == reverse("plans:detail", args=[draft_plan.pk])  # nothing to hand out
    assert Membership.objects.filter(user__username="desk_yfxz").count() == 1


def test_unit_list_with_accounts_gives_unit_logins(personas, draft_plan):  # noqa: F811
    rows = [["舞钢市人民政府", "县区政府", "舞钢联系人", "wg_new"], ["市司法局", "部门2", "", ""]]
    client = personas.client(personas.office)
    record = _upload(client, draft_plan, _book(UNIT_HEADER, rows), "units")
    preview = client.get(reverse("plans:import_preview", args=[draft_plan.pk, record.pk])).content.decode()
    assert 'id="id_create_accounts">' in preview  # offered, not ticked by default for 附件1
    client.post(reverse("plans:import_apply", args=[draft_plan.pk, record.pk]), {"create_accounts": "on"})
    membership = Membership.objects.get(user__username="wg_new")
    assert membership.role == Role.UNIT and membership.organisation.name == "舞钢市人民政府"
    assert PlanUnit.objects.filter(plan=draft_plan, organisation=membership.organisation).exists()


def test_only_the_plans_office_creates_accounts_through_an_import(personas, draft_plan, other_plan):  # noqa: F811
    client = personas.client(personas.office)
    record = _upload(client, draft_plan, _book(DESK_HEADER, DESKS), "assessors")
    for user, status in ((personas.sysadmin, 404), (personas.desk, 404), (personas.other_office, 404)):
        response = personas.client(user).post(
            reverse("plans:import_apply", args=[draft_plan.pk, record.pk]), {"create_accounts": "on"}
        )
        assert response.status_code == status, user
    assert not User.objects.filter(username="bb_zhang").exists()


def test_the_plan_path_gives_no_other_role_and_no_other_organisation(personas, plan):
    """Service level: the office's bulk creation refuses an admin power, a plan role other than 考核主体/考核对象,
    and an organisation that is not the plan's desk or unit; nothing is written."""
    desk = AssessorDesk.objects.filter(plan=plan).select_related("organisation").first().organisation
    outsider = Organisation.objects.get(name="洛阳市司法局")
    for org, role in ((desk, Role.SYSTEM_ADMIN), (desk, Role.OFFICE), (desk, Role.VIEWER), (outsider, Role.DESK)):
        request = bulk.AccountRequest(1, "sneaky", "某人", org, role)
        with pytest.raises(PermissionDenied):
            plan_accounts_create(actor=personas.office, plan=plan, requests=[request])
    request = bulk.AccountRequest(1, "sneaky", "某人", desk, Role.DESK)
    for actor in (personas.sysadmin, personas.desk, personas.other_office):
        with pytest.raises(PermissionDenied):
            plan_accounts_create(actor=actor, plan=plan, requests=[request])
    with pytest.raises(PermissionDenied):
        bulk.people_import_check(actor=personas.office, table=PeopleTable())
    assert not User.objects.filter(username="sneaky").exists()
