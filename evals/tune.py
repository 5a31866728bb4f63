"""``python -m evals.tune``: choose the answer and retrieval defaults on the dev splits only.

The dev questions of every set are pooled (each question counts once) and the
test questions are never asked.  Each set's index holds all its articles, as in
``assistant eval``: a threshold placed on a smaller corpus would meet fewer
distractors than the one it is measured on.  A candidate replaces the current
default only when it beats it by more than ``MARGIN``: gains smaller than the
drift between two machines' figures are not real.  The objective sums three rates,
so its margin is the drift of the two of them measured on two machines.  Three stages, each fixing what
the next builds on:

1. hybrid fusion weights, by MRR@10 of the first passage holding the evidence;
2. ``passage_prior`` and ``answer_candidates``: each pair answers the dev
   questions with no threshold, ``abstain_below`` is calibrated on those scores
   (``calibrate``), the questions are answered again at that threshold, and the pair
   with the best fact coverage + cited evidence + abstention on unanswerable
   questions wins;
3. the chosen threshold's stability: calibrated again leaving out one dev article
   at a time, and scored on the questions of the article left out;
4. ``answerable_below``, the answerability model's threshold, calibrated the same
   way on the answers the chosen candidate still gives (an answer already refused
   or partial counts as refused at any threshold), and its stability likewise;
   the model is switched on (the threshold replaces minus infinity) only when its
   objective beats the model being off by more than ``MARGIN``.

Stages 1 to 3 run with the answerability model's judgement off (``answerable_below``
at minus infinity), so that each threshold is placed on what it alone decides.

``eval/tuning.json`` records every candidate's figures and the choice;
``tests/test_tuning.py`` fails when ``Settings``' defaults differ from the choice.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.settings import Settings
from evals.answers import summarise
from evals.corpora import DATA_DIR, write_corpus
from evals.machine import machine
from evals.questions import EVAL_DIR, NARROW, SETS, Question, load_sets
from evals.report import answer_questions
from evals.retrieval import evaluate_retrieval

if TYPE_CHECKING:
    from assistant.pipeline import Assistant

#: The false-abstention budget of the calibration: refusing one answerable question in
#: twenty is the most a reader should meet, whatever it buys.
MAX_FALSE_ABSTENTION = 0.05

#: The candidates of each stage; the first of each is the default before tuning.
FUSION = {"sentence_weight": (1.0, 0.5), "lexical_weight": (0.4, 0.2, 0.8), "sentence_lexical_weight": (0.4, 0.0, 0.8)}
ANSWERING = {"passage_prior": (0.5, 0.0, 1.0), "answer_candidates": (8, 5, 12, 20)}


def drift(name: str) -> float:
    """How far one figure of the same code moved between two CPUs (``eval/drift.json``)."""
    a, b = json.loads((EVAL_DIR / "drift.json").read_text(encoding="utf-8"))["figures"][name]
    return round(abs(a - b), 3)


#: How much a candidate must beat the current default by: the drift of its figure between two
#: machines; the objective sums three rates, so its margin is the drift of the two measured.
MARGIN = {"mrr_10": drift("hybrid MRR@10"), "objective": drift("fact coverage") + drift("cited evidence")}
TUNED = (*FUSION, *ANSWERING, "abstain_below", "answerable_below")
_OFF = float("-inf")  # the answerability model off
_REPORT_ONLY = -1e9  # the model runs and reports its logit, but refuses nothing


@dataclass(frozen=True)
class Calibration:
    suggested: float
    abstention: float  # on unanswerable questions, by the threshold alone
    false_abstention: float  # on answerable questions, by the threshold alone


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
    return Calibration(round(suggested, 2), *rates(suggested))


@dataclass
class _Dev:
    """One set's dev questions and an assistant over all its articles, loaded once: only
    query-time settings vary between candidates (``Assistant.with_settings``)."""

    name: str
    questions: list[Question]
    articles: dict[str, str]  # question id -> the article deciding its fold
    assistant: Assistant

    def open(self, settings: Settings) -> Assistant:
        return self.assistant.with_settings(settings)


def tune(names: Sequence[str], base: Settings, data_dir: Path, workdir: Path) -> dict:
    """Every candidate's dev figures and the chosen values (see the module docstring)."""
    from assistant.pipeline import Assistant

    base = replace(base, answerable_below=_OFF)
    devs = []
    for question_set in load_sets(tuple(names)):
        folder = workdir / question_set.name
        corpus = write_corpus(question_set.articles, folder / "corpus", data_dir)
        questions = [q for q in question_set.split("dev") if q.category in NARROW]
        assistant = Assistant.load(corpus, folder / "ix", base)
        devs.append(_Dev(question_set.name, questions, {q.id: q.articles[0] for q in questions}, assistant))
    fusion = [dict(zip(FUSION, values, strict=True)) for values in itertools.product(*FUSION.values())]
    fusion_rows = [{**values, "mrr_10": _mrr(devs, replace(base, **values))} for values in fusion]
    best_fusion = _choose(fusion_rows, "mrr_10")
    fused = replace(base, **{key: best_fusion[key] for key in FUSION})
    answering = [dict(zip(ANSWERING, values, strict=True)) for values in itertools.product(*ANSWERING.values())]
    answer_rows, best_scores = [], []  # each candidate's figures, and its unthresholded best scores
    for values in answering:
        row, best = _answering(devs, replace(fused, **values))
        answer_rows.append(row | values)
        best_scores.append(best)
    best_answer = _choose(answer_rows, "objective")
    chosen = {key: best_fusion[key] for key in FUSION} | {
        key: best_answer[key] for key in (*ANSWERING, "abstain_below")
    }
    answerable = _answerability(devs, replace(base, **chosen))
    answered = replace(base, **chosen, answerable_below=answerable["calibration"]["answerable_below"])
    answerable["at_threshold"] = _totals(devs, answered)
    answerable["off"] = {key: best_answer[key] for key in answerable["at_threshold"]}  # the chosen row: model off
    # the model is a candidate like any other: on only when it beats it being off by more than the drift
    gain = _objective(answerable["at_threshold"]) - _objective(answerable["off"])
    answerable["objective_gain"] = gain
    chosen["answerable_below"] = answered.answerable_below if gain > MARGIN["objective"] else _OFF
    return {
        "sets": list(names),
        "dev_questions": {d.name: len(d.questions) for d in devs},
        "machine": machine(),
        "fusion": fusion_rows,
        "answering": answer_rows,
        "threshold_by_article": _leave_one_article_out(devs, best_scores[answer_rows.index(best_answer)]),
        "answerability": answerable,
        "chosen": chosen,
    }


