"""The pure algorithms: canonical order, reproducible draws and papers, layouts, marking, conversion."""

from __future__ import annotations

import random
from decimal import Decimal

import pytest

from kaohe.inspections.abilitytests import draws
from kaohe.inspections.abilitytests.draws import BankQuestion, DrawRefused, Person, Rule

SEED = "0123456789abcdef0123456789abcdef"


def roster() -> list[Person]:
    people = [Person("负责同志01", "主任", "leader", "领导"), Person("负责同志02", "副主任", "leader", "领导")]
    people += [Person(f"成员{i:02d}", "成员", "member", "领导") for i in range(1, 6)]
    people += [Person(f"工作人员{i:02d}", "科员", "staff", f"科室{i % 3}") for i in range(1, 21)]
    return people


def test_canonical_order_and_digest_ignore_the_order_of_entry():
    people = roster()
    shuffled = people[:]
    random.Random(7).shuffle(shuffled)
    assert draws.canonical(shuffled) == draws.canonical(people)
    assert draws.roster_digest(shuffled) == draws.roster_digest(people)
    changed = [*people[:-1], Person("工作人员99", "科员", "staff", "科室0")]
    assert draws.roster_digest(changed) != draws.roster_digest(people)


def test_same_seed_same_draw_whatever_the_entry_order():
    rules = [Rule("leader", 1, 1), Rule("member", 2, 2)]
    first = draws.draw_people(roster(), rules, SEED)
    shuffled = roster()
    random.Random(3).shuffle(shuffled)
    assert draws.draw_people(shuffled, rules, SEED) == first
    assert [p.group for p in first] == ["leader", "member", "member"]
    assert len({p.name for p in first}) == 3


def test_a_range_draws_the_count_too_and_stays_within_it():
    counts = set()
    for n in range(40):
        seed = f"{n:032x}"
        result = draws.draw_people(roster(), [Rule("staff", 10, 15)], seed)
        assert 10 <= len(result) <= 15
        assert len({p.name for p in result}) == len(result)
        assert draws.draw_people(roster(), [Rule("staff", 10, 15)], seed) == result
        counts.add(len(result))
    assert len(counts) > 1  # the count is really drawn


def test_too_many_people_is_refused_with_every_reason():
    with pytest.raises(DrawRefused) as exc:
        draws.draw_people(roster(), [Rule("leader", 3, 3), Rule("staff", 10, 25)], SEED)
    assert exc.value.messages == [
        "名册中“领导小组负责同志”只有 2 人，抽取规则要求 3 人",
        "名册中“工作人员”只有 20 人，抽取规则要求最多 25 人",
    ]


def bank() -> dict[str, list[BankQuestion]]:
    pools: dict[str, list[BankQuestion]] = {k: [] for k in draws.KINDS}
    for i in range(1, 31):
        kind = draws.KINDS[i % 3]
        pools[kind].append(BankQuestion(i, kind, f"题{i}", ("甲", "乙", "丙", "丁") if kind != "judge" else (), "A", Decimal(5)))
    return pools


def test_paper_is_reproducible_and_refuses_short_types():
    counts = {"single": 5, "multiple": 5, "judge": 3}
    ids = draws.draw_paper(bank(), counts, SEED)
    assert ids == draws.draw_paper(bank(), counts, SEED)
    assert len(ids) == len(set(ids)) == 13
    with pytest.raises(DrawRefused) as exc:
        draws.draw_paper(bank(), {"single": 11, "short": 1}, SEED)
    assert exc.value.messages == [
        "题库中符合条件的单选题只有 10 道，组卷规则要求 11 道",
        "题库中符合条件的简答题只有 0 道，组卷规则要求 1 道",
    ]
    assert draws.pool_digest(bank()) == draws.pool_digest(bank())


def test_layout_is_a_reproducible_permutation_per_person():
    ids = [3, 1, 4, 15, 9, 26]
    counts = {3: 4, 1: 4, 4: 0, 15: 6, 9: 2, 26: 0}
    one = draws.layout(ids, counts, SEED)
    assert one == draws.layout(ids, counts, SEED)
    assert sorted(q for q, _ in one) == sorted(ids)
    for qid, order in one:
        assert sorted(order) == list(range(counts[qid]))
    assert draws.layout(ids, counts, "e" * 32) != one


@pytest.mark.parametrize(
    ("kind", "key", "response", "expected"),
    [
        ("single", "B", "B", "5"),
        ("single", "B", "C", "0"),
        ("single", "B", "", "0"),
        ("judge", "T", "T", "5"),
        ("judge", "T", "F", "0"),
        ("multiple", "ACD", "ACD", "5"),
        ("multiple", "ACD", "DCA", "5"),
        ("multiple", "ACD", "AC", "0"),  # a missing letter: nothing (all-or-nothing)
        ("multiple", "ACD", "ABCD", "0"),  # an extra letter: nothing
        ("multiple", "ACD", "", "0"),
    ],
)
def test_objective_marking(kind, key, response, expected):
    assert draws.mark_objective(kind, key, response, Decimal(5)) == Decimal(expected)


@pytest.mark.parametrize(
    ("points", "rates", "score", "percent"),
    [
        ("5", ["1", "1", "1"], "5.00", "100.00"),
        ("5", ["0.9", "0.8", "0.85"], "4.25", "85.00"),
        ("2", ["1", "0", "0.5"], "1.00", "50.00"),
        ("2", ["0.3333", "0.3333", "0.3334"], "0.67", "33.33"),  # 2 × 0.33333… = 0.6667 → 0.67
        ("5", ["0.001"], "0.01", "0.10"),  # 0.005 → half-up 0.01
    ],
)
def test_conversion_rounds_once_half_up(points, rates, score, percent):
    result = draws.unit_score(Decimal(points), [Decimal(r) for r in rates])
    assert result.score == Decimal(score)
    assert result.mean_percent == Decimal(percent)
    assert result.reason == f"能力测试平均得分率 {percent}%（{len(rates)}人）"
