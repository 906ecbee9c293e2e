"""Near-identical texts: 5-character shingles of the text with whitespace and punctuation removed, a datasketch
MinHash of them, LSH band keys to find candidates in the database with one indexed query, the exact shingle
Jaccard of a candidate pair, and the best matching passages of the two texts. Pure Python, no Django.

Bands: ``BANDS`` × ``ROWS`` = ``NUM_PERM``; two texts of Jaccard similarity s share at least one band key with
probability 1 − (1 − s^ROWS)^BANDS (s = 0.55: 95 %; s = 0.7: 99.9 %; s = 0.3: 23 %). Candidates are then
confirmed with the exact Jaccard (``NEAR``), so the band keys only decide which pairs are looked at.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass

import numpy as np
from datasketch import MinHash

SHINGLE = 5
NUM_PERM = 128
BANDS = 32
ROWS = NUM_PERM // BANDS
SEED = 20_260_101
NEAR = 0.55  # exact Jaccard from which two texts are reported as near-identical
MIN_SHINGLES = 30  # shorter texts (a cover page, a photo's caption) are not compared
PASSAGE_MAX = 300

_DROP = re.compile(r"[\s\W_]+", re.UNICODE)
_DIGIT = re.compile(r"\d")
_SENTENCE = re.compile(r"[^。！？；\n]+[。！？；]?")


def squeeze(text: str) -> str:
    """The text without whitespace and punctuation, full-width forms folded (NFKC), every digit read as 0: a copy
    with its figures changed (案件37件 → 41件) stays a copy."""
    return _DIGIT.sub("0", _DROP.sub("", unicodedata.normalize("NFKC", text)))


def shingles(text: str) -> set[str]:
    squeezed = squeeze(text)
    return {squeezed[i : i + SHINGLE] for i in range(max(len(squeezed) - SHINGLE + 1, 0))}


def signature(grams: set[str]) -> MinHash:
    minhash = MinHash(num_perm=NUM_PERM, seed=SEED)
    minhash.update_batch([gram.encode("utf-8") for gram in grams])
    return minhash


def band_keys(minhash: MinHash) -> list[str]:
    """One key per band: the band's number and a digest of its rows (stored, indexed, compared for equality)."""
    values = np.asarray(minhash.hashvalues, dtype=np.uint64)
    return [
        f"{band:02d}" + hashlib.blake2b(values[band * ROWS : (band + 1) * ROWS].tobytes(), digest_size=8).hexdigest()
        for band in range(BANDS)
    ]


def jaccard(left: set[str], right: set[str]) -> float:
    if not left or not right:
        return 0.0
    return len(left & right) / len(left | right)


@dataclass(frozen=True)
class Passages:
    left: str
    right: str


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE.findall(text) if len(squeeze(s)) >= SHINGLE]


def best_passages(left_text: str, right_text: str) -> Passages:
    """The sentence of each text sharing the most shingles with the other, with its neighbour when short."""
    left, right = _sentences(left_text), _sentences(right_text)
    if not left or not right:
        return Passages("", "")
    where: dict[str, list[int]] = {}
    for index, sentence in enumerate(right):
        for gram in shingles(sentence):
            where.setdefault(gram, []).append(index)
    best = (0.0, 0, 0)
    for i, sentence in enumerate(left):
        grams = shingles(sentence)
        hits: Counter[int] = Counter(j for gram in grams for j in where.get(gram, ()))
        for j, shared in hits.items():
            # weight by length so that a long copied paragraph beats a shared stock phrase
            score = shared * shared / max(len(grams), 1)
            if score > best[0]:
                best = (score, i, j)
    _, i, j = best
    # grow the match over the neighbouring sentences that match each other as well (a copied paragraph)
    first_i, first_j, last_i, last_j = i, j, i, j
    while first_i > 0 and first_j > 0 and _alike(left[first_i - 1], right[first_j - 1]):
        first_i, first_j = first_i - 1, first_j - 1
    while last_i + 1 < len(left) and last_j + 1 < len(right) and _alike(left[last_i + 1], right[last_j + 1]):
        last_i, last_j = last_i + 1, last_j + 1
    # a long copied run is shown from the sentence before the best one
    if len("".join(left[first_i : last_i + 1])) > PASSAGE_MAX:
        shift = max(i - 1, first_i) - first_i
        first_i, first_j = first_i + shift, first_j + shift
    return Passages(_join(left[first_i : last_i + 1]), _join(right[first_j : last_j + 1]))


def _alike(a: str, b: str) -> bool:
    return jaccard(shingles(a), shingles(b)) >= NEAR


def _join(sentences: list[str]) -> str:
    text = "".join(sentences)
    return text if len(text) <= PASSAGE_MAX else text[:PASSAGE_MAX] + "…"
