"""Insights: text extraction throughput, and near-duplicate precision/recall on a labelled set.

Run:  .venv/bin/python bench/insights.py                 # the figures in docs/performance.md ("Insights")
      .venv/bin/python bench/insights.py --pdfs 20 --pairs 100   # a quick check

What it does, in this process (no database, no server):
1. extraction: generates ``--pdfs`` PDFs of ``--pages`` pages of Chinese text (STSong-Light, the text layer a
   scanner-less office PDF has) and as many .docx files of the same text, and runs
   ``kaohe.insights.extract.extract_text`` on each; prints pages/s, files/s and MB/s per kind;
2. near-duplicates: builds ``--pairs`` labelled pairs of real-looking 公文-style documents composed from a pool
   of sentences (county names, figures, the usual 法治政府建设 wording, so unrelated documents share stock
   phrases as real ones do), a third of each kind:
   - copied: the same document, reformatted (line breaks, spaces, full-width digits) — a duplicate;
   - lightly edited: another unit's name, changed figures, one or two sentences dropped or added — a duplicate;
   - unrelated: two documents composed independently from the same pool — not a duplicate;
   then runs what the platform runs: 5-character shingles → MinHash (128 permutations) → LSH band keys
   (32 bands × 4 rows) for candidates → exact shingle Jaccard ≥ 0.55 (digits read as 0); prints the candidates' recall, and the
   precision and recall of the reported pairs, with the Jaccard range of each kind.
Nothing here runs in the test suite.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from kaohe.insights import similarity
from kaohe.insights.extract import extract_text
from kaohe.insights.tests.documents import make_docx, make_pdf

COUNTIES = ["舞钢市", "宝丰县", "郏县", "叶县", "鲁山县", "汝州市", "新华区", "卫东区", "湛河区", "石龙区"]
SUBJECTS = ["县政府", "县司法局", "县政府办公室", "各乡镇人民政府", "县直各部门", "县行政执法部门", "县法制机构"]
ACTIONS = [
    "深入学习贯彻习近平法治思想，",
    "认真落实法治政府建设实施纲要，",
    "严格执行重大行政决策程序规定，",
    "全面推行行政执法三项制度，",
    "扎实开展“八五”普法工作，",
    "持续深化“放管服”改革，",
    "不断加强行政复议和行政应诉工作，",
    "积极推进政务公开标准化规范化建设，",
    "着力规范行政规范性文件管理，",
    "健全完善行政执法人员管理制度，",
]
RESULTS = [
    "全年召开专题会议{n}次，研究解决重点问题{m}个。",
    "组织执法人员培训{n}期，参训人员{m}人次。",
    "审查行政规范性文件{n}件，纠正问题{m}处。",
    "受理行政复议案件{n}件，依法审结{m}件。",
    "公开政府信息{n}条，办理依申请公开{m}件。",
    "开展法治宣传活动{n}场，发放宣传资料{m}份。",
    "行政机关负责人出庭应诉{n}次，出庭率达到百分之{m}。",
    "清理证明事项{n}项，取消{m}项。",
]
CLOSINGS = [
    "下一步，我们将进一步提高政治站位，压实工作责任，推动法治政府建设再上新台阶。",
    "存在的问题主要是：部分单位重视程度不够，执法人员素质有待提高。",
    "我们将以此次考核为契机，对标对表，查漏补缺，确保各项任务落到实处。",
]


def sentence(rng: random.Random, county: str) -> str:
    """One sentence of a report; a third of them name the county (as real reports do: "我县" elsewhere)."""
    who = county if rng.random() < NAME_SHARE else "我县"
    results = "，".join(r.format(n=rng.randint(2, 90), m=rng.randint(2, 90)).rstrip("。") for r in rng.sample(RESULTS, 2))
    return f"{who}{rng.choice(SUBJECTS)}{rng.choice(ACTIONS)}{results}。"


def document(rng: random.Random, county: str, sentences: int = 14) -> list[str]:
    year = rng.choice([2019, 2020, 2021])
    head = [f"{county}人民政府", f"{county[0]}政〔{year}〕{rng.randint(1, 60)}号", f"关于{year}年度法治政府建设情况的报告"]
    body = [sentence(rng, county) for _ in range(sentences)]
    return head + body + [rng.choice(CLOSINGS), f"{county}人民政府", f"{year}年{rng.randint(1, 12)}月{rng.randint(1, 28)}日"]


NAME_SHARE = 0.3  # sentences naming the county (--name-share)
DIGIT_CHANGE = 0.15  # digits changed by a light edit (--digit-change)
FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def reformatted(lines: list[str], rng: random.Random) -> str:
    """The same text as another program would lay it out: other line breaks, spaces, full-width digits."""
    text = "".join(lines)
    pieces, at = [], 0
    while at < len(text):
        step = rng.randint(18, 40)
        pieces.append(text[at : at + step])
        at += step
    return "\n".join(pieces).translate(FULLWIDTH).replace("，", "， ")


def lightly_edited(lines: list[str], rng: random.Random, county: str, other: str) -> str:
    edited = [line.replace(county, other) for line in lines]
    for _ in range(rng.randint(1, 2)):
        del edited[rng.randrange(3, len(edited) - 3)]
    for _ in range(rng.randint(1, 2)):
        edited.insert(rng.randrange(3, len(edited) - 3), sentence(rng, other))
    out = []
    for line in edited:  # figures changed here and there
        out.append("".join(str(rng.randint(1, 9)) if ch.isdigit() and rng.random() < DIGIT_CHANGE else ch for ch in line))
    return "\n".join(out)


def bench_extraction(count: int, pages: int, rng: random.Random) -> None:
    texts = ["\n".join(document(rng, rng.choice(COUNTIES), sentences=30)) for _ in range(count)]
    pdfs = [make_pdf([text[i * 400 : (i + 1) * 400] or text[:400] for i in range(pages)]) for text in texts]
    docxs = [make_docx(text.split("\n") * max(pages // 2, 1)) for text in texts]
    print(f"提取：{count} 个 PDF（每个 {pages} 页）、{count} 个 Word 文档")
    for kind, blobs, suffix in (("PDF", pdfs, "pdf"), ("Word", docxs, "docx")):
        started = time.perf_counter()
        total_pages = chars = 0
        for blob in blobs:
            result = extract_text(f"x.{suffix}", io.BytesIO(blob))
            assert result.text, result.note
            total_pages += result.pages
            chars += len(result.text)
        seconds = time.perf_counter() - started
        size = sum(len(b) for b in blobs) / 1024 / 1024
        print(
            f"  {kind:5s} {len(blobs) / seconds:7.1f} 个/s  {total_pages / seconds:7.1f} 页/s  {size / seconds:6.2f} MB/s"
            f"  {chars / seconds / 1000:7.1f} 千字/s  （{seconds:.2f} s）"
        )


def near(left: str, right: str) -> tuple[bool, bool, float]:
    """(LSH candidate, reported, exact Jaccard) for one pair — the platform's steps."""
    a, b = similarity.shingles(left), similarity.shingles(right)
    keys_a = set(similarity.band_keys(similarity.signature(a)))
    keys_b = set(similarity.band_keys(similarity.signature(b)))
    candidate = bool(keys_a & keys_b)
    ratio = similarity.jaccard(a, b)
    return candidate, candidate and ratio >= similarity.NEAR, ratio