def _choose(rows: Sequence[dict], key: str) -> dict:
    """The best row by ``key`` when it beats the first (the current default) by more than its ``MARGIN``."""
    best = max(rows, key=lambda row: row[key])
    return best if best[key] > rows[0][key] + MARGIN[key] else rows[0]


def _mrr(devs: Sequence[_Dev], settings: Settings) -> float:
    """MRR@10 of hybrid retrieval over the pooled dev questions (answerable ones)."""
    total, count = 0.0, 0
    for dev in devs:
        assistant = dev.open(settings)
        scores = evaluate_retrieval(
            lambda q, k, mode, a=assistant: [p.text for p in a.search(q, k, mode=mode)], dev.questions, "hybrid"
        )
        total += scores.mrr_10 * len(scores.ranks)
        count += len(scores.ranks)
    return total / max(1, count)


def _answerability(devs: Sequence[_Dev], settings: Settings) -> dict:
    """``answerable_below`` calibrated on the answerability logits of the answers ``settings``
    gives with the model's judgement off; an answer refused or partial already is refused at
    any threshold (minus infinity)."""
    questions = [q for dev in devs for q in dev.questions]
    reporting = replace(settings, answerable_below=_REPORT_ONLY)
    logits = {
        r.id: r.answerability if r.outcome == "answered" else _OFF
        for dev in devs
        for r in answer_questions(dev.open(reporting), dev.questions, baselines=()).per_question
    }
    calibration = calibrate(questions, logits)
    return {
        "calibration": {
            "answerable_below": calibration.suggested,
            "abstention": calibration.abstention,
            "false_abstention": calibration.false_abstention,
        },  # fmt: skip
        "by_article": _leave_one_article_out(devs, logits),
    }


