"""BM25 over chunk and sentence texts: Lucene's non-negative IDF, English stemming and stop
words (as bm25s tokenizes), term counts stored in each index generation.

Lucene's IDF matters on small corpora: Okapi's IDF is zero or negative for a
term found in half the chunks or more, so in a small corpus about one story the
story's own key names would count against a passage instead of for it.

What is stored is each term's postings (rows and counts, a compressed sparse column
matrix) and each row's length, not finished scores: IDF and the average length are
recomputed from them on load, so adding rows (``appended``) tokenizes only the new
texts and merges their postings, and gives the very index a build of all the texts
gives.  A precomputed score matrix (bm25s's own index) changes in every entry whenever
a row is added, and was rebuilt by tokenizing every text again.  Scores are those of
``bm25s.BM25(method="lucene")`` (``tests/test_store.py`` compares them).

A generation stores the postings as numpy arrays (``.npy``, no pickle) and the
vocabulary as JSON, checksummed in the manifest like every other file; loading
memory-maps the arrays.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Collection, Sequence
from functools import cached_property, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

#: Per term (in vocabulary order): where its postings start (``indptr``); per posting: the row
#: and the term's count in it; per row: its length in terms; and the vocabulary.
FILES = ("indptr.npy", "rows.npy", "counts.npy", "lengths.npy", "vocabulary.json")
K1, B = 1.5, 0.75  # bm25s's defaults, which the question sets were tuned with


#: Words of two or more word characters, as bm25s and scikit-learn split them.
WORD = re.compile(r"(?u)\b\w\w+\b")
#: Lucene's English stop words (bm25s's "en"; ``tests/test_store.py`` checks they stay equal).
STOPWORDS = frozenset(
    "a an and are as at be but by for if in into is it no not of on or such that the their then "
    "there these they this to was will with".split()
)


@lru_cache(maxsize=1)
def _stemmer():
    import Stemmer

    return Stemmer.Stemmer("english")


def tokenize(texts: Sequence[str]) -> list[list[str]]:
    """Each text's terms: lower-cased words, stop words dropped, Snowball-stemmed; the terms
    ``bm25s.tokenize(texts, stopwords="en", stemmer=...)`` gives, without importing bm25s
    (and through it SciPy: most of a fresh process's start)."""
    words = [[w for w in WORD.findall(text.lower()) if w not in STOPWORDS] for text in texts]
    unique = list(dict.fromkeys(w for text in words for w in text))
    stems = dict(zip(unique, _stemmer().stemWords(unique), strict=True))
    return [[stems[w] for w in text] for text in words]


class Lexical:
    """A BM25 index: built from texts (``of``), extended (``appended``), or read from a generation."""

    def __init__(self, vocabulary: dict[str, int], indptr, rows, counts, lengths) -> None:
        self._vocabulary = vocabulary  # term -> column
        self._indptr = indptr  # int64, one more than the terms
        self._rows = rows  # int32 per posting
        self._counts = counts  # float32 per posting
        self._lengths = lengths  # int32 per row

    @classmethod
    def of(cls, texts: Sequence[str]) -> Lexical:
        import numpy as np

        empty = cls({}, np.zeros(1, np.int64), np.zeros(0, np.int32), np.zeros(0, np.float32), np.zeros(0, np.int32))
        return empty.appended(texts)

    @classmethod
    def read(cls, folder: Path, size: int) -> Lexical:
        """The index ``write`` left in ``folder``, its arrays memory-mapped; ``size`` rows.
        Raises ValueError (or OSError) when the files do not fit together."""
        import numpy as np

        indptr, rows, counts, lengths = (np.lib.format.open_memmap(folder / name, mode="r") for name in FILES[:4])
        vocabulary = json.loads((folder / FILES[4]).read_text(encoding="utf-8"))
        if not isinstance(vocabulary, dict) or len(indptr) != len(vocabulary) + 1:
            raise ValueError(f"{folder}: {len(indptr) - 1} terms' postings for a vocabulary of {len(vocabulary)}")
        if len(lengths) != size or len(rows) != len(counts) or indptr[-1] != len(rows):
            raise ValueError(f"{folder} holds {len(lengths)} rows and {len(rows)} postings, not {size} rows")
        return cls(vocabulary, indptr, rows, counts, lengths)

    def write(self, folder: Path) -> None:
        import numpy as np

        folder.mkdir(parents=True, exist_ok=True)
        for name, array in zip(FILES, (self._indptr, self._rows, self._counts, self._lengths), strict=False):
            with (folder / name).open("wb") as handle:
                np.save(handle, np.ascontiguousarray(array))
        (folder / FILES[4]).write_text(json.dumps(self._vocabulary, ensure_ascii=False), encoding="utf-8")

    @property
    def size(self) -> int:
        return len(self._lengths)

    def appended(self, texts: Sequence[str]) -> Lexical:
        """This index with ``texts`` as its next rows: only they are tokenized; each term's
        postings stay in row order, old rows' before the new."""
        import numpy as np

        vocabulary = dict(self._vocabulary)
        terms, rows, counts, lengths = [], [], [], []
        for row, words in enumerate(tokenize(texts), start=self.size):
            lengths.append(len(words))
            for word, count in Counter(words).items():
                terms.append(vocabulary.setdefault(word, len(vocabulary)))
                rows.append(row)
                counts.append(count)
        new_terms = np.asarray(terms, dtype=np.int64)
        order = np.lexsort((np.asarray(rows, dtype=np.int64), new_terms))
        new_terms = new_terms[order]
        old = np.zeros(len(vocabulary), dtype=np.int64)
        old[: len(self._indptr) - 1] = np.diff(self._indptr)
        added = np.bincount(new_terms, minlength=len(vocabulary))
        indptr = np.zeros(len(vocabulary) + 1, dtype=np.int64)
        np.cumsum(old + added, out=indptr[1:])
        # An old posting moves by how much its term's start moved; a new one goes after its
        # term's old postings, at its rank among the term's new ones.
        old_terms = np.repeat(np.arange(len(old)), old)
        at_old = np.arange(len(old_terms)) + (indptr[:-1] - np.concatenate(([0], np.cumsum(old)[:-1])))[old_terms]
        rank = np.arange(len(new_terms)) - np.searchsorted(new_terms, new_terms, side="left")
        at_new = indptr[new_terms] + old[new_terms] + rank
        all_rows = np.empty(indptr[-1], dtype=np.int32)
        all_counts = np.empty(indptr[-1], dtype=np.float32)
        all_rows[at_old], all_counts[at_old] = self._rows, self._counts
        all_rows[at_new] = np.asarray(rows, dtype=np.int32)[order]
        all_counts[at_new] = np.asarray(counts, dtype=np.float32)[order]
        all_lengths = np.concatenate((self._lengths, np.asarray(lengths, dtype=np.int32)))
        return Lexical(vocabulary, indptr, all_rows, all_counts, all_lengths)

    @property
    def vocabulary(self) -> Collection[str]:
        """The indexed (stemmed) terms."""
        return self._vocabulary.keys()

    @cached_property
    def _norms(self) -> np.ndarray:
        """Each row's length normalisation, k1 * (1 - b + b * length / average length)."""
        import numpy as np

        average = float(np.mean(self._lengths)) if self.size else 1.0
        return (K1 * (1 - B + B * np.asarray(self._lengths, dtype=np.float32) / max(average, 1e-9))).astype(np.float32)

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every row, in row order (all zero when no query term is indexed);
        a term the query repeats counts each time, as in bm25s."""
        import numpy as np

        scores = np.zeros(self.size, dtype=np.float32)
        for token in tokenize([query])[0]:
            term = self._vocabulary.get(token)
            if term is None:
                continue
            begin, end = int(self._indptr[term]), int(self._indptr[term + 1])
            rows, counts = self._rows[begin:end], self._counts[begin:end]
            idf = math.log(1 + (self.size - (end - begin) + 0.5) / (end - begin + 0.5))
            scores[rows] += np.float32(idf) * counts / (counts + self._norms[rows])
        return scores
