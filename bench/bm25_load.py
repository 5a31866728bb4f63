"""What opening an index pays for BM25: building it from the texts, as every start did before
the indexes were stored, against reading the stored one (memory-mapped), in one run.

The texts are a corpus's chunks and sentences, each after its article's title, exactly
as a build indexes them (no model is needed).  Per kind (chunks, sentences): rows,
seconds to build from the texts (the baseline), seconds to write, seconds to read back,
and one query's scores checked equal.  Medians of --repeats.

    .venv/bin/python bench/bm25_load.py [--corpus bbc|news30k] [--repeats 3] [--quick] [--out PATH]
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

from common import corpus_texts, parser, write_results
from corpora import write_corpus, write_sample

QUERY = "government plans to cut taxes"


def main() -> None:
    import numpy as np

    from assistant.pipeline import build_embedder
    from assistant.settings import Settings
    from assistant.store.lexical import Lexical

    arguments = parser(__doc__, "bm25_load", "100 BBC articles, one repeat")
    arguments.add_argument("--corpus", choices=("bbc", "news30k"), default="bbc")
    arguments.add_argument("--repeats", type=int, default=3)
    args = arguments.parse_args()
    folder = write_sample("bbc", 100) if args.quick else write_corpus(args.corpus)
    repeats = 1 if args.quick else args.repeats
    settings = Settings()
    embedder = build_embedder(settings)  # its tokenizer sizes the chunks; the model never runs
    per_article = corpus_texts(folder, settings, embedder)
    texts = {
        "chunks": [t for chunks, _ in per_article.values() for t in chunks],
        "sentences": [t for _, sentences in per_article.values() for t in sentences],
    }
    results: dict = {"corpus": "bbc-100" if args.quick else args.corpus, "articles": len(per_article)}
    for kind, rows in texts.items():
        built, written, read = [], [], []
        for _ in range(repeats):
            with tempfile.TemporaryDirectory() as tmp:
                started = time.perf_counter()
                lexical = Lexical.of(rows)
                built.append(time.perf_counter() - started)
                started = time.perf_counter()
                lexical.write(Path(tmp))
                written.append(time.perf_counter() - started)
                started = time.perf_counter()
                stored = Lexical.read(Path(tmp), len(rows))
                read.append(time.perf_counter() - started)
                same = bool(np.array_equal(stored.scores(QUERY), lexical.scores(QUERY)))
        results[kind] = {
            "rows": len(rows),
            "build_from_texts_s (baseline)": statistics.median(built),
            "write_s": statistics.median(written),
            "read_stored_s": statistics.median(read),
            "speedup": statistics.median(built) / statistics.median(read),
            "same_scores": same,
        }
        print(kind, results[kind], flush=True)
    write_results(args, results)


if __name__ == "__main__":
    main()
