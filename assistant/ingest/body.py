"""Which lines of a plain-text page are the article body: a small learned classifier.

A page saved as text keeps its menus, share bars, teasers and footers, and no fixed
list of phrases names every site's furniture.  What does carry over from site to site
is shape: body lines are long, end like sentences, are dense in stop words and sit
together in one block of prose; furniture is short, capitalised, link-like, repeated
and far from that block.  ``line_features`` measures those signals for each line and
for its neighbourhood; a logistic regression turns them into the probability that the
line is body, and a second one reads those probabilities again in their neighbourhood
(``CONTEXT``), since body is one contiguous block: a short line amid prose is a
subheading, a long one amid menus is a teaser.  The weights live in ``body_model.json``,
trained by ``evals/train_body.py`` on news pages of many sites rendered by several
HTML-to-text converters.

Only numpy runs here: the weights are plain JSON, with a fingerprint of their content
that goes into the index, so an index cleaned by another model is rebuilt.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from assistant.ingest.text import normalise

__all__ = [
    "CONTEXT",
    "FEATURES",
    "BodyModel",
    "Stage",
    "applies_to",
    "bundled_model",
    "content_fingerprint",
    "line_features",
]

MODEL_FILE = Path(__file__).with_name("body_model.json")
FORMAT = "newsdesk-body-model v1"
MIN_LINES = 12  # a page this short is an article, not a saved web page: nothing to sift
PROSE_WORDS = 12  # a line this long that ends like a sentence is prose
NEAR, FAR = 2, 6  # neighbourhoods, in lines either side

_WORD = re.compile(r"\w+(?:['’]\w+)*")
_SENTENCE_END = re.compile(r"[.!?…。！？][\"'”’)\]」』]*$|[\"”」』]$")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")
_LINK_LIKE = re.compile(r"https?://|www\.|\S+\.(?:com|org|net|co\.uk)\b|[|»›«‹>]|\s/\s|@\w")
_LIST_MARK = re.compile(r"^(?:[-*•◦▪‣●○■□+–—]|\d{1,3}[.)])\s")
_DIGIT = re.compile(r"\d")
_PUNCT = re.compile(r"[,;:()\"“”'’]")
_STOP = frozenset(
    "a an the and or but if of to in on at by for with from as into about than that this these those "
    "is are was were be been being has have had do does did will would can could should may might must "
    "it its he she they we you i his her their our your him them us who whom which what when where why how "
    "not no so also there here then more most such only said says".split()
)
# Words of page furniture on any site (never a site's own name): they mean the same everywhere.
_FURNITURE = frozenset(
    "share shares tweet facebook twitter linkedin whatsapp pinterest reddit email print subscribe "
    "subscription subscribers newsletter newsletters sign login log register account cookie cookies "
    "privacy policy terms advertisement advertise sponsored comment comments reply replies follow "
    "menu search home copyright rights reserved related trending popular recommended newest "
    "read more click download app apps podcast video videos photo photos gallery image images "
    "contact about careers help faq sitemap rss skip content navigation toggle close loading "
    "next previous prev back top continue".split()
)

#: Names of the features, in the order of ``line_features``' columns and the model's weights.
FEATURES = (
    "log_words", "log_chars", "sentence_end", "sentences", "punctuation", "stop_words",
    "capitalised", "all_caps", "lower_start", "digits", "link_like", "list_item",
    "furniture_words", "furniture_any", "copyright", "repeated", "position", "edge",
    "prose", "prev_words", "prev_prose", "next_words", "next_prose",
    "near_prose", "near_words", "far_prose", "far_words",
    "in_block", "block_distance", "block_share", "page_lines", "page_prose",
)  # fmt: skip
#: What the second stage adds to ``FEATURES``: the first stage's p(body) of the line and around it.
CONTEXT = ("p", "prev_p", "next_p", "near_p", "far_p", "block_p")


def applies_to(lines: Sequence[str]) -> bool:
    """Whether a page is long enough to hold furniture worth sifting by model: a short,
    clean article (a few paragraphs) is left to the rules alone."""
    return len(lines) >= MIN_LINES


def line_features(lines: Sequence[str]) -> list[list[float]]:
    """One row of ``FEATURES`` per line: the line's own signals, its neighbours', and
    where it stands relative to the page's longest block of prose."""
    sizes = [_words(text) for text in lines]
    own = [_own(text, size) for text, size in zip(lines, sizes, strict=True)]
    counts = Counter(normalise(text) for text in lines)
    words = [row["log_words"] for row in own]
    prose = [row["prose"] for row in own]
    start, end = _prose_block(sizes, prose)
    n = len(lines)
    page = [math.log1p(n), sum(prose) / n if n else 0.0]
    block_words = sum(sizes[start : end + 1]) if any(prose) else 0
    total_words = sum(sizes) or 1
    rows = []
    for i, text in enumerate(lines):
        distance = 0 if start <= i <= end else min(abs(i - start), abs(i - end))
        context = [
            words[i - 1] if i else 0.0,
            prose[i - 1] if i else 0.0,
            words[i + 1] if i + 1 < n else 0.0,
            prose[i + 1] if i + 1 < n else 0.0,
            _window(prose, i, NEAR),
            _window(words, i, NEAR),
            _window(prose, i, FAR),
            _window(words, i, FAR),
            1.0 if start <= i <= end and any(prose) else 0.0,
            math.log1p(distance) if any(prose) else math.log1p(n),
            block_words / total_words,
        ]
        position = i / (n - 1) if n > 1 else 0.0
        repeated = 1.0 if counts[normalise(text)] > 1 else 0.0
        row = own[i]
        rows.append(
            [
                *(row[name] for name in FEATURES[:15]),
                repeated,
                position,
                min(position, 1 - position),
                row["prose"],
                *context,
                *page,
            ]
        )
    return rows


