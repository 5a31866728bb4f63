"""How central each sentence is to its own article, and an article's summary made of the most
central ones: for summaries that answer no question.

A question ranks sentences by what it asks; an article on its own has nothing to rank by but
itself.  A sentence's salience mixes four signals, each measured only within its article:

* its cosine to the article's centroid (the mean of its sentence vectors): what most of the
  article talks about;
* its cosine to the title's vector: what the article says it is about;
* its position: news puts the story in its first sentences (the inverted pyramid), so an early
  sentence is worth more, by ``1 / (1 + index)``;
* a penalty for a line too short or incomplete to stand alone (a caption, a byline, a
  fragment ending without punctuation).

The cosines are standardised within the article (mean 0, standard deviation 1): the product's
sentence vectors all carry their article's title (``ingest.split.passage_text``), so every
sentence of an article is close to its centroid and its title, and only the differences
between them say anything.  For the same reason near-repeats are found by shared words, not
by cosine.  The weights are chosen on the dev split of the BBC summaries (``evals/summaries.py``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from assistant.answer.corroboration import word_overlap
from assistant.retrieve.search import standardise

if TYPE_CHECKING:
    import numpy as np

    from assistant.settings import Settings

#: Fewer words than this make a line too short to stand alone in a summary.
SHORT_WORDS = 6
_WORD = re.compile(r"\w+(?:['’]\w+)*")
#: A complete sentence ends in terminal punctuation, perhaps inside closing quotes or brackets.
_COMPLETE = re.compile(r"[.!?…][”\"’')\]]*\s*$")


@dataclass(frozen=True)
class SalienceWeights:
    """What each signal counts for; the defaults live in ``Settings`` (``salience_*``)."""

    centroid: float
    title: float
    position: float
    short: float

    @classmethod
    def of(cls, settings: Settings) -> SalienceWeights:
        return cls(
            settings.salience_centroid, settings.salience_title, settings.salience_position, settings.salience_short
        )


def salience(
    sentences: Sequence[str], vectors: np.ndarray, title_vector: np.ndarray | None, weights: SalienceWeights
) -> np.ndarray:
    """One score per sentence of one article, higher for more central; ``vectors`` holds the
    sentences' unit vectors in article order, ``title_vector`` the title's (None: no title)."""
    import numpy as np

    if len(sentences) != len(vectors):
        raise ValueError(f"{len(sentences)} sentences but {len(vectors)} vectors")
    if not len(sentences):
        return np.zeros(0, dtype=np.float64)
    vectors = np.asarray(vectors, dtype=np.float64)
    centroid = vectors.mean(axis=0)
    score = weights.centroid * standardise(vectors @ (centroid / max(np.linalg.norm(centroid), 1e-12)))
    if title_vector is not None:
        score += weights.title * standardise(vectors @ np.asarray(title_vector, dtype=np.float64))
    score += weights.position / (1.0 + np.arange(len(sentences)))
    score -= weights.short * np.array([_incomplete(s) for s in sentences], dtype=np.float64)
    return score


def summarize_article(
    sentences: Sequence[str],
    vectors: np.ndarray,
    title_vector: np.ndarray | None,
    n: int,
    weights: SalienceWeights,
    redundancy: float,
) -> list[int]:
    """The indexes of at most ``n`` most salient sentences, in article order.  A sentence sharing
    ``redundancy`` or more of its words with one already chosen (``word_overlap``) is skipped, so
    a repeated sentence or a restated quote takes no second place; ties go to the earlier one."""
    import numpy as np

    if n <= 0 or not len(sentences):
        return []
    scores = salience(sentences, vectors, title_vector, weights)
    chosen: list[int] = []
    for i in np.argsort(-scores, kind="stable"):
        if len(chosen) == n:
            break
        if any(word_overlap(sentences[i], sentences[j]) >= redundancy for j in chosen):
            continue
        chosen.append(int(i))
    return sorted(chosen)


def _incomplete(sentence: str) -> bool:
    return len(_WORD.findall(sentence)) < SHORT_WORDS or not _COMPLETE.search(sentence)
