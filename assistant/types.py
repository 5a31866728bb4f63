"""The records passed between modules: small frozen dataclasses, tuples inside.

Offsets (``start``, ``end``) are always character offsets into ``Document.text``,
the *cleaned* article, so ``doc.text[start:end] == record.text`` holds everywhere.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

#: A long job's report of how far it has come: ``progress(phase, done, total)``, called as
#: each phase advances, ``done == total`` last.  The CLI draws it as a bar, the web app as
#: its progress indicator.
Progress = Callable[[str, int, int], None]


def no_progress(phase: str, done: int, total: int) -> None:
    """The ``Progress`` of a job nobody watches."""


#: A build's phases, in order, and what each counts.
PHASES = {"reading": "file", "cleaning": "article", "splitting": "article", "embedding": "text", "indexing": "file"}


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
    # The page's date line as written, when nothing decided its day/month order ("09/10/2021"):
    # shown, flagged, never guessed; ``date`` is then "".
    date_written: str = ""
    url: str = ""  # the page's address, for an article added by URL or feed (``ingest.live``)

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
    label: str = ""  # how the article is named to a reader (``Document.label``), the same everywhere


@dataclass(frozen=True)
class Citation:
    """One cited run of consecutive sentences of one article.

    ``text == document.text[start:end]`` exactly: what the reader sees quoted is
    what the article says.  ``date`` is the article's date ("" when unknown);
    ``date_notes`` resolve relative dates in the text ("Thursday" -> a day) when
    the article's date is known.
    """

    number: int
    doc_id: str
    title: str
    publication: str
    date: str
    text: str
    start: int
    end: int
    sentences: tuple[int, ...]  # sentence indexes within the document
    date_notes: tuple[str, ...] = ()
    date_written: str = ""  # the article's undecided date line, as written (``Document.date_written``)
    # Who the quoted text says is speaking (``answer.accounts``): a person, an organisation, a
    # country, "unnamed sources"; "" when it attributes to no one.
    stated_by: str = ""
    label: str = ""  # how the article is named to a reader (``Document.label``), the same everywhere


@dataclass(frozen=True)
class Statement:
    """A sentence of an article that states a fact of the answer: the answer's own sentence,
    or another article's that says the same (``answer.corroboration``)."""

    doc_id: str
    index: int
    start: int
    end: int
    text: str
    title: str
    publication: str  # "" when unknown
    date: str
    stated_by: str  # who it says is speaking (``answer.accounts.stated_by``), "" when no one
    label: str = ""  # how the article is named to a reader (``Document.label``), the same everywhere


@dataclass(frozen=True)
class AnswerSentence:
    """A sentence of the answer: verbatim from ``doc_id`` at ``start:end``."""

    text: str
    doc_id: str
    index: int  # sentence index within the document
    start: int
    end: int
    citations: tuple[int, ...]  # citation numbers; more than one when sources agree
    score: float | None  # cross-encoder logit; None for a sentence quoted only as context for the next
    # The articles stating the same fact, this sentence's own first, one statement per article.
    stated_in: tuple[Statement, ...] = ()

    @property
    def articles(self) -> int:
        return len(self.stated_in)

    @property
    def publications(self) -> int:
        """Distinct publications among ``stated_in``; an article of unknown publication counts as its own."""
        return len({s.publication or f"article {s.doc_id}" for s in self.stated_in})

    @property
    def single_unnamed(self) -> bool:
        """The fact rests on one article quoting unnamed sources (an official, "people familiar")."""
        return len(self.stated_in) == 1 and self.stated_in[0].stated_by == "unnamed sources"


@dataclass(frozen=True)
class Answer:
    question: str
    query: str  # what was searched: the question, resolved against the conversation
    text: str  # what the reader sees: sentences with [n] markers
    sentences: tuple[AnswerSentence, ...]
    citations: tuple[Citation, ...]
    abstained: bool
    reason: str  # why it abstained, or ""
    passages: tuple[Passage, ...]  # what was considered
    best_score: float | None = None  # best candidate's cross-encoder logit (what abstention compares)
    disagreement: bool = False  # sources give different accounts, shown grouped
    # "answered"; "partial": the articles are about the question but do not give what it asks,
    # and the nearest quotes follow a sentence saying so; "not_in_articles": nothing relevant.
    # ``abstained`` is True for both of the latter: neither answers the question.
    outcome: str = "answered"
    answerability: float | None = None  # the answerability model's logit for the best sentence, when it ran
    summary: bool = False  # a summary across articles for a broad question (``answer.summary``)
