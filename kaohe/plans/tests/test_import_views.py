"""Importing tables through the pages: preview first, nothing written until a clean or accepted confirm."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from kaohe.core.models import AuditEvent
from kaohe.plans.constants import Level, Method
from kaohe.plans.models import Indicator, Plan, PlanImport

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADER = ["一级指标", "二级指标", "工作任务", "考核方式", "时间要求", "工作要求", "责任主体"]


def workbook_bytes(rows: list[list[object]], header: list[str] = HEADER) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "附件3"
    ws.append(["测试考核内容"])
    ws.append(header)
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def good_rows(assessor: str = "市财政局") -> list[list[object]]:
    return [
        [
            "一、依法全面履行政府职能3分",
            "规范行政权力运行2分",
            "证明事项清理情况",
            "报送资料:清理报告 1分",
            dt.date(2020, 12, 31),
            "应当清理",
            assessor,
        ],
        [
            "一、依法全面履行政府职能3分",
            "规范行政权力运行2分",
            "权责清单动态调整",
            "日常掌握 1分",
            dt.date(2020, 12, 31),
            "及时调整",
            assessor,
        ],
        [
            "一、依法全面履行政府职能3分",
            "深化信用体系建设1分",
            "信用信息归集",
            "报送资料:公共信用信息目录 1分",
            "2021-01-04",
            "应归尽归",
            assessor,
        ],
    ]


def upload(client, plan, data: bytes, *, name="table.xlsx", kind="indicators", category="测试类别", full_score="3"):
    file = SimpleUploadedFile(name, data, content_type=XLSX)
    return client.post(
        reverse("plans:import", args=[plan.pk]),
        {"kind": kind, "file": file, "category_name": category, "full_score": full_score},
    )


@pytest.fixture
def draft_plan(personas, plan):
    """A 2021 draft of the city office with the city plan's desks, to import into."""
    from kaohe.plans import services
    from kaohe.plans.models import AssessorDesk

    draft = services.plan_create(
        actor=personas.office,
        organiser=plan.organiser,
        year=2021,
        title="2021年度依法行政考核",
        period_start=dt.date(2021, 1, 1),
        period_end=dt.date(2021, 12, 31),
    )
    for desk in AssessorDesk.objects.filter(plan=plan):
        AssessorDesk.objects.create(plan=draft, organisation=desk.organisation, seq=desk.seq)
    return draft


def test_clean_import_previews_then_applies(personas, draft_plan):
    client = personas.client(personas.office)
    response = upload(client, draft_plan, workbook_bytes(good_rows()))
    assert response.status_code == 302
    record = PlanImport.objects.get(plan=draft_plan)
    assert record.status == PlanImport.Status.PREVIEW
    assert record.error_count == 0 and record.warning_count == 0
    assert not Indicator.objects.filter(plan=draft_plan).exists()  # nothing written before confirmation
    preview = client.get(response["Location"]).content.decode()
    assert "3</strong> 项工作任务" in preview
    applied = client.post(reverse("plans:import_apply", args=[draft_plan.pk, record.pk]))
    assert applied.status_code == 302
    tasks = Indicator.objects.filter(plan=draft_plan, level=Level.TASK).order_by("order")
    assert [t.code for t in tasks] == ["1.1.1", "1.1.2", "1.2.1"]
    assert [t.points for t in tasks] == [Decimal(1), Decimal(1), Decimal(1)]
    assert tasks[1].method == Method.DAILY
    assert tasks[2].deadline == dt.date(2021, 1, 4)
    assert tasks[0].assessor.organisation.name == "市财政局"
    assert AuditEvent.objects.filter(action="plan.import_apply", plan_id=draft_plan.pk).exists()


def test_unknown_assessor_is_an_error_and_blocks_the_import(personas, draft_plan):
    client = personas.client(personas.office)
    upload(client, draft_plan, workbook_bytes(good_rows(assessor="市不存在局")))
    record = PlanImport.objects.get(plan=draft_plan)
    assert record.error_count == 3
    problem = record.problems[0]
    assert "未知的考核主体" in problem["message"]
    assert problem["row"] == 3 and problem["column"] == "G"
    page = client.get(reverse("plans:import_preview", args=[draft_plan.pk, record.pk])).content.decode()
    assert "第3行G列" in page
    client.post(reverse("plans:import_apply", args=[draft_plan.pk, record.pk]), {"accept_warnings": "on"})
    assert not Indicator.objects.filter(plan=draft_plan).exists()
    record.refresh_from_db()
    assert record.status == PlanImport.Status.PREVIEW


