"""Write the import corpus: indicator tables laid out like the public plans of other cities and departments.

Run from the repository root:  .venv/bin/python kaohe/plans/tests/corpus/build_corpus.py

The contents are made up (shortened) but each layout follows a published indicator table: header names,
title rows, merged cells, group rows, points written in text, deduction rules, 加分项/减分项 sections,
several sheets, Word tables and a prose document. test_import_corpus.py asserts each one's tree and points
through ``manage.py import_indicators --dry-run --json``.

.xlsx is written with openpyxl (fixed timestamps and zip times, byte-for-byte reproducible), .docx with python-docx (fixed
zip times), .xls with the small BIFF8 writer beside this file (xls_writer.py: xlwt is not installed).
"""

from __future__ import annotations

import io
import sys
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from docx import Document
from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[3]))

from kaohe.plans.tests.corpus.xls_writer import xls_bytes  # noqa: E402
from kaohe.plans.tests.excel_factories import FIXED_TIME, save  # noqa: E402

Rows = Sequence[Sequence[Any]]


def _sheet(book: Workbook, title: str, rows: Rows, merges: Sequence[str] = ()) -> Worksheet:
    ws = book.create_sheet(title)
    for row in rows:
        ws.append(list(row))
    for merged in merges:
        ws.merge_cells(merged)
    return ws


def xlsx(name: str, *sheets: tuple[str, Rows, Sequence[str]]) -> Path:
    book = Workbook()
    book.remove(book.active)
    for title, rows, merges in sheets:
        _sheet(book, title, rows, merges)
    path = HERE / name
    path.write_bytes(_fixed_zip_times(save(book)))
    return path


def docx(name: str, blocks: list[tuple[str, Any]]) -> Path:
    """blocks: ("p", text) paragraphs and ("table", (rows, merges)) tables; merges as (r1, c1, r2, c2), 0-based."""
    document = Document()
    for kind, content in blocks:
        if kind == "p":
            document.add_paragraph(content)
            continue
        rows, merges = content
        table = document.add_table(rows=len(rows), cols=max(len(r) for r in rows))
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is not None:
                    table.cell(r, c).text = str(value)
        for r1, c1, r2, c2 in merges:
            top = table.cell(r1, c1)
            text = top.text
            merged = top.merge(table.cell(r2, c2))
            merged.text = text
    buffer = io.BytesIO()
    document.core_properties.created = document.core_properties.modified = FIXED_TIME
    document.save(buffer)
    path = HERE / name
    path.write_bytes(_fixed_zip_times(buffer.getvalue()))
    return path


