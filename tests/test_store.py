"""The store round-trips exactly, and refuses corrupt, stale or mismatched indexes with a specific error."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from badfiles import break_index

from assistant.errors import (
    IndexCorruptError,
    IndexMismatchError,
    IndexMissingError,
    IndexOutdatedError,
)
from assistant.ingest.split import Chunking
from assistant.models import answerability
from assistant.models.rerank import cross_encoder_info
from assistant.store.generation import Counts, current_generation, open_index

OTHER_DOMAINS = Path(__file__).resolve().parent / "corpora"


def test_round_trip_offsets_are_exact(built, embedder, settings):
    index = open_index(built[1], embedder.info, Chunking.of(settings))
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
    assert manifest.model.name == "e5-small-v2" and manifest.model.dim == 384
    assert manifest.counts == Counts(5, len(index.chunks), len(index.sentence_rows))
    assert manifest.readers == (cross_encoder_info(), answerability.model_info())
    assert index.sentence_index.ntotal == len(index.sentence_rows) == sum(map(len, index.sentences.values()))
    assert manifest.chunking.chunk_tokens == settings.chunk_tokens
    assert {"faiss-cpu", "numpy", "onnxruntime"} <= set(manifest.versions)


def test_a_manifest_written_before_readers_reads_its_cross_encoder(built, embedder, settings):
    from dataclasses import asdict

    from assistant.store.generation import Manifest

    data = asdict(open_index(built[1], embedder.info, Chunking.of(settings)).manifest)
    data["reranker"] = asdict(cross_encoder_info())
    del data["readers"]
    assert Manifest.from_json(data).readers == (cross_encoder_info(),)


def test_stored_vectors_match_a_fresh_encoding(built, embedder, settings):
    import numpy as np

    from assistant.ingest.split import passage_text

    index = open_index(built[1], embedder.info, Chunking.of(settings))
    chunks = index.chunks[:3]
    again = embedder.encode_documents([passage_text(index.documents[c.doc_id], c.text) for c in chunks])
    np.testing.assert_allclose(index.chunk_vectors([0, 1, 2]), again, atol=1e-5)
    sentences = index.sentence_rows[:3]
    np.testing.assert_allclose(
        index.sentence_vectors([0, 1, 2]),
        embedder.encode_documents([passage_text(index.documents[s.doc_id], s.text) for s in sentences]),
        atol=1e-5,
    )


def test_stored_bm25_scores_as_one_built_from_the_texts_and_is_memory_mapped(built, embedder, settings):
    import numpy as np

    from assistant.ingest.split import passage_text
    from assistant.store.lexical import Lexical

    index = open_index(built[1], embedder.info, Chunking.of(settings))
    for rows, stored in ((index.chunks, index.chunk_lexical), (index.sentence_rows, index.sentence_lexical)):
        fresh = Lexical.of([passage_text(index.documents[r.doc_id], r.text) for r in rows])
        for query in ("climate envoy video call", "Alaska talks human rights", "nothing zzyzx"):
            np.testing.assert_array_equal(stored.scores(query), fresh.scores(query))
        assert all(isinstance(getattr(stored, f"_{name}"), np.memmap) for name in ("indptr", "rows", "counts"))


def _fixture_texts() -> list[str]:
    """Lines of the other-domain fixture articles (sport, business, conflict)."""
    lines = (line.strip() for path in sorted(OTHER_DOMAINS.glob("*/*.txt")) for line in path.read_text().splitlines())
    return [line for line in lines if line]


def test_bm25_scores_are_bm25s_lucene_scores_and_appending_builds_the_same_index(tmp_path):
    """Scores equal bm25s's own Lucene index of the same tokens (the reference); an index built
    in three appends has the same postings, vocabulary and scores as one built at once, and
    survives writing and reading."""
    import bm25s
    import numpy as np

    from assistant.store.lexical import Lexical, tokenize

    texts = _fixture_texts()
    assert len(texts) > 60
    reference = bm25s.BM25(method="lucene")
    reference.index(tokenize(texts), show_progress=False)
    whole = Lexical.of(texts)
    third = len(texts) // 3
    pieces = Lexical.of(texts[:third]).appended(texts[third : 2 * third]).appended([]).appended(texts[2 * third :])
    pieces.write(tmp_path)
    read = Lexical.read(tmp_path, len(texts))
    for name in ("indptr", "rows", "counts", "lengths"):
        np.testing.assert_array_equal(getattr(pieces, f"_{name}"), getattr(whole, f"_{name}"))
    assert list(read.vocabulary) == list(whole.vocabulary)
    queries = [" ".join(t.split()[:6]) for t in texts[::7]] + ["the the striker striker", "zzyzx"]
    for query in queries:
        tokens = [t for t in tokenize([query])[0] if t in reference.vocab_dict]
        expected = reference.get_scores(tokens) if tokens else np.zeros(len(texts))
        np.testing.assert_allclose(whole.scores(query), expected, rtol=1e-5, atol=1e-6)
        np.testing.assert_array_equal(read.scores(query), whole.scores(query))
    with pytest.raises(ValueError, match="rows"):
        Lexical.read(tmp_path, len(texts) + 1)


def test_terms_are_the_ones_bm25s_tokenizes():
    """The tokenizer is bm25s's (English stop words, Snowball stemmer) without importing it."""
    import bm25s
    from bm25s.stopwords import STOPWORDS_EN

    from assistant.store.lexical import STOPWORDS, _stemmer, tokenize

    assert set(STOPWORDS_EN) == STOPWORDS
    texts = [*_fixture_texts(), "", "the and of", "Déjà vu: naïve café-goers' 2nd U.S. visit, 1987's 12.5% rise"]
    expected = bm25s.tokenize(texts, stopwords="en", stemmer=_stemmer(), return_ids=False, show_progress=False)
    assert tokenize(texts) == expected


