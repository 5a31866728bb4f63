"""``python -m evals.tune_summary``: choose the summaries' ``summary_per_article`` and
``summary_relevant`` on the dev broad questions of both sets, by fact coverage (``evals.answers``).

A summary's length grows with the articles that speak to its subject: ``summary_per_article``
sentences each, the articles being those with a sentence from ``summary_relevant`` (a
cross-encoder logit) up.  A longer summary covers more, so a candidate must beat the current
default's mean fact coverage by more than the drift of fact coverage between two CPUs
(``eval/drift.json``) to win; among candidates within that margin of the best, the shortest
(fewest words), then the stricter threshold.  Test questions are never read.

    python -m evals.tune_summary --json eval/summary_tuning.json
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from assistant.settings import Settings
from evals.answers import score_answer
from evals.corpora import DATA_DIR, indexed
from evals.machine import described, machine
from evals.questions import SETS, load_sets
from evals.tune import drift

#: The candidates of each; the first of each is the default before tuning.
GRID = {
    "summary_per_article": (2, 1, 3),
    "summary_relevant": (-4.0, -2.0, -6.0),
    "summary_event_bonus": (0.0, 1.0, 2.0, 4.0),
}
TUNED = tuple(GRID)


def tune(names: Sequence[str], base: Settings, data_dir: Path, workdir: Path) -> dict:
    """Each candidate's dev figures and the choice (module docstring)."""
    asked = []
    for question_set in load_sets(tuple(names)):
        questions = [q for q in question_set.split("dev") if q.category == "broad"]
        assistant = indexed(question_set.articles, workdir / question_set.name, data_dir, base)
        asked.append((question_set.name, questions, assistant))
    rows = []
    for values in itertools.product(*GRID.values()):
        chosen = dict(zip(GRID, values, strict=True))
        scores = []
        for _, questions, assistant in asked:
            opened = assistant.with_settings(replace(base, **chosen))
            for q in questions:
                answer = opened.ask(q.question, list(q.history))
                scores.append(score_answer(q, answer.text, [c.text for c in answer.citations], answer.abstained))
        rows.append(
            chosen
            | {
                "fact_coverage": sum(s.coverage or 0.0 for s in scores) / len(scores),
                "mean_words": sum(s.words for s in scores) / len(scores),
                "questions": len(scores),
            }
        )
    margin = drift("fact coverage")
    default, best = rows[0], max(r["fact_coverage"] for r in rows)
    if best - default["fact_coverage"] <= margin:
        chosen_row = default
    else:
        near = [r for r in rows if best - r["fact_coverage"] <= margin]
        chosen_row = min(near, key=lambda r: (r["mean_words"], -r["summary_relevant"]))
    return {
        "sets": list(names),
        "dev_questions": {name: len(questions) for name, questions, _ in asked},
        "machine": machine(),
        "margin": margin,
        "candidates": rows,
        "chosen": {key: chosen_row[key] for key in GRID},
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals.tune_summary", description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DATA_DIR, help="the shared data folder")
    parser.add_argument("--json", dest="json_out", type=Path, help="write the results here")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as workdir:
        results = tune(tuple(SETS), Settings(), args.data, Path(workdir))
    print(f"{'per_article':>11} {'relevant':>8} {'event':>5} {'coverage':>8} {'words':>6}")
    for row in results["candidates"]:
        print(
            f"{row['summary_per_article']:11d} {row['summary_relevant']:8.1f} {row['summary_event_bonus']:5.1f} "
            f"{row['fact_coverage']:8.3f} {row['mean_words']:6.0f}"
        )
    print(f"chosen: {results['chosen']} (dev questions {results['dev_questions']}); {described(results['machine'])}")
    if args.json_out:
        args.json_out.write_text(json.dumps(results, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
