"""Answerability measured on public data (``python -m evals.answerability``): the old score
(the best cross-encoder logit) against the new signal (the product's rules, then the
answerability model), and a logistic model over every evidence feature besides.

* ``squad2``: SQuAD 2.0 dev part a; every paragraph is indexed as an article
  (as ``evals.external.squad`` does), a seeded sample of questions stratified
  answerable / unanswerable (``is_impossible``) is asked.
* ``squad1-leave-gold-out``: SQuAD v1.1 dev part a; a seeded half of the
  paragraphs is held out.  A sample of their questions is asked twice: against
  an index of every paragraph (answerable) and against one without the held-out
  half (unanswerable: the gold paragraph is absent, its article's other
  paragraphs are the near misses).

Per question, ``features`` reads the product's own retrieval and sentence
scoring (``compose._score``, ``compose._select``) and the answerability logit of
the fold model that never saw the question's article (``evals.train_answerability
--folds``).  The logistic regression is cross-validated by article (4 folds,
``GroupKFold``); every operating point (the value below which to refuse) keeps
false refusal at most 10 % on the *training* folds and is applied to the held-out
fold.  The product's own threshold is chosen on the question sets' dev splits
(``evals.tune``), not here: these figures measure the signal.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from evals.corpora import DATA_DIR, write_squad_paragraphs
from evals.machine import machine
from evals.questions import EVAL_DIR
from evals.train_answerability import FOLD_DIR

if TYPE_CHECKING:
    import numpy as np

    from assistant.models.answerability import Answerability
    from assistant.retrieve.search import Retriever
    from assistant.settings import Settings

#: Features in a fixed order (the columns of the model).
FEATURES = (
    "best_logit",
    "margin",
    "mean_top3",
    "best_score",
    "max_idf_absent_sentences",
    "max_idf_absent_passages",
    "coverage_best",
    "type_asked",
    "type_unsupplied",
    "names_asked",
    "names_share_best",
    "names_share_passages",
    "cosine_best",
    "answerability",
)
#: The product's refusal ceiling for answerable questions that the operating point keeps.
MAX_FALSE_REFUSAL = 0.10
FOLDS = 4
TOP = 3  # "best sentences": the first three candidates in the product's score order


@dataclass(frozen=True)
class Ask:
    """One question asked of one index, with whether that index holds its answer."""

    question: str
    answerable: bool
    group: str  # the Wikipedia article: the unit of cross-validation


# ---------------------------------------------------------------- corpora


def open_index(workdir: Path, name: str, articles: Sequence[dict], settings: Settings, embedder, without=frozenset()):
    """Build the index of the paragraphs (except ``without``) in ``workdir/name`` and open a Retriever on it."""
    from assistant.pipeline import Assistant, build_index

    corpus, index = workdir / name / "corpus", workdir / name / "index"
    write_squad_paragraphs(articles, corpus, without)
    build_index(corpus, index, settings, embedder=embedder)
    return Assistant.open(corpus, index, settings, embedder).retriever


# ---------------------------------------------------------------- features


class Idf:
    """Lucene IDF of the stemmed terms over the indexed sentence rows (each with its article's
    title, as the sentence BM25 indexes them); a term in no sentence gets the highest IDF."""

    def __init__(self, retriever: Retriever) -> None:
        from assistant.ingest.split import passage_text
        from assistant.store.lexical import tokenize

        index = retriever.index
        texts = [passage_text(index.documents[s.doc_id], s.text) for s in index.sentence_rows]
        self.size = len(texts)
        self.df = Counter(t for tokens in tokenize(texts) for t in set(tokens))

    def __call__(self, term: str) -> float:
        df = self.df.get(term, 0)
        return math.log(1 + (self.size - df + 0.5) / (df + 0.5))


def _terms(text: str) -> set[str]:
    from assistant.store.lexical import tokenize

    return set(tokenize([text])[0])


def features(retriever: Retriever, settings: Settings, idf: Idf, question: str, model) -> dict[str, float]:
    """The answerability features of ``question`` from what the product retrieves and scores,
    with ``model`` (a fold's answerability model) in place of the shipped one; plus
    ``rules_refuse``: what the product refuses without the model (mirrors ``compose.ask``)."""
    import numpy as np

    from assistant.answer import compose
    from assistant.answer.accounts import sides_compared
    from assistant.answer.answer_type import expected_type, supplies
    from assistant.answer.followup import entities
    from assistant.ingest.split import passage_text

    index = retriever.index
    query = question  # no history: a self-contained question is searched as typed
    passages = retriever.search(query, settings.answer_passages, "hybrid")
    parties = sides_compared(query)
    scored = compose._score(retriever, settings, query, passages, parties)
    logits = sorted((c.logit for c in scored), reverse=True)
    best = scored[0]
    top = scored[:TOP]

    def with_title(doc_id: str, text: str) -> str:
        return passage_text(index.documents[doc_id], text)

    asked = _terms(query)
    in_sentences = set().union(*(_terms(with_title(c.sentence.doc_id, c.sentence.text)) for c in top))
    in_passages = set().union(*(_terms(with_title(p.doc_id, p.text)) for p in passages))
    in_best = _terms(with_title(best.sentence.doc_id, best.sentence.text))
    names = entities(query)
    best_text = with_title(best.sentence.doc_id, best.sentence.text).casefold()
    passages_text = " ".join(with_title(p.doc_id, p.text) for p in passages).casefold()
    kind = expected_type(question)
    row = retriever.sentence_row(best.sentence.doc_id, best.sentence.index)
    cosine = float(index.sentence_vectors([row])[0] @ retriever.query_vector(query))

    chosen = compose._select(retriever, replace(settings, answerable_below=float("-inf")), scored, parties, query)
    rules_refuse = (
        bool(retriever.unmentioned(names))
        or best.score < settings.abstain_below
        or (bool(kind) and not supplies(kind, query, [s.text for s in chosen]))
    )
    return {
        "best_logit": logits[0],
        "margin": logits[0] - logits[1] if len(logits) > 1 else 0.0,
        "mean_top3": float(np.mean(logits[:3])),
        "best_score": best.score,
        "max_idf_absent_sentences": max((idf(t) for t in asked - in_sentences), default=0.0),
        "max_idf_absent_passages": max((idf(t) for t in asked - in_passages), default=0.0),
        "coverage_best": len(asked & in_best) / len(asked) if asked else 1.0,
        "type_asked": float(kind is not None),
        "type_unsupplied": float(kind is not None and not supplies(kind, query, [c.sentence.text for c in top])),
        "names_asked": float(bool(names)),
        "names_share_best": sum(n.casefold() in best_text for n in names) / len(names) if names else 1.0,
        "names_share_passages": sum(n.casefold() in passages_text for n in names) / len(names) if names else 1.0,
        "cosine_best": cosine,
        "answerability": compose.answerability(model, index, query, best.sentence),
        "rules_refuse": float(rules_refuse),
    }


# ---------------------------------------------------------------- data sets


def squad2(data_dir: Path, settings: Settings, embedder, workdir: Path, limit: int, seed: int) -> list[dict]:
    path = data_dir / "squad2" / "dev-v2.0-part-a.json"
    articles = json.loads(path.read_text(encoding="utf-8"))["data"]
    retriever = open_index(workdir, "squad2", articles, settings, embedder)
    idf = Idf(retriever)
    asks = [
        Ask(qa["question"], not qa.get("is_impossible", False), article["title"])
        for article in articles
        for paragraph in article["paragraphs"]
        for qa in paragraph["qas"]
    ]
    return _measure(retriever, settings, idf, _stratified(asks, limit, seed), fold_models())


def squad1_leave_gold_out(
    data_dir: Path, settings: Settings, embedder, workdir: Path, limit: int, seed: int
) -> list[dict]:
    """A seeded half of the paragraphs held out; ``limit // 2`` questions of held-out paragraphs,
    each asked against every paragraph (answerable) and without the held-out ones (unanswerable:
    the gold paragraph is gone, its article's other paragraphs remain as near misses).

    A question is used only when none of its gold answers occurs in a kept paragraph, so that
    the index without its paragraph cannot hold its answer verbatim.  (Holding out whole articles
    was tried first: at 40 questions the best logit alone separated them perfectly, too easy to
    tell signals apart.)"""
    from assistant.ingest.text import normalise

    path = data_dir / "squad" / "dev-v1.1-part-a.json"
    articles = json.loads(path.read_text(encoding="utf-8"))["data"]
    keys = [(a, p) for a, article in enumerate(articles) for p in range(len(article["paragraphs"]))]
    held = set(random.Random(seed).sample(keys, len(keys) // 2))
    kept_text = normalise(" ".join(articles[a]["paragraphs"][p]["context"] for a, p in keys if (a, p) not in held))
    questions = [
        (qa["question"], articles[a]["title"])
        for a, p in sorted(held)
        for qa in articles[a]["paragraphs"][p]["qas"]
        if not any(normalise(x["text"]) in kept_text for x in qa["answers"])
    ]
    sample = random.Random(seed).sample(questions, min(limit // 2, len(questions)))
    rows = []
    for name, without, answerable in (("squad1-all", frozenset(), True), ("squad1-without-held", held, False)):
        retriever = open_index(workdir, name, articles, settings, embedder, without)
        idf = Idf(retriever)
        rows += _measure(retriever, settings, idf, [Ask(q, answerable, g) for q, g in sample], fold_models())
    return rows


def _stratified(asks: Sequence[Ask], limit: int, seed: int) -> list[Ask]:
    rng = random.Random(seed)
    out: list[Ask] = []
    for label in (True, False):
        pool = [a for a in asks if a.answerable is label]
        out += rng.sample(pool, min(limit // 2, len(pool)))
    return out


@lru_cache(maxsize=1)
def fold_models() -> dict[str, Answerability]:
    """Each SQuAD article's answerability model: the fold model trained without it
    (``python -m evals.train_answerability --folds``)."""
    from assistant.models.answerability import Answerability

    folds = json.loads((FOLD_DIR / "folds.json").read_text(encoding="utf-8"))["folds"]
    models = [Answerability(1, FOLD_DIR / f"fold{i}.onnx") for i in range(len(folds))]
    return {title: model for titles, model in zip(folds, models, strict=True) for title in titles}


def _measure(
    retriever: Retriever, settings: Settings, idf: Idf, asks: Sequence[Ask], models: dict[str, Answerability]
) -> list[dict]:
    rows = []
    started = time.perf_counter()
    for i, ask in enumerate(asks, start=1):
        rows.append({"question": ask.question, "answerable": ask.answerable, "group": ask.group,
                     **features(retriever, settings, idf, ask.question, models[ask.group])})  # fmt: skip
        if i % 100 == 0:
            print(f"  {i}/{len(asks)} questions, {time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)
    return rows


# ---------------------------------------------------------------- model and figures


def _refusing_below(values: np.ndarray, answerable: np.ndarray) -> float:
    """The highest threshold that refuses (value < threshold) at most MAX_FALSE_REFUSAL of answerable."""
    import numpy as np

    ok = np.sort(values[answerable])
    return float(ok[int(math.floor(MAX_FALSE_REFUSAL * len(ok)))])


def new_signal(rows: Sequence[dict]) -> tuple[np.ndarray, np.ndarray]:
    """The product's new judgement as one score per question: the answerability model's logit,
    or below every logit when the rules refuse without it (unmentioned names, the relevance
    threshold, the missing answer type); and those rule refusals."""
    import numpy as np

    logits = np.array([r["answerability"] for r in rows], dtype=float)
    rules = np.array([r["rules_refuse"] for r in rows], dtype=bool)
    return np.where(rules, logits.min() - 1000.0, logits), rules


def cross_validate(rows: Sequence[dict], columns: Sequence[str] = FEATURES) -> dict[str, np.ndarray]:
    """Out-of-fold P(answerable) of the logistic model over ``columns``, and refusals of that
    model, of the new signal and of the best logit at thresholds chosen on the training folds."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GroupKFold
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    x = np.array([[r[f] for f in columns] for r in rows], dtype=float)
    y = np.array([r["answerable"] for r in rows], dtype=bool)
    groups = np.array([r["group"] for r in rows])
    old = np.array([r["best_logit"] for r in rows], dtype=float)
    signal, rules = new_signal(rows)
    prob = np.zeros(len(rows))
    refuse_new = np.zeros(len(rows), dtype=bool)
    refuse_old = np.zeros(len(rows), dtype=bool)
    refuse_signal = np.zeros(len(rows), dtype=bool)
    for train, test in GroupKFold(n_splits=FOLDS).split(x, y, groups):
        model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000))
        model.fit(x[train], y[train])
        prob[test] = model.predict_proba(x[test])[:, 1]
        fitted = model.predict_proba(x[train])[:, 1]
        refuse_new[test] = prob[test] < _refusing_below(fitted, y[train])
        refuse_old[test] = old[test] < _refusing_below(old[train], y[train])
        refuse_signal[test] = rules[test] | (signal[test] < _refusing_below(signal[train], y[train]))
    return {"x": x, "y": y, "old": old, "prob": prob, "signal": signal, "refuse_new": refuse_new,
            "refuse_old": refuse_old, "refuse_signal": refuse_signal, "rules": rules}  # fmt: skip


