"""Reproducible draws, papers and per-person layouts, objective marking and the score conversion (pure Python).

Nothing here touches the database: services load rows, call these functions and store what they return.

**Seeds.** Every random act gets its own seed, ``secrets.token_hex(16)`` (128 bits from the OS), stored with
its result. The generator is ``random.Random(int(seed, 16))`` — Python's Mersenne Twister, whose seeding from
an int and whose ``randint``/``sample``/``shuffle`` have given the same sequences since Python 3.2 — so the
same seed over the same data gives the same result on any server.

**Drawing testees** (:func:`draw_people`). The roster is put in canonical order: by group (领导小组负责同志,
领导小组成员, 工作人员), then 处室, 职务, 姓名 (code-point order) — the order people were typed in plays no part.
The roster's digest is the SHA-256 of that canonical list (JSON, UTF-8) and is stored with the draw. Then, for
each rule in its stored order, with one generator for the whole draw:

1. the count is the rule's ``min`` when ``min == max``, else ``rng.randint(min, max)`` (both ends included);
2. the people are ``rng.sample(pool, count)`` where ``pool`` is that group's people in canonical order.

The result is the concatenation, in draw order. A rule asking for more people than its group holds (its
``max``) is refused before anything is drawn. **Replay** runs the same function with the stored seed over the
stored roster version (after checking the version still has the stored digest) and compares the results.

**Papers** (:func:`draw_paper`). For each question type in the order 单选, 多选, 判断, 简答, the pool is that type's
questions of the plan's bank with id ≤ the bank's largest id at drawing time (the bank only grows and questions
are never edited) matching the optional 分类/难度 filters, in id order; the paper takes ``rng.sample(pool, n)``.
The digest of all pools is stored; replay recomputes pools, digest and ids.

**Per-person layout** (:func:`layout`). From the testee's own stored seed: ``rng.shuffle`` of the paper's
question ids, then for each question in the new order that has options (单选, 多选), an ``rng.shuffle`` of its
option indexes. Answers are stored with the question's original letters, so marking never depends on layout.

**Marking** (:func:`mark_objective`). 单选 and 判断: full points when the answer matches, else 0. 多选 is
all-or-nothing: full points only when the set of chosen letters equals the key exactly (a missing or an
extra letter scores 0).

**Conversion** (:func:`unit_score`). Each testee's percentage is earned / possible (online: the paper's total;
oral: the per-person maximum). The unit's score on the task is ``task points × mean of the percentages``,
rounded once at the end to 2 places, ROUND_HALF_UP. The reason shows the mean as a percentage, 2 places.
"""

from __future__ import annotations

import hashlib
import json
import random
import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

GROUPS: tuple[str, ...] = ("leader", "member", "staff")
GROUP_LABELS: dict[str, str] = {"leader": "领导小组负责同志", "member": "领导小组成员", "staff": "工作人员"}
KINDS: tuple[str, ...] = ("single", "multiple", "judge", "short")
KIND_LABELS: dict[str, str] = {"single": "单选", "multiple": "多选", "judge": "判断", "short": "简答"}
LETTERS = "ABCDEF"
CENT = Decimal("0.01")


class DrawRefused(Exception):
    """The rule cannot be satisfied by the data (too few people or questions); ``messages`` say why, in Chinese."""

    def __init__(self, messages: list[str]) -> None:
        super().__init__("；".join(messages))
        self.messages = messages


def new_seed() -> str:
    return secrets.token_hex(16)


def rng_for(seed: str) -> random.Random:
    return random.Random(int(seed, 16))  # noqa: S311 - reproducible draws need a seeded PRNG; the seed is secret-grade


# ------------------------------------------------------------------------------------------------ people


@dataclass(frozen=True)
class Person:
    name: str
    post: str
    group: str
    section: str

    @classmethod
    def from_dict(cls, data: Mapping[str, str]) -> Person:
        return cls(
            name=str(data.get("name", "")),
            post=str(data.get("post", "")),
            group=str(data.get("group", "")),
            section=str(data.get("section", "")),
        )

    def as_dict(self) -> dict[str, str]:
        return {"name": self.name, "post": self.post, "group": self.group, "section": self.section}

    def sort_key(self) -> tuple[int, str, str, str]:
        return (GROUPS.index(self.group) if self.group in GROUPS else len(GROUPS), self.section, self.post, self.name)


def canonical(people: Iterable[Person]) -> list[Person]:
    return sorted(people, key=Person.sort_key)


