"""Cold builds against corpus size, with the local engine and with Ray, each in a fresh process.

For each size, a sample of that many BBC articles (``corpora.write_sample``) is indexed
from nothing by `assistant index --rebuild` in a new interpreter (so no cache of an
earlier build, token counts included, helps it), once with `--engine local` and once
with `--engine ray` (a local Ray of this machine's CPUs, one one-CPU model actor per CPU,
started and stopped by the build).  Each row: wall seconds, texts embedded (chunks and
sentences), texts per second, peak RSS of the build process (with Ray, the driver's only: the
actors are Ray's processes).  The largest size's local
texts/s, divided by the CPUs, is the per-CPU throughput README's "Scale" section
extrapolates from.  Medians of --repeats runs.

    .venv/bin/python bench/build.py [--sizes 25 50 100 200] [--repeats 1] [--quick] [--out PATH]
"""

from __future__ import annotations

import os
import secrets
import statistics
import sys
import tempfile
from pathlib import Path

from common import ROOT, child_run, parser, write_results
from corpora import write_sample

ENGINES = ("local", "ray")


def cold_build(corpus: Path, engine: str) -> dict:
    """One `assistant index --rebuild` of ``corpus`` into a fresh folder, in its own process."""
    from assistant.store.generation import current_generation, read_manifest

    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "HF_HUB_OFFLINE": "1", "RAY_AUTH_TOKEN": secrets.token_hex(32)}
        command = [sys.executable, "-m", "assistant.serve.cli", "index", "--rebuild", "--engine", engine]
        wall, rss = child_run([*command, "--corpus", str(corpus), "--index", tmp], cwd=ROOT, env=env)
        counts = read_manifest(current_generation(Path(tmp))).counts
    texts = counts.chunks + counts.sentences
    return {"seconds": wall, "texts": texts, "articles": counts.documents, "peak_rss_mib": rss}


def main() -> None:
    arguments = parser(__doc__, "build", "sizes 10 and 20")
    arguments.add_argument("--sizes", type=int, nargs="+", default=[25, 50, 100, 200])
    arguments.add_argument("--repeats", type=int, default=1)
    args = arguments.parse_args()
    sizes = [10, 20] if args.quick else args.sizes
    rows = []
    for size in sizes:
        corpus = write_sample("bbc", size)
        for engine in ENGINES:
            runs = [cold_build(corpus, engine) for _ in range(args.repeats)]
            seconds = statistics.median(r["seconds"] for r in runs)
            row = {
                "engine": engine,
                "sample_articles": size,
                **{k: runs[0][k] for k in ("articles", "texts")},
                "seconds": seconds,
                "texts_per_s": runs[0]["texts"] / seconds,
                "peak_rss_mib": max(r["peak_rss_mib"] for r in runs),
            }
            print(row, flush=True)
            rows.append(row)
    largest = [r for r in rows if r["sample_articles"] == max(sizes)]
    cpus = os.cpu_count() or 1
    results = {
        "cpus": cpus,
        "rows": rows,
        **{f"{r['engine']}_texts_per_s_at_largest": r["texts_per_s"] for r in largest},
        "local_texts_per_s_per_cpu": next(r["texts_per_s"] for r in largest if r["engine"] == "local") / cpus,
    }
    write_results(args, results)


if __name__ == "__main__":
    main()
