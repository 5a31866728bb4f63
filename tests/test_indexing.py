"""Incremental indexing: only new or changed articles are embedded; bad files are skipped, never fatal."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import numpy as np
import pytest
from badfiles import break_index

from assistant.errors import CorpusError, IndexBusyError, IndexCorruptError, IndexMismatchError
from assistant.ingest.corpus import FURNITURE
from assistant.ingest.split import Chunking
from assistant.pipeline import build_index
from assistant.store.build import build_lock
from assistant.store.generation import open_index

EDITED = "003_d5f9d1e1d44d55fb.txt"


@pytest.fixture
def indexed(corpus_copy, index_copy):
    """A writable corpus and its index (copied from the session build)."""
    return corpus_copy, index_copy


def _vectors_by_chunk(index):
    vectors = index.chunk_vectors(range(len(index.chunks)))
    return {c.chunk_id: (c.text, vectors[row]) for row, c in enumerate(index.chunks)}


def test_unchanged_corpus_is_up_to_date(indexed, settings, embedder):
    corpus, index = indexed
    report = build_index(corpus, index, settings, embedder=embedder)
    assert report.up_to_date and report.texts_embedded == 0 and len(report.unchanged) == 5


def test_editing_one_article_re_embeds_only_that_article(indexed, settings, embedder):
    corpus, index_dir = indexed
    before = open_index(index_dir, embedder.info, Chunking.of(settings))
    old = _vectors_by_chunk(before)
    path = corpus / EDITED
    path.write_text(
        path.read_text(encoding="utf-8") + "\nThe talks ended on Friday with no joint statement.\n", encoding="utf-8"
    )
    report = build_index(corpus, index_dir, settings, embedder=embedder)
    after = open_index(index_dir, embedder.info, Chunking.of(settings))
    assert report.changed == (EDITED,) and not report.added and not report.removed
    assert report.texts_embedded == (sum(1 for c in after.chunks if c.doc_id == EDITED) + len(after.sentences[EDITED]))
    new = _vectors_by_chunk(after)
    for chunk_id, (text, vector) in new.items():
        if not chunk_id.startswith(EDITED):
            assert old[chunk_id][0] == text
            np.testing.assert_array_equal(old[chunk_id][1], vector)
    assert "no joint statement" in after.documents[EDITED].text


def test_added_and_deleted_articles(indexed, settings, embedder):
    corpus, index_dir = indexed
    (corpus / "004_89cb27701e274671.txt").unlink()
    (corpus / "new.md").write_text(
        "# Yellen meets He\n\nTreasury Secretary Janet Yellen held a video call with Vice Premier "
        "Liu He on tariffs and the phase one trade deal.\n",
        encoding="utf-8",
    )
    report = build_index(corpus, index_dir, settings, embedder=embedder)
    assert report.added == ("new.md",) and report.removed == ("004_89cb27701e274671.txt",)
    index = open_index(index_dir, embedder.info, Chunking.of(settings))
    assert set(index.documents) == {p.name for p in corpus.iterdir() if p.name != FURNITURE}
    assert index.documents["new.md"].title == "Yellen meets He"


def test_corpus_with_no_usable_article_is_an_error(tmp_path, settings, embedder):
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "empty.txt").write_text("   \n")
    with pytest.raises(CorpusError, match="empty.txt"):
        build_index(tmp_path / "c", tmp_path / "index", settings, embedder=embedder)
    with pytest.raises(CorpusError, match="does not exist|not a directory|no such"):
        build_index(tmp_path / "missing", tmp_path / "index", settings, embedder=embedder)


def test_a_second_build_while_one_runs_fails_clearly(indexed, settings, embedder):
    corpus, index_dir = indexed
    with build_lock(index_dir), pytest.raises(IndexBusyError, match="being built by pid"):
        build_index(corpus, index_dir, settings, embedder=embedder)


def test_changed_chunking_needs_rebuild_and_rebuild_works(indexed, settings, embedder):
    from dataclasses import replace

    corpus, index_dir = indexed
    other = replace(settings, chunk_tokens=96, overlap_tokens=16)
    with pytest.raises(IndexMismatchError, match="--rebuild"):
        build_index(corpus, index_dir, other, embedder=embedder)
    report = build_index(corpus, index_dir, other, embedder=embedder, rebuild=True)
    assert len(report.added) == 5
    assert open_index(index_dir, embedder.info, Chunking.of(other)).manifest.chunking.chunk_tokens == 96


@pytest.mark.parametrize("remembered", [False, True], ids=["corpus read", "corpus state remembered"])
def test_an_index_in_an_older_format_is_rebuilt_by_index(indexed, settings, embedder, remembered):
    """Also when the last build remembered the corpus's state and nothing changed since:
    an upgrade's new format must not stop `assistant index` with an error."""
    import json

    from assistant.store.generation import current_generation

    corpus, index_dir = indexed
    if remembered:
        _settle(corpus)
        build_index(corpus, index_dir, settings, embedder=embedder)
        assert build_index(corpus, index_dir, settings, embedder=embedder).up_to_date
    manifest = current_generation(index_dir) / "manifest.json"
    data = json.loads(manifest.read_text())
    data["format_version"] -= 1
    manifest.write_text(json.dumps(data))
    report = build_index(corpus, index_dir, settings, embedder=embedder)
    assert len(report.added) == 5
    assert (
        open_index(index_dir, embedder.info, Chunking.of(settings)).manifest.format_version
        == data["format_version"] + 1
    )