def test_warnings_must_be_accepted_explicitly(personas, draft_plan):
    client = personas.client(personas.office)
    rows = good_rows()
    rows[0][3] = "报送资料:清理报告 0.5分"  # 二级 says 2, tasks now sum to 1.5
    upload(client, draft_plan, workbook_bytes(rows))
    record = PlanImport.objects.get(plan=draft_plan)
    assert record.error_count == 0
    assert record.warning_count >= 1
    assert any("规范行政权力运行" in p["message"] for p in record.problems)
    apply_url = reverse("plans:import_apply", args=[draft_plan.pk, record.pk])
    client.post(apply_url)
    assert not Indicator.objects.filter(plan=draft_plan).exists()
    client.post(apply_url, {"accept_warnings": "on"})
    assert Indicator.objects.filter(plan=draft_plan, level=Level.TASK).count() == 3
    record.refresh_from_db()
    assert record.accepted_warnings == record.warning_count


def test_discard_leaves_the_plan_untouched(personas, draft_plan):
    client = personas.client(personas.office)
    upload(client, draft_plan, workbook_bytes(good_rows()))
    record = PlanImport.objects.get(plan=draft_plan)
    client.post(reverse("plans:import_discard", args=[draft_plan.pk, record.pk]))
    record.refresh_from_db()
    assert record.status == PlanImport.Status.DISCARDED
    client.post(reverse("plans:import_apply", args=[draft_plan.pk, record.pk]))
    assert not Indicator.objects.filter(plan=draft_plan).exists()


def _bad_files() -> dict[str, bytes]:
    text_in_points = good_rows()
    text_in_points[0][3] = "报送资料:清理报告 1.125分"
    formula = good_rows()
    formula[0][3] = "=1+1"
    old_date = good_rows()
    old_date[0][4] = dt.date(1900, 1, 5)
    return {
        "wrong columns": workbook_bytes([["a", "b", "c"]], header=["姓名", "电话", "地址"]),
        "blank sheet": workbook_bytes([], header=[]),
        "text in points": workbook_bytes(text_in_points),
        "formula": workbook_bytes(formula),
        "1900 deadline": workbook_bytes(old_date),
        "password protected": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + b"\x00" * 512
        + "EncryptionInfo".encode("utf-16-le")
        + b"\x00" * 512,
        "not a workbook": b"%PDF-1.4 this is not a spreadsheet",
    }


@pytest.mark.parametrize("case", list(_bad_files()))
def test_bad_files_are_reported_in_chinese_and_change_nothing(personas, draft_plan, case):
    client = personas.client(personas.office)
    before = Indicator.objects.count()
    upload(client, draft_plan, _bad_files()[case])
    record = PlanImport.objects.get(plan=draft_plan)
    assert record.error_count >= 1, record.problems
    for problem in record.problems:
        assert any("\u4e00" <= ch <= "\u9fff" for ch in problem["message"]), problem
    client.post(reverse("plans:import_apply", args=[draft_plan.pk, record.pk]), {"accept_warnings": "on"})
    assert Indicator.objects.count() == before


def test_oversize_file_is_refused_before_parsing(personas, draft_plan, settings):
    settings.KAOHE_IMPORT_MAX_BYTES = 1024
    client = personas.client(personas.office)
    response = upload(client, draft_plan, b"PK" + b"\x00" * 4096)
    assert response.status_code == 400
    assert "文件过大" in response.content.decode()
    assert not PlanImport.objects.filter(plan=draft_plan).exists()


def test_wrong_extension_and_empty_file(personas, draft_plan):
    client = personas.client(personas.office)
    response = upload(client, draft_plan, workbook_bytes(good_rows()), name="table.csv")
    assert response.status_code == 400
    assert ".xlsx" in response.content.decode()
    response = upload(client, draft_plan, b"", name="empty.xlsx")
    assert response.status_code == 400
    assert not PlanImport.objects.filter(plan=draft_plan).exists()


