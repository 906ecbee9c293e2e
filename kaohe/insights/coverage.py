"""Coverage of an annual report (法治政府建设年度报告): which required parts its sentences speak to.

Pure functions over plain text, no ORM. The required parts are the seven areas of the 法治政府建设实施纲要, 存在问题,
下步打算 and the 主要负责人's duty as 第一责任人, plus the key phrases of the requirement text of the tasks that ask
for the report (split on 、，；). A part is covered when at least one sentence of the report (split on 。！？；
and line breaks) holds one of its keywords; up to three such sentences are shown. A hint, never a score.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

MAX_SENTENCES = 3
MIN_PHRASE = 4  # shorter pieces of a requirement ("等", "工作") are no part of their own

# A task that asks for the annual report, or says what it must hold: "报送并公开年度法治政府建设工作报告",
# "年度法治政府建设报告中服务型行政执法部分应当围绕…".
REPORT_TASK = re.compile(r"法治政府建设(?:工作)?(?:情况)?(?:的)?报告")


@dataclass(frozen=True)
class Part:
    label: str
    keywords: tuple[str, ...]
    source: str  # "纲要" | "报告要件" | "任务要求"


@dataclass(frozen=True)
class PartCoverage:
    part: Part
    sentences: tuple[str, ...]  # up to MAX_SENTENCES, in report order
    hits: int  # every matching sentence

    @property
    def covered(self) -> bool:
        return self.hits > 0


OUTLINE = "纲要"
ESSENTIAL = "报告要件"
TASK = "任务要求"

FIXED_PARTS: tuple[Part, ...] = (
    Part(
        "依法全面履行政府职能",
        (
            "政府职能",
            "放管服",
            "权责清单",
            "权力清单",
            "简政放权",
            "营商环境",
            "政务服务",
            "行政审批",
            "事中事后监管",
            "职能转变",
        ),
        OUTLINE,
    ),
    Part(
        "完善依法行政制度体系",
        ("规范性文件", "制度体系", "政府规章", "立法", "备案审查", "文件清理", "制度建设"),
        OUTLINE,
    ),
    Part(
        "推进行政决策科学化民主化法治化",
        (
            "行政决策",
            "决策程序",
            "决策机制",
            "法律顾问",
            "依法决策",
            "民主决策",
            "公众参与",
            "专家论证",
            "风险评估",
            "合法性审查",
            "三重一大",
        ),
        OUTLINE,
    ),
    Part(
        "坚持严格规范公正文明执法",
        (
            "行政执法",
            "执法体制",
            "三项制度",
            "执法公示",
            "全过程记录",
            "法制审核",
            "综合执法",
            "执法人员",
            "文明执法",
            "执法队伍",
        ),
        OUTLINE,
    ),
    Part(
        "强化对行政权力的制约和监督",
        (
            "人大",
            "政协",
            "审计监督",
            "政务公开",
            "信息公开",
            "制约和监督",
            "权力运行",
            "行政应诉",
            "出庭应诉",
            "接受监督",
            "监督制约",
        ),
        OUTLINE,
    ),
    Part(
        "依法有效化解社会矛盾纠纷",
        ("行政复议", "矛盾纠纷", "调解", "信访", "行政争议", "仲裁", "诉调对接", "化解"),
        OUTLINE,
    ),
    Part(
        "全面提高政府工作人员法治思维和依法行政能力",
        ("学法", "法治思维", "法治意识", "依法行政能力", "法治教育", "法治培训", "普法", "知识测试", "法治思想", "法律知识"),
        OUTLINE,
    ),
    Part("存在问题", ("存在问题", "存在的问题", "不足", "短板", "差距", "有待", "薄弱", "还不够", "不到位"), ESSENTIAL),
    Part("下步打算", ("下一步", "下步", "工作打算", "今后", "明年", "下一年度", "下一阶段"), ESSENTIAL),
    Part(
        "主要负责人履行推进法治建设第一责任人职责",
        ("第一责任人", "主要负责人", "一把手", "主要领导", "述法"),
        ESSENTIAL,
    ),
)

SENTENCE_END = re.compile(r"[。！？；!?;\n]+")
PHRASE_SPLIT = re.compile(r"[、，；,;。：:（）()\n]+")
MARKUP = re.compile(r"[*#>\s]+")
# Words that open or close a requirement phrase without saying what it is about.
LEADING = re.compile(
    r"^(?:(?:应当|应|要|须|并|及|和|与|以及|围绕|加强|提升|提高|落实|开展|推进|推动|健全|完善|强化|坚持|建立|进行|深化|"
    r"严格|全面|做好|抓好|切实|积极|认真)+)"
)
TRAILING = re.compile(r"(?:等工作|等|工作|进行总结|总结|情况)+$")
# Pieces about when and how the report is filed, not about what it holds.
FILING = re.compile(r"季度|每年|报告|报送|公开|截图|正式文件|上一级|同级")
# How well it is written ("内容全面、数据详实"): said of the whole report, no part of it.
QUALITY = re.compile(r"^(?:内容|数据|材料)?(?:全面|详实|翔实|准确|真实|完整)+$")


def split_sentences(text: str) -> list[str]:
    """The report's sentences, markup and spaces removed; fragments under two characters dropped."""
    out = []
    for piece in SENTENCE_END.split(text):
        sentence = MARKUP.sub("", piece)
        if len(sentence) >= 2:
            out.append(sentence)
    return out


