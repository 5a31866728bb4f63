"""The records passed between modules: small frozen dataclasses, tuples inside.

Offsets (``start``, ``end``) are always character offsets into ``Document.text``,
the *cleaned* article, so ``doc.text[start:end] == record.text`` holds everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Document:
    """One cleaned article.

    ``doc_id`` is the file's path relative to the corpus folder (deterministic,
    readable, unique).  Metadata fields are ``""`` when the article does not
    state them: nothing is invented.  ``date`` is ISO ``YYYY-MM-DD``.
    """

    doc_id: str
    title: str
    publication: str
    author: str
    date: str
    text: str
    content_hash: str  # sha256 of ``text``: the unit of incremental re-embedding

    @property
    def label(self) -> str:
        """A human label: the title, else the start of the text, else the id."""
        if self.title:
            return self.title
        first = self.text.split("\n", 1)[0].strip()
        if first:
            return first if len(first) <= 80 else first[:77].rstrip() + "…"
        return self.doc_id


@dataclass(frozen=True)
class Removal:
    """A line dropped while cleaning an article, with why (for ``index --report``)."""

    line_no: int  # 1-based line in the source file (after front matter parsing)
    text: str
    reason: str


@dataclass(frozen=True)
class Sentence:
    doc_id: str
    index: int  # position within the document
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Chunk:
    """A retrieval unit: a run of whole sentences (or a piece of an over-long one)."""

    chunk_id: str  # f"{doc_id}#{index}"
    doc_id: str
    index: int
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Passage:
    """A retrieved chunk with the provenance a citation needs."""

    chunk_id: str
    doc_id: str
    text: str
    score: float
    title: str
    source: str  # the publication, "" when unknown
    date: str
    start: int
    end: int
