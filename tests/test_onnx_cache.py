"""The optimized-graph cache of the ONNX models: written once, loaded after, outputs identical
to optimizing afresh, and a damaged or unwritable cache only means optimizing again."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from assistant.models.answerability import Answerability
from assistant.models.embedding import OnnxE5
from assistant.models.rerank import CrossEncoder

OTHER_DOMAINS = Path(__file__).resolve().parent / "corpora"


def _outputs() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Vectors of other-domain sentences, and two readers' scores of them against a question."""
    texts = [line for path in sorted(OTHER_DOMAINS.glob("*/*.txt")) for line in path.read_text().splitlines()[-3:]]
    question = "What fee did the club pay for the striker?"
    return (
        OnnxE5(2).encode_documents(texts),
        CrossEncoder(2).score(question, texts),
        np.asarray([Answerability(2).score(question, t) for t in texts[:4]]),
    )


def test_cached_graphs_give_the_outputs_of_optimizing_afresh(tmp_path, monkeypatch):
    monkeypatch.setenv("NEWSDESK_CACHE", str(tmp_path / "unwritable"))
    (tmp_path / "unwritable").write_text("a file where the cache folder would be")
    afresh = _outputs()  # no cache: optimized in memory each time

    monkeypatch.setenv("NEWSDESK_CACHE", str(tmp_path / "cache"))
    first = _outputs()
    cached = sorted((tmp_path / "cache" / "onnx").iterdir())
    assert len(cached) == 3 and not [p for p in cached if p.name.startswith(".")], cached
    written = {p: p.stat().st_mtime_ns for p in cached}
    second = _outputs()  # from the cached graphs
    assert {p: p.stat().st_mtime_ns for p in cached} == written, "loaded, not written again"
    for a, b, c in zip(afresh, first, second, strict=True):
        np.testing.assert_array_equal(a, b)
        np.testing.assert_array_equal(a, c)

    damaged = cached[0]
    damaged.write_bytes(damaged.read_bytes()[:1000])
    for a, b in zip(afresh, _outputs(), strict=True):
        np.testing.assert_array_equal(a, b)
    assert damaged.stat().st_size > 1000 and os.access(damaged, os.R_OK), "replaced by a whole copy"
