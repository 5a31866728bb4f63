"""Thread configuration A/B: warm search() and ask() with ours against the libraries' defaults.

The issue: with default settings on 2 cores the pools of torch, FAISS, numpy/BLAS
and ONNX Runtime compete and single queries stall.  ``ours`` is Newsdesk as it
ships (``threads.limit_openmp``: one OpenMP/BLAS thread; ONNX Runtime sessions
with non-spinning pools, inputs run side by side, ``embedding.OnnxRuns``).  ``defaults``
is the same code with that configuration undone in the child process only: no
OpenMP/BLAS limit and plain ``InferenceSession``s (every core, spinning), run one
input after another.  Both children
import torch first, as a sentence-transformers model or another library would,
so its OpenMP runtime is loaded either way.  The two variants alternate for
--rounds rounds in fresh processes (the machine's load drifts; it hits both),
and their samples are pooled.  Target: p95 within twice p50.

    .venv/bin/python bench/threads.py [--queries 100] [--rounds 2] [--quick] [--out PATH]
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from common import ask_stream, parser, percentiles, run_child, timed, uncached, warm, write_results

from assistant.models.threads import OPENMP_VARS

VARIANTS = ("ours", "defaults")


def undo_thread_configuration() -> None:
    """Make this process run with the libraries' own thread defaults (the ``defaults`` variant)."""
    import onnxruntime as ort

    import assistant.models.onnx
    import assistant.pipeline

    def default_runs(runs: assistant.models.onnx.OnnxRuns, model_file: Path, threads: int) -> None:
        runs.session = ort.InferenceSession(str(model_file), providers=["CPUExecutionProvider"])
        runs._pool = None

    assistant.pipeline.limit_openmp = lambda: None
    assistant.models.onnx.OnnxRuns.__init__ = default_runs


def measure(variant: str, queries: int) -> dict[str, list[float]]:
    """Per-call milliseconds of search() and ask() in this process."""
    import torch  # noqa: F401  loaded in both variants: its OpenMP runtime is one of the competitors

    if variant == "defaults":
        undo_thread_configuration()
    from assistant import Assistant

    assistant = Assistant.load()
    stream = ask_stream(queries)
    warm(assistant, stream)
    return {
        "search()": timed(uncached(assistant, lambda item: assistant.search(item[0])), stream),
        "ask()": timed(uncached(assistant, lambda item: assistant.ask(*item)), stream),
    }


def main() -> None:
    arguments = parser(__doc__, "threads", "one round of 10 queries per variant")
    arguments.add_argument("--queries", type=int, default=100, help="per round and variant")
    arguments.add_argument("--rounds", type=int, default=2)
    arguments.add_argument(
        "--variant",
        choices=VARIANTS,
        help="run one variant in this process (the children's part)",
    )
    args = arguments.parse_args()
    if args.quick:
        args.queries, args.rounds = 10, 1
    if args.variant:
        print(json.dumps(measure(args.variant, args.queries)))
        return

    # No inherited limit in either child.
    env = {k: v for k, v in os.environ.items() if k not in OPENMP_VARS}
    samples = {v: {"search()": [], "ask()": []} for v in VARIANTS}
    for _ in range(args.rounds):
        for variant in VARIANTS:
            child = run_child(__file__, ["--variant", variant, "--queries", str(args.queries)], env)
            for name, values in child.items():
                samples[variant][name] += values
    results = {
        "cpus": os.cpu_count(),
        "queries_per_round": args.queries,
        "rounds": args.rounds,
    }
    print("| variant | call | n | p50 ms | p95 ms | p95/p50 |\n|---|---|---|---|---|---|")
    for variant in VARIANTS:
        results[variant] = {}
        for name, values in samples[variant].items():
            r = percentiles(values)
            r["p95_over_p50"] = r["p95_ms"] / r["p50_ms"]
            results[variant][name] = r
            print(
                f"| {variant} | {name} | {r['n']} | {r['p50_ms']:.1f} | {r['p95_ms']:.1f} | {r['p95_over_p50']:.2f} |"
            )
    write_results(args, results)


if __name__ == "__main__":
    main()
