"""What the hand-label evaluations (``evals.timeline``, ``evals.corroboration``) share: the digest
a label keeps of its sentence instead of the text, and rates over counts that may be empty."""

from __future__ import annotations

import hashlib


def sentence_sha(text: str) -> str:
    """A short digest of a sentence, whitespace folded: a label file holds it instead of the text,
    so a label whose sentence changed is found stale."""
    return hashlib.sha1(" ".join(text.split()).encode("utf-8")).hexdigest()[:12]


def ratio(part: int, whole: int) -> float | None:
    """``part / whole``, None when there is nothing to count."""
    return part / whole if whole else None
