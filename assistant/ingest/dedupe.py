"""Find articles that are the same story saved twice, exactly or nearly.

Exact copies are found by hashing a normalised text (case, whitespace and quote
marks ignored), so a re-saved file with other line breaks still matches.  Near
copies (a few words edited, a footer added) are found with MinHash + LSH over word
5-shingles; LSH only proposes candidates, and the exact Jaccard similarity of the
shingle sets decides, so the result never depends on hashing luck.  MinHash and the
LSH bands are a few lines of numpy here: datasketch, which did this before, imports
scipy, slow to load, and every index update that reads the corpus runs this.  Of each group
the document whose ``doc_id`` sorts first is kept, which makes the outcome
independent of the order the documents arrive in.
"""

from __future__ import annotations

import hashlib
import re
import zlib
from collections.abc import MutableMapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

from assistant.errors import SettingsError
from assistant.ingest.text import normalise
from assistant.types import Document

if TYPE_CHECKING:
    import numpy as np

SHINGLE_WORDS = 5  # long enough that shared phrases of different stories rarely match
NUM_PERM = 128  # hash functions per signature: enough for stable LSH bands
SEED = 1  # fixed so the same corpus always yields the same duplicates
MINHASH_BLOCK = 4096  # shingles hashed at once: a 4 MiB matrix of 128 hashes each

_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Duplicate:
    """``doc_id`` repeats ``kept`` (the copy that stays) with this Jaccard similarity."""

    doc_id: str
    kept: str
    similarity: float


@dataclass(frozen=True)
class Fingerprint:
    """What duplicate search reads of a document: the digest of its normalised text (exact
    copies) and its MinHash signature (near copies; None for a text without a word)."""

    digest: str
    signature: bytes | None


def fingerprint(document: Document) -> Fingerprint:
    text = normalise(document.text)
    signature = minhash(_shingles(text)).tobytes() if _WORD.search(text) else None
    return Fingerprint(hashlib.sha256(text.encode("utf-8")).hexdigest(), signature)


def find_duplicates(
    documents: Sequence[Document],
    *,
    threshold: float = 0.8,
    fingerprints: MutableMapping[str, Fingerprint] | None = None,
) -> list[Duplicate]:
    """Return one ``Duplicate`` per document that repeats an earlier one.

    Documents are compared in ``doc_id`` order; a duplicate always points at a kept
    document, never at another duplicate.  ``threshold`` is the Jaccard similarity
    of word 5-shingles from which two texts count as the same article.
    ``fingerprints`` memoises each document's ``fingerprint`` by ``doc_id`` (``ingest.memo``
    keeps them between updates, with the document they were taken of); missing ones are added.
    """
    _check(threshold)
    fingerprints = {} if fingerprints is None else fingerprints
    lsh = _Lsh(*_bands(threshold))
    by_hash: dict[str, str] = {}
    kept: dict[str, Document] = {}
    shingled: dict[str, frozenset[str]] = {}  # of kept documents, taken only when LSH proposes them
    found: list[Duplicate] = []
    for doc in sorted(documents, key=lambda d: d.doc_id):
        if doc.doc_id not in fingerprints:
            fingerprints[doc.doc_id] = fingerprint(doc)
        digest, signature = fingerprints[doc.doc_id].digest, fingerprints[doc.doc_id].signature
        if digest in by_hash:
            found.append(Duplicate(doc.doc_id, by_hash[digest], 1.0))
            continue
        by_hash[digest] = doc.doc_id
        if signature is None:
            continue
        candidates = sorted(lsh.query(signature))
        if candidates:
            shingles = _shingles(normalise(doc.text))
            # max() keeps the first of equal scores, so ties go to the smallest doc_id.
            for key in candidates:
                if key not in shingled:
                    shingled[key] = _shingles(normalise(kept[key].text))
            best = max(((_jaccard(shingles, shingled[key]), key) for key in candidates), key=lambda p: p[0])
            if best[0] >= threshold:
                found.append(Duplicate(doc.doc_id, best[1], best[0]))
                continue
        kept[doc.doc_id] = doc
        lsh.insert(doc.doc_id, signature)
    return found


def unrelated(changed: Sequence[Fingerprint], others: Sequence[Fingerprint], threshold: float = 0.8) -> bool:
    """Whether no document of ``changed`` shares its digest or an LSH band with another one
    (of ``changed`` or of ``others``).

    ``find_duplicates`` compares two documents only when their digests or a band meet, so
    documents unrelated in this sense are kept, and adding or removing them leaves every
    other verdict as it was: an update that only adds new articles need not search the
    whole corpus again (``corpus.read_corpus``).
    """
    import numpy as np

    _check(threshold)
    everyone = [*changed, *others]
    digests: dict[str, int] = {}
    for fp in everyone:
        digests[fp.digest] = digests.get(fp.digest, 0) + 1
    if any(digests[fp.digest] > 1 for fp in changed):
        return False
    bands, rows = _bands(threshold)
    signed = [i for i, fp in enumerate(everyone) if fp.signature is not None]
    if not signed:
        return True
    matrix = np.frombuffer(b"".join(everyone[i].signature for i in signed), dtype=np.uint64)
    matrix = matrix.reshape(len(signed), NUM_PERM)[:, : bands * rows].reshape(len(signed), bands, rows)
    for position, i in enumerate(signed):
        if i >= len(changed):
            break
        meets = (matrix == matrix[position]).all(axis=2).any(axis=1)
        meets[position] = False
        if meets.any():
            return False
    return True


