"""Article summaries without a question (answer/salience.py): on hand-made vectors where the answer
is known, and on an other-domain fixture article with the real e5 vectors the index would hold."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from assistant.answer.corroboration import word_overlap
from assistant.answer.salience import SalienceWeights, salience, summarize_article
from assistant.errors import SettingsError
from assistant.settings import Settings

MERGER = Path(__file__).resolve().parent / "corpora" / "business" / "merger.txt"
ONLY_POSITION = SalienceWeights(centroid=0.0, title=0.0, position=1.0, short=0.0)
ONLY_CENTROID = SalienceWeights(centroid=1.0, title=0.0, position=0.0, short=0.0)


def _unit(rows: list[list[float]]) -> np.ndarray:
    vectors = np.array(rows, dtype=np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


SENTENCES = [
    "The council approved a new cycle lane on the high street on Tuesday.",
    "Residents had asked for safer routes to the two primary schools.",
    "Work on the lane will start in May and take six weeks to finish.",
    "On Tuesday the council approved a cycle lane for the high street.",
    "A local bakery won a regional prize for its sourdough loaf.",
]
# the four sentences on the lane point the same way, the first and its restatement (fourth) most; the bakery does not
VECTORS = _unit([[1, 0.2, 0.1], [1, 0.5, 0], [1, 0, 0.4], [1, 0.22, 0.1], [0, 0.1, 1]])


def test_n_is_respected_and_the_choice_is_in_article_order():
    for n in range(0, 6):
        chosen = summarize_article(SENTENCES, VECTORS, None, n, ONLY_CENTROID, redundancy=0.6)
        assert len(chosen) == min(n, 4)  # one of the five is a near-repeat
        assert chosen == sorted(chosen)
    # the centroid ranks the third above the first; the summary still gives the first first
    scores = salience(SENTENCES, VECTORS, None, ONLY_CENTROID)
    assert summarize_article(SENTENCES, VECTORS, None, 2, ONLY_CENTROID, 0.6) == sorted(np.argsort(-scores)[:2])


def test_a_near_repeat_takes_no_second_place():
    chosen = summarize_article(SENTENCES, VECTORS, None, 3, ONLY_CENTROID, redundancy=0.6)
    assert not {0, 3} <= set(chosen), "the restated first sentence was chosen beside it"
    assert 0.6 <= word_overlap(SENTENCES[0], SENTENCES[3]) < 1.0
    # when only a sentence whose words all occur in a chosen one is a repeat, both are central enough
    assert {0, 3} <= set(summarize_article(SENTENCES, VECTORS, None, 3, ONLY_CENTROID, redundancy=1.0))


def test_position_alone_is_the_lead():
    assert summarize_article(SENTENCES, VECTORS, None, 3, ONLY_POSITION, redundancy=0.6) == [0, 1, 2]


def test_a_short_or_unfinished_line_is_penalised():
    lines = ["Share this article", *SENTENCES[:3], "Read more"]
    vectors = _unit([[1, 0.2, 0]] * 5)  # all equally central: only the penalty tells them apart
    scores = salience(lines, vectors, None, SalienceWeights(centroid=1.0, title=1.0, position=0.0, short=1.0))
    assert scores[0] < min(scores[1:4]) and scores[4] < min(scores[1:4])


def test_title_vector_counts_when_weighted():
    title = _unit([[0, 0.1, 1]])[0]  # a title about the bakery
    scores = salience(SENTENCES, VECTORS, title, SalienceWeights(centroid=0.0, title=1.0, position=0.0, short=0.0))
    assert int(np.argmax(scores)) == 4


def test_bad_input_is_refused_or_empty():
    with pytest.raises(ValueError, match="5 sentences but 4 vectors"):
        salience(SENTENCES, VECTORS[:4], None, ONLY_CENTROID)
    assert summarize_article([], np.zeros((0, 3)), None, 3, ONLY_CENTROID, 0.6) == []
    assert summarize_article(SENTENCES[:1], VECTORS[:1], None, 3, ONLY_CENTROID, 0.6) == [0]


def test_weights_come_from_settings_and_are_validated():
    settings = Settings()
    weights = SalienceWeights.of(settings)
    assert (weights.centroid, weights.title, weights.position, weights.short) == (
        settings.salience_centroid,
        settings.salience_title,
        settings.salience_position,
        settings.salience_short,
    )
    for bad in (-0.5, float("nan"), float("inf")):
        with pytest.raises(SettingsError, match="salience_title"):
            Settings(salience_title=bad)


@pytest.fixture(scope="module")
def merger(embedder):
    """The fixture merger article's prose sentences, with an off-topic one put in the middle, as the
    index embeds them (title, then the sentence), and the title's own vector."""
    from assistant.ingest.split import passage_text
    from assistant.types import Document

    lines = MERGER.read_text(encoding="utf-8").splitlines()
    title = "Greenfield and Oakmart agree 3.1 billion pound merger"
    prose = [line for line in lines if line.endswith(".") and len(line.split()) > 6]
    sentences = [*prose[:3], "The recipe calls for two cups of flour, a pinch of salt and warm water.", *prose[3:]]
    doc = Document("merger.txt", title, "", "", "", "", "")
    vectors = embedder.encode_documents([passage_text(doc, s) for s in sentences])
    return sentences, vectors, embedder.encode_documents([title])[0]


def test_a_central_sentence_beats_an_off_topic_one(merger):
    sentences, vectors, title = merger
    off_topic = 3
    for weights in (ONLY_CENTROID, SalienceWeights(0.0, 1.0, 0.0, 0.0), SalienceWeights.of(Settings())):
        scores = salience(sentences, vectors, title, weights)
        assert int(np.argmin(scores)) == off_topic, (weights, scores)
    chosen = summarize_article(sentences, vectors, title, 3, SalienceWeights.of(Settings()), Settings().redundancy)
    assert off_topic not in chosen and len(chosen) == 3
