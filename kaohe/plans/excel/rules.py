"""Deduction rules read from a task's scoring standard (评分标准/扣分标准): structure where the text is plain.

"未按时报送的扣0.5分" → one rule; "每发现一件扣1分，扣完为止" → per case, capped at the task's points;
"迟报一次扣0.5分，漏报一次扣1分" → two rules. A clause mentioning 扣/减 that is not understood keeps the whole
text unparsed (``parsed`` False): nothing is guessed; the text itself always stays the task's standard.

A rule is a plain dict (stored as JSON on the task)::

    {"event": "迟报", "points": "0.50", "per": "次" | "" , "cap": "5.00" | None}

``per`` names the unit counted ("次", "件", "项" …; "" = once); ``cap`` is the most the rule(s) can take
off: "扣完为止" (or "扣满为止") sets it to the task's points, "最多扣N分"/"最高扣N分"/"扣N分为限" to N.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from .text import chinese_number, number_from_text

CENT = Decimal("0.01")

_CLAUSE_SPLIT = re.compile(r"[；;。，,\n]")
_VERB_FIRST = re.compile(r"^(?:扣|减|扣除)\s*\d|^(?:扣|减)[零一二两三四五六七八九十半]")
_NUM = r"(?P<num>\d+(?:\.\d+)?|[零一二两三四五六七八九十半]+(?:点[零一二三四五六七八九]+)?)"
_UNITS = "次件项个起份例处条人"
# "每发现一件违规审批扣1分", "每缺一人扣0.5分": the counted unit inside the event
_PER_INSIDE = re.compile(
    rf"^每(?P<pre>[^一1，,]*?)[一1](?P<unit>[{_UNITS}])(?P<post>[^，,]*?)(?:的|者)?[，,]?(?:扣|减|扣除)\s*{_NUM}\s*分$"
)
# "每发现一件扣1分", "每迟报一次扣0.5分"
_PER = re.compile(rf"^每(?P<event>.*?)(?:[一1](?P<unit>[{_UNITS}]))?(?:的|者)?[，,]?(?:扣|减|扣除)\s*{_NUM}\s*分$")
# "迟报一次扣0.5分", "发现一起扣2分"
_EVENT_COUNT = re.compile(rf"^(?P<event>.+?)[一1每](?P<unit>[{_UNITS}])(?:的)?[，,]?(?:扣|减|扣除)\s*{_NUM}\s*分$")
# "未按时报送的扣0.5分", "未公开扣1分"
_ONCE = re.compile(rf"^(?P<event>.+?)(?:的|者)?[，,]?(?:扣|减|扣除)\s*{_NUM}\s*分$")
_CAP_ALL = re.compile(r"^(?:扣完为止|扣满为止|扣完本项分值为止|本项分值扣完为止|扣完本项分为止)$")
_CAP_N = re.compile(
    rf"^(?:累计)?(?:最多|最高)?扣{_NUM}分(?:为止|为限)$|^(?:累计)?(?:最多|最高|至多)扣{_NUM.replace('num', 'num2')}分$"
)
_MENTIONS_DEDUCTION = re.compile(r"扣|减\d|减[一二三四五六七八九十半]")


@dataclass
class RuleParse:
    rules: list[dict[str, Any]] = field(default_factory=list)
    parsed: bool = False  # True only when every clause mentioning a deduction was understood
    mentions: bool = False  # the text speaks of deductions at all


def _number(text: str) -> Decimal | None:
    value = number_from_text(text)
    if value is None:
        value = chinese_number(text)
    return value


def _points(text: str) -> str | None:
    value = _number(text)
    if value is None or value < 0 or value >= 1000:
        return None
    return str(value.quantize(CENT, rounding=ROUND_HALF_UP))


def parse_rules(text: str, task_points: Decimal | None) -> RuleParse:
    """Deduction rules of one scoring standard; see the module docstring."""
    normal = unicodedata.normalize("NFKC", text or "")
    result = RuleParse(mentions=bool(_MENTIONS_DEDUCTION.search(normal)))
    if not result.mentions:
        return result
    cap: str | None = None
    cap_all = False
    understood = True
    for clause in _clauses(normal):
        if _CAP_ALL.match(clause):
            cap_all = True
            continue
        cap_match = _CAP_N.match(clause)
        if cap_match is not None:
            cap = _points(cap_match.group("num") or cap_match.group("num2") or "")
            if cap is None:
                understood = False
            continue
        rule = _rule(clause)
        if rule is not None:
            result.rules.append(rule)
        elif _MENTIONS_DEDUCTION.search(clause):
            understood = False
    if cap_all:
        cap = str(task_points.quantize(CENT, rounding=ROUND_HALF_UP)) if task_points is not None else None
        understood = understood and task_points is not None
    if cap is not None:
        for rule in result.rules:
            rule["cap"] = cap
    result.parsed = understood and bool(result.rules)
    if not result.parsed:
        result.rules = []
    return result


def _clauses(text: str) -> list[str]:
    """Clauses split at punctuation; "制度不健全的，扣1分" stays one clause (a piece opening with 扣N joins the last)."""
    clauses: list[str] = []
    for raw in _CLAUSE_SPLIT.split(text):
        piece = re.sub(r"\s+", "", raw)
        if not piece:
            continue
        if clauses and _VERB_FIRST.match(piece) and not _CAP_N.match(piece):
            clauses[-1] += "，" + piece
        else:
            clauses.append(piece)
    return clauses


def _rule(clause: str) -> dict[str, Any] | None:
    inside = _PER_INSIDE.match(clause)
    if inside is not None:
        points = _points(inside.group("num"))
        event = (inside.group("pre") + inside.group("post")).strip("，,的者")
        if points is None:
            return None
        return {"event": event, "points": points, "per": inside.group("unit"), "cap": None}
    for pattern, per_default in ((_PER, "次"), (_EVENT_COUNT, ""), (_ONCE, "")):
        match = pattern.match(clause)
        if match is None:
            continue
        points = _points(match.group("num"))
        event = match.group("event").strip("，,的者")
        groups = match.groupdict()
        per = groups.get("unit") or (per_default if pattern is _PER else "")
        if pattern is _PER and len(event) == 1 and event in _UNITS:
            event, per = "", event  # "每起扣2分": per case, the event is the task itself
        if points is None or (not event and pattern is not _PER):
            return None
        return {"event": event, "points": points, "per": per, "cap": None}
    return None


def describe(rule: dict[str, Any]) -> str:
    """Chinese one-line reading of a rule, shown on the preview: "迟报：每次扣0.50分（最多扣2.00分）"."""
    per = f"每{rule['per']}" if rule.get("per") else ""
    if not rule["event"]:
        return f"{per}扣{rule['points']}分" + (f"（最多扣{rule['cap']}分）" if rule.get("cap") else "")
    cap = f"（最多扣{rule['cap']}分）" if rule.get("cap") else ""
    return f"{rule['event']}：{per}扣{rule['points']}分{cap}"