def is_report_task(name: str, requirement: str) -> bool:
    """Whether a task asks for the annual report or says what the report must hold."""
    return bool(REPORT_TASK.search(name) or REPORT_TASK.search(requirement))


def requirement_phrases(text: str) -> list[str]:
    """The key phrases of a task's requirement text, once each, in order: split on 、，；, with the opening verbs
    and closing "等工作" removed ("加强规范化建设、提升执法能力" → 规范化建设, 执法能力); pieces about filing
    the report or about how well it is written are left out."""
    phrases: list[str] = []
    for piece in PHRASE_SPLIT.split(MARKUP.sub("", text)):
        piece = piece.rsplit("围绕", 1)[-1]  # "…报告中…部分应当围绕加强规范化建设": what follows is the phrase
        core = TRAILING.sub("", LEADING.sub("", piece))
        if len(core) >= MIN_PHRASE and core not in phrases and not FILING.search(core) and not QUALITY.match(core):
            phrases.append(core)
    return phrases


def _phrase_keywords(phrase: str) -> tuple[str, ...]:
    """A phrase matches itself; a long one also its last four characters (行政指导 in 开展行政指导工作)."""
    return (phrase, phrase[-4:]) if len(phrase) > 6 else (phrase,)


def parts_for(requirements: Iterable[str] = ()) -> list[Part]:
    """The fixed parts, then one part per key phrase of the requirement texts that no fixed part already names."""
    parts = list(FIXED_PARTS)
    labels = {p.label for p in parts}
    for text in requirements:
        for phrase in requirement_phrases(text):
            if phrase not in labels:
                labels.add(phrase)
                parts.append(Part(phrase, _phrase_keywords(phrase), TASK))
    return parts


def _matches(sentence: str, part: Part) -> bool:
    if part.label in sentence or any(keyword in sentence for keyword in part.keywords):
        return True
    # A requirement phrase also matches when both its halves are there ("执法能力" in "提升执法人员能力").
    if part.source == TASK and len(part.label) >= MIN_PHRASE:
        return part.label[:2] in sentence and part.label[-2:] in sentence
    return False


def cover(text: str, parts: Sequence[Part]) -> list[PartCoverage]:
    """For each part, the sentences of ``text`` that speak to it (up to MAX_SENTENCES) and how many there are."""
    sentences = split_sentences(text)
    result = []
    for part in parts:
        found = [s for s in sentences if _matches(s, part)]
        result.append(PartCoverage(part, tuple(found[:MAX_SENTENCES]), len(found)))
    return result


def covered_count(rows: Sequence[PartCoverage]) -> int:
    return sum(1 for row in rows if row.covered)


def looks_like_annual_report(text: str) -> bool:
    """Whether an evidence file's text reads as a 法治政府建设年度报告 (its title near the top): the desk's
    材料分析 page then shows its coverage table."""
    head = text[:600]
    return "法治政府建设" in head and "报告" in head