@pytest.mark.parametrize(
    "how, error, phrase",
    [
        ("truncated faiss", IndexCorruptError, "checksum"),
        ("edited jsonl", IndexCorruptError, "checksum"),
        ("truncated rows", IndexCorruptError, "checksum"),
        ("missing file", IndexCorruptError, "missing"),
        ("edited bm25", IndexCorruptError, "checksum"),
        ("missing bm25", IndexCorruptError, "missing"),
        ("missing manifest", IndexCorruptError, "missing"),
        ("garbled manifest", IndexCorruptError, "not valid JSON"),
        ("pointer to nothing", IndexCorruptError, "not an index generation"),
        ("other model", IndexMismatchError, "all-MiniLM-L6-v2"),
        ("other dimension", IndexMismatchError, "768"),
        ("changed weights", IndexMismatchError, "fingerprint"),
        ("newer format", IndexMismatchError, "newer"),
        ("older format", IndexOutdatedError, "older"),
        ("other chunking", IndexMismatchError, "chunked"),
        ("other index kind", IndexCorruptError, "IndexHNSWFlat"),
    ],
)
def test_broken_index_raises_specific_error_naming_the_fix(index_copy, embedder, settings, how, error, phrase):
    break_index(index_copy, how)
    with pytest.raises(error) as caught:
        open_index(index_copy, embedder.info, Chunking.of(settings))
    message = str(caught.value)
    assert phrase in message
    assert "assistant index" in message


def test_missing_index_says_how_to_build(tmp_path, embedder, settings):
    with pytest.raises(IndexMissingError, match="assistant index"):
        open_index(tmp_path / "nothing", embedder.info, Chunking.of(settings))


def test_loading_with_another_model_is_refused(built, embedder, settings):
    other = replace(embedder.info, name="all-MiniLM-L6-v2", backend="sentence-transformers")
    with pytest.raises(IndexMismatchError, match="e5-small-v2"):
        open_index(built[1], other, Chunking.of(settings))


def test_leftover_temporary_from_a_crash_is_ignored_and_cleaned(index_copy, embedder, settings, corpus_copy):
    from assistant.pipeline import build_index

    crashed = index_copy / ".tmp-gen-1-abc"
    crashed.mkdir()
    (crashed / "chunks.faiss").write_bytes(b"half written")
    before = open_index(index_copy, embedder.info, Chunking.of(settings))
    assert len(before.chunks) > 0
    (corpus_copy / "000_2925cdf53f121f79.txt").unlink()
    build_index(corpus_copy, index_copy, settings, embedder=embedder)
    assert not crashed.exists()
    assert len(open_index(index_copy, embedder.info, Chunking.of(settings)).documents) == 4


