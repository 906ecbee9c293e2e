"""法治政府建设年度报告 coverage, on an excerpt of the 2020 中站区 report (tests/fixtures, copied once)."""

from __future__ import annotations

from pathlib import Path

from kaohe.insights.coverage import coverage, looks_like_annual_report, requirement_clauses

REPORT = (Path(__file__).parent / "fixtures" / "zhongzhan_2020_excerpt.txt").read_text(encoding="utf-8")


def test_the_excerpt_is_an_annual_report() -> None:
    assert looks_like_annual_report(REPORT)
    assert not looks_like_annual_report("关于做好森林防火工作的通知")


def test_required_parts_found_with_their_sentences() -> None:
    parts = {p.name: p for p in coverage(REPORT)}
    assert parts["存在问题"].found and "短板弱项" in parts["存在问题"].sentences[0]
    assert parts["下步打算"].found and parts["下步打算"].sentences[0].startswith("下一步")
    assert "第一责任人" in parts["主要负责人履职"].sentences[0]
    assert parts["推进行政决策科学化、民主化、法治化"].found
    assert parts["坚持严格规范公正文明执法"].found
    assert not parts["完善依法行政制度体系"].found  # the excerpt says nothing of 规范性文件 or 合法性审核
    assert all(len(s) <= 121 for p in parts.values() for s in p.sentences)


def test_numbering_is_not_part_of_a_clause() -> None:
    assert requirement_clauses("1.本地有标兵单位的，应当结对子") == ["本地有标兵单位的", "应当结对子"]


def test_the_tasks_requirement_clauses() -> None:
    requirement = "报告应当包括主要负责人履行推进法治建设第一责任人职责情况；按时向社会公开（2021年4月1日前）"
    assert requirement_clauses(requirement) == [
        "主要负责人履行推进法治建设第一责任人职责",
        "按时向社会公开",
        "2021年4月1日前",
    ]
    parts = [p for p in coverage(REPORT, requirement) if p.from_requirement]
    assert [p.found for p in parts] == [True, False, False]
    assert "第一责任人" in parts[0].sentences[0]