def _words(text: str) -> int:
    """Words of a line; in scripts written without spaces, two characters count as one."""
    return max(len(_WORD.findall(text)), len(_CJK.findall(text)) // 2)


def _own(text: str, size: int) -> dict[str, float]:
    """The signals of one line of ``size`` words (``_words``) on its own."""
    words = _WORD.findall(text)
    n = size or 1
    lower = [w.casefold() for w in words]
    capitalised = sum(1 for w in words if w[0].isupper())
    furniture = sum(1 for w in lower if w in _FURNITURE)
    ends = bool(_SENTENCE_END.search(text))
    return {
        "log_words": math.log1p(size),
        "log_chars": math.log1p(len(text)),
        "sentence_end": 1.0 if ends else 0.0,
        "sentences": math.log1p(len(re.findall(r"[.!?][\"'”’]?\s+[A-Z\"“]", text))),
        "punctuation": len(_PUNCT.findall(text)) / n,
        "stop_words": sum(1 for w in lower if w in _STOP) / n,
        "capitalised": capitalised / n,
        "all_caps": 1.0 if text.isupper() else 0.0,
        "lower_start": 1.0 if text[:1].islower() else 0.0,
        "digits": len(_DIGIT.findall(text)) / max(len(text), 1),
        "link_like": math.log1p(len(_LINK_LIKE.findall(text))),
        "list_item": 1.0 if _LIST_MARK.match(text) else 0.0,
        "furniture_words": furniture / n,
        "furniture_any": 1.0 if furniture else 0.0,
        "copyright": 1.0 if "©" in text or "copyright" in lower else 0.0,
        "prose": 1.0 if ends and size >= PROSE_WORDS else 0.0,
    }


def _window(values: Sequence[float], i: int, width: int) -> float:
    part = values[max(0, i - width) : i + width + 1]
    return sum(part) / len(part)


def _prose_block(sizes: Sequence[int], prose: Sequence[float]) -> tuple[int, int]:
    """First and last line of the run of lines richest in prose words (``sizes``: each
    line's words), where up to ``NEAR`` non-prose lines in a row (subheadings, captions)
    do not break the run."""
    best, best_words = (0, -1), 0
    start, words, gap = -1, 0, 0
    for i, size in enumerate(sizes):
        if prose[i]:
            start = i if start < 0 else start
            words += size
            gap = 0
            if words > best_words:
                best, best_words = (start, i), words
        elif start >= 0:
            gap += 1
            if gap > NEAR:
                start, words, gap = -1, 0, 0
    return best


# ---------------------------------------------------------------- the model


def context(lines: Sequence[str], p: Sequence[float]) -> list[list[float]]:
    """One row of ``CONTEXT`` per line from the first stage's p(body) of every line,
    including the distance to the run of lines it calls body that is richest in words."""
    start, end = _prose_block([_words(text) for text in lines], [1.0 if v >= 0.5 else 0.0 for v in p])
    n = len(p)
    rows = []
    for i in range(n):
        outside = 0 if start <= i <= end else min(abs(i - start), abs(i - end))
        rows.append(
            [
                p[i],
                p[i - 1] if i else 0.0,
                p[i + 1] if i + 1 < n else 0.0,
                _window(p, i, NEAR),
                _window(p, i, FAR),
                math.log1p(outside),
            ]
        )
    return rows


@dataclass(frozen=True)
class Stage:
    """A logistic regression over standardised features."""

    weights: tuple[float, ...]
    bias: float
    mean: tuple[float, ...]
    scale: tuple[float, ...]

    def __call__(self, x: Any) -> Any:
        import numpy as np

        z = (np.asarray(x, dtype=np.float64) - np.asarray(self.mean)) / np.asarray(self.scale)
        return 1.0 / (1.0 + np.exp(-(z @ np.asarray(self.weights) + self.bias)))


@dataclass(frozen=True)
class BodyModel:
    """p(body) of each line: ``first`` over ``FEATURES``, ``second`` over ``FEATURES`` and
    ``CONTEXT`` (the first stage's verdicts around the line).

    ``threshold`` is the probability below which a line is furniture, chosen when
    training on the training pages only; ``fingerprint`` is the sha256 of the content.
    """

    first: Stage
    second: Stage
    threshold: float
    fingerprint: str = ""

    def probabilities(self, lines: Sequence[str]) -> tuple[float, ...]:
        """p(body) of each line of a page."""
        import numpy as np

        if not lines:
            return ()
        x = np.asarray(line_features(lines), dtype=np.float64)
        around = np.asarray(context(lines, [float(v) for v in self.first(x)]), dtype=np.float64)
        return tuple(float(p) for p in self.second(np.hstack([x, around])))

    def to_json(self) -> dict[str, Any]:
        return {**_content(self), "fingerprint": self.fingerprint}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> BodyModel:
        """Raises ValueError when the format, the features or the fingerprint do not match."""
        if data.get("format") != FORMAT or tuple(data.get("features", ())) != FEATURES + CONTEXT:
            raise ValueError(f"not a {FORMAT} model over this program's features; retrain with evals.train_body")
        stages = [
            Stage(tuple(s["weights"]), float(s["bias"]), tuple(s["mean"]), tuple(s["scale"])) for s in data["stages"]
        ]
        model = cls(*stages, threshold=float(data["threshold"]), fingerprint=str(data["fingerprint"]))
        if content_fingerprint(model) != model.fingerprint:
            raise ValueError("the body model's fingerprint does not match its weights; retrain with evals.train_body")
        return model


def _content(model: BodyModel) -> dict[str, Any]:
    stages = [
        {"weights": list(s.weights), "bias": s.bias, "mean": list(s.mean), "scale": list(s.scale)}
        for s in (model.first, model.second)
    ]
    return {"format": FORMAT, "features": [*FEATURES, *CONTEXT], "stages": stages, "threshold": model.threshold}


def content_fingerprint(model: BodyModel) -> str:
    """sha256 of the features' names and the model's numbers, as JSON with sorted keys."""
    return hashlib.sha256(json.dumps(_content(model), sort_keys=True).encode("utf-8")).hexdigest()


@cache
def bundled_model() -> BodyModel:
    """The model shipped in the package (read once per process)."""
    return BodyModel.from_json(json.loads(MODEL_FILE.read_text(encoding="utf-8")))