def _fixed_zip_times(data: bytes) -> bytes:
    """Rewrite the zip with a fixed timestamp on every member (reproducible files)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(2020, 11, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(fixed, source.read(info.filename))
    return out.getvalue()


# -- the tables ------------------------------------------------------------------------------------------


def xinyang_county() -> Path:
    """A county table: two title rows, 考核项目 (merged down) / 考核内容 / 评分标准 / 分值 / 备注, rules beside each
    criterion, 加分项 and 减分项 sections at the end as rows across the table."""
    rows = [
        ["附件1"],
        ["信阳市2021年度法治政府建设考核评分细则（县区）"],
        ["考核项目", "考核内容", "评分标准", "分值", "备注"],
        ["依法全面履行政府职能", "编制并公布权责清单", "未按时公布的扣1分；内容不全的扣0.5分", 3, None],
        [None, "推进“放管服”改革", "每发现一件违规审批扣1分，扣完为止", 2, None],
        ["依法行政制度体系", "规范性文件备案审查", "迟报一次扣0.5分，漏报一次扣1分", 3, "按季度报送"],
        [None, "开展文件清理", "未开展清理的扣2分", 2, None],
        ["加分项", None, None, None, None],
        ["获得国家级法治政府建设示范称号", None, "每项加2分，最高加5分", None, None],
        ["减分项", None, None, None, None],
        ["发生重大行政违法案件", None, "每起扣2分", None, None],
    ]
    return xlsx("xinyang-2021-county.xlsx", ("评分细则", rows, ["A4:A5", "A6:A7", "A8:E8", "A10:E10"]))


def luoyang_department() -> Path:
    """Three levels; the 标准分 column merged down over each 二级's tasks: that number is the 二级's total."""
    rows = [
        ["洛阳市2019年度市直部门依法行政考核指标"],
        ["一级指标", "二级指标", "考核内容", "考核标准", "标准分"],
        ["一、制度建设（10分）", "（一）规范性文件管理", "文件合法性审核", "未经审核印发的扣1分", 6],
        [None, None, "文件备案", "未备案的扣1分", None],
        [None, None, "文件清理", "未清理的扣1分", None],
        [None, "（二）重大决策", "履行法定程序", "缺少法定程序的扣2分", 4],
        ["二、行政执法（8分）", "（一）执法公示", "公示执法信息", "未公示的扣1分", 8],
        [None, None, "记录执法全过程", "执法记录不全的扣1分", None],
    ]
    merges = ["A3:A6", "B3:B5", "E3:E5", "A7:A8", "B7:B8", "E7:E8"]
    return xlsx("luoyang-2019-department.xlsx", ("Sheet1", rows, merges))


def kaifeng_points_in_text() -> Path:
    """序号 / 考核内容 / 评分标准 with group rows across ("一、…（12分）"); points at the end of the content."""
    rows = [
        ["开封市2022年度依法行政考核内容"],
        ["序号", "考核内容", "评分标准"],
        ["一、依法全面履行政府职能（12分）", None, None],
        [1, "按时报送年度法治政府建设情况报告并向社会公开。2分", "未按时报送的扣0.5分"],
        [2, "落实行政许可事项清单管理（1.5分）", "清单不全的扣0.5分"],
        [3, "推进政务公开标准化规范化２分", "未达标的扣1分"],
        [4, "建立健全政府法律顾问制度五分", "制度不健全的，扣1分"],
        [5, "组织领导干部学法1.5分", "按要求组织学法"],
        ["二、严格规范公正文明执法（8分）", None, None],
        [6, "落实行政执法三项制度（8分）", "每发现一件不符合要求扣1分，扣完为止"],
    ]
    return xlsx("kaifeng-2022-points-in-text.xlsx", ("考核内容", rows, ["A3:C3", "A9:C9"]))


def zhengzhou_level1_points() -> Path:
    """Points only on the 一级: 分值 merged down beside 考核项目; the tasks carry none (two levels)."""
    rows = [
        ["郑州市2020年度法治政府建设考核细则"],
        ["考核项目", "分值", "考核内容", "评分细则"],
        ["党的领导", 10, "党政主要负责人履行推进法治建设第一责任人职责", "未履行的扣2分"],
        [None, None, "将法治政府建设纳入发展规划", "未纳入的扣1分"],
        [None, None, "听取法治政府建设工作汇报", "未听取的扣1分"],
        ["行政决策", 6, "重大行政决策目录管理", "未公布目录的扣1分"],
        [None, None, "合法性审查", "未经合法性审查的扣2分"],
        ["合计", 16, None, None],
    ]
    return xlsx("zhengzhou-2020-level1-points.xlsx", ("Sheet1", rows, ["A3:A5", "B3:B5", "A6:A7", "B6:B7"]))


def anyang_sheets() -> Path:
    """A 说明 sheet without a table, then one table per category on its own sheet."""
    note = [["说明"], ["本细则分县区和市直部门两类，分别考核。"]]
    county = [
        ["一级指标", "工作任务", "分值"],
        ["一、法治政府建设组织领导8分", "制定年度工作要点", 3],
        [None, "召开专题会议", 5],
        ["二、依法决策7分", "落实重大决策程序", 7],
    ]
    department = [
        ["一级指标", "工作任务", "分值"],
        ["一、部门法治建设10分", "落实部门法治建设责任", 4],
        [None, "开展普法宣传", 6],
    ]
    return xlsx(
        "anyang-2021-sheets.xlsx",
        ("说明", note, []),
        ("县区", county, ["A2:A3"]),
        ("市直部门", department, ["A2:A3"]),
    )


def nanyang_docx() -> Path:
    """A Word table with its title paragraph; 一级/二级 merged vertically (w:vMerge)."""
    rows = [
        ["一级指标", "二级指标", "工作任务", "分值", "评分标准"],
        ["一、依法全面履行政府职能", "深化行政审批制度改革", "公布行政审批事项目录", "2", "未公布的扣2分"],
        [None, None, "推行“一网通办”", "3", "未推行的扣1分"],
        [None, "优化营商环境", "落实公平竞争审查", "5", "每发现一件未审查扣1分，扣完为止"],
        ["二、完善依法行政制度体系", "加强规范性文件监督", "规范性文件备案", "4", "迟报一次扣0.5分，漏报一次扣1分"],
    ]
    merges = [(1, 0, 3, 0), (1, 1, 2, 1)]
    return docx(
        "nanyang-2020.docx",
        [("p", "附件2"), ("p", "南阳市2020年度依法行政考核指标"), ("table", (rows, merges)), ("p", "注：本表分值合计16分。")],
    )


def xuchang_prose() -> Path:
    """A plan published as running text: numbered paragraphs with points in brackets, no table."""
    return docx(
        "xuchang-2021-prose.docx",
        [
            ("p", "许昌市2021年度依法行政考核内容"),
            ("p", "（一）依法全面履行政府职能（22分）"),
            ("p", "1.深化行政审批制度改革，公布权责清单（5分）。"),
            ("p", "2.优化法治化营商环境（5分）。"),
            ("p", "（二）完善依法行政制度体系（18分）"),
            ("p", "1.加强规范性文件备案审查（6分）。"),
        ],
    )


def zhoukou_two_row_header() -> Path:
    """Title rows, a header in two rows (考核指标 over 一级/二级 is written as 考核指标 | 考核内容), 扣分标准."""
    rows = [
        ["周口市2022年度市直单位法治建设考核表"],
        ["填报单位：                      填报日期："],
        ["考核指标", "考核内容", "分值", "扣分标准"],
        ["组织领导", "成立法治建设领导小组", "2分", "未成立的扣2分"],
        [None, "主要负责人述法", "3分", "未述法的扣3分"],
        ["普法责任", "落实“谁执法谁普法”责任制", "5分", "每少一项扣1分，扣完为止"],
    ]
    return xlsx("zhoukou-2022-two-row-header.xlsx", ("考核表", rows, ["A4:A5"]))


def jiaozuo_unnamed_columns() -> Path:
    """A points column without a header and an 办结日期 column nobody names that way: read by content."""
    rows = [
        ["一级指标", "工作任务", None, "办结日期", "牵头科室"],
        ["一、依法决策12分", "制定重大行政决策事项目录", 4, "2021-03-31", None],
        [None, "决策前开展风险评估", 4, "2021-06-30", None],
        [None, "决策后开展后评估", 4, "2021-12-31", None],
    ]
    return xlsx("jiaozuo-2021-unnamed-columns.xlsx", ("Sheet1", rows, ["A2:A4"]))


def hebi_full_width() -> Path:
    """评价指标 / 评价内容 / 赋分 / 评分办法, with full-width digits and Chinese numerals in the 赋分 column."""
    rows = [
        ["鹤壁市2020年度依法行政考核评价表"],
        ["评价指标", "评价内容", "赋分", "评分办法"],
        ["一、行政执法", "执法人员持证上岗", "２分", "发现一人无证执法扣0.5分"],
        [None, "执法案卷评查", "五分", "案卷不合格的扣1分"],
        [None, "行政执法协调监督", "1.5", "未开展的扣1.5分"],
        [None, "执法公示平台建设", "两分", "按要求建设"],
    ]
    return xlsx("hebi-2020-full-width.xlsx", ("Sheet1", rows, ["A3:A6"]))


def sanmenxia_docx_sections() -> Path:
    """A Word table with group rows across the table ("一、…（N分）", "（一）…"), rules, and a 减分项 section."""
    rows = [
        ["序号", "考核内容", "评分标准", "分值"],
        ["一、法治政府建设组织保障（10分）", None, None, None],
        ["（一）加强党的领导", None, None, None],
        ["1", "将法治建设纳入年度工作计划", "未纳入的扣1分", "3"],
        ["2", "主要负责人专题研究法治工作", "每少一次扣1分，扣完为止", "3"],
        ["（二）落实述法制度", None, None, None],
        ["3", "领导班子成员年度述法", "每缺一人扣0.5分，最多扣4分", "4"],
        ["减分项", None, None, None],
        ["4", "行政复议决定被撤销", "每件扣1分", None],
    ]
    merges = [(1, 0, 1, 3), (2, 0, 2, 3), (5, 0, 5, 3), (7, 0, 7, 3)]
    return docx("sanmenxia-2021-sections.docx", [("p", "三门峡市2021年度依法行政考核评分表"), ("table", (rows, merges))])


def xinxiang_repeated_header() -> Path:
    """考核项目 as the task beside 一级指标, a repeated header (the table crossed a page) and a 合计 row."""
    rows = [
        ["一级指标", "考核项目", "分值", "评分标准"],
        ["一、依法行政能力（6分）", "领导干部学法", 3, "未组织的扣3分"],
        [None, "执法人员培训", 3, "培训不足40学时的扣1分"],
        ["一级指标", "考核项目", "分值", "评分标准"],
        ["二、行政复议（4分）", "复议案件按期办结", 4, "超期一件扣1分"],
        ["合计", None, 10, None],
    ]
    return xlsx("xinxiang-2019-repeated-header.xlsx", ("Sheet1", rows, ["A2:A3"]))


def pingdingshan_style() -> Path:
    """The Pingdingshan 附件3 layout itself (method text holding the points), for comparison."""
    rows = [
        ["附件3"],
        ["平顶山式依法行政考核内容（示例）"],
        ["一级指标", "二级指标", "工作任务", "考核方式", "时间要求", "工作要求", "责任主体"],
        [
            "一、依法全面履行政府职能3分",
            "规范行政权力运行3分",
            "证明事项清理",
            "报送资料:清理报告 1分",
            "2020-12-31",
            "立即清理",
            None,
        ],
        [None, None, "权责清单动态调整", "日常掌握 2分", None, "及时调整", None],
    ]
    return xlsx("pingdingshan-style-annex3.xlsx", ("Sheet1", rows, ["A4:A5", "B4:B5"]))


def shangqiu_xls() -> Path:
    """A legacy .xls (BIFF8): title row, 考核项目 merged down, 考核内容 / 评分标准 / 分值, a 加分项 row across."""
    rows: Rows = [
        ["商丘市2019年度依法行政工作考核细则"],
        ["考核项目", "考核内容", "评分标准", "分值"],
        ["一、依法行政组织领导（5分）", "召开常务会议研究法治工作", "未研究的扣2分", 2],
        [None, "制定年度工作计划", "未制定的扣3分", 3],
        ["二、行政执法监督（5分）", "开展执法案卷评查", "每少评查一次扣1分，扣完为止", 5],
        ["加分项", None, None, None],
        ["创建省级示范单位", None, "加3分", None],
    ]
    merges = [(2, 3, 0, 0), (5, 5, 0, 3)]
    path = HERE / "shangqiu-2019.xls"
    path.write_bytes(xls_bytes([("考核细则", rows, merges)]))
    return path


BUILDERS = (
    xinyang_county,
    luoyang_department,
    kaifeng_points_in_text,
    zhengzhou_level1_points,
    anyang_sheets,
    nanyang_docx,
    xuchang_prose,
    zhoukou_two_row_header,
    jiaozuo_unnamed_columns,
    hebi_full_width,
    sanmenxia_docx_sections,
    xinxiang_repeated_header,
    pingdingshan_style,
    shangqiu_xls,
)


def build_all() -> list[Path]:
    return [build() for build in BUILDERS]


if __name__ == "__main__":
    for written in build_all():
        print(written.relative_to(HERE.parents[3]))
