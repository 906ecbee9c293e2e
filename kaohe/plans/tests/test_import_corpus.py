"""The import corpus (corpus/*.xlsx, *.docx: other offices' layouts) read through ``manage.py import_indicators``.

Each table's tree and points are asserted on the command's JSON: (level, code, name, points, parent); level 3
is a 工作任务, a two-level table has no level 2. The files are written by corpus/build_corpus.py.
"""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from kaohe.plans.tests.excel_factories import cfb_file, plain_zip

CORPUS = Path(__file__).resolve().parent / "corpus"

Node = tuple[int, str, str, str | None, str | None]


def run(name: str | Path, *args: str) -> dict[str, Any]:
    out = io.StringIO()
    call_command("import_indicators", str(CORPUS / name), "--dry-run", "--json", *args, stdout=out)
    result: dict[str, Any] = json.loads(out.getvalue())
    return result


def tree(result: dict[str, Any]) -> list[Node]:
    return [(i["level"], i["code"], i["name"], i["points"], i["parent"]) for i in result["indicators"]]


def warnings(result: dict[str, Any]) -> list[str]:
    return [w["code"] for w in result["warnings"]]


def rules(result: dict[str, Any], code: str) -> list[dict[str, Any]]:
    return next(i["rules"] for i in result["indicators"] if i["code"] == code)


def adjustments(result: dict[str, Any]) -> dict[str, str]:
    return {i["code"]: i["adjustment"] for i in result["indicators"] if i["adjustment"]}


