"""文号, 成文日期 and issuing organ read from a document's text, and the checks that make hints of them."""

from __future__ import annotations

import datetime as dt

import pytest

from kaohe.insights.facts import other_organ, outside_period, read_facts


@pytest.mark.parametrize(
    ("line", "number"),
    [
        ("平政〔2020〕21号", "平政〔2020〕21号"),
        ("平政[2020]21号", "平政〔2020〕21号"),
        ("平政（2020）21号", "平政〔2020〕21号"),
        ("平政(2020)第21号", "平政〔2020〕21号"),
        ("平政［２０２０］２１号", "平政〔2020〕21号"),
        ("平政【2020】021号", "平政〔2020〕21号"),
        ("宝司〔2021〕（5）号", "宝司〔2021〕5号"),
    ],
)
def test_doc_number_variants(line: str, number: str) -> None:
    assert read_facts(f"平顶山市人民政府\n{line}\n正文").doc_number == number


def test_the_own_number_wins_over_a_cited_one() -> None:
    text = "宝丰县人民政府文件\n宝政〔2020〕8号\n根据平政〔2019〕3号文件要求，现将有关事项通知如下。"
    facts = read_facts(text)
    assert facts.doc_number == "宝政〔2020〕8号"
    assert facts.organ == "宝丰县人民政府"


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("落款\n二〇二〇年三月五日", dt.date(2020, 3, 5)),
        ("落款\n二〇二〇年十二月三十一日", dt.date(2020, 12, 31)),
        ("落款\n2020年3月5日", dt.date(2020, 3, 5)),
        ("落款\n２０２０年１１月２０日", dt.date(2020, 11, 20)),
        ("2019年1月1日印发的方案……\n2020年6月10日", dt.date(2020, 6, 10)),
        ("2020年2月30日", None),
    ],
)
def test_doc_date(text: str, day: dt.date | None) -> None:
    assert read_facts(text).doc_date == day


def test_marks_before_the_organ_are_dropped() -> None:
    assert read_facts("# 焦作市中站区人民政府文件\n\n焦中政文〔2021〕3号").organ == "焦作市中站区人民政府"


def test_organ_from_the_signature_line() -> None:
    facts = read_facts("关于报送材料的说明\n正文一段。\n舞钢市司法局\n2020年12月1日")
    assert facts.organ == "舞钢市司法局"
    assert facts.doc_number == ""


START, END, LATEST = dt.date(2020, 1, 1), dt.date(2020, 12, 31), dt.date(2021, 1, 15)


def test_outside_period() -> None:
    assert "早于考核期间" in outside_period(read_facts("2019年12月30日"), START, END, LATEST)
    assert outside_period(read_facts("2020年6月1日"), START, END, LATEST) == ""
    assert outside_period(read_facts("2021年1月10日"), START, END, LATEST) == ""  # an annual summary after the year
    assert "晚于考核期间" in outside_period(read_facts("2021年3月1日"), START, END, LATEST)
    assert "不在考核年度内" in outside_period(read_facts("平政〔2018〕2号"), START, END, LATEST)
    assert outside_period(read_facts("没有日期"), START, END, LATEST) == ""


def test_other_organ() -> None:
    names = ["宝丰县人民政府", "宝丰县"]
    assert other_organ(read_facts("宝丰县人民政府办公室\n宝政办〔2020〕1号"), names) == ""
    assert other_organ(read_facts("宝丰县人民政府\n2020年1月2日"), names) == ""
    hint = other_organ(read_facts("郏县人民政府\n郏政〔2020〕9号"), names)
    assert "郏县人民政府" in hint
    assert other_organ(read_facts("没有落款的正文"), names) == ""
