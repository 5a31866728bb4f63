"""What both bundled ONNX models share: one session run an input at a time, WordPiece
tokenizing, padding, and a cheap fingerprint of the weights.

One input per run, never a batch: the int8 models quantize activations per batch
tensor, so a text's vector (or a pair's score) would depend on what it was batched
with.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from assistant.errors import ModelError

#: Inputs per ONNX run: one, so that no vector or score depends on its batch-mates.
ONNX_BATCH = 1


def fingerprint(path: Path) -> str:
    """Size plus a hash of the head and tail of a weights file: cheap, and any re-export changes it."""
    size = path.stat().st_size
    digest = hashlib.sha256(str(size).encode())
    with path.open("rb") as handle:
        digest.update(handle.read(1 << 20))
        handle.seek(max(0, size - (1 << 20)))
        digest.update(handle.read(1 << 20))
    return f"{size}-{digest.hexdigest()[:16]}"


class OnnxRuns:
    """An ONNX model run on one input at a time, up to ``threads`` inputs side by side.

    One session with a non-spinning pool of ``threads`` (spinning workers are what
    stall single queries on a 2-core machine shared with FAISS and numpy; see
    ``threads.py``), and a pool of as many Python threads that submit inputs to it
    concurrently (ONNX Runtime releases the GIL while it runs).  A lone input (a
    query) still gets every core; several (the cross-encoder's pairs of an answer,
    a build's texts) keep the cores busy with whole inputs instead of splitting each
    of a few hundred tiny operators between them: faster for ``ask()`` and builds
    (``bench/latency.py``, ``bench/indexing.py``).  Results are identical either way
    (a test checks).
    """

    def __init__(self, model_file: Path, threads: int) -> None:
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        options.add_session_config_entry("session.inter_op.allow_spinning", "0")
        options.log_severity_level = 3
        try:
            self.session = ort.InferenceSession(str(model_file), options, providers=["CPUExecutionProvider"])
        except Exception as exc:  # onnxruntime raises its own untyped errors
            raise ModelError(f"cannot load ONNX model {model_file}: {exc}") from exc
        self._pool = None
        if threads > 1:
            from concurrent.futures import ThreadPoolExecutor

            self._pool = ThreadPoolExecutor(threads, thread_name_prefix="onnx")

    def map(self, fn: Callable[[Any], Any], items: Sequence[Any]) -> Iterator[Any]:
        """``fn`` over ``items``, in order; side by side when there is more than one."""
        if self._pool is None or len(items) < 2:
            return map(fn, items)
        return self._pool.map(fn, items)


def wordpiece_tokenizer(folder: Path):
    """The HF ``tokenizers`` tokenizer of a bundled model, with the shipped padding and truncation off."""
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
    tokenizer.no_padding()  # the shipped file pads every input to 512
    tokenizer.no_truncation()
    return tokenizer


def encode_batch(tokenizer, inputs: list, max_tokens: int):
    """Pad a batch to its longest member; inputs longer than the model reads are cut at
    ``max_tokens`` (only queries and rerank pairs can be: chunks are sized to fit)."""
    import numpy as np

    encodings = tokenizer.encode_batch(inputs)
    length = min(max_tokens, max(len(e.ids) for e in encodings))
    ids = np.zeros((len(encodings), length), dtype=np.int64)
    types = np.zeros_like(ids)
    mask = np.zeros_like(ids)
    for row, enc in enumerate(encodings):
        n = min(length, len(enc.ids))
        ids[row, :n] = enc.ids[:n]
        types[row, :n] = enc.type_ids[:n]
        mask[row, :n] = 1
        if len(enc.ids) > length:
            ids[row, n - 1] = enc.ids[-1]  # keep the closing [SEP]
    return ids, mask, types


def pair_logit(runs: OnnxRuns, tokenizer, query: str, text: str, max_tokens: int) -> float:
    """A cross-encoder's one logit for the pair (``query``, ``text``), run alone."""
    ids, mask, types = encode_batch(tokenizer, [(query, text)], max_tokens)
    logits = runs.session.run(["logits"], {"input_ids": ids, "attention_mask": mask, "token_type_ids": types})[0]
    return float(logits[0, 0])
