"""The people list finds organisations along the administrator's region tree (issue 17): a name two regions share
is an error listing both with their region paths, and a region path picks one."""

from __future__ import annotations

import io

from django.urls import reverse
from openpyxl import Workbook

from kaohe.organisations.models import Region
from tests import factories as f

IMPORT = reverse("accounts:user_import")
PREVIEW = reverse("accounts:user_import_preview")
HEADER = ["姓名", "登录账号", "所属单位", "角色", "手机"]


def _xlsx(rows: list[list[object]]) -> io.BytesIO:
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    data = io.BytesIO()
    book.save(data)
    data.seek(0)
    data.name = "人员名单.xlsx"
    return data


def test_a_shared_name_lists_its_paths_and_a_path_picks_one(personas):
    f.OrganisationFactory.create(name="市司法局", region=Region.objects.get(name="舞钢市"))
    rows: list[list[object]] = [
        ["甲", "sfj_bare", "市司法局", "考核对象", ""],
        ["乙", "sfj_wugang", "舞钢市/市司法局", "考核对象", ""],
        ["丙", "sfj_city", "平顶山市/市司法局", "考核对象", ""],
    ]
    client = personas.client(personas.sysadmin)
    client.post(IMPORT, {"file": _xlsx(rows)})
    preview = client.get(PREVIEW)
    errors = preview.context["errors"]
    assert [e.row for e in errors] == [2]
    assert "平顶山市/市司法局" in errors[0].message and "舞钢市/市司法局" in errors[0].message
