"""What the bundled ONNX models share: one session run an input at a time, created from a
cached optimized graph, WordPiece tokenizing, padding, and a cheap fingerprint of the weights.

One input per run, never a batch: the int8 models quantize activations per batch
tensor, so a text's vector (or a pair's score) would depend on what it was batched
with.
"""

from __future__ import annotations

import hashlib
import os
import platform
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


def cache_dir() -> Path:
    """Where Newsdesk keeps what it can make again: ``$NEWSDESK_CACHE``, else ``newsdesk`` in
    the user's cache folder (``$XDG_CACHE_HOME``, else ``~/.cache``)."""
    if os.environ.get("NEWSDESK_CACHE"):
        return Path(os.environ["NEWSDESK_CACHE"])
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "newsdesk"


def _machine() -> str:
    """The CPU's instruction-set flags: an optimized graph may use kernels chosen for them."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            return next((line for line in cpuinfo if line.startswith("flags")), "")
    except OSError:
        return f"{platform.machine()} {platform.processor()}"


def _optimized_session(model_file: Path, options: Callable[[], Any]):
    """A session of ``model_file``, from a copy of the graph ONNX Runtime optimized for this
    machine when one is cached (``cache_dir()/onnx``).

    Optimizing the graph is most of what creating a session costs, and it gives the same
    graph every time for the same model, runtime and CPU: so the first session saves its
    optimized graph (written aside, then renamed into place), and later ones load that
    with optimization off, at a fraction of the time (a test checks the outputs are
    identical).  A cache that cannot be written, or a copy that cannot be loaded, only
    means optimizing again.
    """
    import onnxruntime as ort

    key = hashlib.sha256(f"{fingerprint(model_file)}\0{ort.__version__}\0{_machine()}".encode()).hexdigest()[:24]
    cached = cache_dir() / "onnx" / f"{model_file.parent.name}-{model_file.stem}-{key}.onnx"
    providers = ["CPUExecutionProvider"]
    if cached.is_file():
        ready = options()
        ready.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
        try:
            return ort.InferenceSession(str(cached), ready, providers=providers)
        except Exception:  # a damaged copy: optimize again, and replace it
            cached.unlink(missing_ok=True)
    fresh = options()
    aside = cached.with_name(f".{cached.name}.{os.getpid()}.tmp")
    try:
        cached.parent.mkdir(parents=True, exist_ok=True)
        fresh.optimized_model_filepath = str(aside)
    except OSError:
        aside = None
    session = ort.InferenceSession(str(model_file), fresh, providers=providers)
    if aside is not None and aside.is_file():
        os.replace(aside, cached)
    return session


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

        def options():
            chosen = ort.SessionOptions()
            chosen.intra_op_num_threads = threads
            chosen.inter_op_num_threads = 1
            chosen.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
            chosen.add_session_config_entry("session.intra_op.allow_spinning", "0")
            chosen.add_session_config_entry("session.inter_op.allow_spinning", "0")
            chosen.log_severity_level = 3
            return chosen

        try:
            self.session = _optimized_session(model_file, options)
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
