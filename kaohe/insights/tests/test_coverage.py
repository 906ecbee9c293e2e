"""The desk's 材料分析 page shows the coverage table for a text that reads as a 法治政府建设年度报告; the table itself
(coverage.cover) is tested on the 中站区 excerpt in test_reports_coverage.py."""

from __future__ import annotations

from pathlib import Path

from kaohe.insights.coverage import cover, looks_like_annual_report, parts_for

REPORT = (Path(__file__).parent / "fixtures" / "zhongzhan_2020_excerpt.txt").read_text(encoding="utf-8")


def test_the_excerpt_is_an_annual_report() -> None:
    assert looks_like_annual_report(REPORT)
    assert not looks_like_annual_report("关于做好森林防火工作的通知")


def test_required_parts_found_with_their_sentences() -> None:
    rows = {row.part.label: row for row in cover(REPORT, parts_for())}
    problems = next(row for label, row in rows.items() if "存在问题" in label)
    plans = next(row for label, row in rows.items() if "下步" in label or "打算" in label)
    assert problems.covered and any("短板弱项" in s for s in problems.sentences)
    assert plans.covered
    assert any("第一责任人" in s for row in rows.values() for s in row.sentences)