EXPECTED: dict[str, list[Node]] = {
    # 考核项目 / 考核内容 / 评分标准 / 分值 / 备注, two title rows, 加分项 and 减分项 rows at the end
    "xinyang-2021-county.xlsx": [
        (1, "1", "依法全面履行政府职能", None, None),
        (3, "1.1.1", "编制并公布权责清单", "3.00", "1"),
        (3, "1.1.2", "推进“放管服”改革", "2.00", "1"),
        (1, "2", "依法行政制度体系", None, None),
        (3, "2.1.1", "规范性文件备案审查", "3.00", "2"),
        (3, "2.1.2", "开展文件清理", "2.00", "2"),
        (1, "3", "加分项", None, None),
        (3, "3.1.1", "获得国家级法治政府建设示范称号", None, "3"),
        (1, "4", "减分项", None, None),
        (3, "4.1.1", "发生重大行政违法案件", None, "4"),
    ],
    # three levels, 标准分 merged down over each 二级's tasks: the 二级's total
    "luoyang-2019-department.xlsx": [
        (1, "1", "制度建设", "10.00", None),
        (2, "1.1", "规范性文件管理", "6.00", "1"),
        (3, "1.1.1", "文件合法性审核", None, "1.1"),
        (3, "1.1.2", "文件备案", None, "1.1"),
        (3, "1.1.3", "文件清理", None, "1.1"),
        (2, "1.2", "重大决策", None, "1"),
        (3, "1.2.1", "履行法定程序", "4.00", "1.2"),
        (1, "2", "行政执法", "8.00", None),
        (2, "2.1", "执法公示", "8.00", "2"),
        (3, "2.1.1", "公示执法信息", None, "2.1"),
        (3, "2.1.2", "记录执法全过程", None, "2.1"),
    ],
    # group rows across the table, points at the end of the content: "。2分", "（1.5分）", "２分", "五分"
    "kaifeng-2022-points-in-text.xlsx": [
        (1, "1", "依法全面履行政府职能", "12.00", None),
        (3, "1.1.1", "按时报送年度法治政府建设情况报告并向社会公开。", "2.00", "1"),
        (3, "1.1.2", "落实行政许可事项清单管理", "1.50", "1"),
        (3, "1.1.3", "推进政务公开标准化规范化", "2.00", "1"),
        (3, "1.1.4", "建立健全政府法律顾问制度", "5.00", "1"),
        (3, "1.1.5", "组织领导干部学法", "1.50", "1"),
        (1, "2", "严格规范公正文明执法", "8.00", None),
        (3, "2.1.1", "落实行政执法三项制度", "8.00", "2"),
    ],
    # 分值 merged beside 考核项目: the 一级's total, the tasks have none
    "zhengzhou-2020-level1-points.xlsx": [
        (1, "1", "党的领导", "10.00", None),
        (3, "1.1.1", "党政主要负责人履行推进法治建设第一责任人职责", None, "1"),
        (3, "1.1.2", "将法治政府建设纳入发展规划", None, "1"),
        (3, "1.1.3", "听取法治政府建设工作汇报", None, "1"),
        (1, "2", "行政决策", "6.00", None),
        (3, "2.1.1", "重大行政决策目录管理", None, "2"),
        (3, "2.1.2", "合法性审查", None, "2"),
    ],
    # 说明 sheet, then 县区 and 市直部门 on their own sheets: the first table by default
    "anyang-2021-sheets.xlsx": [
        (1, "1", "法治政府建设组织领导", "8.00", None),
        (3, "1.1.1", "制定年度工作要点", "3.00", "1"),
        (3, "1.1.2", "召开专题会议", "5.00", "1"),
        (1, "2", "依法决策", "7.00", None),
        (3, "2.1.1", "落实重大决策程序", "7.00", "2"),
    ],
    # a Word table with vertically merged 一级/二级 cells
    "nanyang-2020.docx": [
        (1, "1", "依法全面履行政府职能", None, None),
        (2, "1.1", "深化行政审批制度改革", None, "1"),
        (3, "1.1.1", "公布行政审批事项目录", "2.00", "1.1"),
        (3, "1.1.2", "推行“一网通办”", "3.00", "1.1"),
        (2, "1.2", "优化营商环境", None, "1"),
        (3, "1.2.1", "落实公平竞争审查", "5.00", "1.2"),
        (1, "2", "完善依法行政制度体系", None, None),
        (2, "2.1", "加强规范性文件监督", None, "2"),
        (3, "2.1.1", "规范性文件备案", "4.00", "2.1"),
    ],
    # 考核指标 / 考核内容 / 分值 ("2分") / 扣分标准, two title rows
    "zhoukou-2022-two-row-header.xlsx": [
        (1, "1", "组织领导", None, None),
        (3, "1.1.1", "成立法治建设领导小组", "2.00", "1"),
        (3, "1.1.2", "主要负责人述法", "3.00", "1"),
        (1, "2", "普法责任", None, None),
        (3, "2.1.1", "落实“谁执法谁普法”责任制", "5.00", "2"),
    ],
    # a points column without a header and dates under 办结日期: read by content
    "jiaozuo-2021-unnamed-columns.xlsx": [
        (1, "1", "依法决策", "12.00", None),
        (3, "1.1.1", "制定重大行政决策事项目录", "4.00", "1"),
        (3, "1.1.2", "决策前开展风险评估", "4.00", "1"),
        (3, "1.1.3", "决策后开展后评估", "4.00", "1"),
    ],
    # 赋分 with "２分", "五分", "1.5", "两分"
    "hebi-2020-full-width.xlsx": [
        (1, "1", "行政执法", None, None),
        (3, "1.1.1", "执法人员持证上岗", "2.00", "1"),
        (3, "1.1.2", "执法案卷评查", "5.00", "1"),
        (3, "1.1.3", "行政执法协调监督", "1.50", "1"),
        (3, "1.1.4", "执法公示平台建设", "2.00", "1"),
    ],
    # a Word table with "一、…（10分）" and "（一）…" rows across it, and a 减分项 section
    "sanmenxia-2021-sections.docx": [
        (1, "1", "法治政府建设组织保障", "10.00", None),
        (2, "1.1", "加强党的领导", None, "1"),
        (3, "1.1.1", "将法治建设纳入年度工作计划", "3.00", "1.1"),
        (3, "1.1.2", "主要负责人专题研究法治工作", "3.00", "1.1"),
        (2, "1.2", "落实述法制度", None, "1"),
        (3, "1.2.1", "领导班子成员年度述法", "4.00", "1.2"),
        (1, "2", "减分项", None, None),
        (3, "2.1.1", "行政复议决定被撤销", None, "2"),
    ],
    # 一级指标 / 考核项目 (the task here) / 分值, the header repeated mid-table, a 合计 row
    "xinxiang-2019-repeated-header.xlsx": [
        (1, "1", "依法行政能力", "6.00", None),
        (3, "1.1.1", "领导干部学法", "3.00", "1"),
        (3, "1.1.2", "执法人员培训", "3.00", "1"),
        (1, "2", "行政复议", "4.00", None),
        (3, "2.1.1", "复议案件按期办结", "4.00", "2"),
    ],
    # a legacy .xls (BIFF8) with a merged 考核项目 column and a 加分项 row
    "shangqiu-2019.xls": [
        (1, "1", "依法行政组织领导", "5.00", None),
        (3, "1.1.1", "召开常务会议研究法治工作", "2.00", "1"),
        (3, "1.1.2", "制定年度工作计划", "3.00", "1"),
        (1, "2", "行政执法监督", "5.00", None),
        (3, "2.1.1", "开展执法案卷评查", "5.00", "2"),
        (1, "3", "加分项", None, None),
        (3, "3.1.1", "创建省级示范单位", None, "3"),
    ],
    # the Pingdingshan 附件3 layout (points in the 考核方式 text)
    "pingdingshan-style-annex3.xlsx": [
        (1, "1", "依法全面履行政府职能", "3.00", None),
        (2, "1.1", "规范行政权力运行", "3.00", "1"),
        (3, "1.1.1", "证明事项清理", "1.00", "1.1"),
        (3, "1.1.2", "权责清单动态调整", "2.00", "1.1"),
    ],
}


