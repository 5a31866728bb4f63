"""What every benchmark shares: timing, percentiles, peak RSS, index sizes, the query
stream of the question set, and where results are written.

Kept in one module so that every script computes a p95 or a peak RSS the same way
and their figures can be compared.  Each script takes ``--quick``: a few queries
and small sizes, written under ``bench/results/cache/quick/`` (gitignored) unless
``--out`` says otherwise, so a smoke run proves a script end to end without
replacing the figures the README quotes.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
CACHE = RESULTS / "cache"  # gitignored: large corpora, their vectors and indexes, quick runs
QUICK_RESULTS = CACHE / "quick"


def percentiles(samples_ms: Iterable[float]) -> dict[str, float]:
    """n, p50, p95 (nearest rank) and max of samples in milliseconds."""
    ordered = sorted(samples_ms)
    return {
        "n": len(ordered),
        "p50_ms": statistics.median(ordered),
        "p95_ms": ordered[math.ceil(0.95 * len(ordered)) - 1],
        "max_ms": ordered[-1],
    }


def timed(fn: Callable[[Any], Any], items: Iterable[Any]) -> list[float]:
    """Milliseconds of ``fn(item)`` for each item, one call at a time."""
    out = []
    for item in items:
        started = time.perf_counter()
        fn(item)
        out.append((time.perf_counter() - started) * 1000)
    return out


def seconds(fn: Callable[[], Any]) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def run_child(script: str, args: list[str], env: dict[str, str]) -> Any:
    """Run ``script`` with ``args`` in a fresh interpreter; the JSON it printed on its last line.

    Its stderr is not captured, so a failing child's traceback reaches the terminal."""
    out = subprocess.run([sys.executable, script, *args], env=env, check=True, stdout=subprocess.PIPE, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


#: How often ``child_run`` reads a child's peak memory.
POLL_S = 0.02


def child_run(args: list[str], **popen: Any) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of one child process, run to its end.

    The peak is the child's own ``VmHWM``, read every ``POLL_S`` while it runs (it only
    grows; the last reading misses at most the child's final few milliseconds).  Not
    ``os.wait4``'s ``ru_maxrss``: Linux carries the high-water mark of the memory a child
    had before ``exec`` into it, and a child forked (or vforked) from this process had
    this process's memory then, so a benchmark holding a large index measured itself.
    """
    import tempfile

    started = time.perf_counter()
    with tempfile.TemporaryFile() as stderr:
        process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=stderr, **popen)
        peak = 0.0  # Popen returns once the child has exec'd: every reading is the child's own
        while process.poll() is None:
            with contextlib.suppress(OSError, RuntimeError):  # gone, or exiting without memory
                peak = max(peak, peak_rss_mib(process.pid))
            time.sleep(POLL_S)
        wall = time.perf_counter() - started
        if process.returncode:
            stderr.seek(0)
            raise subprocess.CalledProcessError(process.returncode, args, stderr=stderr.read())
    return wall, peak


def peak_rss_mib(pid: int) -> float:
    """Peak resident memory so far of a running process (``VmHWM``, Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmHWM for process {pid}")


def index_sizes(generation: Path) -> dict[str, float]:
    """Bytes on disk of an index generation, and per chunk and per sentence: each row's
    FAISS vector (and graph, for HNSW) plus its JSONL record; the articles' text apart."""
    from dataclasses import asdict

    from assistant.store.generation import read_manifest

    counts = asdict(read_manifest(generation).counts)

    def size(*names: str) -> int:
        return sum((generation / name).stat().st_size for name in names)

    return {
        **counts,
        "index_bytes": sum(p.stat().st_size for p in generation.rglob("*") if p.is_file()),
        "documents_jsonl_bytes": size("documents.jsonl"),
        "bytes_per_chunk (chunks.faiss + chunks.rows.npy)": size("chunks.faiss", "chunks.rows.npy") / counts["chunks"],
        "bytes_per_sentence (sentences.faiss + sentences.rows.npy)": size("sentences.faiss", "sentences.rows.npy")
        / counts["sentences"],
    }


def corpus_texts(folder: Path, settings, embedder) -> dict[str, tuple[list[str], list[str]]]:
    """Per article of ``folder``, the texts a build indexes: its chunks' and its sentences'
    ``passage_text`` (embedded in that order, chunks first; BM25 indexes the same)."""
    from assistant.ingest.corpus import read_corpus
    from assistant.ingest.split import Chunking, passage_text, split_document

    texts = {}
    for doc in (a.document for a in read_corpus(folder).articles):
        sentences, chunks = split_document(doc, Chunking.of(settings), embedder.count_tokens, embedder.info.max_tokens)
        texts[doc.doc_id] = (
            [passage_text(doc, c.text) for c in chunks],
            [passage_text(doc, s.text) for s in sentences],
        )
    return texts


def ask_stream(n: int) -> list[tuple[str, list[str]]]:
    """``n`` (question, history) pairs cycled over the question set."""
    from evals.questions import load_questions

    asks = [(q.question, list(q.history)) for q in load_questions(ROOT / "eval" / "questions.jsonl")]
    return [asks[i % len(asks)] for i in range(n)]


def warm(assistant, stream: Iterable[tuple[str, list[str]]]) -> None:
    """Every distinct question asked once: models loaded, caches of both paths filled."""
    for question, history in dict.fromkeys((q, tuple(h)) for q, h in stream):
        assistant.ask(question, list(history))


def add_one_article(article: Path, update: Callable[[], Any]) -> tuple[float, Any]:
    """Seconds of the ``update`` that adds ``article`` to its corpus's index, and its report:
    the article is taken out and the index updated first, then it is put back and the
    update timed."""
    held = article.read_bytes()
    article.unlink()
    try:
        update()
    finally:
        article.write_bytes(held)
    started = time.perf_counter()
    report = update()
    return time.perf_counter() - started, report


def uncached(assistant, fn: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """``fn`` with the per-query caches cleared before each call, so encoding and BM25 are always paid."""

    def call(item):
        assistant.retriever.query_vector.cache_clear()
        assistant.retriever.sentence_lexical.cache_clear()
        return fn(item)

    return call


def parser(doc: str, name: str, quick: str) -> argparse.ArgumentParser:
    """An argument parser with the shared ``--quick`` (described by ``quick``) and ``--out``."""
    out = argparse.ArgumentParser(
        description=doc.splitlines()[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    out.add_argument(
        "--quick",
        action="store_true",
        help=f"smoke run: {quick}; written to {QUICK_RESULTS.relative_to(ROOT)}/{name}.json",
    )
    out.add_argument("--out", type=Path, help=f"default: bench/results/{name}.json")
    out.set_defaults(name=name)
    return out


def write_results(args: argparse.Namespace, results: dict) -> Path:
    """Write ``results`` where ``--out`` or ``--quick`` say, with the machine they were measured
    on (CPU flags, cores, library versions) first, and return the path."""
    from evals.machine import machine

    path = args.out or (QUICK_RESULTS if args.quick else RESULTS) / f"{args.name}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"machine": machine(), **results}, indent=2), encoding="utf-8")
    print(f"wrote {path}")
    return path
