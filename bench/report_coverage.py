"""Per-part precision (and recall) of the annual-report coverage matcher on a small hand-labelled set.

Run:  .venv/bin/python bench/report_coverage.py

The set: every sentence of the 中站区 2020 excerpt and of the reports written for the tests
(``kaohe/insights/tests/report_texts.py``), each labelled by hand with the parts it speaks to. A sentence is
"found" for a part when ``coverage.cover`` matches it; precision = found and labelled / found, recall = found and
labelled / labelled. No database; nothing here runs in the test suite.
"""

from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from kaohe.insights import coverage
from kaohe.insights.tests import report_texts as texts

P1, P2, P3, P4, P5, P6, P7, Q, N, L = (p.label for p in coverage.FIXED_PARTS)

# Index of the sentence in coverage.split_sentences(text) → the parts it speaks to (unlisted: none).
ZHONGZHAN_LABELS: dict[int, set[str]] = {
    5: {L},  # 区长任组长
    6: {L},  # 一把手为推进依法行政的第一责任人
    7: {P3},
    8: {P3},
    9: {P3},
    10: {P4},
    11: {P4},
    12: {P5, P6},
    13: {P5, P6},
    14: {P5},
    15: {P1},
    16: {P1},
    17: {P1},
    18: {Q, N},
    19: {Q, L},  # 落实法治建设第一责任人职责力度还不够
    20: {N, P1, P7},  # 聚焦学法…全面依法履行政府职能
}

FULL_LABELS: dict[int, set[str]] = {
    2: {P1}, 3: {P1}, 4: {P2}, 5: {P2}, 6: {P3}, 7: {P3}, 8: {P4}, 9: {P4}, 10: {P5}, 11: {P5},
    12: {P6}, 13: {P6}, 14: {P7}, 15: {P7}, 16: {L}, 17: {L}, 18: {Q}, 19: {Q, P4}, 20: {N}, 21: {N, P4, P7},
}  # fmt: skip

SETS = [("中站区 2020 节选", texts.ZHONGZHAN_2020, ZHONGZHAN_LABELS), ("示例县（完整）", texts.FULL, FULL_LABELS)]


def main() -> None:
    parts = coverage.parts_for()
    found: dict[str, int] = {p.label: 0 for p in parts}
    right: dict[str, int] = {p.label: 0 for p in parts}
    labelled: dict[str, int] = {p.label: 0 for p in parts}
    sentences = 0
    for _name, text, labels in SETS:
        for index, sentence in enumerate(coverage.split_sentences(text)):
            sentences += 1
            gold = labels.get(index, set())
            for row in coverage.cover(sentence, parts):
                label = row.part.label
                if row.covered:
                    found[label] += 1
                    right[label] += label in gold
                labelled[label] += label in gold
    print(f"{sentences} labelled sentences in {len(SETS)} reports\n")
    print(f"{'part':<24} {'found':>5} {'right':>5} {'labelled':>8} {'precision':>9} {'recall':>7}")
    for label in found:
        precision = f"{right[label] / found[label]:.2f}" if found[label] else "—"
        recall = f"{right[label] / labelled[label]:.2f}" if labelled[label] else "—"
        print(f"{label[:12]:<24} {found[label]:>5} {right[label]:>5} {labelled[label]:>8} {precision:>9} {recall:>7}")
    total_found, total_right, total_labelled = sum(found.values()), sum(right.values()), sum(labelled.values())
    print(
        f"\n{'all parts':<24} {total_found:>5} {total_right:>5} {total_labelled:>8} {total_right / total_found:>9.2f} {total_right / total_labelled:>7.2f}"
    )


if __name__ == "__main__":
    main()