def test_the_corpus_has_at_least_twelve_tables_of_both_kinds() -> None:
    files = sorted(p.name for p in CORPUS.iterdir() if p.suffix in (".xlsx", ".docx", ".xls"))
    assert len(files) >= 12
    assert {Path(f).suffix for f in files} == {".xlsx", ".docx", ".xls"}
    assert set(EXPECTED) | {"xuchang-2021-prose.docx"} == set(files)


@pytest.mark.parametrize("name", list(EXPECTED))
def test_corpus_table_tree_and_points(name: str) -> None:
    result = run(name)
    assert result["ok"], result["errors"]
    assert result["errors"] == []
    assert tree(result) == EXPECTED[name]


def test_merged_points_cell_is_the_groups_total_and_can_be_shared_out() -> None:
    result = run("zhengzhou-2020-level1-points.xlsx")
    assert warnings(result).count("points_group_only") == 2
    assert result["undistributed"] == [
        {"name": "党的领导", "kind": "一级指标", "points": "10", "tasks": 3},
        {"name": "行政决策", "kind": "一级指标", "points": "6", "tasks": 2},
    ]
    shared = run("zhengzhou-2020-level1-points.xlsx", "--distribute")
    assert [(code, points) for _, code, _, points, _ in tree(shared)] == [
        ("1", "10.00"),
        ("1.1.1", "3.33"),
        ("1.1.2", "3.33"),
        ("1.1.3", "3.34"),  # the remainder goes to the last task
        ("2", "6.00"),
        ("2.1.1", "3.00"),
        ("2.1.2", "3.00"),
    ]
    assert "points_group_only" not in warnings(shared)
    assert all(i["distributed"] for i in shared["indicators"] if i["level"] == 3)


def test_merged_level2_points_shared_out() -> None:
    shared = run("luoyang-2019-department.xlsx", "--distribute")
    points = {code: p for _, code, _, p, _ in tree(shared)}
    assert [points["1.1.1"], points["1.1.2"], points["1.1.3"], points["1.2.1"]] == ["2.00", "2.00", "2.00", "4.00"]
    assert [points["2.1.1"], points["2.1.2"]] == ["4.00", "4.00"]


def test_bonus_and_deduction_sections_are_outside_the_total() -> None:
    result = run("xinyang-2021-county.xlsx")
    assert adjustments(result) == {"3": "bonus", "3.1.1": "bonus", "4": "deduction", "4.1.1": "deduction"}
    # the sum check counts only the 10 points of the ordinary tasks
    assert [w["message"] for w in result["warnings"] if w["code"] == "total_mismatch"] == ["全部工作任务合计10分，满分应为100分"]
    docx = run("sanmenxia-2021-sections.docx")
    assert adjustments(docx) == {"2": "deduction", "2.1.1": "deduction"}


