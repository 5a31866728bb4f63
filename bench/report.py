"""Every bench/results/*.json in one page: bench/results/summary.md and PNG plots beside it.

Each figure is printed beside its target from issue #5 ("Speed at every scale"),
so one look says what is met.  A results file that is missing (a benchmark not
run yet) leaves its rows and plots out; nothing here measures anything.

    .venv/bin/python bench/report.py [--quick | --results FOLDER]   # --quick: the --quick runs' results
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from common import QUICK_RESULTS, RESULTS, ROOT

from evals.machine import FAST_INT8, described

#: measure, figure, target, met (None: no target)
Row = tuple[str, str, str, bool | None]


#: Issue #5's targets: warm p50 in ms on the bundled corpus and at 30k articles, and the ANN point.
BUNDLED_MS = {"search()": 10, "ask()": 100}
LARGE_MS = {"search()": 30, "ask()": 150}
ANN_RECALL, ANN_SPEEDUP = 0.95, 10
#: Issue #14's target: what the answerability model adds to `ask()` p50, same run.
ANSWERABILITY_MS = 20


_NO_MEMO = "add_one_article_s_without_cleaning_memo (baseline, same run)"
_APPENDED = "add_one_article_appended (served generation extended, not rebuilt)"
_LONE = "add_one_article_that_changes_no_other_s"
_LONE_APPENDED = "add_one_article_that_changes_no_other_appended"
#: Issue #15's targets at news30k: a fresh process's first answer and its memory, adding one article.
COLD_S, SERVING_MIB, ADD_ONE_S = 2, 800, 3


def ms(value: float) -> str:
    return f"{value:.1f} ms"


def judged(r: dict, within: bool) -> bool | None:
    """Whether a timing of the models met its target: not judged (None) on a CPU with int8
    acceleration or an unrecorded one, where the same code runs far faster than on the
    CPUs the targets are set for."""
    flags = (r.get("machine") or {}).get("flags")
    return None if flags is None or any(f in flags for f in FAST_INT8) else within


def model_target(r: dict, target: str) -> str:
    return target if judged(r, True) is not None else f"{target} (judged without AVX-512 VNNI only)"


def latency_rows(r: dict) -> list[Row]:
    return [
        *[
            (
                f"bundled corpus, warm `{name}` p50",
                ms(r[name]["p50_ms"]),
                model_target(r, f"≤ {target} ms"),
                judged(r, r[name]["p50_ms"] <= target),
            )
            for name, target in BUNDLED_MS.items()
        ],
        *[
            (
                f"bundled corpus, `{name}` p95 / p50",
                f"{r[name]['p95_ms'] / r[name]['p50_ms']:.2f}",
                "≤ 2",
                r[name]["p95_ms"] <= 2 * r[name]["p50_ms"],
            )
            for name in ("search()", "ask()")
        ],
        (
            "encoding one query (baseline, same run) p50",
            ms(r["encode_query (baseline)"]["p50_ms"]),
            "",
            None,
        ),
        *(
            [
                (
                    "`ask()` p50 with the answerability model on, less off (same run)",
                    ms(r["ask()"]["answerability_ms"]),
                    model_target(r, f"≤ {ANSWERABILITY_MS} ms"),
                    judged(r, r["ask()"]["answerability_ms"] <= ANSWERABILITY_MS),
                )
            ]
            if "answerability_ms" in r["ask()"]
            else []
        ),
    ]


def indexing_rows(r: dict) -> list[Row]:
    limit = 2 + r["encode_one_article_s (baseline)"]
    return [
        (
            "full build over raw encode of the same texts",
            (
                f"{r['full_build_s']:.2f} s / "
                f"{r['raw_encode_s (baseline)']:.2f} s: {r['full_build_chunks_per_s']:.1f} / "
                f"{r['raw_encode_chunks_per_s (baseline)']:.1f} chunks/s, overhead {r['build_overhead']:.0%}"
            ),
            "≤ 10 %",
            r["build_overhead"] <= 0.10,
        ),
        (
            "add one article",
            f"{r['add_one_article_s']:.2f} s",
            f"≤ 2 s + its encode = {limit:.2f} s",
            r["add_one_article_s"] <= limit,
        ),
        (
            "no-op re-index",
            f"{r['no_op_reindex_s']:.2f} s",
            "≤ 2 s",
            r["no_op_reindex_s"] <= 2,
        ),
        (
            "cold `assistant ask` to the first answer",
            (f"{r['cold_ask_s']:.2f} s (peak RSS {r['cold_ask_peak_rss_mib']:.0f} MiB)"),
            "≤ 2 s",
            r["cold_ask_s"] <= 2,
        ),
        (
            "`make run` with an up-to-date index: `assistant index` + `app.py` to its first HTTP 200",
            (
                f"{r['make_run_s (assistant index + app.py to first HTTP 200)']:.2f} s (server peak RSS "
                f"{r['serving_peak_rss_mib_at_first_page']:.0f} MiB)"
            ),
            "",
            None,
        ),
        (
            "index bytes per chunk / per sentence",
            (
                f"{r['bytes_per_chunk (chunks.faiss + chunks.rows.npy)']:.0f} / "
                f"{r['bytes_per_sentence (sentences.faiss + sentences.rows.npy)']:.0f}"
            ),
            "",
            None,
        ),
    ]


def threads_rows(r: dict) -> list[Row]:
    rows = []
    for variant in ("ours", "defaults"):
        for name, v in r[variant].items():
            rows.append(
                (
                    f"threads {variant}: `{name}` p50 / p95",
                    (f"{ms(v['p50_ms'])} / {ms(v['p95_ms'])} (p95/p50 {v['p95_over_p50']:.2f})"),
                    "p95 ≤ 2 × p50" if variant == "ours" else "",
                    v["p95_over_p50"] <= 2 if variant == "ours" else None,
                )
            )
    return rows


def peer_rows(r: dict) -> list[Row]:
    rows = [
        (
            f"LangChain peer `{name}` ({r[name]['model']}, 1000/200 chars, FAISS)",
            (
                f"build {r[name]['build_s']:.2f} s, search p50 "
                f"{ms(r[name]['search()']['p50_ms'])}, R@5 evidence {r[name]['recall@5 evidence']:.3f} / gold doc "
                f"{r[name]['recall@5 gold doc']:.3f}"
            ),
            "",
            None,
        )
        for name in ("langchain", "langchain-e5")
        if name in r
    ]
    for system in ("newsdesk", "newsdesk-minilm"):
        ours = r[system]
        for key, label in (("over_same_model_peer", "same model"), ("over_default_peer", "peer's default")):
            peer = r[ours[key]["peer"]] if key in ours else None
            if peer is None:
                continue
            rows += [
                (
                    f"{system} ({ours['model']}) search p50 vs peer on the {label} ({peer['model']})",
                    f"{ms(ours['search()']['p50_ms'])} ({ours[key]['search p50']:.2f}x)",
                    "no slower",
                    ours["search()"]["p50_ms"] <= peer["search()"]["p50_ms"],
                ),
                *[
                    (
                        f"{system} ({ours['model']}) {measure} vs peer on the {label}",
                        f"{ours[measure]:.3f} vs {peer[measure]:.3f}",
                        "equal or better",
                        ours[measure] >= peer[measure],
                    )
                    for measure in ("recall@5 evidence", "recall@5 gold doc")
                ],
                (
                    f"{system} build vs peer on the {label}",
                    f"{ours['build_s']:.2f} s ({ours[key]['build_s']:.2f}x)",
                    "",
                    None,
                ),
            ]
    return rows


def ann_best(rows: list[dict]) -> dict | None:
    """The fastest index at the largest size with recall@10 ≥ 0.95, or the most accurate non-exact one."""
    largest = [
        row
        for row in rows
        if row["vectors"] == max(r["vectors"] for r in rows) and not row["index"].startswith("exact")
    ]
    good = [row for row in largest if row["recall@10_vs_exact"] >= ANN_RECALL]
    if good:
        return max(good, key=lambda row: row["speedup_vs_exact_k10"])
    return max(largest, key=lambda row: row["recall@10_vs_exact"], default=None)


def scale_rows(r: dict) -> list[Row]:
    rows = []
    for c in r.get("corpora", {}).values():
        big = c["corpus"] == "news30k"
        name = f"{c['corpus']} ({c['documents']:,} articles, {c['chunks'] + c['sentences']:,} vectors)"
        rows += [
            *[
                (
                    f"{name} warm `{call}` p50 / p95",
                    f"{ms(c[call]['p50_ms'])} / {ms(c[call]['p95_ms'])}",
                    model_target(r, f"p50 ≤ {target} ms") if big else "",
                    judged(r, c[call]["p50_ms"] <= target) if big else None,
                )
                for call, target in LARGE_MS.items()
            ],
            (
                f"{name} build / no-op re-index, vectors cached",
                (
                    f"{c['build_s_with_cached_vectors']:.1f} s / {c['no_op_reindex_s']:.1f} s "
                    f"(cold build ~{c['cold_build_s_estimate']:.0f} s)"
                ),
                "",
                None,
            ),
            (
                f"{name} add one article, its vectors cached",
                (
                    f"{c['add_one_article_s_with_cached_vectors']:.1f} s"
                    + (" (appended)" if c.get(_APPENDED) else " (rebuilt)" if _APPENDED in c else "")
                    + (f"; {c[_NO_MEMO]:.1f} s without the cleaning memo, same run" if _NO_MEMO in c else "")
                ),
                f"≤ {ADD_ONE_S} s" if big else "",
                c["add_one_article_s_with_cached_vectors"] <= ADD_ONE_S if big else None,
            ),
            *(
                [
                    (
                        f"{name} add one article that changes no other's cleaning, its vectors cached",
                        f"{c[_LONE]:.1f} s" + (" (appended)" if c[_LONE_APPENDED] else " (rebuilt)"),
                        f"≤ {ADD_ONE_S} s" if big else "",
                        c[_LONE] <= ADD_ONE_S if big else None,
                    )
                ]
                if _LONE in c
                else []
            ),
            (
                f"{name} recall@5 of the source article",
                f"{c['recall@5_of_source_article']:.3f}",
                "",
                None,
            ),
            (
                f"{name} fresh process to its first answer",
                (
                    f"{c['cold_open_and_first_answer_s (fresh process)']:.2f} s, "
                    f"peak RSS {c['serving_peak_rss_mib (fresh process: open, one answer)']:.0f} MiB"
                ),
                f"≤ {COLD_S} s, ≤ {SERVING_MIB} MiB" if big else "",
                (
                    c["cold_open_and_first_answer_s (fresh process)"] <= COLD_S
                    and c["serving_peak_rss_mib (fresh process: open, one answer)"] <= SERVING_MIB
                )
                if big
                else None,
            ),
            (
                f"{name} index bytes per chunk / per sentence",
                (
                    f"{c['bytes_per_chunk (chunks.faiss + chunks.rows.npy)']:.0f} / "
                    f"{c['bytes_per_sentence (sentences.faiss + sentences.rows.npy)']:.0f} "
                    f"(sentences: {c['faiss_index']['sentences.faiss']['type']})"
                ),
                "",
                None,
            ),
        ]
    scaling = r.get("index_scaling", {})
    rows_at_scale = scaling.get("rows", [])
    largest = max((row["vectors"] for row in rows_at_scale), default=0)
    store = [row for row in rows_at_scale if row["vectors"] == largest and "store's" in row["index"]]
    for label, row in (
        ("best ANN", ann_best(rows_at_scale)),
        ("the store's HNSW", store[0] if store else None),
    ):
        if row:
            rows.append(
                (
                    f"{label} at {row['vectors']:,} of {scaling['cached_vectors']:,} cached vectors: {row['index']}",
                    f"recall@10 {row['recall@10_vs_exact']:.3f} at {row['speedup_vs_exact_k10']:.1f}x exact",
                    f"recall@10 ≥ {ANN_RECALL} at ≥ {ANN_SPEEDUP}x",
                    row["recall@10_vs_exact"] >= ANN_RECALL and row["speedup_vs_exact_k10"] >= ANN_SPEEDUP,
                )
            )
    return rows


def load_rows(r: dict) -> list[Row]:
    rss = f"; server peak RSS {r['server_peak_rss_mib']:.0f} MiB" if "server_peak_rss_mib" in r else ""
    return [
        (
            f"{r['clients']} concurrent chat clients ({r.get('sessions', 'gradio_client, stateless /ask')}), "
            f"{r['seconds']:.0f} s, turn p50 / p95",
            (
                f"{ms(r['p50_ms'])} / {ms(r['p95_ms'])}; {r['turns']} turns, {r['errors']} errors, "
                f"{r['crosstalk']} cross-talk{rss}"
            ),
            "",
            None,
        )
    ]


def build_rows(r: dict) -> list[Row]:
    rows = [
        (
            f"cold build of {row['sample_articles']} BBC articles, `--engine {row['engine']}`",
            f"{row['seconds']:.1f} s, {row['texts']} texts, {row['texts_per_s']:.1f} texts/s, "
            f"peak RSS {row['peak_rss_mib']:.0f} MiB",
            "",
            None,
        )
        for row in r["rows"]
    ]
    return [
        *rows,
        (
            f"local cold build per CPU ({r['cpus']} CPUs), the largest sample: what README's Scale section scales",
            f"{r['local_texts_per_s_per_cpu']:.1f} texts/s",
            "",
            None,
        ),
    ]


def bm25_load_rows(r: dict) -> list[Row]:
    return [
        (
            f"BM25 of the {kind} at start ({r[kind]['rows']:,} rows, {r['corpus']}): read stored vs built from texts",
            (
                f"{r[kind]['read_stored_s'] * 1000:.1f} ms vs {r[kind]['build_from_texts_s (baseline)']:.2f} s "
                f"({r[kind]['speedup']:.0f}x); same scores: {'yes' if r[kind]['same_scores'] else '**no**'}"
            ),
            "",
            None,
        )
        for kind in ("chunks", "sentences")
    ]


SECTIONS = {
    "build": build_rows,
    "bm25_load": bm25_load_rows,
    "latency": latency_rows,
    "indexing": indexing_rows,
    "threads": threads_rows,
    "peer": peer_rows,
    "scale": scale_rows,
    "load": load_rows,
}


def shown(folder: Path) -> str:
    """The folder relative to the checkout, where it is inside it."""
    folder = folder.resolve()
    return str(folder.relative_to(ROOT)) if folder.is_relative_to(ROOT) else str(folder)


def markdown(results: dict[str, dict], folder: Path) -> str:
    lines = [
        "# Benchmark summary",
        "",
        (
            f"Generated by `bench/report.py` from the JSON files in `{shown(folder)}`; "
            "targets from issue #5. Timings are medians on a shared 2-core machine; each table names the "
            "machine it was measured on, since int8 kernels differ with and without AVX-512 VNNI."
        ),
        "",
    ]
    for name, rows_of in SECTIONS.items():
        lines += [f"## {name}", ""]
        if name not in results:
            lines += [f"`{name}.json` is missing: run `bench/{name}.py`.", ""]
            continue
        lines += [
            "| measure | figure | target | met |",
            "|---|---|---|---|",
        ]
        for measure, figure, target, met in rows_of(results[name]):
            lines.append(f"| {measure} | {figure} | {target} | {'' if met is None else 'yes' if met else '**no**'} |")
        lines += ["", described(results[name].get("machine")), ""]
    plots = sorted(p.name for p in folder.glob("*.png"))
    return "\n".join(lines + ["Plots: " + ", ".join(f"[{p}]({p})" for p in plots), ""])


def bars(ax, groups: dict[str, dict[str, float]], ylabel: str, log: bool = False) -> None:
    """Grouped bars: one group per key of ``groups``, one bar per inner key."""
    series = list(dict.fromkeys(k for g in groups.values() for k in g))
    width = 0.8 / len(series)
    for i, name in enumerate(series):
        xs = [x + i * width for x in range(len(groups))]
        ax.bar(xs, [g.get(name, 0) for g in groups.values()], width, label=name)
    ax.set_xticks([x + 0.4 - width / 2 for x in range(len(groups))], list(groups), fontsize=8)
    ax.set_ylabel(ylabel)
    if log:
        ax.set_yscale("log")
    ax.legend(fontsize=8)


def plot_latency(plt, r: dict, out: Path) -> None:
    fig, ax = plt.subplots(figsize=(6, 4))
    names = ("encode_query (baseline)", "search()", "ask()")
    bars(
        ax,
        {n: {"p50": r[n]["p50_ms"], "p95": r[n]["p95_ms"]} for n in names},
        "ms (log)",
        log=True,
    )
    for call, target in BUNDLED_MS.items():
        label = f"{call.rstrip('()')} p50 target"
        ax.axhline(target, color="grey", linestyle=":", linewidth=1)
        ax.annotate(label, (0, target), fontsize=7, color="grey")
    ax.set_title("Warm latency, bundled corpus")
    fig.tight_layout()
    fig.savefig(out / "latency.png", dpi=100)


def plot_threads(plt, r: dict, out: Path) -> None:
    fig, axes = plt.subplots(1, 2, figsize=(8, 4))
    for ax, name in zip(axes, ("search()", "ask()"), strict=False):
        bars(
            ax,
            {v: {"p50": r[v][name]["p50_ms"], "p95": r[v][name]["p95_ms"]} for v in ("ours", "defaults")},
            "ms",
        )
        ax.set_title(f"{name}: our threads vs defaults")
    fig.tight_layout()
    fig.savefig(out / "threads.png", dpi=100)


def plot_peer(plt, r: dict, out: Path) -> None:
    fig, axes = plt.subplots(1, 3, figsize=(11, 4))
    bars(
        axes[0],
        {s: {"p50": v["search()"]["p50_ms"], "p95": v["search()"]["p95_ms"]} for s, v in r.items()},
        "search ms (log)",
        log=True,
    )
    bars(
        axes[1],
        {s: {"evidence": v["recall@5 evidence"], "gold doc": v["recall@5 gold doc"]} for s, v in r.items()},
        "recall@5",
    )
    bars(axes[2], {s: {"build": v["build_s"]} for s, v in r.items()}, "build s")
    axes[0].set_title("search latency")
    axes[1].set_title("recall@5 (answerable questions)")
    axes[2].set_title("build, model loaded")
    fig.tight_layout()
    fig.savefig(out / "peer.png", dpi=100)


def plot_indexing(plt, r: dict, out: Path) -> None:
    fig, ax = plt.subplots(figsize=(7, 4))
    figures = {
        "raw encode\n(baseline)": r["raw_encode_s (baseline)"],
        "full build": r["full_build_s"],
        "add one\narticle": r["add_one_article_s"],
        "no-op\nre-index": r["no_op_reindex_s"],
        "cold ask": r["cold_ask_s"],
        "make run to\nHTTP 200": r["make_run_s (assistant index + app.py to first HTTP 200)"],
    }
    ax.bar(list(figures), list(figures.values()))
    ax.axhline(2, color="grey", linestyle=":", linewidth=1)
    ax.annotate("2 s target (no-op, cold ask)", (2.5, 2), fontsize=7, color="grey")
    ax.set_ylabel("s")
    ax.set_title(f"Indexing and start-up, bundled corpus (build overhead {r['build_overhead']:.0%})")
    ax.tick_params(axis="x", labelsize=8)
    fig.tight_layout()
    fig.savefig(out / "indexing.png", dpi=100)


def plot_build(plt, r: dict, out: Path) -> None:
    fig, ax = plt.subplots(figsize=(6, 4))
    for engine in dict.fromkeys(row["engine"] for row in r["rows"]):
        rows = [row for row in r["rows"] if row["engine"] == engine]
        ax.plot([row["articles"] for row in rows], [row["seconds"] for row in rows], marker="o", label=engine)
    ax.set_xlabel("articles (BBC sample)")
    ax.set_ylabel("cold build, s")
    ax.set_title(f"Cold build time against corpus size ({r['cpus']} CPUs)")
    ax.legend(title="--engine")
    fig.tight_layout()
    fig.savefig(out / "build.png", dpi=100)


def plot_ann(plt, r: dict, out: Path) -> None:
    rows = [row for row in r.get("index_scaling", {}).get("rows", []) if not row["index"].startswith("exact")]
    if not rows:
        return
    fig, ax = plt.subplots(figsize=(7, 5))
    for n in sorted({row["vectors"] for row in rows}):
        mine = [row for row in rows if row["vectors"] == n]
        ax.scatter(
            [row["speedup_vs_exact_k10"] for row in mine],
            [row["recall@10_vs_exact"] for row in mine],
            label=f"{n:,} vectors",
            s=18,
        )
    ax.axhline(ANN_RECALL, color="grey", linestyle=":", linewidth=1)
    ax.axvline(ANN_SPEEDUP, color="grey", linestyle=":", linewidth=1)
    ax.set_xscale("log")
    ax.set_xlabel("speed-up over exact search (p50, one thread)")
    ax.set_ylabel("recall@10 against exact")
    ax.set_title(f"ANN indexes: target is the upper right (≥ {ANN_RECALL} at ≥ {ANN_SPEEDUP}x)")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(out / "ann.png", dpi=100)


def plot_corpora(plt, r: dict, out: Path) -> None:
    corpora = r.get("corpora", {})
    if not corpora:
        return
    fig, axes = plt.subplots(1, 2, figsize=(9, 4))
    for ax, (name, target) in zip(axes, LARGE_MS.items(), strict=False):
        bars(
            ax,
            {
                f"{c['corpus']}\n{c['documents']:,} articles": {
                    "p50": c[name]["p50_ms"],
                    "p95": c[name]["p95_ms"],
                }
                for c in corpora.values()
            },
            "ms",
        )
        ax.axhline(target, color="grey", linestyle=":", linewidth=1)
        ax.set_title(f"warm {name}; 30k-article target p50 ≤ {target} ms", fontsize=9)
    fig.tight_layout()
    fig.savefig(out / "corpora.png", dpi=100)


def plot_scale(plt, r: dict, out: Path) -> None:
    plot_corpora(plt, r, out)
    plot_ann(plt, r, out)


PLOTS = {
    "build": plot_build,
    "latency": plot_latency,
    "threads": plot_threads,
    "peer": plot_peer,
    "indexing": plot_indexing,
    "scale": plot_scale,
}


#: README "Scale": the corpus sizes projected, and the workers (of WORKER_CPUS CPUs) building them.
PAPER_ARTICLES = (1_000_000, 10_000_000)
PAPER_WORKERS = (1, 8, 32)
WORKER_CPUS = 16
#: One serving machine of this kind: the RAM it has for the index.
MACHINE_GIB = 24


def _row(*cells: str) -> str:
    return "| " + " | ".join(cells) + " |"


def scale_paper(build: dict, scale: dict) -> str:
    """README's "Scale" projections, every number derived from build.json and scale.json:
    build time on N Ray workers from the measured per-CPU rate, memory per vector kind,
    query latency from HNSW measured at ~200k vectors, and where one machine stops."""
    import math

    news = scale["corpora"]["news30k"]
    scaling = scale["index_scaling"]
    texts_per_article = (news["chunks"] + news["sentences"]) / news["documents"]
    rate = build["local_texts_per_s_per_cpu"]
    largest = max(row["sample_articles"] for row in build["rows"])
    at = {row["engine"]: row for row in build["rows"] if row["sample_articles"] == largest}
    biggest = max(scaling["sizes"])
    kinds = {row["index"]: row for row in scaling["rows"] if row["vectors"] == biggest}
    store = next(row for name, row in kinds.items() if "(the store's)" in name)
    exact = kinds["exact IndexFlatIP"]
    pool = "search_k200_p50_ms (the app's sentence pool)"
    lines = [
        f"Measured: a cold local build reads {rate:.1f} texts/s per CPU ({build['cpus']} CPUs, {largest} BBC "
        f"articles, `bench/build.py`); with `--engine ray` on the same machine, start-up and the last batch's "
        f"tail included, {at['ray']['texts_per_s'] / at['local']['texts_per_s']:.0%} of that. news30k has "
        f"{texts_per_article:.2f} texts per article ({news['chunks'] / news['documents']:.2f} chunks, "
        f"{news['sentences'] / news['documents']:.2f} sentences). Projected below: workers of {WORKER_CPUS} CPUs "
        "at the local per-CPU rate (Ray's start-up amortised over hours), FAISS memory from the index kinds "
        f"measured on {biggest:,} real vectors (`bench/scale.py`), and query time from those measurements: HNSW's "
        "search grows about with the logarithm of the rows, exact search linearly.",
        "",
        _row("articles", "texts", *(f"build on {n} worker{'s' if n > 1 else ''}" for n in PAPER_WORKERS)),
        _row(*["---"] * (2 + len(PAPER_WORKERS))),
    ]
    sizes = [f"{n:,} articles" for n in PAPER_ARTICLES]
    for articles in PAPER_ARTICLES:
        texts = articles * texts_per_article
        hours = (texts / (rate * WORKER_CPUS * n) / 3600 for n in PAPER_WORKERS)
        lines.append(_row(f"{articles:,}", f"{texts / 1e6:.1f} M", *(f"{h:,.1f} h" for h in hours)))
    structures: dict[str, list[dict]] = {}  # one row per index structure, its search settings apart
    for name, row in kinds.items():
        structures.setdefault(name.split(" nprobe")[0].split(" efSearch")[0], []).append(row)
    head = _row("vector kind", "bytes per vector", "best recall@10 measured", "per article", *sizes)
    lines += ["", head, _row(*["---"] * (4 + len(sizes)))]
    for name, rows in structures.items():
        per_article = rows[0]["bytes_per_vector"] * texts_per_article
        gib = (f"{per_article * n / 2**30:.1f} GiB" for n in PAPER_ARTICLES)
        recall = f"{max(r['recall@10_vs_exact'] for r in rows):.3f}"
        lines.append(_row(name, f"{rows[0]['bytes_per_vector']:.0f}", recall, f"{per_article / 1024:.1f} KiB", *gib))
    head = _row("sentence search, k=200, p50", f"{biggest:,} vectors (measured)", *sizes)
    lines += ["", head, _row(*["---"] * (2 + len(sizes)))]
    for label, row, grow in (
        ("HNSW M=48 efSearch=128 (the store's)", store, lambda n: math.log(n) / math.log(biggest)),
        ("exact IndexFlatIP", exact, lambda n: n / biggest),
    ):
        rows = (n * news["sentences"] / news["documents"] for n in PAPER_ARTICLES)
        lines.append(_row(label, f"{row[pool]:.2f} ms", *(f"{row[pool] * grow(n):,.1f} ms" for n in rows)))
    key = "serving_peak_rss_mib (fresh process: open, one answer)"
    rss, small = news[key], scale["corpora"].get("bbc", {key: 0.0, "documents": 0})
    # What each article adds, from the two corpora measured (the models are a fixed cost).
    per_article_kib = (rss - small[key]) * 1024 / (news["documents"] - small["documents"])
    fixed = rss - per_article_kib * news["documents"] / 1024
    vectors_kib = store["bytes_per_vector"] * texts_per_article / 1024
    lines += [
        "",
        f"Where one machine stops: a fresh process serving news30k peaks at {rss:,.0f} MiB; against BBC's "
        f"{small['documents']:,} articles that is {per_article_kib:.1f} KiB per article above a fixed "
        f"{fixed:,.0f} MiB (models, libraries), so a {MACHINE_GIB} GiB machine holds about "
        f"{(MACHINE_GIB * 1024 - fixed) * 1024 / per_article_kib:,.0f} articles by that measure; the vectors "
        f"({vectors_kib:.1f} KiB per article in the store's HNSW) are memory-mapped, so beyond RAM they are "
        "read from disk at the cost of latency rather than refused.",
        "",
        f"Build rate: {described(build.get('machine'))} Index kinds, search and memory: "
        f"{described(scale.get('machine'))}",
    ]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--results", type=Path, default=RESULTS)
    parser.add_argument("--quick", action="store_true", help=f"summarise {QUICK_RESULTS}")
    args = parser.parse_args()
    if args.quick:
        args.results = QUICK_RESULTS
    import matplotlib

    matplotlib.use("Agg")  # files only, no display
    import matplotlib.pyplot as plt

    results = {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in sorted(args.results.glob("*.json"))}
    for name, plot in PLOTS.items():
        if name in results:
            plot(plt, results[name], args.results)
            plt.close("all")
    summary = args.results / "summary.md"
    summary.write_text(markdown(results, args.results), encoding="utf-8")
    print(f"wrote {summary}")
    if "build" in results and "scale" in results:
        paper = args.results / "scale-paper.md"
        paper.write_text(scale_paper(results["build"], results["scale"]), encoding="utf-8")
        print(f"wrote {paper}")


if __name__ == "__main__":
    main()
