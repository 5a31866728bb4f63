"""Warm latency of search() and ask() on the bundled corpus: p50/p95 over repeated queries.

The raw cost of encoding one query with the same model is measured in the same run as
a baseline, so the figures can be read as ratios on a shared, noisy machine.

    .venv/bin/python bench/latency.py [--queries 200] [--out bench/results/latency.json]
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {"n": len(ordered), "p50_ms": statistics.median(ordered),
            "p95_ms": ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))], "max_ms": ordered[-1]}


def timed(fn, items) -> list[float]:
    out = []
    for item in items:
        started = time.perf_counter()
        fn(item)
        out.append((time.perf_counter() - started) * 1000)
    return out


def main() -> None:
    from assistant import Assistant
    from assistant.evaluation import load_questions

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "latency.json")
    args = parser.parse_args()

    assistant = Assistant.load()
    questions = load_questions(ROOT / "eval" / "questions.jsonl")
    asks = [(q.question, list(q.history)) for q in questions]
    stream = [asks[i % len(asks)] for i in range(args.queries)]
    for question, history in asks:  # warm: models loaded, caches of both paths filled once
        assistant.ask(question, history)

    def fresh(fn):
        """Each call with the query-vector cache cleared, so encoding is always paid."""
        def call(item):
            assistant.retriever.query_vector.cache_clear()
            fn(item)
        return call

    results = {
        "machine": {"cpus": __import__("os").cpu_count(), "python": platform.python_version()},
        "settings": {"model": assistant.settings.model, "mode": assistant.settings.mode,
                     "answer_candidates": assistant.settings.answer_candidates},
        "encode_query (baseline)": percentiles(timed(lambda item: assistant.embedder.encode_queries([item[0]]), stream)),
        "search()": percentiles(timed(fresh(lambda item: assistant.search(item[0])), stream)),
        "ask()": percentiles(timed(fresh(lambda item: assistant.ask(*item)), stream)),
    }
    base = results["encode_query (baseline)"]["p50_ms"]
    for name in ("search()", "ask()"):
        results[name]["p50_over_encode"] = results[name]["p50_ms"] / base
        results[name]["p95_over_p50"] = results[name]["p95_ms"] / results[name]["p50_ms"]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2), encoding="utf-8")
    print("| measure | n | p50 ms | p95 ms | p95/p50 |\n|---|---|---|---|---|")
    for name in ("encode_query (baseline)", "search()", "ask()"):
        r = results[name]
        print(f"| {name} | {r['n']} | {r['p50_ms']:.1f} | {r['p95_ms']:.1f} | {r['p95_ms'] / r['p50_ms']:.2f} |")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
