"""``assistant eval``: every embedder x every retrieval mode on the question set, side by side.

Each embedder gets its own throw-away index of the corpus (in a temporary
folder), so the project's index is never touched and runs are reproducible.
"""

from __future__ import annotations

import tempfile
import time
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any, Sequence

from . import models
from .evaluation import RetrievalScores, evaluate_retrieval, load_questions
from .settings import MODES, Settings


def run_eval(corpus_dir: Path, questions_file: Path, settings: Settings,
             model_names: Sequence[str] | None = None) -> tuple[str, dict[str, Any]]:
    """Returns the text report and the same results as a JSON-ready dict."""
    from .pipeline import Assistant, build_index

    questions = load_questions(questions_file)
    results: dict[str, Any] = {"questions": str(questions_file), "corpus": str(corpus_dir),
                               "default": {"model": settings.model, "mode": settings.mode}, "retrieval": {}}
    table: list[tuple[str, RetrievalScores, float]] = []
    for name in model_names or (models.E5, models.MINILM):
        model_settings = replace(settings, model=name)
        with tempfile.TemporaryDirectory(prefix="newsdesk-eval-") as tmp:
            build_index(corpus_dir, Path(tmp), model_settings)
            assistant = Assistant.load(corpus_dir, tmp, model_settings, update=False)

            def search(query: str, k: int, mode: str) -> list[str]:
                return [p.text for p in assistant.search(query, k, mode=mode)]

            for mode in MODES:
                started = time.perf_counter()
                scores = evaluate_retrieval(search, questions, mode)
                per_query_ms = (time.perf_counter() - started) * 1000 / max(1, len(scores.ranks))
                table.append((name, scores, per_query_ms))
                results["retrieval"][f"{name}/{mode}"] = {**asdict(scores), "ms_per_query": per_query_ms}
    lines = [f"retrieval on {questions_file} ({sum(q.answerable for q in questions)} answerable questions)",
             f"{'model':18} {'mode':8} {'R@1':>6} {'R@3':>6} {'R@5':>6} {'MRR@10':>7} {'ms/q':>6}"]
    for name, s, ms in table:
        star = " *" if (name, s.mode) == (settings.model, settings.mode) else ""
        lines.append(f"{name:18} {s.mode:8} {s.recall_1:6.3f} {s.recall_3:6.3f} {s.recall_5:6.3f} {s.mrr_10:7.3f} {ms:6.1f}{star}")
    lines.append("* default settings")
    misses = [(name, s.mode, qid, rank) for name, s, _ in table for qid, rank in s.ranks.items()
              if (name, s.mode) == (settings.model, settings.mode) and (rank is None or rank > 5)]
    if misses:
        lines.append("default misses (first hit rank > 5): " + ", ".join(f"{q} ({r or '>10'})" for _, _, q, r in misses))
    return "\n".join(lines), results
