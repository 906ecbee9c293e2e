"""Shingles, MinHash band keys, exact Jaccard and the best matching passages."""

from __future__ import annotations

from kaohe.insights import similarity
from kaohe.insights.tests.documents import REPORT_BODY, UNRELATED_BODY


def _keys(text: str) -> set[str]:
    return set(similarity.band_keys(similarity.signature(similarity.shingles(text))))


def test_whitespace_and_punctuation_do_not_count() -> None:
    assert similarity.squeeze("平政〔2020〕21号，  通知。") == "平政000000号通知"  # figures do not count either
    assert similarity.shingles("法治 政府，建设") == {"法治政府建", "治政府建设"}


def test_copied_text_shares_band_keys_and_unrelated_does_not() -> None:
    original = "\n".join(REPORT_BODY)
    edited = original.replace("我县", "我市").replace("37件", "41件").replace("35件", "40件")
    assert similarity.jaccard(similarity.shingles(original), similarity.shingles(edited)) > 0.8
    assert _keys(original) & _keys(edited)
    unrelated = "\n".join(UNRELATED_BODY)
    assert similarity.jaccard(similarity.shingles(original), similarity.shingles(unrelated)) < 0.05
    assert not _keys(original) & _keys(unrelated)


def test_best_passages_find_the_copied_paragraph() -> None:
    left = "\n".join([*UNRELATED_BODY[:2], REPORT_BODY[4]])
    right = "\n".join([REPORT_BODY[0], REPORT_BODY[4].replace("公示制度", "公示制")])
    passages = similarity.best_passages(left, right)
    assert "严格规范公正文明执法" in passages.left
    assert "严格规范公正文明执法" in passages.right
    assert similarity.best_passages("", right) == similarity.Passages("", "")