def test_the_approximate_above_setting_reaches_the_written_index(indexed, settings, embedder):
    """Set below the bundled corpus's sentence count and above its chunk count: the next build
    writes the sentences as HNSW and the chunks exact, and records both in the manifest."""
    from dataclasses import replace

    corpus, index_dir = indexed
    loaded = open_index(index_dir, embedder.info, Chunking.of(settings))
    threshold = (len(loaded.chunks) + len(loaded.sentence_rows)) // 2
    build_index(corpus, index_dir, replace(settings, approximate_above=threshold), embedder=embedder, rebuild=True)
    reopened = open_index(index_dir, embedder.info, Chunking.of(settings))
    kinds = reopened.manifest.faiss_index
    assert kinds["chunks.faiss"].type == "IndexFlatIP" and kinds["sentences.faiss"].type == "IndexHNSWFlat"
    assert type(reopened.sentence_index).__name__ == "IndexHNSWFlat"


@pytest.fixture
def opened():
    """Paths opened while the block runs, as Python's own audit events record them."""
    import contextlib
    import sys

    paths: list[str] = []
    recording = [False]

    def hook(event, args):
        if recording[0] and event == "open" and isinstance(args[0], (str, Path)):
            paths.append(str(args[0]))

    sys.addaudithook(hook)  # hooks cannot be removed; this one records nothing once the test ends

    @contextlib.contextmanager
    def record():
        recording[0] = True
        try:
            yield paths
        finally:
            recording[0] = False

    return record


def _settle(corpus):
    """Date every file a minute back: a file changed in the last two seconds is never trusted."""
    old = time.time() - 60
    for path in corpus.rglob("*"):
        os.utime(path, (old, old))


def test_an_unchanged_corpus_is_not_read_again(indexed, settings, embedder, opened):
    corpus, index = indexed
    shutil.copy(corpus / EDITED, corpus / "copy.txt")
    (corpus / "photo.txt").write_bytes(b"\x89PNG\r\n\x1a\n\0\0\0binary")
    _settle(corpus)
    full = build_index(corpus, index, settings, embedder=embedder)
    with opened() as paths:
        again = build_index(corpus, index, settings, embedder=embedder)
    assert again.up_to_date and again.texts_embedded == 0
    assert (again.unchanged, again.skipped, again.duplicates) == (full.unchanged, full.skipped, full.duplicates)
    assert again.skipped and again.duplicates
    assert not [p for p in paths if p.startswith(str(corpus))]