def test_index_folder_is_private(built):
    assert built[1].stat().st_mode & 0o077 == 0


def test_a_manifest_from_before_hnsw_still_loads(index_copy, embedder, settings):
    """Indexes written before the approximate path record the bare string; the format is unchanged."""
    path = current_generation(index_copy) / "manifest.json"
    manifest = json.loads(path.read_text())
    # The bundled corpus is small, so exact.
    assert manifest["faiss_index"]["chunks.faiss"]["type"] == "IndexFlatIP"
    manifest["faiss_index"] = "IndexFlatIP"
    path.write_text(json.dumps(manifest))
    index = open_index(index_copy, embedder.info, Chunking.of(settings))
    assert type(index.chunk_index).__name__ == type(index.sentence_index).__name__ == "IndexFlatIP"


def _clustered_unit_vectors(rng, n: int, dim: int, centres):
    """Unit vectors around a few topics, as news sentences are (uniform random ones have no neighbours)."""
    import numpy as np

    vectors = centres[rng.integers(len(centres), size=n)] + 0.6 * rng.standard_normal((n, dim)) / np.sqrt(dim)
    return (vectors / np.linalg.norm(vectors, axis=1, keepdims=True)).astype(np.float32)


def test_the_index_kind_follows_the_row_count():
    from assistant.settings import Settings
    from assistant.store.vectors import FLAT, HNSW, VectorIndex, choose_index

    settings = Settings()
    assert choose_index(settings.approximate_above, settings).type == FLAT
    hnsw = choose_index(settings.approximate_above + 1, settings)
    assert hnsw == VectorIndex(HNSW, settings.hnsw_m, settings.hnsw_ef_construction, settings.hnsw_ef_search)
    # An empty file stays exact.
    always = Settings(approximate_above=0)
    assert choose_index(0, always).type == FLAT
    assert choose_index(1, always).type == HNSW