def test_indicator_import_needs_a_category_name(personas, draft_plan):
    response = upload(personas.client(personas.office), draft_plan, workbook_bytes(good_rows()), category="")
    assert response.status_code == 400
    assert "须填写考核对象类别" in response.content.decode()


def test_only_the_office_may_import(personas, plan, draft_plan, other_plan):
    data = workbook_bytes(good_rows())
    assert upload(personas.client(personas.unit), plan, data).status_code == 403
    assert upload(personas.client(personas.desk), plan, data).status_code == 403
    assert upload(personas.client(personas.viewer), plan, data).status_code == 403
    assert upload(personas.client(personas.other_office), draft_plan, data).status_code == 404
    assert upload(personas.client(personas.office), other_plan, data).status_code == 404
    assert personas.client(personas.unit).get(reverse("plans:import", args=[plan.pk])).status_code == 403
    # A record of one plan is not reachable through another plan's URL.
    upload(personas.client(personas.office), draft_plan, data)
    record = PlanImport.objects.get(plan=draft_plan)
    assert (
        personas.client(personas.other_office).get(reverse("plans:import_preview", args=[other_plan.pk, record.pk])).status_code
        == 404
    )
    assert personas.client(personas.unit).get(reverse("plans:import_preview", args=[draft_plan.pk, record.pk])).status_code == 404


def test_published_plan_refuses_imports(personas, plan):
    assert plan.status == Plan.Status.PUBLISHED
    response = upload(personas.client(personas.office), plan, workbook_bytes(good_rows()))
    assert response.status_code == 400
    assert "已冻结" in response.content.decode()


def test_export_then_import_reproduces_the_tree(personas, plan, draft_plan):
    # As in a real table, the 加分项/扣分项 rows sit under a 二级 named 加减分项 (the reading relies on it; the
    # city's tables carry placeholder 一级/二级 names).
    Indicator.objects.filter(plan=plan, level=Level.LEVEL2, code="4.1").update(name="加减分项")
    client = personas.client(personas.office)
    for category in plan.categories.all():
        response = client.get(reverse("plans:export", args=[plan.pk, category.pk]))
        assert response.status_code == 200
        assert response["Content-Type"] == XLSX
        assert "attachment" in response["Content-Disposition"]
        data = b"".join(response.streaming_content) if response.streaming else response.content
        upload(client, draft_plan, data, name="export.xlsx", category=category.name, full_score=str(category.full_score))
        record = PlanImport.objects.filter(plan=draft_plan).latest("created_at")
        assert record.error_count == 0, record.problems
        client.post(reverse("plans:import_apply", args=[draft_plan.pk, record.pk]), {"accept_warnings": "on"})
        fields = (
            "code",
            "level",
            "name",
            "points",
            "method",
            "materials",
            "deadline",
            "requirement",
            "adjustment",
            "counts_next_year",
        )
        original = list(
            Indicator.objects.filter(category=category).order_by("order").values_list(*fields, "assessor__organisation__name")
        )
        copy = list(
            Indicator.objects.filter(plan=draft_plan, category__name=category.name)
            .order_by("order")
            .values_list(*fields, "assessor__organisation__name")
        )
        assert copy == original


def test_export_is_refused_to_units_and_outsiders(personas, plan):
    county = plan.categories.get(name="县区政府")
    url = reverse("plans:export", args=[plan.pk, county.pk])
    assert personas.client(personas.unit).get(url).status_code == 403
    assert personas.client(personas.other_office).get(url).status_code == 404
    assert personas.client(personas.viewer).get(url).status_code == 200


# -- other offices' tables: the column reading, the office's overrides, even shares ------------------------

CORPUS = __import__("pathlib").Path(__file__).resolve().parent / "corpus"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _corpus_upload(client, plan, name: str):
    file = SimpleUploadedFile(name, (CORPUS / name).read_bytes(), content_type=DOCX if name.endswith(".docx") else XLSX)
    return client.post(
        reverse("plans:import", args=[plan.pk]),
        {"kind": "indicators", "file": file, "category_name": "部门", "full_score": "16"},
    )


