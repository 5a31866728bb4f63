"""Speed at scale: real news corpora through the normal pipeline, and FAISS index kinds on real vectors.

(a) ``corpora``: BBC (2.2k articles) and news30k (BBC + Reuters-21578 + AG News,
    ~29k) are written as article files (``corpora.py``) and indexed by
    ``build_index`` with an on-disk embedding cache (``embed_cache.py``), so the
    build time reported is everything but encoding; the raw encode time of a sample
    of the index's own texts, measured in the same run, gives the cold estimate.
    A no-op re-index and adding one article (taken out, then put back; its vectors
    cached) are timed too, for two articles: the first from the middle of the corpus that
    nothing duplicates, and the first from there whose lines no other article's cleaning
    depends on (``lone_article``); an update that changes other articles rebuilds its
    generation, one that only adds appends to it.
    Then warm ``search()`` and ``ask()`` over N queries, each the first 12 words of a
    random article's middle sentence (seeded), with the query-vector cache cleared
    before every call; recall@5 is how often that article is among the 5 passages
    found.  A fresh process opening the index and answering once gives the cold
    start and the serving process's peak RSS at that size.  ``search()`` is also
    timed with the other kind of FAISS index than the store chose, over the same
    vectors.
(b) ``index_scaling``: every document vector in the embedding cache (the chunks and
    sentences of all corpora encoded so far: ~205k once news30k is whole; the count
    is recorded), at several sizes up to all of them: exact IndexFlatIP against HNSW
    and IVF (flat and SQ8) at a few parameters, each with build time, bytes,
    single-query p50 at one OpenMP thread (as the app runs) and recall@10 against
    exact, with the e5 query vectors of the (a) queries.

    .venv/bin/python bench/scale.py [--corpora bbc,news30k] [--articles N] [--queries 200]
                                    [--sizes 10000,50000,100000,all] [--quick] [--out PATH]

``--quick``: 100 BBC articles, 30 queries, index sizes of 5k and 20k cached vectors.
"""

from __future__ import annotations

import json
import math
import os
import random
import statistics
import sys
import time
from dataclasses import asdict, replace
from functools import partial
from pathlib import Path

from common import (
    CACHE,
    add_one_article,
    child_run,
    index_sizes,
    parser,
    percentiles,
    seconds,
    timed,
    uncached,
    write_results,
)
from corpora import CORPORA, write_corpus, write_sample
from embed_cache import CachedEmbedder

QUERY_WORDS = 12
#: A fresh process: open the index given as argv[1:3], answer once (cold start, serving RSS).
COLD_ASK = """import sys
from pathlib import Path
from assistant.pipeline import Assistant, build_embedder
from assistant.settings import Settings
settings = Settings()
Assistant.open(Path(sys.argv[1]), Path(sys.argv[2]), settings, build_embedder(settings)).ask(sys.argv[3])
"""