def test_above_the_threshold_an_hnsw_index_is_written_recorded_and_agrees_with_exact(
    tmp_path,
):
    """The ``approximate_above`` setting at 1,000 makes the sentences (2,000 rows) HNSW, the chunks
    (300) stay exact; the stored HNSW index loads, finds what exact search finds, and filters."""
    import numpy as np

    from assistant.ingest.split import Chunking
    from assistant.models.embedding import ModelInfo
    from assistant.retrieve.search import _search
    from assistant.settings import Settings
    from assistant.store.generation import Contents, write_index
    from assistant.store.rows import Rows, make_chunk, make_sentence
    from assistant.store.vectors import VectorIndex
    from assistant.types import Chunk, Document, Sentence

    settings = Settings(approximate_above=1000)
    rng = np.random.default_rng(5)
    dim = 384
    centres = rng.standard_normal((40, dim)) / np.sqrt(dim)
    sentence_vectors = _clustered_unit_vectors(rng, 2000, dim, centres)
    chunk_vectors = _clustered_unit_vectors(rng, 300, dim, centres)
    text = "One sentence. " * 2000
    doc = Document("a.txt", "A", "", "", "", text, "0" * 64)
    sentences = [Sentence("a.txt", i, 14 * i, 14 * i + 13, "") for i in range(2000)]
    chunks = [Chunk(f"a.txt#{i}", "a.txt", i, 14 * i, 14 * i + 13, "") for i in range(300)]
    model, chunking = ModelInfo("test", "none", dim, 512, "f"), Chunking(240, 60)
    rows = Rows.of(chunks, [doc], make_chunk), Rows.of(sentences, [doc], make_sentence)
    write_index(tmp_path, Contents([doc], *rows, chunk_vectors, sentence_vectors), model, settings)
    assert not list(tmp_path.glob(".tmp-*"))  # written beside, then renamed into place

    index = open_index(tmp_path, model, chunking)
    maps = Path("/proc/self/maps").read_text(encoding="utf-8")
    assert all(f"{index.path / name}\n" in maps for name in ("chunks.faiss", "sentences.faiss")), "memory-mapped"
    recorded = index.manifest.faiss_index
    assert recorded["chunks.faiss"].type == "IndexFlatIP"
    assert recorded["sentences.faiss"] == VectorIndex(
        "IndexHNSWFlat", settings.hnsw_m, settings.hnsw_ef_construction, settings.hnsw_ef_search
    )
    assert type(index.chunk_index).__name__ == "IndexFlatIP"
    assert type(index.sentence_index).__name__ == "IndexHNSWFlat"
    # FAISS does not store efSearch: it is set on load.
    assert index.sentence_index.hnsw.efSearch == settings.hnsw_ef_search
    np.testing.assert_array_equal(index.sentence_vectors(range(2000)), sentence_vectors)

    queries = _clustered_unit_vectors(rng, 100, dim, centres)
    for k in (10, 200):  # 200: wider than efSearch, the pool hybrid search asks for
        found = [{r for r, _ in _search(index.sentence_index, q, k, None)} for q in queries]
        exact = [set(np.argsort(-(sentence_vectors @ q))[:k].tolist()) for q in queries]
        recall = np.mean([len(f & e) / k for f, e in zip(found, exact, strict=False)])
        assert recall >= 0.9, (k, recall)

    # A filter: only admitted rows come back, as many as asked for, mostly the right ones.
    allowed = np.zeros(2000, dtype=bool)
    allowed[rng.choice(2000, size=200, replace=False)] = True
    found, exact = [], []
    for query in queries:
        hits = [r for r, _ in _search(index.sentence_index, query, 5, allowed)]
        assert len(hits) == 5 and allowed[hits].all()
        found.append(set(hits))
        exact.append(set(np.argsort(-np.where(allowed, sentence_vectors @ query, -np.inf))[:5].tolist()))
    assert np.mean([len(f & e) / 5 for f, e in zip(found, exact, strict=False)]) >= 0.9
    # A filter so narrow the graph walk may meet too few admitted rows: those rows, ranked exactly.
    for query in queries[:10]:
        admitted = rng.choice(2000, size=5, replace=False)
        narrow = np.zeros(2000, dtype=bool)
        narrow[admitted] = True
        hits = [r for r, _ in _search(index.sentence_index, query, 5, narrow)]
        assert hits == admitted[np.argsort(-(sentence_vectors[admitted] @ query))].tolist()


def test_loading_hashes_only_the_files_changed_since_their_checksum_was_taken(
    built, index_copy, embedder, settings, monkeypatch
):
    """A generation opened where it was written is not hashed again; a copied one is hashed
    whole; a file edited in place is hashed and refused even when its size and modification
    time are put back (its change time cannot be)."""
    import os

    import assistant.store.generation as generation

    hashed = []
    real = generation._sha256
    monkeypatch.setattr(generation, "_sha256", lambda path: hashed.append(path.name) or real(path))
    open_index(built[1], embedder.info, Chunking.of(settings))
    assert hashed == []
    open_index(index_copy, embedder.info, Chunking.of(settings))  # copied: other inodes and times
    assert sorted(hashed) == sorted(Path(name).name for name in generation.PAYLOAD)

    gen = current_generation(index_copy)  # as if written here: statuses of the copy recorded
    manifest = json.loads((gen / "manifest.json").read_text())
    status = {name: [*generation._stat(gen / name), manifest["files"][name]] for name in generation.PAYLOAD}
    (gen / generation.HASHED).write_text(json.dumps(status))
    hashed.clear()
    open_index(index_copy, embedder.info, Chunking.of(settings))
    assert hashed == []
    documents = gen / "documents.jsonl"
    before = documents.stat()
    documents.write_text(documents.read_text().replace("Kerry", "Kerri", 1))
    os.utime(documents, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert documents.stat().st_size == before.st_size and documents.stat().st_mtime_ns == before.st_mtime_ns
    with pytest.raises(IndexCorruptError, match="checksum"):
        open_index(index_copy, embedder.info, Chunking.of(settings))
    assert hashed == ["documents.jsonl"]
