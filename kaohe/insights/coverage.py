"""法治政府建设年度报告: which required parts a report's text covers, with the sentences found — for the desk to
check, never a score. Pure Python, no Django.

The parts: the areas of the 法治政府建设实施纲要 (2015–2020, the 2020 reports' frame), 存在问题, 下步打算, the
主要负责人's duties (履行推进法治建设第一责任人职责), and the clauses of the task's own requirement text. A part is
found when a sentence holds one of its phrases; a requirement clause when a sentence shares at least half of the
clause's character pairs.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

SENTENCE = re.compile(r"[^。！？；\n]+[。！？；]?")
QUOTE_MAX = 120
MIN_SENTENCE = 15
SENTENCES_PER_PART = 2

PARTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("依法全面履行政府职能", ("政府职能", "放管服", "权责清单", "权力清单", "营商环境", "政务服务")),
    ("完善依法行政制度体系", ("规范性文件", "制度体系", "合法性审核", "合法性审查", "立法")),
    ("推进行政决策科学化、民主化、法治化", ("决策",)),
    ("坚持严格规范公正文明执法", ("执法",)),
    ("强化对行政权力的制约和监督", ("监督", "政务公开", "制约")),
    ("依法有效化解社会矛盾纠纷", ("行政复议", "行政应诉", "矛盾纠纷", "行政争议", "调解", "信访")),
    ("提高政府工作人员法治思维和依法行政能力", ("学法", "法治思维", "法治意识", "法治培训", "依法行政能力", "普法")),
    ("存在问题", ("存在问题", "存在的问题", "短板", "不足", "差距", "有待")),
    ("下步打算", ("下一步", "下步", "打算", "今后", "明年")),
    ("主要负责人履职", ("主要负责人", "第一责任人", "一把手")),
)


@dataclass(frozen=True)
class Part:
    name: str
    sentences: tuple[str, ...]
    from_requirement: bool = False

    @property
    def found(self) -> bool:
        return bool(self.sentences)


def looks_like_annual_report(text: str) -> bool:
    head = text[:600]
    return "法治政府建设" in head and "报告" in head


def _sentences(text: str) -> list[str]:
    text = unicodedata.normalize("NFKC", text)
    # headings ("二、存在问题及下步打算") are not evidence of content: sentences of 15 characters or more
    return [s.strip(" #*") for s in SENTENCE.findall(text) if len(s.strip(" #*")) >= MIN_SENTENCE]


def _quote(sentence: str) -> str:
    return sentence if len(sentence) <= QUOTE_MAX else sentence[:QUOTE_MAX] + "…"


def _pairs(text: str) -> set[str]:
    chars = re.sub(r"[\W\d_]+", "", text)
    return {chars[i : i + 2] for i in range(len(chars) - 1)}


# the words of a requirement that say "the report must contain", not what it must contain
_NUMBERING = re.compile(r"^\d+[.、]\s*")
_FILLER_HEAD = re.compile(r"^(报告|材料|内容)?(应当|应|须|必须|要)?(包括|包含|写明|载明|体现|反映)")
_FILLER_TAIL = re.compile(r"(的?情况|等)$")


def requirement_clauses(requirement: str, limit: int = 8) -> list[str]:
    """The task's requirement split into clauses worth looking for (four characters or more)."""
    clauses = [c.strip() for c in re.split(r"[，。；、,;:：\n（）()]+", unicodedata.normalize("NFKC", requirement))]
    clauses = [_FILLER_TAIL.sub("", _FILLER_HEAD.sub("", _NUMBERING.sub("", c))) for c in clauses]
    return [c for c in clauses if len(re.sub(r"[\W\d_]+", "", c)) >= 4][:limit]


def coverage(text: str, requirement: str = "") -> list[Part]:
    """Each required part with up to two sentences of ``text`` that cover it (none: not found)."""
    sentences = _sentences(text)
    parts = []
    for name, phrases in PARTS:
        hits = [s for s in sentences if any(p in s for p in phrases)]
        parts.append(Part(name, tuple(_quote(s) for s in hits[:SENTENCES_PER_PART])))
    pairs = [(s, _pairs(s)) for s in sentences]
    for clause in requirement_clauses(requirement):
        wanted = _pairs(clause)
        best, score = "", 0.0
        for sentence, have in pairs:
            shared = len(wanted & have) / len(wanted) if wanted else 0.0
            if shared > score:
                best, score = sentence, shared
        parts.append(Part(f"工作要求：{clause}", (_quote(best),) if score >= 0.5 else (), from_requirement=True))
    return parts
