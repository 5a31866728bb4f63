"""Indexing and start-up on the bundled corpus, each against a baseline from the same run.

* full build vs the raw encode of exactly the texts it embeds (the ratio is the pipeline's overhead);
* adding one article to an existing index; a no-op re-index;
* cold start: a fresh `assistant ask` process to its first answer, beside a bare
  `python -c pass` and `python -c "import onnxruntime"` start;
* peak RSS of that process, and index bytes per chunk and per sentence.
Medians of --repeats runs.

    .venv/bin/python bench/indexing.py [--repeats 3] [--out bench/results/indexing.json]
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def seconds(fn) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def child_run(args: list[str]) -> tuple[float, int]:
    """Wall seconds and peak RSS (KiB) of a child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    subprocess.run(args, check=True, capture_output=True)
    return time.perf_counter() - started, max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)


def main() -> None:
    from assistant.indexing import passage_text, split_document
    from assistant.pipeline import build_embedder, build_index, chunking_of
    from assistant.corpus import read_corpus
    from assistant.settings import Settings

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "indexing.json")
    args = parser.parse_args()
    settings = Settings()
    embedder = build_embedder(settings)
    docs = [a.document for a in read_corpus(ROOT / "corpus").articles]
    texts = []
    for doc in docs:
        sentences, chunks = split_document(doc, embedder, chunking_of(settings))
        texts += [passage_text(doc, c.text) for c in chunks] + [s.text for s in sentences]

    build, encode, add_one, noop = [], [], [], []
    for _ in range(args.repeats):
        encode.append(seconds(lambda: embedder.encode_documents(texts)))
        with tempfile.TemporaryDirectory() as tmp:
            corpus, index = Path(tmp) / "corpus", Path(tmp) / "index"
            shutil.copytree(ROOT / "corpus", corpus)
            build.append(seconds(lambda: build_index(corpus, index, settings, embedder=embedder)))
            extra = corpus / "004_89cb27701e274671.txt"
            held = extra.read_bytes()
            extra.unlink()
            build_index(corpus, index, settings, embedder=embedder)
            extra.write_bytes(held)
            add_one.append(seconds(lambda: build_index(corpus, index, settings, embedder=embedder)))
            noop.append(seconds(lambda: build_index(corpus, index, settings, embedder=embedder)))
            generation = index / (index / "CURRENT").read_text().strip()
            size = sum(p.stat().st_size for p in generation.iterdir())
            counts = json.loads((generation / "manifest.json").read_text())["counts"]

    python = sys.executable
    cold = [child_run([python, "-m", "assistant.cli", "ask", "What did Kerry's China trip produce?"])
            for _ in range(args.repeats)]
    bare = [child_run([python, "-c", "pass"])[0] for _ in range(args.repeats)]
    onnx = [child_run([python, "-c", "import onnxruntime"])[0] for _ in range(args.repeats)]
    results = {
        "texts_embedded": len(texts),
        "full_build_s": statistics.median(build),
        "raw_encode_s (baseline)": statistics.median(encode),
        "build_overhead": statistics.median(build) / statistics.median(encode) - 1,
        "add_one_article_s": statistics.median(add_one),
        "no_op_reindex_s": statistics.median(noop),
        "cold_ask_s": statistics.median(c[0] for c in cold),
        "cold_ask_peak_rss_mib": max(c[1] for c in cold) / 1024,
        "python_start_s (baseline)": statistics.median(bare),
        "import_onnxruntime_s (baseline)": statistics.median(onnx),
        "index_bytes": size, **counts,
        "bytes_per_vector_row": size / (counts["chunks"] + counts["sentences"]),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2), encoding="utf-8")
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
