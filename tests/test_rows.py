"""Rows as columns: records made on demand equal the split's, overlaps equal a brute-force
join, a document's rows are its range, and columns that do not fit are refused."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from assistant.ingest.corpus import read_corpus
from assistant.ingest.split import Chunking, split_document
from assistant.store.rows import ByDocument, Rows, make_chunk, make_sentence, overlaps

OTHER_DOMAINS = Path(__file__).resolve().parent / "corpora"


@pytest.fixture(scope="module")
def split(embedder):
    """The other-domain fixture articles, split into small chunks that overlap by whole
    sentences (so that some sentences fall in two chunks)."""
    documents = [a.document for a in read_corpus(OTHER_DOMAINS).articles if a.document.doc_id.endswith(".txt")]
    pieces = [split_document(d, Chunking(60, 40), embedder.count_tokens, embedder.info.max_tokens) for d in documents]
    sentences = [s for p in pieces for s in p[0]]
    chunks = [c for p in pieces for c in p[1]]
    return documents, Rows.of(chunks, documents, make_chunk), Rows.of(sentences, documents, make_sentence), pieces


def test_rows_give_back_the_split_records(split):
    documents, chunks, sentences, pieces = split
    assert len(documents) == 6 and len(chunks) > len(documents)
    assert list(chunks) == [c for p in pieces for c in p[1]]
    assert list(sentences) == [s for p in pieces for s in p[0]]
    assert chunks[1:3] == [chunks[1], chunks[2]] and chunks[-1] == list(chunks)[-1]
    by_document = ByDocument(sentences)
    assert list(by_document) == [d.doc_id for d in documents]
    for document, (own, _) in zip(documents, pieces, strict=True):
        assert by_document[document.doc_id] == tuple(own)
    assert [chunks.doc_id(r) for r in range(len(chunks))] == [c.doc_id for c in chunks]


def test_overlaps_are_the_brute_force_join(split):
    _, chunks, sentences, _ = split
    expected = sorted(
        (s, c)
        for s, sentence in enumerate(sentences)
        for c, chunk in enumerate(chunks)
        if chunk.doc_id == sentence.doc_id and chunk.start < sentence.end and sentence.start < chunk.end
    )
    sentence_rows, chunk_rows = overlaps(chunks, sentences)
    assert list(zip(sentence_rows.tolist(), chunk_rows.tolist(), strict=True)) == expected
    assert len(expected) > len(sentences), "some sentence lies in two overlapping chunks"


def test_columns_are_read_memory_mapped_and_checked(split, tmp_path):
    documents, chunks, _, _ = split
    chunks.write(tmp_path / "rows.npy")
    read = Rows.read(tmp_path / "rows.npy", documents, make_chunk)
    assert isinstance(read.table, np.memmap) and list(read) == list(chunks)
    with pytest.raises(ValueError, match="beyond"):
        Rows.read(tmp_path / "rows.npy", documents[:2], make_chunk)
    shuffled = np.array(chunks.table)[::-1]
    np.save(tmp_path / "shuffled.npy", shuffled)
    with pytest.raises(ValueError, match="out of order"):
        Rows.read(tmp_path / "shuffled.npy", documents, make_chunk)
    np.save(tmp_path / "wide.npy", np.zeros((3, 5), np.int32))
    with pytest.raises(ValueError, match="four int32 columns"):
        Rows.read(tmp_path / "wide.npy", documents, make_chunk)
