"""``assistant eval``: every question set, each split apart: retrieval for every
embedder x mode, then answers against two baselines.

Each set's articles are written into a temporary corpus and each embedder gets
its own throw-away index of it, so the project's index is never touched and runs
are reproducible.  Figures are reported per split: the defaults are chosen on the
dev splits (``evals/tune.py``), so only the test splits measure them.  The results
are dataclasses; ``asdict`` gives the JSON that ``--json`` writes.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.ingest.text import plain
from assistant.models import bundled
from assistant.settings import MODES, Settings
from assistant.types import Document, Passage
from evals.answers import AnswerScore, Totals, score_answer, summarise
from evals.baselines import lead_baseline, lexrank_baseline
from evals.corpora import DATA_DIR, write_corpus
from evals.machine import machine
from evals.questions import SPLITS, Question, QuestionSet
from evals.retrieval import RetrievalScores, evaluate_retrieval

if TYPE_CHECKING:
    from assistant.pipeline import Assistant


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
    outcome: str = "answered"
    answerability: float | None = None


@dataclass(frozen=True)
class AnswerResults:
    summary: dict[str, dict[str, Totals]]  # system -> category -> totals
    per_question: list[QuestionResult]
    ask_ms_p50: float


@dataclass(frozen=True)
class RetrievalRow:
    scores: RetrievalScores
    ms_per_query: float


@dataclass
class SetResults:
    articles: dict[str, int]  # split -> articles
    questions: dict[str, int]  # split -> questions
    retrieval: dict[str, dict[str, RetrievalRow]] = field(default_factory=dict)  # split -> "model/mode" -> scores
    answers: dict[str, AnswerResults] = field(default_factory=dict)  # split -> answers
    lost_evidence: list[str] = field(default_factory=list)  # "id: evidence" not in its cleaned article


@dataclass
class EvalResults:
    default: dict[str, str]  # the default model and mode
    settings: dict[str, Any]  # every setting of the run
    machine: dict[str, Any] = field(default_factory=machine)  # CPU flags change int8 results
    models: dict[str, Any] = field(default_factory=dict)  # embedder and cross-encoder identities
    sets: dict[str, SetResults] = field(default_factory=dict)


def run_eval(
    sets: Sequence[QuestionSet],
    settings: Settings,
    model_names: Sequence[str] | None = None,
    data_dir: Path = DATA_DIR,
) -> tuple[str, EvalResults]:
    """Returns the text report and the results."""
    results = EvalResults({"model": settings.model, "mode": settings.mode}, asdict(settings))
    lines: list[str] = []
    for question_set in sets:
        lines += run_set(question_set, settings, results, model_names or (bundled.E5, bundled.MINILM), data_dir)
    return "\n".join(lines), results


def run_set(
    question_set: QuestionSet,
    settings: Settings,
    results: EvalResults,
    model_names: Sequence[str],
    data_dir: Path,
) -> list[str]:
    """Evaluate one set into ``results``; returns its lines of the text report."""
    from assistant.pipeline import Assistant

    by_split = {split: question_set.split(split) for split in SPLITS}
    articles = {split: sum(a.split == split for a in question_set.articles) for split in SPLITS}
    outcome = SetResults(articles, {split: len(qs) for split, qs in by_split.items()})
    results.sets[question_set.name] = outcome
    with tempfile.TemporaryDirectory(prefix="newsdesk-eval-") as tmp:
        corpus = write_corpus(question_set.articles, Path(tmp) / "corpus", data_dir)
        for name in model_names:
            assistant = Assistant.load(corpus, Path(tmp) / f"index-{name}", replace(settings, model=name))
            manifest = assistant.retriever.index.manifest
            results.models[name] = asdict(manifest.model)
            for reader in manifest.readers:
                results.models[reader.name] = asdict(reader)
            if name == model_names[0]:  # every embedder indexes the same cleaned documents
                outcome.lost_evidence = lost_evidence(question_set.questions, assistant.retriever.index.documents)
            for split, questions in by_split.items():
                table = outcome.retrieval.setdefault(split, {})
                for mode in MODES:
                    table[f"{name}/{mode}"] = _retrieval(assistant, questions, mode)
                if name == settings.model:
                    outcome.answers[split] = answer_questions(assistant, questions)
    lines = [f"evidence not in its cleaned article (cleaning removed it?): {e}" for e in outcome.lost_evidence]
    for split, questions in by_split.items():
        heading = f"== {question_set.name} / {split}: {articles[split]} articles, {len(questions)} questions"
        lines += ["", heading, *_retrieval_lines(questions, outcome.retrieval[split], settings)]
        if split in outcome.answers:
            lines += ["", *_answer_lines(outcome.answers[split], len(questions), settings.abstain_below)]
    return lines


def lost_evidence(questions: Sequence[Question], documents: Mapping[str, Document]) -> list[str]:
    """Evidence strings missing from the cleaned text of every article their question names:
    a retrieval miss there would be cleaning's fault, not retrieval's."""
    lost = []
    for q in questions:
        texts = [plain(documents[name].text) for name in q.docs if name in documents]
        lost += [f"{q.id}: {e}" for e in q.evidence if not any(plain(e) in t for t in texts)]
    return lost


def _retrieval(assistant: Assistant, questions: list[Question], mode: str) -> RetrievalRow:
    def search(query: str, k: int, mode: str) -> list[str]:
        return [p.text for p in assistant.search(query, k, mode=mode)]

    assistant.retriever.query_vector.cache_clear()  # time each mode's own encoding
    started = time.perf_counter()
    scores = evaluate_retrieval(search, questions, mode)
    return RetrievalRow(scores, (time.perf_counter() - started) * 1000 / max(1, len(scores.ranks)))


def _retrieval_lines(questions: list[Question], table: dict[str, RetrievalRow], settings: Settings) -> list[str]:
    lines = [
        f"retrieval ({sum(q.answerable for q in questions)} answerable questions)",
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


Baseline = Callable[[Sequence[Passage]], tuple[str, list[str]]]  # passages -> answer text, cited texts
#: The baselines answered on the same retrieved passages: (system, its answer and citations).
BASELINES = (("lead-2", lead_baseline), ("lexrank-3", lexrank_baseline))


def answer_questions(
    assistant: Assistant, questions: Sequence[Question], baselines: Sequence[tuple[str, Baseline]] = BASELINES
) -> AnswerResults:
    """Our answers and the ``baselines``' on the same retrieval (tuning asks for none)."""
    scores: dict[str, list[AnswerScore]] = {"ours": [], **{system: [] for system, _ in baselines}}
    per_question: list[QuestionResult] = []
    for q in questions:
        started = time.perf_counter()
        answer = assistant.ask(q.question, list(q.history))
        ms = (time.perf_counter() - started) * 1000
        scores["ours"].append(score_answer(q, answer.text, [c.text for c in answer.citations], answer.abstained))
        for system, baseline in baselines:
            text, cited = baseline(answer.passages)
            scores[system].append(score_answer(q, text, cited, False))
        per_question.append(
            QuestionResult(
                q.id,
                q.category,
                answer.query,
                answer.text,
                answer.abstained,
                answer.best_score,
                scores["ours"][-1],
                ms,
                answer.outcome,
                answer.answerability,
            )  # fmt: skip
        )
    return AnswerResults(
        {system: summarise(rows) for system, rows in scores.items()},
        per_question,
        statistics.median(r.ms for r in per_question) if per_question else 0.0,
    )


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
    return lines


def _f(value: float | None, width: int = 8, digits: int = 3) -> str:
    return f"{'-':>{width}}" if value is None else f"{value:{width}.{digits}f}"