def test_preview_says_how_each_column_was_read_and_the_office_can_change_it(personas, draft_plan):
    client = personas.client(personas.office)
    response = _corpus_upload(client, draft_plan, "jiaozuo-2021-unnamed-columns.xlsx")
    record = PlanImport.objects.get(plan=draft_plan)
    page = client.get(response["Location"]).content.decode()
    assert "各列的读法" in page
    assert "“一级指标”列按一级指标读取" in page
    assert "按内容" in page  # the unnamed points column
    roles = {c["letter"]: c["role"] for c in record.summary["columns"]}
    assert roles["C"] == "points"
    index = [c["letter"] for c in record.summary["columns"]].index("C")
    options_url = reverse("plans:import_options", args=[draft_plan.pk, record.pk])
    assert client.post(options_url, {f"role_{index}": ""}).status_code == 302
    record.refresh_from_db()
    assert record.options["columns"] == {"Sheet1": {"C": ""}}
    assert {c["letter"]: c["how"] for c in record.summary["columns"]}["C"] == "override"
    assert record.summary["points_total"] == "0"
    assert not Indicator.objects.filter(plan=draft_plan).exists()  # read again, nothing written
    event = AuditEvent.objects.get(action="plan.import_options", plan_id=draft_plan.pk)
    assert event.after["columns"] == {"Sheet1": {"C": ""}}
    client.post(reverse("plans:import_apply", args=[draft_plan.pk, record.pk]), {"accept_warnings": "on"})
    tasks = Indicator.objects.filter(plan=draft_plan, level=Level.TASK)
    assert tasks.count() == 3
    assert all(t.points is None for t in tasks)  # the office's reading was applied


def test_even_shares_chosen_on_the_preview_are_applied_with_rules(personas, draft_plan):
    client = personas.client(personas.office)
    _corpus_upload(client, draft_plan, "zhengzhou-2020-level1-points.xlsx")
    record = PlanImport.objects.get(plan=draft_plan)
    assert len(record.summary["undistributed"]) == 2
    page = client.get(reverse("plans:import_preview", args=[draft_plan.pk, record.pk])).content.decode()
    assert "平均分配" in page
    client.post(reverse("plans:import_options", args=[draft_plan.pk, record.pk]), {"distribute": "on"})
    record.refresh_from_db()
    assert record.options["distribute"] is True
    assert record.summary["distributed_tasks"] == 5
    client.post(reverse("plans:import_apply", args=[draft_plan.pk, record.pk]), {"accept_warnings": "on"})
    tasks = list(Indicator.objects.filter(plan=draft_plan, level=Level.TASK).order_by("order"))
    assert [t.points for t in tasks] == [Decimal("3.33"), Decimal("3.33"), Decimal("3.34"), Decimal(3), Decimal(3)]
    assert tasks[0].deduction_rules == [{"event": "未履行", "points": "2.00", "per": "", "cap": None}]
    assert tasks[0].requirement == "未履行的扣2分"


def test_xls_upload_previews_through_the_same_reader(personas, draft_plan):
    client = personas.client(personas.office)
    _corpus_upload(client, draft_plan, "shangqiu-2019.xls")
    record = PlanImport.objects.get(plan=draft_plan)
    assert record.error_count == 0, record.problems
    assert record.summary["tasks"] == 4
    assert record.summary["adjustment_sections"] == ["加分项"]


def test_docx_with_bonus_and_deduction_sections_applies(personas, draft_plan):
    client = personas.client(personas.office)
    _corpus_upload(client, draft_plan, "sanmenxia-2021-sections.docx")
    record = PlanImport.objects.get(plan=draft_plan)
    assert record.error_count == 0, record.problems
    assert record.summary["adjustment_sections"] == ["减分项"]
    client.post(reverse("plans:import_apply", args=[draft_plan.pk, record.pk]), {"accept_warnings": "on"})
    deduction = Indicator.objects.get(plan=draft_plan, level=Level.TASK, name="行政复议决定被撤销")
    assert deduction.adjustment == "deduction"


def test_docx_is_refused_for_unit_lists(personas, draft_plan):
    client = personas.client(personas.office)
    file = SimpleUploadedFile("units.docx", (CORPUS / "nanyang-2020.docx").read_bytes(), content_type=DOCX)
    response = client.post(reverse("plans:import", args=[draft_plan.pk]), {"kind": "units", "file": file})
    assert response.status_code == 400
    assert "只有指标表可以是 Word 文档或旧版 .xls" in response.content.decode()
    assert not PlanImport.objects.filter(plan=draft_plan).exists()