def _point(refuse: np.ndarray, y: np.ndarray) -> dict[str, object]:
    return {
        "refusal_unanswerable": float(refuse[~y].mean()),
        "false_refusal_answerable": float(refuse[y].mean()),
        "confusion": {
            "answerable": {"answered": int((~refuse & y).sum()), "refused": int((refuse & y).sum())},
            "unanswerable": {"answered": int((~refuse & ~y).sum()), "refused": int((refuse & ~y).sum())},
        },
    }


def _bootstrap_delta(y: np.ndarray, old: np.ndarray, new: np.ndarray, seed: int, reps: int = 1000) -> list[float]:
    """95 % interval of AUROC(new) - AUROC(old), resampling questions (not articles: too few)."""
    import numpy as np
    from sklearn.metrics import roc_auc_score

    rng = np.random.default_rng(seed)
    deltas = []
    for _ in range(reps):
        i = rng.integers(0, len(y), len(y))
        if y[i].all() or not y[i].any():
            continue
        deltas.append(roc_auc_score(y[i], new[i]) - roc_auc_score(y[i], old[i]))
    return [float(np.percentile(deltas, 2.5)), float(np.percentile(deltas, 97.5))]


def summarise(name: str, rows: Sequence[dict], seed: int) -> dict[str, object]:
    import numpy as np
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score
    from sklearn.preprocessing import StandardScaler

    cv = cross_validate(rows)
    y, x = cv["y"], cv["x"]
    single = {}
    for j, f in enumerate(FEATURES):
        auc = roc_auc_score(y, x[:, j]) if np.ptp(x[:, j]) else 0.5
        single[f] = {"auroc": float(max(auc, 1 - auc)), "direction": "+" if auc >= 0.5 else "-"}
    scaler = StandardScaler().fit(x)
    full = LogisticRegression(max_iter=2000).fit(scaler.transform(x), y)
    without = {  # what each feature adds to the others: CV AUROC of the model without it
        f: float(roc_auc_score(y, cross_validate(rows, [g for g in FEATURES if g != f])["prob"])) for f in FEATURES
    }
    return {
        "questions": len(rows),
        "answerable": int(y.sum()),
        "unanswerable": int((~y).sum()),
        "articles": len({r["group"] for r in rows}),
        "auroc_old_best_logit": float(roc_auc_score(y, cv["old"])),
        "auroc_old_best_score": float(roc_auc_score(y, x[:, FEATURES.index("best_score")])),
        "auroc_answerability_model": float(roc_auc_score(y, x[:, FEATURES.index("answerability")])),
        "auroc_new_signal": float(roc_auc_score(y, cv["signal"])),
        "auroc_new_signal_delta_95ci": _bootstrap_delta(y, cv["old"], cv["signal"], seed),
        "auroc_cv_model": float(roc_auc_score(y, cv["prob"])),
        "auroc_delta_95ci": _bootstrap_delta(y, cv["old"], cv["prob"], seed),
        "operating_point_new_signal": _point(cv["refuse_signal"], y),
        "operating_point_cv_model": _point(cv["refuse_new"], y),
        "operating_point_old_best_logit": _point(cv["refuse_old"], y),
        "rules_alone": _point(cv["rules"], y),
        "single_feature_auroc": single,
        "cv_auroc_without_feature": without,
        "standardised_coefficients_all_data": dict(zip(FEATURES, map(float, full.coef_[0]), strict=True)),
        "_cv": cv,
    }