def _check(threshold: float) -> None:
    if not 0.0 < threshold <= 1.0:
        raise SettingsError(f"dedupe threshold must be in (0, 1], got {threshold!r}")


def _bands(threshold: float) -> tuple[int, int]:
    """LSH is tuned looser than the bar so that pairs just above it are not missed."""
    return lsh_bands(0.75 * threshold, NUM_PERM)


def _shingles(text: str) -> frozenset[str]:
    """Word 5-shingles; a text shorter than that is one shingle of all its words."""
    words = _WORD.findall(text)
    if len(words) <= SHINGLE_WORDS:
        return frozenset([" ".join(words)]) if words else frozenset()
    return frozenset(" ".join(words[i : i + SHINGLE_WORDS]) for i in range(len(words) - SHINGLE_WORDS + 1))


def _jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / len(a | b)


@cache
def _seeds() -> np.ndarray:
    """One 64-bit key per hash function, drawn once from ``SEED``."""
    import numpy as np

    return np.random.default_rng(SEED).integers(0, 1 << 64, NUM_PERM, dtype=np.uint64, endpoint=False)


def minhash(shingles: frozenset[str]) -> np.ndarray:
    """The MinHash signature: per hash function, the least hash over the shingles.

    Shingles are hashed once (CRC-32); hash function ``i`` is the MurmurHash3 64-bit
    finaliser of that value XOR key ``i``: well mixed, so the minima are close to
    min-wise independent, and all in numpy (uint64 products wrap, as intended).
    Shingles go through in blocks, so a 5 MB article needs megabytes, not a gigabyte.
    """
    import numpy as np

    x = np.fromiter((zlib.crc32(s.encode("utf-8")) for s in shingles), np.uint64, len(shingles))
    signature = np.full(NUM_PERM, np.iinfo(np.uint64).max, dtype=np.uint64)
    for start in range(0, len(x), MINHASH_BLOCK):
        h = x[start : start + MINHASH_BLOCK, None] ^ _seeds()
        h ^= h >> np.uint64(33)
        h *= np.uint64(0xFF51AFD7ED558CCD)
        h ^= h >> np.uint64(33)
        h *= np.uint64(0xC4CEB9FE1A85EC53)
        h ^= h >> np.uint64(33)
        np.minimum(signature, h.min(axis=0), out=signature)
    return signature


@cache
def lsh_bands(threshold: float, num_perm: int) -> tuple[int, int]:
    """``(bands, rows)`` with ``bands * rows <= num_perm`` minimising the equally weighted
    areas of false positives (similarity below ``threshold``, yet sharing a band) and
    false negatives (above it, sharing none) under the S-curve ``1 - (1 - s**r)**b``;
    the same choice datasketch makes."""
    import numpy as np

    pairs = np.array(
        [(b, r) for b in range(1, num_perm + 1) for r in range(1, num_perm // b + 1)],
        float,
    )
    s = np.linspace(0.0, 1.0, 1001)
    below, above = s <= threshold, s >= threshold
    p = 1 - (1 - s ** pairs[:, 1:]) ** pairs[:, :1]  # one S-curve per (bands, rows) row
    error = np.trapezoid(p[:, below], s[below]) + np.trapezoid(1 - p[:, above], s[above])
    bands, rows = pairs[int(np.argmin(error))]
    return int(bands), int(rows)


class _Lsh:
    """Banded LSH: two signatures are candidates when any band of ``rows`` values is equal."""

    def __init__(self, bands: int, rows: int) -> None:
        self._rows = rows
        self._buckets: list[dict[bytes, list[str]]] = [{} for _ in range(bands)]

    def _keys(self, signature: bytes) -> list[bytes]:
        width = self._rows * 8  # uint64 values
        return [signature[i * width : (i + 1) * width] for i in range(len(self._buckets))]

    def insert(self, key: str, signature: bytes) -> None:
        for bucket, band in zip(self._buckets, self._keys(signature), strict=False):
            bucket.setdefault(band, []).append(key)

    def query(self, signature: bytes) -> set[str]:
        return {
            key
            for bucket, band in zip(self._buckets, self._keys(signature), strict=False)
            for key in bucket.get(band, ())
        }