def test_a_change_after_a_remembered_build_is_read(indexed, settings, embedder):
    corpus, index = indexed
    _settle(corpus)
    build_index(corpus, index, settings, embedder=embedder)
    edited = corpus / EDITED
    edited.write_text(edited.read_text(encoding="utf-8") + "\nThe talks ended without a statement.\n", encoding="utf-8")
    assert build_index(corpus, index, settings, embedder=embedder).changed == (EDITED,)
    (corpus / EDITED).unlink()
    _settle(corpus)
    assert build_index(corpus, index, settings, embedder=embedder).removed == (EDITED,)


def test_a_broken_index_is_reported_even_when_the_corpus_is_unchanged(indexed, settings, embedder):
    corpus, index = indexed
    _settle(corpus)
    build_index(corpus, index, settings, embedder=embedder)
    break_index(index, "truncated faiss")
    with pytest.raises(IndexCorruptError, match="--rebuild"):
        build_index(corpus, index, settings, embedder=embedder)


OTHER_DOMAINS = Path(__file__).resolve().parent / "corpora"


def test_adding_articles_appends_to_the_served_index_as_a_full_build_would(tmp_path, settings, embedder, monkeypatch):
    """When articles were only added, the served generation is extended: its FAISS files get the
    new vectors (no index is built afresh: an HNSW graph is not rebuilt) and its BM25 indexes the
    new rows' postings.  The result equals a full build of the same corpus: documents, rows,
    vectors, index kinds, BM25 scores; and the HNSW index finds the new article's sentences."""
    from dataclasses import replace

    import assistant.store.generation as generation

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for n, path in enumerate(
        sorted(OTHER_DOMAINS.glob("business/*.txt")) + sorted(OTHER_DOMAINS.glob("conflict/*.txt"))
    ):
        shutil.copy(path, corpus / f"{n}-{path.name}")
    small = replace(settings, approximate_above=10)  # the sentences HNSW (17, then more), the chunks exact (4, then 6)
    build_index(corpus, tmp_path / "appended", small, embedder=embedder)
    shutil.copy(OTHER_DOMAINS / "sport" / "transfer.txt", corpus / "9-transfer.txt")  # sorts last

    def built_afresh(*args, **kwargs):
        raise AssertionError("an index was built afresh instead of appended to")

    with monkeypatch.context() as patched:
        patched.setattr(generation, "build_faiss", built_afresh)
        patched.setattr(generation.Lexical, "of", built_afresh)
        report = build_index(corpus, tmp_path / "appended", small, embedder=embedder)
    assert report.added == ("9-transfer.txt",) and not report.changed and not report.removed and report.appended
    build_index(corpus, tmp_path / "whole", small, embedder=embedder, rebuild=True)
    appended, whole = (open_index(tmp_path / name, embedder.info, Chunking.of(small)) for name in ("appended", "whole"))

    assert list(appended.documents.values()) == list(whole.documents.values())
    assert appended.manifest.faiss_index == whole.manifest.faiss_index
    assert whole.manifest.faiss_index["sentences.faiss"].type == "IndexHNSWFlat"
    assert whole.manifest.faiss_index["chunks.faiss"].type == "IndexFlatIP"
    for rows in ("chunks", "sentence_rows"):
        np.testing.assert_array_equal(getattr(appended, rows).table, getattr(whole, rows).table)
    np.testing.assert_array_equal(
        appended.chunk_vectors(range(len(whole.chunks))), whole.chunk_vectors(range(len(whole.chunks)))
    )
    every = range(len(whole.sentence_rows))
    np.testing.assert_array_equal(appended.sentence_vectors(every), whole.sentence_vectors(every))
    for query in ("transfer fee striker", "union strike wages", "ceasefire talks", "zzyzx"):
        np.testing.assert_array_equal(appended.sentence_lexical.scores(query), whole.sentence_lexical.scores(query))
        np.testing.assert_array_equal(appended.chunk_lexical.scores(query), whole.chunk_lexical.scores(query))
    new_rows = appended.sentence_rows.of_document("9-transfer.txt")
    _, found = appended.sentence_index.search(appended.sentence_vectors(new_rows), 1)
    assert found[:, 0].tolist() == list(new_rows)