def roc_figure(path: Path, title: str, y: np.ndarray, curves: Sequence[tuple[str, np.ndarray]],
               points: Sequence[tuple[str, dict, str]] = ()) -> None:  # fmt: skip
    """ROC curves of ``curves`` (label, score: higher reads answerable) for telling the
    unanswerable questions of ``y`` apart, read as refusal against false refusal, with
    operating ``points`` (label, ``_point`` result, marker); written to ``path``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from sklearn.metrics import roc_auc_score, roc_curve

    fig, ax = plt.subplots(figsize=(5, 5))
    for label, values in curves:
        fpr, tpr, _ = roc_curve(~y, -values)
        ax.plot(fpr, tpr, label=f"{label}, AUROC {roc_auc_score(y, values):.3f}")
    for label, p, marker in points:
        ax.plot(p["false_refusal_answerable"], p["refusal_unanswerable"], marker, label=label)
    ax.plot([0, 1], [0, 1], ":", color="grey")
    ax.set_xlabel("false refusal (answerable refused or partial)")
    ax.set_ylabel("refusal or partial of unanswerable")
    ax.set_title(title)
    ax.legend(loc="lower right", fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def plot(name: str, result: dict, path: Path) -> None:
    cv = result["_cv"]
    curves = [
        ("best logit (old)", cv["old"]),
        ("new signal: rules, then answerability model", cv["signal"]),
        ("logistic model over all features (CV)", cv["prob"]),
    ]
    points = [
        ("new signal @ train FR<=0.10", result["operating_point_new_signal"], "o"),
        ("old @ train FR<=0.10", result["operating_point_old_best_logit"], "s"),
        ("rules alone", result["rules_alone"], "^"),
    ]
    roc_figure(path, f"{name}: {result['questions']} questions", cv["y"], curves, points)


def question_sets(data_dir: Path, settings: Settings, workdir: Path, out_dir: Path) -> dict[str, dict]:
    """Each question set's test split asked with the shipped model reporting its logit but
    refusing nothing (``answerable_below`` far below every logit): ROC curves of the old score
    (the best cross-encoder score) and of the new signal (the model's logit; a question the
    rules refuse, or the answer type makes partial, below every logit), written to
    ``answerability-<set>.png``, and the AUROCs."""
    import numpy as np
    from sklearn.metrics import roc_auc_score

    from assistant.pipeline import Assistant
    from evals.corpora import write_corpus
    from evals.questions import SETS, load_sets
    from evals.report import answer_questions

    reporting = replace(settings, answerable_below=-1e9)
    out = {}
    for question_set in load_sets(tuple(SETS)):
        folder = workdir / question_set.name
        corpus = write_corpus(question_set.articles, folder / "corpus", data_dir)
        assistant = Assistant.load(corpus, folder / "ix", reporting)
        questions = question_set.split("test")
        rows = answer_questions(assistant, questions, baselines=()).per_question
        y = np.array([q.answerable for q in questions], dtype=bool)
        scored = [r.best_score for r in rows if r.best_score is not None]
        lowest = min(scored, default=0.0) - 1000.0
        old = np.array([lowest if r.best_score is None else r.best_score for r in rows])
        new = np.array([r.answerability if r.outcome == "answered" else lowest for r in rows])
        out[question_set.name] = {"questions": len(rows), "old": float(roc_auc_score(y, old)),
                                  "new": float(roc_auc_score(y, new))}  # fmt: skip
        curves = [("best cross-encoder score (old)", old), ("new signal", new)]
        title = f"{question_set.name}, test split: {len(rows)} questions"
        roc_figure(out_dir / f"answerability-{question_set.name}.png", title, y, curves)
    return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals.answerability", description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DATA_DIR, help="the shared data folder")
    parser.add_argument("--json", dest="json_out", type=Path, default=EVAL_DIR / "answerability.json")
    parser.add_argument("--limit", type=int, default=600, help="questions per data set (half of each kind)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--sets", nargs="*", default=["squad2", "squad1-leave-gold-out"],
        help="public sets to measure; the others' figures already in --json are kept",
    )  # fmt: skip
    parser.add_argument("--no-question-sets", action="store_true", help="skip the question sets' test splits")
    args = parser.parse_args(argv)

    from assistant.pipeline import PROJECT_DIR, build_embedder
    from assistant.settings import load_settings

    settings = load_settings(PROJECT_DIR)
    embedder = build_embedder(settings)
    builders = {"squad2": squad2, "squad1-leave-gold-out": squad1_leave_gold_out}
    kept = json.loads(args.json_out.read_text(encoding="utf-8")) if args.json_out.is_file() else {}
    results: dict[str, object] = {k: v for k, v in kept.items() if k in builders and k not in args.sets}
    results |= {"machine": machine(), "limit": args.limit, "seed": args.seed, "features": list(FEATURES),
                "folds": FOLDS, "max_false_refusal": MAX_FALSE_REFUSAL}  # fmt: skip
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="newsdesk-answerability-") as tmp:
        for name in args.sets:
            t0 = time.perf_counter()
            rows = builders[name](args.data, settings, embedder, Path(tmp), args.limit, args.seed)
            result = summarise(name, rows, args.seed)
            plot(name, result, args.json_out.parent / f"answerability-{name}.png")
            result.pop("_cv")
            result["seconds"] = time.perf_counter() - t0
            results[name] = result
            print(f"{name}: {json.dumps({k: v for k, v in result.items() if k.startswith('auroc')})}", flush=True)
        if not args.no_question_sets:
            results["question_sets_test"] = question_sets(args.data, settings, Path(tmp), args.json_out.parent)
    results["seconds"] = time.perf_counter() - started
    args.json_out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.json_out} in {results['seconds']:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
