"""A document's retrieval units: its sentences and chunks, with exact offsets, and the text
embedded for each.

Chunks are sized so that what is embedded (the article's title, then the chunk)
fits the embedding model, whose token counter and input limit are passed in: the
ingest stage knows no model.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from assistant.ingest.chunking import chunk_spans
from assistant.ingest.sentences import split_sentences
from assistant.settings import Settings
from assistant.types import Chunk, Document, Sentence


@dataclass(frozen=True)
class Chunking:
    """The chunking settings an index was built with (a change means re-chunking)."""

    chunk_tokens: int
    overlap_tokens: int
    tokenizer: str = "cl100k_base"

    @classmethod
    def of(cls, settings: Settings) -> Chunking:
        return cls(settings.chunk_tokens, settings.overlap_tokens)


def passage_text(doc: Document, text: str) -> str:
    """What is embedded (and indexed by BM25) for a chunk or a sentence: the article's title,
    then the text.

    A chunk deep in an article rarely names what the article is about, and a
    sentence ("It lasted 90 minutes") even less; the title puts it back.  The
    README's "Measured quality" section gives the effect on retrieval.
    """
    return f"{doc.title}\n{text}" if doc.title else text


def split_document(
    doc: Document,
    chunking: Chunking,
    count_model_tokens: Callable[[str], int],
    max_model_tokens: int,
) -> tuple[list[Sentence], list[Chunk]]:
    """A document's sentences and its chunks, all with exact offsets into ``doc.text``.

    ``count_model_tokens`` and ``max_model_tokens`` are the embedding model's: each
    chunk's ``passage_text`` fits within them.
    """
    spans = split_sentences(doc.text)
    sentences = [Sentence(doc.doc_id, i, s, e, doc.text[s:e]) for i, (s, e) in enumerate(spans)]
    chunk_offsets = chunk_spans(
        doc.text,
        spans,
        chunk_tokens=chunking.chunk_tokens,
        overlap_tokens=chunking.overlap_tokens,
        count_model_tokens=lambda text: count_model_tokens(passage_text(doc, text)),
        max_model_tokens=max_model_tokens,
    )
    chunks = [Chunk(f"{doc.doc_id}#{i}", doc.doc_id, i, s, e, doc.text[s:e]) for i, (s, e) in enumerate(chunk_offsets)]
    return sentences, chunks
