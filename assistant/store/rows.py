"""Chunk and sentence rows as four integer columns on disk, not one Python object per row.

A row is (document number, index within its document, start, end): its text is a slice of
its document's text and a chunk's id is ``f"{doc_id}#{index}"``, as ``ingest.split`` makes
them.  At archive scale an index has hundreds of thousands of rows; one object per row,
each holding a copy of its text, was most of a serving process's memory and seconds of
its start.  As columns they are a few megabytes, memory-mapped from the generation, and
a row becomes a ``Chunk`` or ``Sentence`` only when someone reads it.

The store writes a document's rows together and in index order, documents in the order
of ``documents.jsonl``; so the document column never decreases, and a document's rows are
a range found by bisection (``span``).  ``read`` checks that order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Generic, TypeVar, overload

from assistant.types import Chunk, Document, Sentence

if TYPE_CHECKING:
    import numpy as np

Row = TypeVar("Row", Chunk, Sentence)


def make_chunk(doc: Document, index: int, start: int, end: int) -> Chunk:
    return Chunk(f"{doc.doc_id}#{index}", doc.doc_id, index, start, end, doc.text[start:end])


def make_sentence(doc: Document, index: int, start: int, end: int) -> Sentence:
    return Sentence(doc.doc_id, index, start, end, doc.text[start:end])


class Rows(Sequence[Row], Generic[Row]):
    """One kind of row (chunks or sentences) of a generation, read as records on demand."""

    def __init__(
        self, table: np.ndarray, documents: Sequence[Document], make: Callable[[Document, int, int, int], Row]
    ) -> None:
        self.table = table  # (rows, 4) int32: document number, index, start, end
        self.documents = documents  # by document number
        self._make = make

    @classmethod
    def of(cls, records: Sequence[Chunk | Sentence], documents: Sequence[Document], make: Callable) -> Rows:
        """The columns of ``records``, which must come grouped by document in ``documents`` order."""
        import numpy as np

        number = {d.doc_id: n for n, d in enumerate(documents)}
        table = np.array([(number[r.doc_id], r.index, r.start, r.end) for r in records], dtype=np.int32)
        return cls(table.reshape(len(records), 4), documents, make)

    @classmethod
    def read(cls, path: Path, documents: Sequence[Document], make: Callable) -> Rows:
        """The columns ``write`` left at ``path``, memory-mapped; raises ValueError when they do
        not fit ``documents`` or are out of order."""
        import numpy as np

        table = np.lib.format.open_memmap(path, mode="r")  # never unpickles: objects cannot be mapped
        if table.dtype != np.int32 or table.ndim != 2 or table.shape[1] != 4:
            raise ValueError(f"{path} holds {table.dtype} {table.shape}, not rows of four int32 columns")
        docs = table[:, 0]
        if len(table) and (docs[0] < 0 or docs[-1] >= len(documents) or (np.diff(docs) < 0).any()):
            raise ValueError(f"{path} names documents out of order or beyond the {len(documents)} indexed")
        return cls(table, documents, make)

    def write(self, path: Path) -> None:
        import numpy as np

        with path.open("wb") as handle:
            np.save(handle, np.ascontiguousarray(self.table, dtype=np.int32))

    def __len__(self) -> int:
        return len(self.table)

    @overload
    def __getitem__(self, row: int) -> Row: ...
    @overload
    def __getitem__(self, row: slice) -> list[Row]: ...
    def __getitem__(self, row):
        if isinstance(row, slice):
            return [self[r] for r in range(*row.indices(len(self)))]
        number, index, start, end = (int(v) for v in self.table[row])
        return self._make(self.documents[number], index, start, end)

    def __iter__(self) -> Iterator[Row]:
        for row in range(len(self)):
            yield self[row]

    def followed_by(self, other: Rows[Row]) -> Rows[Row]:
        """These rows and then ``other``'s, over ``other``'s documents (which begin with these')."""
        import numpy as np

        return Rows(np.concatenate((self.table, other.table)), other.documents, other._make)

    def spans(self) -> Iterator[tuple[Document, int, int]]:
        """Each row's document and offsets, without making its record."""
        for number, _, start, end in self.table.tolist():
            yield self.documents[number], start, end

    @property
    def document_numbers(self):
        """Each row's document number (a column: no records are made)."""
        return self.table[:, 0]

    def doc_id(self, row: int) -> str:
        return self.documents[int(self.table[row, 0])].doc_id

    @cached_property
    def _firsts(self) -> np.ndarray:
        """Where each document's rows begin, and (last) the row count: one pass over the column."""
        import numpy as np

        return np.searchsorted(self.document_numbers, np.arange(len(self.documents) + 1))

    def span(self, number: int) -> range:
        """The rows of document ``number``."""
        return range(int(self._firsts[number]), int(self._firsts[number + 1]))

    @cached_property
    def numbers(self) -> dict[str, int]:
        """Each document's number: its position in ``documents``, its rows' first column."""
        return {doc.doc_id: n for n, doc in enumerate(self.documents)}

    def of_document(self, doc_id: str) -> range:
        """The rows of document ``doc_id`` (KeyError when it is not indexed)."""
        return self.span(self.numbers[doc_id])


class ByDocument(Mapping[str, tuple[Row, ...]]):
    """Each document's rows, in order, made when asked for: ``index.sentences[doc_id]``."""

    def __init__(self, rows: Rows[Row]) -> None:
        self._rows = rows

    def __getitem__(self, doc_id: str) -> tuple[Row, ...]:
        return tuple(self._rows[r] for r in self._rows.of_document(doc_id))

    def __iter__(self) -> Iterator[str]:
        return iter(self._rows.numbers)

    def __len__(self) -> int:
        return len(self._rows.numbers)


def overlaps(chunks: Rows, sentences: Rows) -> tuple[np.ndarray, np.ndarray]:
    """Every (sentence row, chunk row) pair whose spans overlap in the same document, sorted by
    sentence then chunk (overlapping chunks share sentences), computed on the columns.

    A document's sentences do not overlap each other, so by (document, end) and by
    (document, start) they are sorted; a chunk's sentences are the run from the first
    whose end is past the chunk's start to the last whose start is before its end.
    """
    import numpy as np

    def key(rows: Rows, column: int) -> np.ndarray:
        return (rows.table[:, 0].astype(np.int64) << 32) | rows.table[:, column].astype(np.int64)

    first = np.searchsorted(key(sentences, 3), key(chunks, 2), side="right")
    stop = np.searchsorted(key(sentences, 2), key(chunks, 3), side="left")
    counts = np.maximum(stop - first, 0)
    chunk = np.repeat(np.arange(len(chunks), dtype=np.intp), counts)
    offset = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    sentence = (np.repeat(first, counts) + offset).astype(np.intp)
    order = np.lexsort((chunk, sentence))
    return sentence[order], chunk[order]
