"""Reading rosters and question banks from .xlsx: every problem at once, with its row, in Chinese."""

from __future__ import annotations

from decimal import Decimal

from kaohe.inspections.abilitytests import sheets


def bank(rows):
    return sheets.bank_workbook(rows)


def row(kind, stem, options, answer, points=""):
    return [kind, stem, *options, *[""] * (6 - len(options)), answer, "分类", "易", points]


def test_a_good_bank_reads_with_defaults():
    data = bank(
        [
            row("单选", "题一", ["甲", "乙", "丙"], "b"),
            row("多选", "题二", ["甲", "乙", "丙", "丁"], "A、C"),
            row("判断", "题三", [], "√"),
            row("简答", "题四", [], "参考答案", 8),
        ]
    )
    table = sheets.parse_bank(data)
    assert table.problems == []
    kinds = [(q.kind, q.answer, q.points) for q in table.questions]
    assert kinds == [
        ("single", "B", Decimal(5)),
        ("multiple", "AC", Decimal(5)),
        ("judge", "T", Decimal(5)),
        ("short", "参考答案", Decimal(8)),
    ]
    assert table.questions[0].options == ("甲", "乙", "丙")


def test_every_problem_is_reported_with_its_row():
    data = bank(
        [
            row("单选", "没有答案", ["甲", "乙"], ""),  # row 2
            row("单选", "答案不在选项中", ["甲", "乙", "丙", "丁"], "E"),  # row 3
            row("填空", "未知题型", [], "x"),  # row 4
            row("多选", "多选只有一个答案", ["甲", "乙", "丙"], "A"),  # row 5
            row("判断", "判断答案看不懂", [], "也许"),  # row 6
            row("单选", "", ["甲", "乙"], "A"),  # row 7
            row("单选", "选项不连续", ["甲", "", "丙"], "A"),  # row 8
            row("单选", "分值不对", ["甲", "乙"], "A", "abc"),  # row 9
            row("单选", "题一", ["甲", "乙"], "A"),  # row 10
            row("单选", "题一", ["甲", "乙"], "B"),  # row 11: same question again
        ]
    )
    table = sheets.parse_bank(data)
    messages = [p.message for p in table.errors]
    assert messages == [
        "第2行：单选题缺少答案",
        "第3行：答案“E”不在选项中（本题选项为 A–D）",
        "第4行：题型“填空”无法识别，应为 单选、多选、判断 或 简答",
        "第5行：多选题答案至少两个选项，而答案为“A”；只有一个正确选项的请作为单选题",
        "第6行：判断题答案“也许”无法识别，应为 对/错（或 正确/错误、√/×）",
        "第7行：缺少题干",
        "第8行：选项B为空，但其后的选项C有内容；选项须从A起连续填写",
        "第9行：分值“abc”不是数字",
        "第11行：与第10行是同一道题（题型、题干相同）",
    ]
    assert [p.row for p in table.errors] == [2, 3, 4, 5, 6, 7, 8, 9, 11]
    assert [q.stem for q in table.questions] == ["题一"]


def test_not_an_xlsx_and_missing_headers():
    assert [p.message for p in sheets.parse_bank(b"%PDF-1.4 ...").problems] == [
        "不是有效的 .xlsx 文件（这是 PDF 文件），请上传 Excel 表格"
    ]
    other = sheets.roster_template()  # a roster is not a bank
    assert "找不到表头" in sheets.parse_bank(other).problems[0].message


def test_roster_reads_groups_and_refuses_duplicates_and_unknown_groups():
    data = sheets._workbook(
        "名册",
        sheets.ROSTER_HEADERS,
        [
            ["人员甲01", "局长", "领导小组负责同志", "局领导"],
            ["人员甲02", "副局长", "成员", "局领导"],
            ["工作人员01", "科员", "工作人员", "办公室"],
            ["工作人员02", "科员", "临时工", "办公室"],
            ["", "科员", "工作人员", "办公室"],
            ["工作人员01", "科员", "工作人员", "办公室"],
        ],
    )
    table = sheets.parse_roster(data)
    assert [p.message for p in table.errors] == [
        "第5行：分组“临时工”无法识别，应为 领导小组负责同志、领导小组成员、工作人员",
        "第6行：缺少姓名",
        "“工作人员01”（办公室）在名册中重复；同名人员请以处室区分",
    ]
    assert [p.group for p in table.people] == ["leader", "member", "staff", "staff"]
