"""Warm latency of search() and ask() on the bundled corpus: p50/p95 over repeated queries.

The raw cost of encoding one query with the same model is measured in the same run as
a baseline, so the figures can be read as ratios on a shared, noisy machine; so are
``ask()`` with the answerability model on (at the threshold ``make tune`` calibrated)
and off (``answerable_below`` at minus infinity), which gives what the model costs.  Queries
cycle over the question set (follow-ups with their history); the query-vector cache
is cleared before each call, so every call pays its encoding.

    .venv/bin/python bench/latency.py [--queries 200] [--quick] [--out PATH]
"""

from __future__ import annotations

import json
from dataclasses import replace

from common import ROOT, ask_stream, parser, percentiles, timed, uncached, warm, write_results


def main() -> None:
    from assistant import Assistant

    arguments = parser(__doc__, "latency", "20 queries")
    arguments.add_argument("--queries", type=int, default=200)
    args = arguments.parse_args()
    queries = 20 if args.quick else args.queries

    assistant = Assistant.load()
    stream = ask_stream(queries)
    off = assistant.with_settings(replace(assistant.settings, answerable_below=float("-inf")))
    calibrated = json.loads((ROOT / "eval" / "tuning.json").read_text(encoding="utf-8"))["answerability"]
    on = assistant.with_settings(
        replace(assistant.settings, answerable_below=calibrated["calibration"]["answerable_below"])
    )
    warm(assistant, stream)
    results = {
        "settings": {
            "model": assistant.settings.model,
            "mode": assistant.settings.mode,
            "answer_candidates": assistant.settings.answer_candidates,
        },
        "encode_query (baseline)": percentiles(
            timed(lambda item: assistant.embedder.encode_queries([item[0]]), stream)
        ),
        "search()": percentiles(timed(uncached(assistant, lambda item: assistant.search(item[0])), stream)),
        "ask()": percentiles(timed(uncached(assistant, lambda item: assistant.ask(*item)), stream)),
        "ask(), answerability model on": percentiles(timed(uncached(on, lambda item: on.ask(*item)), stream)),
        "ask(), answerability model off": percentiles(timed(uncached(off, lambda item: off.ask(*item)), stream)),
    }
    results["ask()"]["answerability_ms"] = (
        results["ask(), answerability model on"]["p50_ms"] - results["ask(), answerability model off"]["p50_ms"]
    )
    base = results["encode_query (baseline)"]["p50_ms"]
    for name in ("search()", "ask()"):
        results[name]["p50_over_encode"] = results[name]["p50_ms"] / base
        results[name]["p95_over_p50"] = results[name]["p95_ms"] / results[name]["p50_ms"]
    print("| measure | n | p50 ms | p95 ms | p95/p50 |\n|---|---|---|---|---|")
    for name in ("encode_query (baseline)", "search()", "ask()", *(n for n in results if "answerability model" in n)):
        r = results[name]
        print(f"| {name} | {r['n']} | {r['p50_ms']:.1f} | {r['p95_ms']:.1f} | {r['p95_ms'] / r['p50_ms']:.2f} |")
    write_results(args, results)


if __name__ == "__main__":
    main()