def test_deduction_rules_are_read_where_plain_and_left_as_text_otherwise() -> None:
    result = run("xinyang-2021-county.xlsx")
    assert rules(result, "1.1.1") == [
        {"event": "未按时公布", "points": "1.00", "per": "", "cap": None},
        {"event": "内容不全", "points": "0.50", "per": "", "cap": None},
    ]
    assert rules(result, "1.1.2") == [{"event": "发现违规审批", "points": "1.00", "per": "件", "cap": "2.00"}]  # 扣完为止
    assert rules(result, "2.1.1") == [
        {"event": "迟报", "points": "0.50", "per": "次", "cap": None},
        {"event": "漏报", "points": "1.00", "per": "次", "cap": None},
    ]
    bonus = next(i for i in result["indicators"] if i["code"] == "3.1.1")
    assert (bonus["rules"], bonus["requirement"]) == ([], "每项加2分，最高加5分")  # not a deduction: kept as text
    sections = run("sanmenxia-2021-sections.docx")
    assert rules(sections, "1.2.1") == [{"event": "缺", "points": "0.50", "per": "人", "cap": "4.00"}]
    hebi = run("hebi-2020-full-width.xlsx")
    assert rules(hebi, "1.1.4") == []  # "按要求建设": no rule in it


def test_columns_say_how_they_were_read() -> None:
    result = run("jiaozuo-2021-unnamed-columns.xlsx")
    reading = {c["letter"]: (c["header"], c["role"], c["how"]) for c in result["columns"]}
    assert reading == {
        "A": ("一级指标", "level1", "name"),
        "B": ("工作任务", "task", "name"),
        "C": ("", "points", "content"),
        "D": ("办结日期", "deadline", "content"),
        "E": ("牵头科室", "", ""),
    }
    xinyang = {c["letter"]: c["role"] for c in run("xinyang-2021-county.xlsx")["columns"]}
    assert xinyang == {"A": "level1", "B": "task", "C": "requirement", "D": "points", "E": "note"}


def test_the_office_can_change_a_columns_role() -> None:
    result = run("jiaozuo-2021-unnamed-columns.xlsx", "--column", "C=", "--column", "E=assessor")
    reading = {c["letter"]: (c["role"], c["how"]) for c in result["columns"]}
    assert reading["C"] == ("", "override")
    assert reading["E"] == ("assessor", "override")
    assert [p for level, _, _, p, _ in tree(result) if level == 3] == [None, None, None]


def test_sheets_can_be_chosen() -> None:
    default = run("anyang-2021-sheets.xlsx")
    assert "extra_sheets_ignored" in warnings(default)
    assert default["sheets"] == [
        {"title": "说明", "has_header": False, "chosen": False},
        {"title": "县区", "has_header": True, "chosen": True},
        {"title": "市直部门", "has_header": True, "chosen": False},
    ]
    department = run("anyang-2021-sheets.xlsx", "--sheet", "市直部门")
    assert tree(department) == [
        (1, "1", "部门法治建设", "10.00", None),
        (3, "1.1.1", "落实部门法治建设责任", "4.00", "1"),
        (3, "1.1.2", "开展普法宣传", "6.00", "1"),
    ]
    both = run("anyang-2021-sheets.xlsx", "--sheet", "县区", "--sheet", "市直部门")
    assert [name for level, _, name, _, _ in tree(both) if level == 1] == ["法治政府建设组织领导", "依法决策", "部门法治建设"]
    assert "extra_sheets_ignored" not in warnings(both)


def test_docx_title_comes_from_the_paragraph_above_the_table() -> None:
    assert run("nanyang-2020.docx")["title"] == "南阳市2020年度依法行政考核指标"


def test_prose_is_refused_with_what_to_do() -> None:
    result = run("xuchang-2021-prose.docx")
    assert result["ok"] is False
    assert result["indicators"] == []
    [error] = result["errors"]
    assert error["code"] == "prose"
    assert "不是表格" in error["message"]
    assert "整理成表格" in error["message"]


