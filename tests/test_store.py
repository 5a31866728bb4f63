"""The store round-trips exactly, and refuses corrupt, stale or mismatched indexes with a specific error."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from assistant.errors import IndexCorruptError, IndexMismatchError, IndexMissingError, IndexOutdatedError
from assistant.pipeline import chunking_of
from assistant.store import current_generation, open_index


@pytest.fixture
def index_copy(built, tmp_path) -> Path:
    target = tmp_path / "index"
    shutil.copytree(built[1], target)
    return target


def test_round_trip_offsets_are_exact(built, embedder, settings):
    index = open_index(built[1], embedder.info, chunking_of(settings))
    assert len(index.documents) == 5
    assert index.chunk_index.ntotal == len(index.chunks) > 5
    for chunk in index.chunks:
        doc = index.documents[chunk.doc_id]
        assert doc.text[chunk.start : chunk.end] == chunk.text and chunk.text.strip() == chunk.text
        assert embedder.count_tokens(chunk.text) <= embedder.info.max_tokens
    for doc_id, sentences in index.sentences.items():
        text = index.documents[doc_id].text
        assert [s.index for s in sentences] == list(range(len(sentences)))
        assert all(text[s.start : s.end] == s.text for s in sentences)
    manifest = index.manifest
    assert manifest["model"]["name"] == "e5-small-v2" and manifest["model"]["dim"] == 384
    assert manifest["counts"] == {"documents": 5, "chunks": len(index.chunks),
                                  "sentences": len(index.sentence_rows)}
    assert index.sentence_index.ntotal == len(index.sentence_rows) == sum(map(len, index.sentences.values()))
    assert manifest["chunking"]["chunk_tokens"] == settings.chunk_tokens
    assert {"faiss-cpu", "numpy", "onnxruntime"} <= set(manifest["versions"])


def test_stored_vectors_match_a_fresh_encoding(built, embedder, settings):
    import numpy as np

    from assistant.indexing import passage_text

    index = open_index(built[1], embedder.info, chunking_of(settings))
    chunks = index.chunks[:3]
    again = embedder.encode_documents([passage_text(index.documents[c.doc_id], c.text) for c in chunks])
    np.testing.assert_allclose(index.chunk_vectors([0, 1, 2]), again, atol=1e-5)
    sentences = index.sentence_rows[:3]
    np.testing.assert_allclose(index.sentence_vectors([0, 1, 2]),
                               embedder.encode_documents([passage_text(index.documents[s.doc_id], s.text)
                                                          for s in sentences]), atol=1e-5)


def _break(index_dir: Path, how: str) -> None:
    gen = current_generation(index_dir)
    manifest_path = gen / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    if how == "truncated faiss":
        data = (gen / "chunks.faiss").read_bytes()
        (gen / "chunks.faiss").write_bytes(data[: len(data) // 2])
    elif how == "edited jsonl":
        text = (gen / "documents.jsonl").read_text()
        (gen / "documents.jsonl").write_text(text.replace("Kerry", "Kerri", 1))
    elif how == "truncated jsonl":
        lines = (gen / "chunks.jsonl").read_text().splitlines(keepends=True)
        (gen / "chunks.jsonl").write_text("".join(lines[:-1]))
    elif how == "missing file":
        (gen / "sentences.jsonl").unlink()
    elif how == "missing manifest":
        manifest_path.unlink()
    elif how == "garbled manifest":
        manifest_path.write_text("{not json")
    elif how == "pointer to nothing":
        (index_dir / "CURRENT").write_text("gen-does-not-exist\n")
    elif how in ("other model", "other dimension", "changed weights", "newer format", "older format",
                 "other chunking"):
        if how == "other model":
            manifest["model"]["name"] = "all-MiniLM-L6-v2"
        elif how == "other dimension":
            manifest["model"]["dim"] = 768
        elif how == "changed weights":
            manifest["model"]["fingerprint"] = "123-abc"
        elif how == "newer format":
            manifest["format_version"] = 99
        elif how == "older format":
            manifest["format_version"] = 1
        else:
            manifest["chunking"]["chunk_tokens"] = 999
        manifest_path.write_text(json.dumps(manifest))


@pytest.mark.parametrize(
    "how, error, phrase",
    [
        ("truncated faiss", IndexCorruptError, "checksum"),
        ("edited jsonl", IndexCorruptError, "checksum"),
        ("truncated jsonl", IndexCorruptError, "checksum"),
        ("missing file", IndexCorruptError, "missing"),
        ("missing manifest", IndexCorruptError, "missing"),
        ("garbled manifest", IndexCorruptError, "not valid JSON"),
        ("pointer to nothing", IndexCorruptError, "not an index generation"),
        ("other model", IndexMismatchError, "all-MiniLM-L6-v2"),
        ("other dimension", IndexMismatchError, "768"),
        ("changed weights", IndexMismatchError, "fingerprint"),
        ("newer format", IndexMismatchError, "newer"),
        ("older format", IndexOutdatedError, "older"),
        ("other chunking", IndexMismatchError, "chunked"),
    ],
)
def test_broken_index_raises_specific_error_naming_the_fix(index_copy, embedder, settings, how, error, phrase):
    _break(index_copy, how)
    with pytest.raises(error) as caught:
        open_index(index_copy, embedder.info, chunking_of(settings))
    message = str(caught.value)
    assert phrase in message
    assert "assistant index" in message


def test_missing_index_says_how_to_build(tmp_path, embedder, settings):
    with pytest.raises(IndexMissingError, match="assistant index"):
        open_index(tmp_path / "nothing", embedder.info, chunking_of(settings))


def test_loading_with_another_model_is_refused(built, embedder, settings):
    other = replace(embedder.info, name="all-MiniLM-L6-v2", backend="sentence-transformers")
    with pytest.raises(IndexMismatchError, match="e5-small-v2"):
        open_index(built[1], other, chunking_of(settings))


def test_leftover_temporary_from_a_crash_is_ignored_and_cleaned(index_copy, embedder, settings, corpus_copy):
    from assistant.pipeline import build_index

    crashed = index_copy / ".tmp-gen-1-abc"
    crashed.mkdir()
    (crashed / "chunks.faiss").write_bytes(b"half written")
    before = open_index(index_copy, embedder.info, chunking_of(settings))
    assert len(before.chunks) > 0
    (corpus_copy / "000_2925cdf53f121f79.txt").unlink()
    build_index(corpus_copy, index_copy, settings, embedder=embedder)
    assert not crashed.exists()
    assert len(open_index(index_copy, embedder.info, chunking_of(settings)).documents) == 4


def test_index_folder_is_private(built):
    assert built[1].stat().st_mode & 0o077 == 0
