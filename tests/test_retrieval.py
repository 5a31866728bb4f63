"""Retrieval over the real index of the bundled corpus, in every mode, with filters."""

from __future__ import annotations

import pytest

from assistant.errors import QueryError
from assistant.retrieve.search import rrf, top_rows
from assistant.settings import MODES


@pytest.mark.parametrize("mode", MODES)
def test_every_mode_finds_who_represented_china_in_anchorage(assistant, mode):
    passages = assistant.search("Who represented Xi Jinping at the Anchorage meeting?", k=3, mode=mode)
    assert len(passages) == 3
    assert any("Representing Chinese leader Xi Jinping" in p.text for p in passages)


def test_passage_carries_provenance_and_exact_offsets(assistant):
    [p] = assistant.search("climate envoy John Kerry visited China", k=1)
    doc = assistant.retriever.index.documents[p.doc_id]
    assert doc.text[p.start : p.end] == p.text
    assert (p.title, p.source, p.date) == (doc.title, doc.publication, doc.date)
    assert p.chunk_id.startswith(p.doc_id + "#")


def test_k_larger_than_the_index_is_clamped(assistant):
    total = len(assistant.retriever.index.chunks)
    assert len(assistant.search("China", k=10_000, mode="hybrid")) == total


def test_date_filter(assistant):
    docs = assistant.retriever.index.documents
    passages = assistant.search("Biden Xi call", k=50, mode="hybrid", date_from="2021-09-01", date_to="2021-09-30")
    assert passages and all("2021-09-01" <= docs[p.doc_id].date <= "2021-09-30" for p in passages)
    assert assistant.search("Biden Xi call", k=5, date_to="1999-01-01") == []


def test_source_filter(assistant):
    passages = assistant.search("call between Biden and Xi", k=20, mode="dense", sources=["axios"])
    assert passages and {p.source for p in passages} == {"Axios"}


@pytest.mark.parametrize("query", ["", "   \n\t", "x" * 3000])
def test_bad_queries_are_refused(assistant, query):
    with pytest.raises(QueryError):
        assistant.search(query)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"k": 0},
        {"k": -3},
        {"mode": "fuzzy"},
        {"date_from": "March 2021"},
        {"date_from": "2021-05-01", "date_to": "2021-01-01"},
    ],
)
def test_bad_search_arguments_are_refused(assistant, kwargs):
    with pytest.raises(QueryError):
        assistant.search("Kerry", **kwargs)


def test_rrf_rewards_agreement():
    fused = rrf([[1, 2, 3], [3, 1, 4]], k=60)
    assert max(fused, key=fused.get) == 1
    assert fused[3] > fused[2] and 4 in fused


def test_top_rows_respects_mask_and_order():
    import numpy as np

    scores = np.array([0.1, 0.9, 0.5, 0.7])
    assert top_rows(scores, 2, None) == [1, 3]
    assert top_rows(scores, 10, np.array([True, False, True, False])) == [2, 0]


def test_models_score_the_same_side_by_side_as_one_at_a_time(assistant):
    """The ONNX models run inputs side by side on a thread pool (embedding.OnnxRuns); each run must
    still see only its own input, so vectors and scores equal those of one input at a time."""
    import numpy as np

    index = assistant.retriever.index
    texts = [s.text for s in index.sentence_rows[:12]]
    embedder, reranker = assistant.embedder, assistant.retriever.reranker
    together = embedder.encode_documents(texts)
    alone = np.vstack([embedder.encode_documents([t]) for t in texts])
    assert np.array_equal(together, alone)
    question = "What did Kerry's China trip produce?"
    scores = reranker.score(question, texts)
    assert np.array_equal(scores, np.array([reranker.score(question, [t])[0] for t in texts]))
    assert len(set(scores.tolist())) > 1  # real, distinct scores: not a constant that would also be equal


@pytest.mark.parametrize("k", [2, 7])
def test_the_k_setting_is_how_many_passages_a_search_returns_by_default(built, settings, embedder, k):
    from dataclasses import replace

    from assistant.pipeline import Assistant

    configured = Assistant.open(*built, replace(settings, k=k), embedder)
    assert len(configured.search("What did Kerry's China trip produce?")) == k
    assert len(configured.search("What did Kerry's China trip produce?", 3)) == 3


def test_other_query_time_settings_share_the_loaded_index_and_answer_as_a_fresh_open(built, assistant, embedder):
    """``with_settings`` (tuning compares candidates with it) gives what opening the index
    again with those settings gives, without loading anything again."""
    from dataclasses import replace

    from assistant.errors import SettingsError
    from assistant.pipeline import Assistant

    changed = replace(assistant.settings, lexical_weight=0.8, answer_candidates=5, abstain_below=-20.0)
    shared = assistant.with_settings(changed)
    fresh = Assistant.open(*built, changed, embedder)
    assert shared.retriever.index is assistant.retriever.index and shared.settings == changed
    question = "Who represented China at the Anchorage talks?"
    assert [p.text for p in shared.search(question)] == [p.text for p in fresh.search(question)]
    assert shared.ask(question).text == fresh.ask(question).text
    with pytest.raises(SettingsError, match="chunking"):
        assistant.with_settings(replace(assistant.settings, chunk_tokens=120))