def _objective(totals: dict) -> float:
    return (totals["fact_coverage"] or 0) + (totals["cited_evidence"] or 0) + (totals["abstention"] or 0)


def _totals(devs: Sequence[_Dev], settings: Settings) -> dict:
    t = summarise([s for dev in devs for s in _scores(dev, settings)])["overall"]
    return {"fact_coverage": t.fact_coverage, "cited_evidence": t.cited_evidence_rate,
            "abstention": t.abstention_rate, "false_abstention": t.false_abstention_rate}  # fmt: skip


def _best_scores(devs: Sequence[_Dev], settings: Settings) -> dict[str, float | None]:
    unthresholded = replace(settings, abstain_below=_OFF)
    return {
        r.id: r.best_score
        for dev in devs
        for r in answer_questions(dev.open(unthresholded), dev.questions, baselines=()).per_question
    }


def _answering(devs: Sequence[_Dev], settings: Settings) -> tuple[dict, dict[str, float | None]]:
    """The dev figures of one answering candidate at its own calibrated threshold, and the
    best scores it was calibrated on."""
    questions = [q for dev in devs for q in dev.questions]
    best = _best_scores(devs, settings)
    calibration = calibrate(questions, best)
    totals = _totals(devs, replace(settings, abstain_below=calibration.suggested))
    return {"abstain_below": calibration.suggested, **totals, "objective": _objective(totals)}, best


def _scores(dev: _Dev, settings: Settings) -> list:
    return [r.score for r in answer_questions(dev.open(settings), dev.questions, baselines=()).per_question]


def _leave_one_article_out(devs: Sequence[_Dev], best: dict[str, float | None]) -> dict:
    """Calibrate without each dev article's questions on the chosen candidate's ``best`` scores,
    then count the threshold's errors on them: how it would fare on articles it never saw."""
    folds = {(dev.name, dev.articles[q.id]) for dev in devs for q in dev.questions}
    refused_unanswerable = refused_answerable = unanswerable = answerable = 0
    thresholds = []
    for name, article in sorted(folds):
        held = [q for dev in devs if dev.name == name for q in dev.questions if dev.articles[q.id] == article]
        rest = [q for dev in devs for q in dev.questions if q not in held]
        threshold = calibrate(rest, best).suggested
        thresholds.append(threshold)
        for q in held:
            refused = (best[q.id] if best[q.id] is not None else float("-inf")) < threshold
            if q.answerable:
                answerable, refused_answerable = answerable + 1, refused_answerable + refused
            else:
                unanswerable, refused_unanswerable = unanswerable + 1, refused_unanswerable + refused
    return {
        "folds": len(folds),
        "thresholds": [min(thresholds), max(thresholds)],
        "abstention": refused_unanswerable / max(1, unanswerable),
        "false_abstention": refused_answerable / max(1, answerable),
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals.tune", description=__doc__.split("\n")[0])
    parser.add_argument("--sets", nargs="+", default=list(SETS), choices=list(SETS))
    parser.add_argument("--data", type=Path, default=DATA_DIR, help="the shared data folder")
    parser.add_argument("--json", dest="json_out", type=Path, default=EVAL_DIR / "tuning.json")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="newsdesk-tune-") as tmp:
        result = tune(args.sets, Settings(), args.data, Path(tmp))
    args.json_out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps({"chosen": result["chosen"], "threshold_by_article": result["threshold_by_article"]}, indent=2))
    print(f"wrote {args.json_out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
