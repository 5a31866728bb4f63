"""The article-extraction-benchmark metric: 4-gram shingle precision, recall and F1.

Follows scrapinghub/article-extraction-benchmark ``evaluate.py`` exactly, so figures
compare with the published ones: tokens are ``\\w+`` runs (case kept), shingles are
counted as a multiset, each page's true/false positives and negatives are normalised
to sum to one, precision and recall are averaged over pages, and F1 is the harmonic
mean of those two averages (not an average of per-page F1).
"""

from __future__ import annotations

import re
import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

NGRAM = 4
_TOKEN = re.compile(r"\w+")


@dataclass(frozen=True)
class Match:
    """One page's normalised shingle counts."""

    tp: float
    fp: float
    fn: float

    @property
    def precision(self) -> float:
        if self.fp == self.fn == 0:
            return 1.0
        return 0.0 if self.tp == self.fp == 0 else self.tp / (self.tp + self.fp)

    @property
    def recall(self) -> float:
        if self.fp == self.fn == 0:
            return 1.0
        return 0.0 if self.tp == self.fn == 0 else self.tp / (self.tp + self.fn)

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(text or "")


def shingles(text: str, n: int = NGRAM) -> Counter[tuple[str, ...]]:
    """A text's n-grams of tokens; a text shorter than n is one shorter shingle."""
    words = tokens(text)
    return Counter(tuple(words[i : i + n]) for i in range(max(1, len(words) - n + 1)) if words[i : i + n])


def match(true: str, pred: str) -> Match:
    want, got = shingles(true), shingles(pred)
    tp = float(sum((want & got).values()))
    fp = float(sum((got - want).values()))
    fn = float(sum((want - got).values()))
    total = tp + fp + fn
    return Match(tp / total, fp / total, fn / total) if total else Match(0.0, 0.0, 0.0)


def summary(matches: Sequence[Match]) -> dict[str, float]:
    """Precision and recall averaged over pages and their F1, as the benchmark reports them."""
    precision = statistics.mean(m.precision for m in matches if m.tp + m.fp > 0) if matches else 0.0
    recall = statistics.mean(m.recall for m in matches if m.tp + m.fn > 0) if matches else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4)}