def roster_digest(people: Iterable[Person]) -> str:
    rows = [[p.group, p.section, p.post, p.name] for p in canonical(people)]
    text = json.dumps(rows, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Rule:
    group: str
    minimum: int
    maximum: int

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> Rule:
        return cls(group=str(data["group"]), minimum=int(str(data["min"])), maximum=int(str(data["max"])))

    def as_dict(self) -> dict[str, object]:
        return {"group": self.group, "min": self.minimum, "max": self.maximum}

    @property
    def text(self) -> str:
        count = f"{self.minimum}" if self.minimum == self.maximum else f"{self.minimum}至{self.maximum}"
        return f"{count}名{GROUP_LABELS.get(self.group, self.group)}"


def rules_text(rules: Sequence[Rule]) -> str:
    return "、".join(r.text for r in rules)


def draw_people(people: Sequence[Person], rules: Sequence[Rule], seed: str) -> list[Person]:
    """The drawn people, in draw order (see the module docstring); DrawRefused if a group is too small."""
    ordered = canonical(people)
    pools = {g: [p for p in ordered if p.group == g] for g in GROUPS}
    refusals = [
        f"名册中“{GROUP_LABELS[r.group]}”只有 {len(pools.get(r.group, []))} 人，抽取规则要求"
        f"{'' if r.minimum == r.maximum else '最多'} {r.maximum} 人"
        for r in rules
        if r.maximum > len(pools.get(r.group, []))
    ]
    if refusals:
        raise DrawRefused(refusals)
    rng = rng_for(seed)
    result: list[Person] = []
    for rule in rules:
        count = rule.minimum if rule.minimum == rule.maximum else rng.randint(rule.minimum, rule.maximum)
        result.extend(rng.sample(pools[rule.group], count))
    return result


# ------------------------------------------------------------------------------------------------ papers


@dataclass(frozen=True)
class BankQuestion:
    id: int
    kind: str
    stem: str
    options: tuple[str, ...]
    answer: str
    points: Decimal

    def fingerprint(self) -> list[object]:
        return [self.id, self.kind, self.stem, list(self.options), self.answer, f"{self.points:.2f}"]


def pool_digest(pools: Mapping[str, Sequence[BankQuestion]]) -> str:
    body = {kind: [q.fingerprint() for q in sorted(pools.get(kind, []), key=lambda q: q.id)] for kind in KINDS}
    text = json.dumps(body, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def draw_paper(pools: Mapping[str, Sequence[BankQuestion]], counts: Mapping[str, int], seed: str) -> list[int]:
    """Question ids of the paper, by type then draw order; DrawRefused listing every type the bank lacks."""
    refusals = [
        f"题库中符合条件的{KIND_LABELS[kind]}题只有 {len(pools.get(kind, []))} 道，组卷规则要求 {counts.get(kind, 0)} 道"
        for kind in KINDS
        if counts.get(kind, 0) > len(pools.get(kind, []))
    ]
    if refusals:
        raise DrawRefused(refusals)
    rng = rng_for(seed)
    ids: list[int] = []
    for kind in KINDS:
        n = counts.get(kind, 0)
        if n:
            pool = sorted(q.id for q in pools[kind])
            ids.extend(rng.sample(pool, n))
    return ids


def layout(question_ids: Sequence[int], option_counts: Mapping[int, int], seed: str) -> list[tuple[int, list[int]]]:
    """The testee's order: (question id, option index order); ``option_counts`` is 0 for questions not shuffled."""
    rng = rng_for(seed)
    order = list(question_ids)
    rng.shuffle(order)
    result: list[tuple[int, list[int]]] = []
    for qid in order:
        indexes = list(range(option_counts.get(qid, 0)))
        if len(indexes) > 1:
            rng.shuffle(indexes)
        result.append((qid, indexes))
    return result


# ------------------------------------------------------------------------------------------------ marking


def normalise_letters(text: str) -> str:
    """'c, a' → 'AC': upper-case option letters, sorted, without separators or repeats."""
    return "".join(sorted({ch for ch in text.upper() if ch in LETTERS}))


def mark_objective(kind: str, key: str, response: str, points: Decimal) -> Decimal:
    if kind == "multiple":
        return points if response and normalise_letters(response) == normalise_letters(key) else Decimal(0)
    return points if response and response == key else Decimal(0)


# ------------------------------------------------------------------------------------------------ conversion


def percentage(earned: Decimal, possible: Decimal) -> Decimal:
    """earned / possible as a fraction (unrounded); 0 when nothing was possible."""
    if possible <= 0:
        return Decimal(0)
    return earned / possible


@dataclass(frozen=True)
class Conversion:
    score: Decimal  # the unit's score on the task, 2 places half-up
    mean_percent: Decimal  # mean score rate in %, 2 places half-up (for the reason)
    count: int

    @property
    def reason(self) -> str:
        return f"能力测试平均得分率 {self.mean_percent:.2f}%（{self.count}人）"


def unit_score(points: Decimal, percentages: Sequence[Decimal]) -> Conversion:
    """task points × mean(percentages), rounded once at the end (2 places, ROUND_HALF_UP)."""
    if not percentages:
        raise ValueError("no testees")
    mean = sum(percentages, Decimal(0)) / len(percentages)
    score = (points * mean).quantize(CENT, rounding=ROUND_HALF_UP)
    return Conversion(score=score, mean_percent=(mean * 100).quantize(CENT, rounding=ROUND_HALF_UP), count=len(percentages))