def test_import_options_wrong_role_wrong_plan_and_bad_values(personas, draft_plan, plan):
    office = personas.client(personas.office)
    _corpus_upload(office, draft_plan, "jiaozuo-2021-unnamed-columns.xlsx")
    record = PlanImport.objects.get(plan=draft_plan)
    url = reverse("plans:import_options", args=[draft_plan.pk, record.pk])
    assert personas.client(personas.desk).post(url, {"role_0": ""}).status_code in (403, 404)
    assert personas.client(personas.other_office).post(url, {"role_0": ""}).status_code == 404
    other_plan_url = reverse("plans:import_options", args=[plan.pk, record.pk])
    assert office.post(other_plan_url, {"role_0": ""}).status_code == 404  # the import is not the city plan's
    assert office.get(url).status_code == 405
    before = dict(PlanImport.objects.get(pk=record.pk).options)
    office.post(url, {"role_0": "everything"})
    record.refresh_from_db()
    assert record.options == before  # an unknown role changes nothing
    office.post(url, {"sheets": ["不存在的表"]})
    record.refresh_from_db()
    assert record.options["sheets"] is None
    assert not Indicator.objects.filter(plan=draft_plan).exists()


def test_import_options_after_apply_is_refused(personas, draft_plan):
    client = personas.client(personas.office)
    _corpus_upload(client, draft_plan, "kaifeng-2022-points-in-text.xlsx")
    record = PlanImport.objects.get(plan=draft_plan)
    client.post(reverse("plans:import_apply", args=[draft_plan.pk, record.pk]), {"accept_warnings": "on"})
    record.refresh_from_db()
    assert record.status == PlanImport.Status.APPLIED
    client.post(reverse("plans:import_options", args=[draft_plan.pk, record.pk]), {"distribute": "on"})
    record.refresh_from_db()
    assert record.options.get("distribute") is False
    assert not AuditEvent.objects.filter(action="plan.import_options").exists()


def test_import_command_applies_like_the_page(personas, draft_plan):
    from django.core.management import CommandError, call_command

    path = str(CORPUS / "kaifeng-2022-points-in-text.xlsx")
    with pytest.raises(CommandError, match="--user"):
        call_command("import_indicators", path, "--plan", str(draft_plan.pk), "--category-name", "部门")
    with pytest.raises(CommandError, match="警告"):
        call_command(
            "import_indicators", path, "--plan", str(draft_plan.pk), "--category-name", "部门", "--user", personas.office.username
        )
    assert not Indicator.objects.filter(plan=draft_plan).exists()
    with pytest.raises(CommandError, match="权限"):
        call_command(
            "import_indicators", path, "--plan", str(draft_plan.pk), "--category-name", "部门",
            "--user", personas.desk.username, "--accept-warnings",
        )  # fmt: skip
    out = io.StringIO()
    call_command(
        "import_indicators", path, "--plan", str(draft_plan.pk), "--category-name", "部门",
        "--user", personas.office.username, "--accept-warnings", stdout=out,
    )  # fmt: skip
    assert "已导入到类别“部门”" in out.getvalue()
    tasks = Indicator.objects.filter(plan=draft_plan, level=Level.TASK).order_by("order")
    assert [t.points for t in tasks] == [Decimal(2), Decimal("1.5"), Decimal(2), Decimal(5), Decimal("1.5"), Decimal(8)]
    assert tasks.last().deduction_rules[0]["cap"] == "8.00"
    assert AuditEvent.objects.filter(action="plan.import_apply", plan_id=draft_plan.pk, actor_id=personas.office.pk).exists()


def test_preview_lists_the_rules_it_read(personas, draft_plan):
    client = personas.client(personas.office)
    response = _corpus_upload(client, draft_plan, "xinyang-2021-county.xlsx")
    page = client.get(response["Location"]).content.decode()
    assert "从评分标准中读出的扣分规则" in page
    assert "迟报：每次扣0.50分" in page
    assert "发现违规审批：每件扣1.00分（最多扣2.00分）" in page
    assert "加分项/减分项（在满分之外，不计入合计）：“加分项”、“减分项”" in page