def snippet_queries(index, count: int, seed: int = 0) -> list[tuple[str, str]]:
    """(query, doc_id): the first words of the middle sentence of ``count`` random articles.

    Not the first sentence or the title, which are embedded with every passage and
    would be found trivially; a partial sentence from the body is what a reader
    half-remembers.
    """
    rng = random.Random(seed)
    ids = sorted(d for d, s in index.sentences.items() if len(s) >= 3)
    out = []
    for doc_id in rng.sample(ids, min(count, len(ids))):
        sentences = index.sentences[doc_id]
        out.append(
            (
                " ".join(sentences[len(sentences) // 2].text.split()[:QUERY_WORDS]),
                doc_id,
            )
        )
    return out


def encode_seconds_per_text(index, embedder, sample: int = 200, seed: int = 0) -> float:
    """Raw encode time of one of the index's own texts (chunks and sentences as embedded, with
    their titles), averaged over a seeded sample drawn in proportion to their numbers."""
    from assistant.ingest.split import passage_text

    rows = [*index.chunks, *index.sentence_rows]
    picked = random.Random(seed).sample(rows, min(sample, len(rows)))
    texts = [passage_text(index.documents[r.doc_id], r.text) for r in picked]
    return seconds(lambda: embedder.encode_documents(texts)) / len(texts)


def _forgetting(memo: Path, update):
    """``update`` with the cleaning memo deleted first: every file cleaned again, as before the memo."""
    memo.unlink(missing_ok=True)
    return update()


def lone_article(corpus: Path, articles: list[Path], paired: set[str]) -> Path:
    """The first of ``articles`` that no other one duplicates and whose coming and going changes
    no other article's cleaning: none of its short lines is in exactly one other article (a line
    found in two articles is learned as boilerplate and removed from both).  Judged on the files'
    raw lines, so it can err; the update measured says whether it appended."""
    from assistant.ingest.cleaning import count_short_lines, short_lines

    every = sorted(corpus.rglob("*.txt"))
    lines = {path: short_lines(path.read_text(encoding="utf-8", errors="replace").split("\n")) for path in every}
    counts = count_short_lines(lines.values())
    return next(
        a
        for a in articles
        if str(a.relative_to(corpus)) not in paired and all(counts.get(line) != 2 for line in lines[a])
    )


def corpus_run(name: str, articles: int, settings, embedder, count: int) -> tuple[dict, list[str]]:
    """Build ``name`` through the pipeline (vectors cached), then time search() and ask() on it.

    Returns the figures and the query texts."""
    from assistant.ingest.memo import MEMO
    from assistant.pipeline import Assistant, build_index

    corpus = write_sample(name, articles) if articles else write_corpus(name)
    index_dir = CACHE / "index" / corpus.name
    cached = CachedEmbedder(embedder)
    update = partial(build_index, corpus, index_dir, settings, embedder=cached)
    started = time.perf_counter()
    report = update(rebuild=True)
    build_s = time.perf_counter() - started
    noop_s = seconds(update)
    # An article no other one duplicates (taking out one of a pair would let the other in).
    paired = {name for d in report.duplicates for name in (d.doc_id, d.kept)}
    articles = sorted(corpus.rglob("*.txt"))
    middle = next(a for a in articles[len(articles) // 2 :] if str(a.relative_to(corpus)) not in paired)
    add_without_memo_s, _ = add_one_article(middle, partial(_forgetting, index_dir / MEMO, update))  # baseline
    add_s, added = add_one_article(middle, update)
    lone = lone_article(corpus, articles[len(articles) // 2 :], paired)
    add_lone_s, added_lone = add_one_article(lone, update)

    # The raw model, not the cache: queries are encoded.
    assistant = Assistant.open(corpus, index_dir, settings, embedder)
    index = assistant.retriever.index
    per_text_s = encode_seconds_per_text(index, embedder)
    queries = snippet_queries(index, count)
    texts = [q for q, _ in queries]
    # Warm: the cross-encoder loaded, BM25 and FAISS pages touched.
    for query in texts[:10]:
        assistant.ask(query)
    found = [[p.doc_id for p in assistant.search(q, 5)] for q in texts]
    cold_s, serving_rss = child_run([sys.executable, "-c", COLD_ASK, str(corpus), str(index_dir), texts[0]])
    result = {
        "corpus": corpus.name,
        **index_sizes(index.path),
        "skipped_files": len(report.skipped),
        "duplicate_files": len(report.duplicates),
        "faiss_index": {name: asdict(kind) for name, kind in index.manifest.faiss_index.items()},
        "build_s_with_cached_vectors": build_s,
        "no_op_reindex_s": noop_s,
        "add_one_article_s_with_cached_vectors": add_s,
        "add_one_article_appended (served generation extended, not rebuilt)": added.appended,
        "add_one_article_s_without_cleaning_memo (baseline, same run)": add_without_memo_s,
        "add_one_article_that_changes_no_other_s": add_lone_s,
        "add_one_article_that_changes_no_other_appended": added_lone.appended,
        "vectors_encoded_in_build (cache misses)": cached.misses,
        "encode_s_per_text (baseline, sample of the index's texts)": per_text_s,
        "cold_build_s_estimate": build_s + cached.hits * per_text_s,
        "cold_open_and_first_answer_s (fresh process)": cold_s,
        "serving_peak_rss_mib (fresh process: open, one answer)": serving_rss,
        "queries": len(texts),
        "query_kind": f"first {QUERY_WORDS} words of the middle sentence of a random article (seed 0)",
        "recall@5_of_source_article": statistics.mean(d in f for (_, d), f in zip(queries, found, strict=False)),
        "encode_query (baseline)": percentiles(timed(lambda q: embedder.encode_queries([q]), texts)),
        "search()": percentiles(timed(uncached(assistant, assistant.search), texts)),
        "ask()": percentiles(timed(uncached(assistant, assistant.ask), texts)),
    }
    result["other_index_kind"] = other_kind(assistant, settings, texts, [d for _, d in queries], found)
    return result, texts


def other_kind(assistant, settings, texts: list[str], sources: list[str], found: list[list[str]]) -> dict:
    """search() with the other kind of FAISS index than the store chose (HNSW if it chose exact,
    exact if HNSW), built from the same stored vectors with the store's own parameters."""
    from assistant.settings import Settings
    from assistant.store.vectors import FLAT, VectorIndex, build_faiss, choose_index

    index = assistant.retriever.index
    served = index.sentence_index
    kind = (
        choose_index(served.ntotal, Settings(approximate_above=0)) if type(served).__name__ == FLAT else VectorIndex()
    )
    rebuilt = {}
    for name in ("chunk_index", "sentence_index"):
        stored = getattr(index, name)
        rebuilt[name] = build_faiss(kind, stored.reconstruct_n(0, stored.ntotal))
    other = replace(index, **rebuilt)
    vectors = assistant.embedder.encode_queries(texts)
    pool = 4 * settings.candidates  # the sentence pool hybrid search asks for

    assistant.retriever.index = other
    try:
        other_found = [[p.doc_id for p in assistant.search(q, 5)] for q in texts]
        other_search = percentiles(timed(uncached(assistant, assistant.search), texts))
    finally:
        assistant.retriever.index = index
    return {
        "index": asdict(kind),
        f"sentence_faiss_search_k{pool}_served": percentiles(timed(lambda v: search(served, v, pool), vectors)),
        f"sentence_faiss_search_k{pool}_other": percentiles(
            timed(lambda v: search(other.sentence_index, v, pool), vectors)
        ),
        "search()_other": other_search,
        "recall@5_of_source_article_other": statistics.mean(d in f for d, f in zip(sources, other_found, strict=False)),
        "top5_articles_same_as_served": statistics.mean(a == b for a, b in zip(found, other_found, strict=False)),
    }


def index_kinds(n: int) -> list[tuple[str, str, dict]]:
    """(label, faiss factory string, parameters) of every configuration compared: HNSW with
    the store's degree and a sparser one, IVF with ~4 sqrt(n) lists, flat and 8-bit scalar
    quantised.  An HNSW efSearch is the beam for 10 results; for more, the app widens it to k
    (``search_parameters``)."""
    from assistant.settings import Settings

    HNSW_M, HNSW_EF_SEARCH = Settings().hnsw_m, Settings().hnsw_ef_search

    nlist = max(64, 1 << round(math.log2(4 * math.sqrt(n))))
    kinds = [("exact IndexFlatIP", "Flat", {})]
    for m in (16, HNSW_M):
        for ef in (64, 128, 256):
            store = " (the store's)" if (m, ef) == (HNSW_M, HNSW_EF_SEARCH) else ""
            kinds.append((f"HNSW M={m} efSearch={ef}{store}", f"HNSW{m},Flat", {"efSearch": ef}))
    for quantiser, probes in (("Flat", (16, 32, 64)), ("SQ8", (32, 64))):
        factory = f"IVF{nlist},{quantiser}"
        kinds += [(f"{factory} nprobe={p}", factory, {"nprobe": p}) for p in probes]
    return kinds


def build_kind(factory: str, vectors, ef_construction: int):
    """Built with every core, as the store builds; searched with one thread, as the app searches."""
    import faiss

    index = faiss.index_factory(vectors.shape[1], factory, faiss.METRIC_INNER_PRODUCT)
    if factory.startswith("HNSW"):
        index.hnsw.efConstruction = ef_construction
    faiss.omp_set_num_threads(os.cpu_count() or 1)
    try:
        index.train(vectors)
        index.add(vectors)
    finally:
        faiss.omp_set_num_threads(1)
    return index


def search(index, query, k: int):
    """Row ids of the ``k`` nearest, searched as the app searches (``store.search_parameters``)."""
    from assistant.store.vectors import search_parameters

    return index.search(query[None, :], k, params=search_parameters(index, k))[1][0]


def recall(found, truth) -> float:
    """Share of the exact neighbours found (FAISS pads with -1 when asked for more rows than it has)."""
    return sum(len((set(f) & set(t)) - {-1}) for f, t in zip(found, truth, strict=False)) / int((truth >= 0).sum())


def index_scaling(vectors, queries, sizes: list[int], ef_construction: int, app_pool: int) -> list[dict]:
    """One row per (size, index kind); each size is a seeded random subset of ``vectors``."""
    import faiss
    import numpy as np

    rows = []
    for n in sizes:
        base = np.ascontiguousarray(vectors[np.random.default_rng(0).permutation(len(vectors))[:n]])
        built: dict[str, tuple] = {}
        truth = exact_p50 = None
        for label, factory, params in index_kinds(n):
            if factory not in built:
                started = time.perf_counter()
                index = build_kind(factory, base, ef_construction)
                built[factory] = (
                    index,
                    time.perf_counter() - started,
                    faiss.serialize_index(index).nbytes,
                )
            index, build_s, nbytes = built[factory]
            for key, value in params.items():
                faiss.ParameterSpace().set_index_parameter(index, key, value)
            found = {k: np.vstack([search(index, q, k) for q in queries]) for k in (10, app_pool)}
            k10 = percentiles(timed(lambda q, index=index: search(index, q, 10), queries))
            pool = percentiles(timed(lambda q, index=index: search(index, q, app_pool), queries))
            if truth is None:  # the first kind is exact
                truth, exact_p50 = found, k10["p50_ms"]
            rows.append(
                {
                    "vectors": n,
                    "index": label,
                    "build_s": build_s,
                    "index_bytes": nbytes,
                    "bytes_per_vector": nbytes / n,
                    "search_k10_p50_ms": k10["p50_ms"],
                    "search_k10_p95_ms": k10["p95_ms"],
                    f"search_k{app_pool}_p50_ms (the app's sentence pool)": pool["p50_ms"],
                    "speedup_vs_exact_k10": exact_p50 / k10["p50_ms"],
                    "recall@10_vs_exact": recall(found[10], truth[10]),
                    f"recall@{app_pool}_vs_exact": recall(found[app_pool], truth[app_pool]),
                }
            )
            print(json.dumps(rows[-1]), flush=True)
    return rows


def scaling_sizes(spec: str, available: int) -> list[int]:
    """The sizes of ``spec`` ("10000,50000,all") that the cache can fill, ``all`` being every vector."""
    sizes = {available if s.strip() == "all" else int(s) for s in spec.split(",")}
    return sorted(s for s in sizes if 0 < s <= available)


def main() -> None:
    from assistant.pipeline import build_embedder
    from assistant.settings import Settings

    APPROXIMATE_ABOVE, HNSW_EF_CONSTRUCTION = Settings().approximate_above, Settings().hnsw_ef_construction

    arguments = parser(__doc__, "scale", "100 BBC articles, 30 queries, 5k and 20k cached vectors")
    arguments.add_argument(
        "--corpora",
        default=",".join(CORPORA),
        help="which of %(default)s to build and query",
    )
    arguments.add_argument(
        "--articles",
        type=int,
        default=0,
        help="an even sample of this many articles of each corpus (0: all)",
    )
    arguments.add_argument("--queries", type=int, default=200)
    arguments.add_argument(
        "--sizes",
        default="10000,50000,100000,all",
        help="index sizes compared, in cached vectors; 'all' is every one",
    )
    args = arguments.parse_args()
    if args.quick:
        args.corpora, args.articles, args.queries, args.sizes = (
            "bbc",
            100,
            30,
            "5000,20000",
        )

    settings = Settings()
    # Also sets OpenMP to one thread, as the app runs.
    embedder = build_embedder(settings)
    results = {"corpora": {}}
    query_texts: list[str] = []
    for name in args.corpora.split(","):
        results["corpora"][name], texts = corpus_run(name, args.articles, settings, embedder, args.queries)
        query_texts += texts
        print(json.dumps({name: results["corpora"][name]}, indent=2), flush=True)

    vectors = CachedEmbedder(embedder).vectors()
    sizes = scaling_sizes(args.sizes, len(vectors))
    results["index_scaling"] = {
        "cached_vectors": len(vectors),
        "vectors_from": (
            f"every document vector in the embedding cache ({len(vectors):,} real e5 vectors of "
            "chunks and sentences); each size is a seeded random subset"
        ),
        "queries": f"e5 query vectors of the {len(query_texts)} corpus queries above",
        "store_approximate_above": APPROXIMATE_ABOVE,
        "ef_construction": HNSW_EF_CONSTRUCTION,
        "sizes": sizes,
        "rows": index_scaling(
            vectors,
            embedder.encode_queries(query_texts),
            sizes,
            HNSW_EF_CONSTRUCTION,
            4 * settings.candidates,
        ),
    }
    print(f"index scaling on {len(vectors):,} cached document vectors, sizes {sizes}")
    write_results(args, results)


if __name__ == "__main__":
    main()
