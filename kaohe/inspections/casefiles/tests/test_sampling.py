"""The pure rules of 案卷集中评查: proportional allocation and its tie rule, reproducible draws, replays, scores."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from kaohe.inspections.casefiles.sampling import (
    ListedFile,
    SampleTooLarge,
    allocate,
    digest_of,
    draw,
    file_score,
    replay,
    snapshot_of,
    task_score,
)

E, R = "enforcement", "reconsideration"


@pytest.mark.parametrize(
    ("counts", "n", "expected"),
    [
        ({E: 5, R: 2}, 3, {E: 2, R: 1}),  # 2.14 / 0.86: the larger remainder (复议) takes the last seat
        ({E: 9, R: 1}, 3, {E: 3, R: 0}),  # 2.7 / 0.3
        ({E: 2, R: 2}, 3, {E: 2, R: 1}),  # 1.5 / 1.5, equal sizes: 行政执法 first
        ({E: 2, R: 4}, 3, {E: 1, R: 2}),  # exact 1 / 2
        ({E: 3, R: 3}, 1, {E: 1, R: 0}),  # 0.5 / 0.5: tie → 行政执法
        ({E: 1, R: 3}, 2, {E: 0, R: 2}),  # 0.5 / 1.5: remainders tie, 复议 listed more and takes the seat
        ({E: 0, R: 4}, 3, {E: 0, R: 3}),
        ({E: 3, R: 0}, 3, {E: 3, R: 0}),  # all of them
    ],
)
def test_allocation_is_proportional_with_the_documented_tie_rule(counts, n, expected):
    shares = allocate(counts, n)
    assert shares == expected
    assert sum(shares.values()) == n
    assert all(shares[k] <= counts[k] for k in counts)


def test_tie_between_remainders_goes_to_the_type_with_more_files():
    # 5 seats of 4 + 6 files: 2.0 / 3.0 exact. 3 seats of 3 + 7: 0.9 / 2.1 → 1 / 2.
    assert allocate({E: 4, R: 6}, 5) == {E: 2, R: 3}
    assert allocate({E: 3, R: 7}, 3) == {E: 1, R: 2}
    # 1 seat, 1 + 3 files: 0.25 / 0.75 → 复议. 2 seats of 3 + 1: 1.5 / 0.5 → equal remainders, 行政执法 has more.
    assert allocate({E: 1, R: 3}, 1) == {E: 0, R: 1}
    assert allocate({E: 3, R: 1}, 2) == {E: 2, R: 0}


def test_asking_for_more_than_listed_raises():
    with pytest.raises(SampleTooLarge):
        allocate({E: 1, R: 1}, 3)
    with pytest.raises(SampleTooLarge):
        draw(snapshot_of([ListedFile(1, "a", E)]), 2, seed="x", stratified=False)


def _snapshot(enforcement: int, reconsideration: int):
    files = [ListedFile(i, f"执{i}", E) for i in range(1, enforcement + 1)]
    files += [ListedFile(100 + i, f"复{i}", R) for i in range(1, reconsideration + 1)]
    return snapshot_of(reversed(files))


def test_draw_is_reproducible_from_seed_and_snapshot_and_stratified():
    snapshot = _snapshot(5, 2)
    assert [f["id"] for f in snapshot] == sorted(f["id"] for f in snapshot)  # canonical order, whatever the input
    first = draw(snapshot, 3, seed="00ff", stratified=True)
    assert first == draw(list(snapshot), 3, seed="00ff", stratified=True)
    kinds = [next(f["kind"] for f in snapshot if f["id"] == i) for i in first]
    assert kinds == [E, E, R]  # 2 + 1, 行政执法 first
    different = {tuple(draw(snapshot, 3, seed=f"{s:04x}", stratified=True)) for s in range(30)}
    assert len(different) > 1  # the seed matters


def test_unstratified_draw_takes_smallest_keys_over_the_whole_list():
    snapshot = _snapshot(3, 3)
    drawn = draw(snapshot, 6, seed="abc", stratified=False)
    assert sorted(drawn) == sorted(f["id"] for f in snapshot)


def test_replay_matches_and_detects_tampering():
    snapshot = _snapshot(4, 2)
    digest = digest_of(snapshot)
    result = draw(snapshot, 3, seed="s1", stratified=True)
    ok = replay(snapshot=snapshot, digest=digest, seed="s1", n=3, stratified=True, result=result)
    assert ok.matches
    other = [i for i in (f["id"] for f in snapshot) if i not in result][:1] + result[1:]
    assert not replay(snapshot=snapshot, digest=digest, seed="s1", n=3, stratified=True, result=other).matches
    edited = [dict(f) for f in snapshot]
    edited[0]["number"] = "改过的案号"
    tampered = replay(snapshot=edited, digest=digest, seed="s1", n=3, stratified=True, result=result)
    assert not tampered.digest_ok and not tampered.matches


def test_file_score_never_below_zero():
    assert file_score(D(100), [D(10), D("5.5")]) == D("84.50")
    assert file_score(D(100), [D(60), D(50)]) == D("0.00")


@pytest.mark.parametrize(
    ("points", "scores", "expected"),
    [
        (D(1), [D(85), D(86), D("84.5")], D("0.85")),  # mean 85.1666… → 0.851666… → 0.85
        (D(1), [D("84.5")], D("0.85")),  # 0.845 → half up
        (D("1.5"), [D(90), D(91)], D("1.36")),  # 1.5 × 90.5 / 100 = 1.3575 → 1.36
        (D(1), [D(100), D(100), D(100)], D("1.00")),
        (D(1), [D(0)], D("0.00")),
    ],
)
def test_task_score_rounds_once_half_up(points, scores, expected):
    assert task_score(points, scores) == expected


def test_task_score_scales_by_full_mark():
    assert task_score(D(2), [D(40), D(50)], full_mark=D(50)) == D("1.80")  # mean 45 of 50 = 90 %
