"""``assistant eval``: retrieval for every embedder x mode, then answers against two baselines.

Each embedder gets its own throw-away index of the corpus (in a temporary
folder), so the project's index is never touched and runs are reproducible.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any, Sequence

from . import models
from .answer_metrics import AnswerScore, score_answer, summarise
from .baselines import lead_baseline, lexrank_baseline
from .evaluation import Question, RetrievalScores, evaluate_retrieval, load_questions
from .settings import MODES, Settings

MAX_FALSE_ABSTENTION = 0.05  # the calibration target for abstain_below


def run_eval(corpus_dir: Path, questions_file: Path, settings: Settings,
             model_names: Sequence[str] | None = None) -> tuple[str, dict[str, Any]]:
    """Returns the text report and the same results as a JSON-ready dict."""
    from .pipeline import Assistant

    questions = load_questions(questions_file)
    results: dict[str, Any] = {"questions": str(questions_file), "corpus": str(corpus_dir),
                               "default": {"model": settings.model, "mode": settings.mode}, "retrieval": {}}
    table: list[tuple[str, RetrievalScores, float]] = []
    answer_lines: list[str] = []
    for name in model_names or (models.E5, models.MINILM):
        model_settings = replace(settings, model=name)
        with tempfile.TemporaryDirectory(prefix="newsdesk-eval-") as tmp:
            assistant = Assistant.load(corpus_dir, tmp, model_settings)

            def search(query: str, k: int, mode: str) -> list[str]:
                return [p.text for p in assistant.search(query, k, mode=mode)]

            for mode in MODES:
                assistant.retriever.query_vector.cache_clear()  # time each mode's own encoding
                started = time.perf_counter()
                scores = evaluate_retrieval(search, questions, mode)
                per_query_ms = (time.perf_counter() - started) * 1000 / max(1, len(scores.ranks))
                table.append((name, scores, per_query_ms))
                results["retrieval"][f"{name}/{mode}"] = {**asdict(scores), "ms_per_query": per_query_ms}
            if name == settings.model:
                answer_lines, results["answers"] = _answers(assistant, questions)
    lines = _retrieval_lines(questions_file, questions, table, settings)
    if "answers" in results:
        lines += ["", *answer_lines]
    return "\n".join(lines), results


def _retrieval_lines(questions_file: Path, questions: list[Question], table, settings: Settings) -> list[str]:
    lines = [f"retrieval on {questions_file} ({sum(q.answerable for q in questions)} answerable questions)",
             f"{'model':18} {'mode':8} {'R@1':>6} {'R@3':>6} {'R@5':>6} {'MRR@10':>7} {'ms/q':>6}"]
    for name, s, ms in table:
        star = " *" if (name, s.mode) == (settings.model, settings.mode) else ""
        lines.append(f"{name:18} {s.mode:8} {s.recall_1:6.3f} {s.recall_3:6.3f} {s.recall_5:6.3f} {s.mrr_10:7.3f} {ms:6.1f}{star}")
    lines.append("* default settings")
    misses = [(qid, rank) for name, s, _ in table if (name, s.mode) == (settings.model, settings.mode)
              for qid, rank in s.ranks.items() if rank is None or rank > 5]
    if misses:
        lines.append("default misses (first hit rank > 5): " + ", ".join(f"{q} ({r or '>10'})" for q, r in misses))
    return lines


def _answers(assistant, questions: list[Question]) -> tuple[list[str], dict[str, Any]]:
    """Our answers and both baselines on the same retrieval, plus the abstention calibration."""
    ours: list[AnswerScore] = []
    lead: list[AnswerScore] = []
    lexrank: list[AnswerScore] = []
    per_question, best_scores, timings = [], {}, []
    for q in questions:
        started = time.perf_counter()
        answer = assistant.ask(q.question, list(q.history))
        timings.append((time.perf_counter() - started) * 1000)
        ours.append(score_answer(q, answer.text, [c.text for c in answer.citations], answer.abstained))
        for scores, baseline in ((lead, lead_baseline), (lexrank, lexrank_baseline)):
            text, cited = baseline(answer.passages)
            scores.append(score_answer(q, text, cited, False))
        best_scores[q.id] = answer.best_score
        per_question.append({"id": q.id, "category": q.category, "query": answer.query, "answer": answer.text,
                             "abstained": answer.abstained, "best_score": answer.best_score,
                             "score": asdict(ours[-1]), "ms": timings[-1]})
    summaries = {"ours": summarise(ours), "lead-2": summarise(lead), "lexrank-3": summarise(lexrank)}
    calibration = calibrate(questions, best_scores)
    lines = [f"answers on {len(questions)} questions (ask p50 {statistics.median(timings):.0f} ms, "
             f"abstain_below={assistant.settings.abstain_below})",
             f"{'system':10} {'category':13} {'coverage':>8} {'full':>6} {'cited':>6} {'abstain':>7} "
             f"{'false-abst':>10} {'words':>6}"]
    for system, summary in summaries.items():
        for category, row in summary.items():
            lines.append(f"{system:10} {category:13} {_f(row['fact_coverage'])} {_f(row['full_coverage_rate'], 6)} "
                         f"{_f(row['cited_evidence_rate'], 6)} {_f(row['abstention_rate'], 7)} "
                         f"{_f(row['false_abstention_rate'], 10)} {_f(row['mean_words'], 6, 0)}")
    lines.append(f"calibration: abstain_below={calibration['suggested']:.2f} abstains on "
                 f"{calibration['abstention_at_suggested']:.2f} of unanswerable for "
                 f"{calibration['false_abstention_at_suggested']:.3f} false abstention (budget {MAX_FALSE_ABSTENTION:.2f})")
    return lines, {"summary": summaries, "calibration": calibration, "per_question": per_question,
                   "ask_ms_p50": statistics.median(timings)}


def _f(value: float | None, width: int = 8, digits: int = 3) -> str:
    return f"{'-':>{width}}" if value is None else f"{value:{width}.{digits}f}"


def calibrate(questions: Sequence[Question], best: dict[str, float | None]) -> dict[str, Any]:
    """The abstention threshold that refuses the most unanswerable questions while refusing
    at most 5 % of answerable ones, and among those the fewest answerable ones.

    Candidates lie halfway between consecutive scores (never exactly on a question's
    value), plus one a logit below the lowest answerable score: when the scores do not
    separate the two kinds, that is the threshold that still refuses questions far off
    every article (about -11) and costs no answerable question.
    """
    answerable = sorted(best[q.id] if best[q.id] is not None else float("-inf") for q in questions if q.answerable)
    unanswerable = [best[q.id] if best[q.id] is not None else float("-inf") for q in questions if not q.answerable]
    scores = sorted({s for s in answerable + unanswerable if s != float("-inf")})
    finite = [s for s in answerable if s != float("-inf")]
    candidates = [(a + b) / 2 for a, b in zip(scores, scores[1:])] + [finite[0] - 1.0 if finite else 0.0]

    def rates(threshold: float) -> tuple[float, float]:
        return (sum(s < threshold for s in unanswerable) / max(1, len(unanswerable)),
                sum(s < threshold for s in answerable) / max(1, len(answerable)))

    allowed = [t for t in candidates if rates(t)[1] <= MAX_FALSE_ABSTENTION]
    suggested = max(allowed or [min(candidates)], key=lambda t: (rates(t)[0], -rates(t)[1]))
    return {
        "answerable_scores": answerable,
        "unanswerable_scores": sorted(unanswerable),
        "suggested": suggested,
        "abstention_at_suggested": rates(suggested)[0],
        "false_abstention_at_suggested": rates(suggested)[1],
    }
