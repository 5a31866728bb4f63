"""Find articles that are the same story saved twice, exactly or nearly.

Exact copies are found by hashing a normalised text (case, whitespace and quote
marks ignored), so a re-saved file with other line breaks still matches.  Near
copies (a few words edited, a footer added) are found with MinHash + LSH over word
5-shingles; LSH only proposes candidates, and the exact Jaccard similarity of the
shingle sets decides, so the result never depends on hashing luck.  Of each group
the document whose ``doc_id`` sorts first is kept, which makes the outcome
independent of the order the documents arrive in.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass

from assistant.errors import SettingsError
from assistant.types import Document

SHINGLE_WORDS = 5
NUM_PERM = 128
SEED = 1  # fixed so the same corpus always yields the same duplicates

_QUOTES = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"'})
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Duplicate:
    """``doc_id`` repeats ``kept`` (the copy that stays) with this Jaccard similarity."""

    doc_id: str
    kept: str
    similarity: float


def normalise(text: str) -> str:
    """Casefold, unify curly and straight quotes, and collapse all whitespace.

    Shared with the cleaner so "the same line" means one thing everywhere.
    """
    return " ".join(text.translate(_QUOTES).casefold().split())


def find_duplicates(documents: Sequence[Document], *, threshold: float = 0.8) -> list[Duplicate]:
    """Return one ``Duplicate`` per document that repeats an earlier one.

    Documents are compared in ``doc_id`` order; a duplicate always points at a kept
    document, never at another duplicate.  ``threshold`` is the Jaccard similarity
    of word 5-shingles from which two texts count as the same article.
    """
    if not 0.0 < threshold <= 1.0:
        raise SettingsError(f"dedupe threshold must be in (0, 1], got {threshold!r}")
    from datasketch import MinHash, MinHashLSH

    # LSH is tuned looser than the bar so that pairs just above it are not missed;
    # datasketch needs at least two bands, hence the 0.9 cap.
    lsh = MinHashLSH(threshold=min(threshold, 0.9) * 0.75, num_perm=NUM_PERM)
    by_hash: dict[str, str] = {}
    shingles_of: dict[str, frozenset[str]] = {}
    found: list[Duplicate] = []
    for doc in sorted(documents, key=lambda d: d.doc_id):
        text = normalise(doc.text)
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
        if digest in by_hash:
            found.append(Duplicate(doc.doc_id, by_hash[digest], 1.0))
            continue
        by_hash[digest] = doc.doc_id
        shingles = _shingles(text)
        if not shingles:
            continue
        minhash = MinHash(num_perm=NUM_PERM, seed=SEED)
        minhash.update_batch(s.encode("utf-8") for s in shingles)
        # max() keeps the first of equal scores, so ties go to the smallest doc_id.
        best = max(
            ((_jaccard(shingles, shingles_of[key]), key) for key in sorted(lsh.query(minhash))),
            key=lambda pair: pair[0],
            default=(0.0, ""),
        )
        if best[0] >= threshold:
            found.append(Duplicate(doc.doc_id, best[1], best[0]))
            continue
        shingles_of[doc.doc_id] = shingles
        lsh.insert(doc.doc_id, minhash)
    return found


def _shingles(text: str) -> frozenset[str]:
    """Word 5-shingles; a text shorter than that is one shingle of all its words."""
    words = _WORD.findall(text)
    if len(words) <= SHINGLE_WORDS:
        return frozenset([" ".join(words)]) if words else frozenset()
    return frozenset(" ".join(words[i : i + SHINGLE_WORDS]) for i in range(len(words) - SHINGLE_WORDS + 1))


def _jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / len(a | b)
