"""BM25 over chunk and sentence texts (bm25s, Lucene's non-negative IDF, English stemming and
stop words), built once per index generation and stored in it.

Lucene's IDF matters on small corpora: Okapi's IDF is zero or negative for a
term found in half the chunks or more, so in a small corpus about one story the
story's own key names would count against a passage instead of for it.

Each generation stores its two BM25 indexes as bm25s writes them: three numpy arrays
(``.npy``, no pickle) and two JSON files, checksummed in the manifest like every
other file.  Loading memory-maps the arrays, so a large index opens without
tokenizing its texts again or reading its matrices into memory.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

#: The files bm25s writes for a Lucene index (no corpus, no non-occurrence array).
FILES = ("data.csc.index.npy", "indices.csc.index.npy", "indptr.csc.index.npy", "vocab.index.json", "params.index.json")


@lru_cache(maxsize=1)
def _stemmer():
    import Stemmer

    return Stemmer.Stemmer("english")


def tokenize(texts: Sequence[str]) -> list[list[str]]:
    import bm25s

    return bm25s.tokenize(list(texts), stopwords="en", stemmer=_stemmer(), return_ids=False, show_progress=False)


class Lexical:
    """A BM25 index: built from texts (``of``), or read from a generation (``read``)."""

    def __init__(self, bm25, size: int) -> None:
        self._bm25 = bm25
        self._size = size

    @classmethod
    def of(cls, texts: Sequence[str]) -> Lexical:
        import bm25s

        bm25 = bm25s.BM25(method="lucene")
        bm25.index(tokenize(texts), show_progress=False)
        return cls(bm25, len(texts))

    @classmethod
    def read(cls, folder: Path, size: int) -> Lexical:
        """The index ``write`` left in ``folder``, its matrices memory-mapped; ``size`` rows."""
        import bm25s

        bm25 = bm25s.BM25.load(str(folder), mmap=True, load_corpus=False)
        if bm25.scores["num_docs"] != size:
            raise ValueError(f"{folder} indexes {bm25.scores['num_docs']} texts, not {size}")
        return cls(bm25, size)

    def write(self, folder: Path) -> None:
        """The index's files (``FILES``) into ``folder``.  bm25s saves and loads its arrays
        without pickle by default (``tests/test_security.py`` watches every load for it)."""
        self._bm25.save(str(folder), show_progress=False)

    @property
    def vocabulary(self) -> Collection[str]:
        """The indexed (stemmed) terms."""
        return self._bm25.vocab_dict.keys()

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every row, in row order (all zero when no query term is indexed)."""
        import numpy as np

        tokens = [t for t in tokenize([query])[0] if t in self._bm25.vocab_dict]
        if not tokens:
            return np.zeros(self._size, dtype=np.float32)
        return np.asarray(self._bm25.get_scores(tokens), dtype=np.float32)
