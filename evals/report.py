"""``assistant eval``: retrieval for every embedder x mode, then answers against two baselines.

Each embedder gets its own throw-away index of the corpus (in a temporary
folder), so the project's index is never touched and runs are reproducible.
The results are dataclasses; ``asdict`` gives the JSON that ``--json`` writes.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.models import bundled
from assistant.settings import MODES, Settings
from evals.answers import AnswerScore, Totals, score_answer, summarise
from evals.baselines import lead_baseline, lexrank_baseline
from evals.machine import machine
from evals.questions import Question, load_questions
from evals.retrieval import RetrievalScores, evaluate_retrieval

if TYPE_CHECKING:
    from assistant.pipeline import Assistant

#: The false-abstention budget of the calibration: refusing one answerable question in
#: twenty is the most a reader should meet, whatever it buys.
MAX_FALSE_ABSTENTION = 0.05


@dataclass(frozen=True)
class Calibration:
    answerable_scores: list[float]
    unanswerable_scores: list[float]
    suggested: float
    abstention_at_suggested: float
    false_abstention_at_suggested: float


@dataclass(frozen=True)
class QuestionResult:
    id: str
    category: str
    query: str
    answer: str
    abstained: bool
    best_score: float | None
    score: AnswerScore
    ms: float


@dataclass(frozen=True)
class AnswerResults:
    summary: dict[str, dict[str, Totals]]  # system -> category -> totals
    calibration: Calibration
    per_question: list[QuestionResult]
    ask_ms_p50: float


@dataclass(frozen=True)
class RetrievalRow:
    scores: RetrievalScores
    ms_per_query: float


@dataclass
class EvalResults:
    questions: str
    corpus: str
    default: dict[str, str]  # the default model and mode
    machine: dict[str, Any] = field(default_factory=machine)  # CPU flags change int8 results
    models: dict[str, Any] = field(default_factory=dict)  # embedder and cross-encoder identities
    retrieval: dict[str, RetrievalRow] = field(default_factory=dict)  # "model/mode" -> scores
    answers: AnswerResults | None = None


def run_eval(
    corpus_dir: Path, questions_file: Path, settings: Settings, model_names: Sequence[str] | None = None
) -> tuple[str, EvalResults]:
    """Returns the text report and the results."""
    from assistant.pipeline import Assistant

    questions = load_questions(questions_file)
    results = EvalResults(str(questions_file), str(corpus_dir), {"model": settings.model, "mode": settings.mode})
    answer_lines: list[str] = []
    for name in model_names or (bundled.E5, bundled.MINILM):
        with tempfile.TemporaryDirectory(prefix="newsdesk-eval-") as tmp:
            assistant = Assistant.load(corpus_dir, tmp, replace(settings, model=name))
            manifest = assistant.retriever.index.manifest
            results.models[name] = asdict(manifest.model)
            results.models["cross-encoder"] = asdict(manifest.reranker) if manifest.reranker else None
            for mode in MODES:
                results.retrieval[f"{name}/{mode}"] = _retrieval(assistant, questions, mode)
            if name == settings.model:
                answer_lines, results.answers = _answers(assistant, questions)
    lines = _retrieval_lines(questions_file, questions, results.retrieval, settings)
    if results.answers:
        lines += ["", *answer_lines]
    return "\n".join(lines), results


def _retrieval(assistant: Assistant, questions: list[Question], mode: str) -> RetrievalRow:
    def search(query: str, k: int, mode: str) -> list[str]:
        return [p.text for p in assistant.search(query, k, mode=mode)]

    assistant.retriever.query_vector.cache_clear()  # time each mode's own encoding
    started = time.perf_counter()
    scores = evaluate_retrieval(search, questions, mode)
    return RetrievalRow(scores, (time.perf_counter() - started) * 1000 / max(1, len(scores.ranks)))


def _retrieval_lines(
    questions_file: Path, questions: list[Question], table: dict[str, RetrievalRow], settings: Settings
) -> list[str]:
    lines = [
        f"retrieval on {questions_file} ({sum(q.answerable for q in questions)} answerable questions)",
        f"{'model':18} {'mode':8} {'R@1':>6} {'R@3':>6} {'R@5':>6} {'MRR@10':>7} {'ms/q':>6}",
    ]
    default = f"{settings.model}/{settings.mode}"
    for key, row in table.items():
        name, s = key.split("/")[0], row.scores
        star = " *" if key == default else ""
        lines.append(
            f"{name:18} {s.mode:8} {s.recall_1:6.3f} {s.recall_3:6.3f} {s.recall_5:6.3f} {s.mrr_10:7.3f} "
            f"{row.ms_per_query:6.1f}{star}"
        )
    lines.append("* default settings")
    misses = [(qid, rank) for qid, rank in table[default].scores.ranks.items() if rank is None or rank > 5]
    if misses:
        lines.append("default misses (first hit rank > 5): " + ", ".join(f"{q} ({r or '>10'})" for q, r in misses))
    return lines


def _answers(assistant: Assistant, questions: list[Question]) -> tuple[list[str], AnswerResults]:
    """Our answers and both baselines on the same retrieval, plus the abstention calibration."""
    scores: dict[str, list[AnswerScore]] = {"ours": [], "lead-2": [], "lexrank-3": []}
    per_question: list[QuestionResult] = []
    for q in questions:
        started = time.perf_counter()
        answer = assistant.ask(q.question, list(q.history))
        ms = (time.perf_counter() - started) * 1000
        scores["ours"].append(score_answer(q, answer.text, [c.text for c in answer.citations], answer.abstained))
        for system, baseline in (("lead-2", lead_baseline), ("lexrank-3", lexrank_baseline)):
            text, cited = baseline(answer.passages)
            scores[system].append(score_answer(q, text, cited, False))
        per_question.append(
            QuestionResult(
                q.id, q.category, answer.query, answer.text, answer.abstained, answer.best_score, scores["ours"][-1], ms
            )
        )
    calibration = calibrate(questions, {r.id: r.best_score for r in per_question})
    results = AnswerResults(
        {system: summarise(rows) for system, rows in scores.items()},
        calibration,
        per_question,
        statistics.median(r.ms for r in per_question),
    )
    return _answer_lines(results, len(questions), assistant.settings.abstain_below), results


def _answer_lines(results: AnswerResults, questions: int, abstain_below: float) -> list[str]:
    lines = [
        f"answers on {questions} questions (ask p50 {results.ask_ms_p50:.0f} ms, abstain_below={abstain_below})",
        f"{'system':10} {'category':13} {'coverage':>8} {'full':>6} {'cited':>6} {'abstain':>7} "
        f"{'false-abst':>10} {'words':>6}",
    ]
    for system, summary in results.summary.items():
        for category, row in summary.items():
            lines.append(
                f"{system:10} {category:13} {_f(row.fact_coverage)} {_f(row.full_coverage_rate, 6)} "
                f"{_f(row.cited_evidence_rate, 6)} {_f(row.abstention_rate, 7)} "
                f"{_f(row.false_abstention_rate, 10)} {_f(row.mean_words, 6, 0)}"
            )
    c = results.calibration
    lines.append(
        f"calibration: abstain_below={c.suggested:.2f} abstains on {c.abstention_at_suggested:.2f} of unanswerable "
        f"for {c.false_abstention_at_suggested:.3f} false abstention (budget {MAX_FALSE_ABSTENTION:.2f})"
    )
    return lines


def _f(value: float | None, width: int = 8, digits: int = 3) -> str:
    return f"{'-':>{width}}" if value is None else f"{value:{width}.{digits}f}"


def calibrate(questions: Sequence[Question], best: dict[str, float | None]) -> Calibration:
    """The abstention threshold that refuses the most unanswerable questions while refusing
    at most ``MAX_FALSE_ABSTENTION`` of answerable ones, and among those the fewest answerable ones.

    Candidates lie halfway between consecutive scores (never exactly on a question's
    value), plus one a logit below the lowest answerable score: when the scores do not
    separate the two kinds, that is the threshold that still refuses questions far off
    every article and costs no answerable question.
    """
    answerable = sorted(best[q.id] if best[q.id] is not None else float("-inf") for q in questions if q.answerable)
    unanswerable = [best[q.id] if best[q.id] is not None else float("-inf") for q in questions if not q.answerable]
    scores = sorted({s for s in answerable + unanswerable if s != float("-inf")})
    finite = [s for s in answerable if s != float("-inf")]
    candidates = [(a + b) / 2 for a, b in zip(scores, scores[1:], strict=False)] + [finite[0] - 1.0 if finite else 0.0]

    def rates(threshold: float) -> tuple[float, float]:
        return (
            sum(s < threshold for s in unanswerable) / max(1, len(unanswerable)),
            sum(s < threshold for s in answerable) / max(1, len(answerable)),
        )

    allowed = [t for t in candidates if rates(t)[1] <= MAX_FALSE_ABSTENTION]
    suggested = max(allowed or [min(candidates)], key=lambda t: (rates(t)[0], -rates(t)[1]))
    return Calibration(answerable, sorted(unanswerable), suggested, *rates(suggested))
