"""BM25 over chunk texts (bm25s, Lucene's non-negative IDF, English stemming and stop words).

Lucene's IDF matters on small corpora: Okapi's IDF is zero or negative for a
term found in half the chunks or more, so in a small corpus about one story the
story's own key names would count against a passage instead of for it.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np


@lru_cache(maxsize=1)
def _stemmer():
    import Stemmer

    return Stemmer.Stemmer("english")


def tokenize(texts: Sequence[str]) -> list[list[str]]:
    import bm25s

    return bm25s.tokenize(list(texts), stopwords="en", stemmer=_stemmer(), return_ids=False, show_progress=False)


class Lexical:
    def __init__(self, texts: Sequence[str]) -> None:
        import bm25s

        self._size = len(texts)
        self._bm25 = bm25s.BM25(method="lucene")
        self._bm25.index(tokenize(texts), show_progress=False)

    @property
    def vocabulary(self) -> Collection[str]:
        """The indexed (stemmed) terms."""
        return self._bm25.vocab_dict.keys()

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every chunk, in row order (all zero when no query term is indexed)."""
        import numpy as np

        tokens = [t for t in tokenize([query])[0] if t in self._bm25.vocab_dict]
        if not tokens:
            return np.zeros(self._size, dtype=np.float32)
        return np.asarray(self._bm25.get_scores(tokens), dtype=np.float32)