def bench_duplicates(pairs: int, rng: random.Random) -> None:
    kinds = ("copied", "edited", "unrelated")
    labelled: list[tuple[str, str, str]] = []
    for index in range(pairs):
        kind = kinds[index % 3]
        county, other = rng.sample(COUNTIES, 2)
        lines = document(rng, county)
        if kind == "copied":
            labelled.append((kind, "\n".join(lines), reformatted(lines, rng)))
        elif kind == "edited":
            labelled.append((kind, "\n".join(lines), lightly_edited(lines, rng, county, other)))
        else:
            labelled.append((kind, "\n".join(lines), "\n".join(document(rng, other))))
    started = time.perf_counter()
    outcomes = [(kind, *near(left, right)) for kind, left, right in labelled]
    seconds = time.perf_counter() - started
    positives = [o for o in outcomes if o[0] != "unrelated"]
    reported = [o for o in outcomes if o[2]]
    true_positive = sum(1 for o in reported if o[0] != "unrelated")
    candidates_recall = sum(1 for o in positives if o[1]) / len(positives)
    precision = true_positive / len(reported) if reported else 1.0
    recall = true_positive / len(positives)
    print(f"雷同：{pairs} 对（复制、轻度改写、无关各三分之一），{seconds / pairs * 1000:.1f} ms/对（两份文本的指纹与精确比对）")
    for kind in kinds:
        ratios = [o[3] for o in outcomes if o[0] == kind]
        flagged = sum(1 for o in outcomes if o[0] == kind and o[2])
        print(
            f"  {kind:9s} Jaccard 最小 {min(ratios):.2f} 中位 {statistics.median(ratios):.2f} 最大 {max(ratios):.2f}"
            f"  判为雷同 {flagged}/{len(ratios)}"
        )
    print(f"  LSH 候选召回率 {candidates_recall:.3f}  精确率 {precision:.3f}  召回率 {recall:.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pdfs", type=int, default=100)
    parser.add_argument("--pages", type=int, default=10)
    parser.add_argument("--pairs", type=int, default=600)
    parser.add_argument("--seed", type=int, default=19)
    parser.add_argument("--name-share", type=float, default=0.3, help="sentences naming the county (0–1)")
    parser.add_argument("--digit-change", type=float, default=0.15, help="digits a light edit changes (0–1)")
    args = parser.parse_args()
    global NAME_SHARE, DIGIT_CHANGE  # the generator's two knobs, set once from the command line
    NAME_SHARE, DIGIT_CHANGE = args.name_share, args.digit_change
    rng = random.Random(args.seed)
    bench_extraction(args.pdfs, args.pages, rng)
    bench_duplicates(args.pairs, rng)


if __name__ == "__main__":
    main()
