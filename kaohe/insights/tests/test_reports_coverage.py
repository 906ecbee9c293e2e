"""coverage.py: sentences, requirement phrases and the coverage table, on plain text (no database)."""

from __future__ import annotations

import pytest

from kaohe.insights import coverage
from kaohe.insights.tests import report_texts as texts

LABELS = [p.label for p in coverage.FIXED_PARTS]


def table(text: str, requirements: tuple[str, ...] = ()) -> dict[str, coverage.PartCoverage]:
    return {row.part.label: row for row in coverage.cover(text, coverage.parts_for(requirements))}


def test_the_fixed_parts_are_the_outline_areas_and_the_report_essentials() -> None:
    assert LABELS == [
        "依法全面履行政府职能",
        "完善依法行政制度体系",
        "推进行政决策科学化民主化法治化",
        "坚持严格规范公正文明执法",
        "强化对行政权力的制约和监督",
        "依法有效化解社会矛盾纠纷",
        "全面提高政府工作人员法治思维和依法行政能力",
        "存在问题",
        "下步打算",
        "主要负责人履行推进法治建设第一责任人职责",
    ]


def test_sentences_split_on_chinese_stops_and_lines_without_markup() -> None:
    assert coverage.split_sentences("**一是深化改革。**二是完善制度；三是加强监督！\n\n  四是？ 好") == [
        "一是深化改革",
        "二是完善制度",
        "三是加强监督",
        "四是",
    ]


def test_requirement_phrases_of_the_pingdingshan_service_enforcement_row() -> None:
    assert coverage.requirement_phrases(texts.SERVICE_REQUIREMENT) == [
        "规范化建设",
        "执法能力",
        "法律风险防控",
        "行政指导",
        "行政调解",
    ]
    # The filing requirement of the report task says when and to whom, nothing about the content.
    assert (
        coverage.requirement_phrases("每年第一季度,本级政府向同级党委、人大常委会和上一级政府报告上一年度法治政府建设情况") == []
    )


def test_the_real_excerpt_covers_what_it_speaks_of_and_nothing_it_does_not() -> None:
    rows = table(texts.ZHONGZHAN_2020)
    missing = [label for label, row in rows.items() if not row.covered]
    assert missing == ["完善依法行政制度体系"]  # the excerpt leaves out the paragraph on 规范性文件
    assert any("一把手为推进依法行政的第一责任人" in s for s in rows["主要负责人履行推进法治建设第一责任人职责"].sentences)
    assert any(s.startswith("下一步") for s in rows["下步打算"].sentences)
    assert any("短板弱项" in s for s in rows["存在问题"].sentences)
    assert any("行政复议" in s or "矛盾纠纷" in s for s in rows["依法有效化解社会矛盾纠纷"].sentences)


def test_a_full_report_covers_every_part_with_at_most_three_sentences() -> None:
    rows = table(texts.FULL)
    assert all(row.covered for row in rows.values())
    assert all(1 <= len(row.sentences) <= coverage.MAX_SENTENCES for row in rows.values())
    assert rows["坚持严格规范公正文明执法"].hits > coverage.MAX_SENTENCES  # more are counted than shown


@pytest.mark.parametrize(
    ("text", "missing"),
    [
        (texts.NO_PROBLEMS, "存在问题"),
        (texts.NO_LEADER, "主要负责人履行推进法治建设第一责任人职责"),
    ],
)
def test_a_report_missing_one_part_shows_exactly_that_part_uncovered(text: str, missing: str) -> None:
    rows = table(text)
    assert [label for label, row in rows.items() if not row.covered] == [missing]
    assert rows[missing].sentences == ()


def test_requirement_phrases_become_parts_of_their_own() -> None:
    rows = coverage.cover(texts.SERVICE_ENFORCEMENT, coverage.parts_for([texts.SERVICE_REQUIREMENT]))
    task_rows = {row.part.label: row for row in rows if row.part.source == coverage.TASK}
    assert {label: row.covered for label, row in task_rows.items()} == {
        "规范化建设": True,
        "执法能力": True,
        "法律风险防控": False,
        "行政指导": True,
        "行政调解": False,
    }
    assert task_rows["执法能力"].sentences == ("组织执法人员业务培训3期，提升执法能力",)
    # A phrase that a fixed part already names is not added twice.
    assert [p.label for p in coverage.parts_for(["依法全面履行政府职能、存在问题"])] == LABELS


def test_empty_text_covers_nothing() -> None:
    assert not any(row.covered for row in coverage.cover("", coverage.parts_for()))


@pytest.mark.parametrize(
    ("name", "requirement", "expected"),
    [
        ("报送并公开年度法治政府建设工作报告", "", True),
        ("报送年度法治政府建设报告", "", True),
        ("推行服务型行政执法", texts.SERVICE_REQUIREMENT, True),
        ("深化“放管服”改革", "改革情况报告", False),
    ],
)
def test_report_tasks(name: str, requirement: str, expected: bool) -> None:
    assert coverage.is_report_task(name, requirement) is expected
