"""Indexing, start-up and memory on the bundled corpus, each against a baseline from the same run.

* full build vs the raw encode of exactly the texts it embeds, in the same order
  (the ratio is the pipeline's overhead), as chunks per second of each;
* adding one article to an existing index (against the raw encode of its texts); a no-op re-index;
* cold start: a fresh `assistant ask` process to its first answer, beside a bare
  `python -c pass` and `python -c "import onnxruntime"`; and what `make run` does
  once the index is up to date: `assistant index` (a no-op), then `app.py` to its
  first HTTP 200 (over copies of the corpus and index; the server stopped after each);
* peak RSS of the `assistant ask` process and of the serving process at its first
  page; index bytes per chunk and per sentence.
Medians of --repeats runs.

    .venv/bin/python bench/indexing.py [--repeats 3] [--quick] [--out PATH]
"""

from __future__ import annotations

import shutil
import statistics
import sys
import tempfile
from functools import partial
from pathlib import Path

from common import (
    ROOT,
    add_one_article,
    child_run,
    corpus_texts,
    index_sizes,
    parser,
    peak_rss_mib,
    seconds,
    write_results,
)
from load import start_server, stop

ADDED = "004_89cb27701e274671.txt"  # the article removed, then added again


def build_timings(settings, embedder, texts: list[str], added: list[str], repeats: int) -> dict:
    """Full build, raw encode, one-article add and no-op re-index, in temporary copies.

    The token counts' cache is emptied before each build and each add: listing the texts
    for the raw encode fills it, and a build that found its sentences already counted would
    look faster than it is (it once looked faster than its own encoding)."""
    from assistant.ingest.tokens import tiktoken_count
    from assistant.pipeline import build_index
    from assistant.store.generation import current_generation

    build, encode, add_one, encode_one, noop = [], [], [], [], []
    for _ in range(repeats):
        encode.append(seconds(lambda: embedder.encode_documents(texts)))
        encode_one.append(seconds(lambda: embedder.encode_documents(added)))
        with tempfile.TemporaryDirectory() as tmp:
            corpus, index = Path(tmp) / "corpus", Path(tmp) / "index"
            shutil.copytree(ROOT / "corpus", corpus)
            index_corpus = partial(build_index, corpus, index, settings, embedder=embedder)

            def update(index_corpus=index_corpus):  # every timed build starts with no sentence counted
                tiktoken_count.cache_clear()
                return index_corpus()

            build.append(seconds(update))
            add_one.append(add_one_article(corpus / ADDED, update)[0])
            noop.append(seconds(update))
            sizes = index_sizes(current_generation(index))
    build_s, encode_s = statistics.median(build), statistics.median(encode)
    return {
        "texts_embedded": len(texts),
        "full_build_s": build_s,
        "raw_encode_s (baseline)": encode_s,
        "build_overhead": build_s / encode_s - 1,
        "full_build_chunks_per_s": sizes["chunks"] / build_s,
        "raw_encode_chunks_per_s (baseline)": sizes["chunks"] / encode_s,
        "add_one_article_s": statistics.median(add_one),
        "encode_one_article_s (baseline)": statistics.median(encode_one),
        "added_article_texts": len(added),
        "no_op_reindex_s": statistics.median(noop),
        **sizes,
    }


def startup_timings(repeats: int) -> dict:
    """Cold `assistant ask`, `make run`'s two steps, and their baselines, in fresh processes."""
    python = sys.executable
    cli = [python, "-m", "assistant.serve.cli"]
    cold = [child_run([*cli, "ask", "What did Kerry's China trip produce?"], cwd=ROOT) for _ in range(repeats)]
    index_cli = [child_run([*cli, "index"], cwd=ROOT)[0] for _ in range(repeats)]
    serve, serve_rss = [], []
    for _ in range(repeats):
        server, _url, work, ready_s = start_server()
        serve_rss.append(peak_rss_mib(server.pid))
        stop(server)
        work.cleanup()
        serve.append(ready_s)
    return {
        "cold_ask_s": statistics.median(c[0] for c in cold),
        "cold_ask_peak_rss_mib": max(c[1] for c in cold),
        "index_up_to_date_cli_s": statistics.median(index_cli),
        "serve_s (app.py to first HTTP 200, index up to date)": statistics.median(serve),
        "make_run_s (assistant index + app.py to first HTTP 200)": statistics.median(index_cli)
        + statistics.median(serve),
        "serving_peak_rss_mib_at_first_page": max(serve_rss),
        "python_start_s (baseline)": statistics.median(child_run([python, "-c", "pass"])[0] for _ in range(repeats)),
        "import_onnxruntime_s (baseline)": statistics.median(
            child_run([python, "-c", "import onnxruntime"])[0] for _ in range(repeats)
        ),
    }


def main() -> None:
    from assistant.pipeline import build_embedder, build_index
    from assistant.settings import Settings

    arguments = parser(__doc__, "indexing", "one repeat")
    arguments.add_argument("--repeats", type=int, default=3)
    args = arguments.parse_args()
    repeats = 1 if args.quick else args.repeats
    settings = Settings()
    embedder = build_embedder(settings)
    # As update_index embeds them: every chunk, then every sentence.
    per_article = corpus_texts(ROOT / "corpus", settings, embedder)
    texts = [t for chunks, _ in per_article.values() for t in chunks]
    texts += [t for _, sentences in per_article.values() for t in sentences]
    results = build_timings(settings, embedder, texts, [*per_article[ADDED][0], *per_article[ADDED][1]], repeats)
    # The project index up to date, as `make bench` leaves it, for the start-up figures.
    build_index(ROOT / "corpus", ROOT / "index", settings, embedder=embedder)
    results.update(startup_timings(repeats))
    for key, value in results.items():
        print(f"{key}: {value:.3f}" if isinstance(value, float) else f"{key}: {value}")
    write_results(args, results)


if __name__ == "__main__":
    main()