def test_unreadable_xls_is_refused_with_a_clear_message(tmp_path: Path) -> None:
    path = tmp_path / "table.xls"
    path.write_bytes(cfb_file(encrypted=False))
    result = run(path)
    assert [e["code"] for e in result["errors"]] == ["legacy_xls"]
    assert "另存为 .xlsx" in result["errors"][0]["message"]


def test_xls_shared_strings_across_continue_records(tmp_path: Path) -> None:
    from kaohe.plans.tests.corpus.xls_writer import xls_bytes

    names = [f"第{i}项工作任务" + "详" * 1500 for i in range(8)]  # about 24 KB of strings: several CONTINUE records
    rows: list[list[object]] = [["一级指标", "工作任务", "分值"]]
    rows += [["一、甲（8分）", name, 1] for name in names]
    path = tmp_path / "long.xls"
    path.write_bytes(xls_bytes([("Sheet1", rows, [(1, 8, 0, 0)])]))
    result = run(path)
    assert result["ok"], result["errors"]
    assert [i["name"] for i in result["indicators"] if i["level"] == 3] == names


def test_xls_guards(tmp_path: Path) -> None:
    from kaohe.plans.tests.corpus.xls_writer import compound_file, workbook_stream

    good = compound_file(workbook_stream([("S", [["一级指标", "工作任务", "分值"], ["一、甲", "任务", 1]], [])]))
    loop = bytearray(good)
    loop[512 + 8 : 512 + 12] = (2).to_bytes(4, "little")  # the stream's second sector points back to its first
    biff5 = bytearray(good)
    start = 3 * 512  # the stream begins after the header, FAT and directory sectors
    biff5[start + 4 : start + 6] = (0x0500).to_bytes(2, "little")
    cases = {"loop.xls": (bytes(loop), "legacy_xls"), "biff5.xls": (bytes(biff5), "legacy_xls")}
    for name, (data, code) in cases.items():
        path = tmp_path / name
        path.write_bytes(data)
        assert [e["code"] for e in run(path)["errors"]] == [code], name
    from kaohe.core.xls_read import read_xls
    from kaohe.core.xlsx_read import Limits

    assert read_xls(good, Limits(max_bytes=len(good), max_cells=3)).refusal.code == "zip_bomb"
    assert read_xls(good, Limits(max_bytes=100)).refusal.code == "file_too_large"


def _docx_with(document: bytes) -> bytes:
    return plain_zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": document})


def test_docx_guards(tmp_path: Path) -> None:
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", b"<Types/>")
        archive.writestr("word/document.xml", b"<a>" + b" " * (30 * 1024 * 1024) + b"</a>")
    cases = {
        "bomb.docx": (bomb.getvalue(), "zip_bomb"),
        "dtd.docx": (_docx_with(b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><x/>'), "unreadable"),
        "broken.docx": (_docx_with(b"<w:document"), "unreadable"),
        "nobody.docx": (_docx_with(b"<x/>"), "not_docx"),
    }
    for name, (data, code) in cases.items():
        path = tmp_path / name
        path.write_bytes(data)
        assert [e["code"] for e in run(path)["errors"]] == [code], name


def test_text_output_and_bad_arguments(tmp_path: Path) -> None:
    out = io.StringIO()
    call_command("import_indicators", str(CORPUS / "kaifeng-2022-points-in-text.xlsx"), "--dry-run", stdout=out)
    text = out.getvalue()
    assert "1.1.2 落实行政许可事项清单管理 1.50分" in text
    assert "可以导入" in text
    with pytest.raises(CommandError, match="文件不存在"):
        call_command("import_indicators", str(tmp_path / "none.xlsx"), "--dry-run")
    with pytest.raises(CommandError, match="列的读法"):
        run("kaifeng-2022-points-in-text.xlsx", "--column", "C=everything")
    with pytest.raises(CommandError, match="--plan"):
        call_command("import_indicators", str(CORPUS / "kaifeng-2022-points-in-text.xlsx"))
