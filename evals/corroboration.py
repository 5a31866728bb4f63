"""``python -m evals.corroboration``: how often an answer sentence's count of the articles (and
publications) stating its fact (``AnswerSentence.stated_in``) matches a hand check.

The news set's articles are written and indexed as ``assistant eval`` does it
(``evals.corpora.write_corpus``, then ``Assistant.load``).  Two steps, each on its own split:

* **dev, the threshold.**  For every sentence of a dev article and every other dev article, the
  nearest of that article's sentences among the sentence's ``corroboration_neighbours`` nearest
  (``Retriever.nearest_sentences``: the one ``statements`` weighs first) makes a pair when its
  cosine is at least ``PAIR_COSINE`` and its word overlap under ``same_words`` (near copies count
  already, whatever the cosine).  ``SAMPLE`` of these pairs, drawn with ``SEED``, were labelled by
  hand, same fact or not, in ``eval/corroboration_pairs.jsonl``; ``same_fact`` is scored on them at
  each cosine of ``GRID`` and the one of best accuracy is chosen, ties to the higher precision, then
  the higher cosine (a false "three articles say this" misleads more than a missed one).  The test
  figures are also given at the cosine of best F1, for comparison.
* **test, the figure.**  The news set's answerable test questions other than broad ones, in file
  order, are asked with the chosen cosine.  Each answer sentence was checked by hand, before its
  ``stated_in`` was looked at, for the articles of the corpus that state its fact
  (``eval/corroboration_labels.jsonl``).  An answer matches when every sentence's article count is
  the hand count.  A sentence with no label (the answers changed) or whose text changed since
  labelling is counted and listed, never skipped in silence.

Labels hold references (article, sentence offsets, a digest of the sentence), never the text.

    python -m evals.corroboration --json eval/corroboration.json
    python -m evals.corroboration --list-pairs     # the dev pairs, with their text, to label
    python -m evals.corroboration --list-answers   # the test answers' sentences, without stated_in
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from assistant.answer.corroboration import same_fact, word_overlap
from assistant.errors import AssistantError
from assistant.settings import Settings
from evals import jsonl
from evals.corpora import DATA_DIR, indexed
from evals.labels import ratio, sentence_sha
from evals.machine import described, machine
from evals.questions import EVAL_DIR, SETS, Question, load_set

PAIRS = EVAL_DIR / "corroboration_pairs.jsonl"
LABELS = EVAL_DIR / "corroboration_labels.jsonl"
#: The lowest cosine of a dev pair worth labelling: below it no cosine threshold would be chosen.
PAIR_COSINE = 0.80
#: How many of the dev pairs are labelled, drawn with ``SEED``.
SAMPLE = 150
SEED = 16
#: The cosines ``same_cosine`` is chosen among.
GRID = tuple(round(0.80 + 0.01 * i, 2) for i in range(20))
#: The question categories asked for the test figure (broad answers are summaries of many sentences).
CATEGORIES = ("single", "multi", "followup")


# ---------------------------------------------------------------- dev: pairs and the threshold


@dataclass(frozen=True)
class Side:
    """One sentence of a pair, by reference."""

    doc: str
    index: int
    start: int
    end: int
    sha: str


@dataclass(frozen=True)
class Pair:
    a: Side
    b: Side
    cosine: float
    text_a: str = ""  # read from the index; never written to a file
    text_b: str = ""

    @property
    def key(self) -> tuple:
        return (self.a.doc, self.a.start, self.b.doc, self.b.start)


@dataclass(frozen=True)
class LabelledPair:
    pair: Pair
    same: bool
    note: str = ""


def candidate_pairs(assistant, articles: Iterable[str]) -> list[Pair]:
    """The pairs to label, from ``articles`` (doc ids): for each sentence and each other of the
    articles, the nearest of its sentences among the sentence's ``corroboration_neighbours``
    nearest (the one ``statements`` weighs first), when the cosine is at least ``PAIR_COSINE`` and
    the word overlap under ``same_words``; unordered, each pair once, then ``SAMPLE`` of them drawn
    with ``SEED`` (all of them are more than a hand check can read), in document then sentence order."""
    retriever, settings = assistant.retriever, assistant.settings
    index = retriever.index
    chosen = list(articles)
    order = {doc: n for n, doc in enumerate(chosen)}
    found: dict[tuple, Pair] = {}
    for doc in chosen:
        for row in index.sentence_rows.of_document(doc):
            sentence = index.sentence_rows[row]
            seen = set()
            for other_row, cosine in retriever.nearest_sentences(row, settings.corroboration_neighbours):
                other = index.sentence_rows[other_row]
                if other.doc_id == doc or other.doc_id not in order or other.doc_id in seen:
                    continue
                seen.add(other.doc_id)
                if cosine < PAIR_COSINE or word_overlap(sentence.text, other.text) >= settings.same_words:
                    continue
                first, second = sorted((sentence, other), key=lambda s: (order[s.doc_id], s.index))
                pair = Pair(_side(first), _side(second), round(cosine, 4), first.text, second.text)
                found.setdefault(pair.key, pair)
    ranked = sorted(found.values(), key=lambda p: (order[p.a.doc], p.a.index, order[p.b.doc], p.b.index))
    drawn = set(random.Random(SEED).sample(range(len(ranked)), min(SAMPLE, len(ranked))))
    return [p for n, p in enumerate(ranked) if n in drawn]


def _side(sentence) -> Side:
    return Side(sentence.doc_id, sentence.index, sentence.start, sentence.end, sentence_sha(sentence.text))


def load_pairs(path: Path = PAIRS) -> list[LabelledPair]:
    pairs = []
    for where, row in jsonl.rows(path):
        try:
            pair = Pair(Side(**row["a"]), Side(**row["b"]), float(row["cosine"]))
            pairs.append(LabelledPair(pair, bool(row["same"]), row.get("note", "")))
        except (ValueError, KeyError, TypeError) as exc:
            raise AssistantError(f"{where}: a pair needs a, b (doc, index, start, end, sha), cosine, same") from exc
    return pairs


@dataclass(frozen=True)
class Confusion:
    threshold: float
    tp: int
    fp: int
    fn: int
    tn: int

    @property
    def accuracy(self) -> float | None:
        return ratio(self.tp + self.tn, self.tp + self.fp + self.fn + self.tn)

    @property
    def precision(self) -> float | None:
        return ratio(self.tp, self.tp + self.fp)

    @property
    def recall(self) -> float | None:
        return ratio(self.tp, self.tp + self.fn)

    @property
    def f1(self) -> float | None:
        p, r = self.precision, self.recall
        return None if p is None or r is None or p + r == 0 else 2 * p * r / (p + r)

    def as_dict(self) -> dict[str, object]:
        return {
            **asdict(self),
            "accuracy": self.accuracy,
            "precision": self.precision,
            "recall": self.recall,
            "f1": self.f1,
        }


def confusion(threshold: float, judged: Iterable[tuple[bool, bool]]) -> Confusion:
    """Counts of (predicted, labelled) same-fact judgements."""
    tp = fp = fn = tn = 0
    for predicted, same in judged:
        tp += predicted and same
        fp += predicted and not same
        fn += not predicted and same
        tn += not predicted and not same
    return Confusion(threshold, tp, fp, fn, tn)


def grid(
    labelled: Sequence[tuple[str, str, float, bool]], base: Settings, thresholds: Sequence[float] = GRID
) -> list[Confusion]:
    """``same_fact`` at each cosine threshold on (text, text, cosine, same) pairs."""
    return [
        confusion(t, ((same_fact(a, b, c, base.updated({"same_cosine": t})), same) for a, b, c, same in labelled))
        for t in thresholds
    ]


def choose(rows: Sequence[Confusion], measure: str = "accuracy") -> Confusion:
    """Best ``measure`` (accuracy or f1); ties to the higher precision, then the higher threshold."""
    return max(rows, key=lambda r: (getattr(r, measure) or 0.0, r.precision or 0.0, r.threshold))


def figures_rejected(labelled: Sequence[tuple[str, str, float, bool]], base: Settings) -> list[int]:
    """The positions of the pairs ``same_fact`` refuses whatever the cosine: the figures rule."""
    return [n for n, (a, b, _, _) in enumerate(labelled) if not same_fact(a, b, 1.0, base)]


# ---------------------------------------------------------------- test: answers and their counts


@dataclass(frozen=True)
class Said:
    """One answer sentence and the system's articles for it."""

    question: str
    doc: str
    start: int
    end: int
    sha: str
    stated_in: tuple[str, ...]  # doc ids, its own first
    publications: int
    single_unnamed: bool
    text: str = ""  # never written to a file

    @property
    def key(self) -> tuple[str, str, int, int]:
        return (self.question, self.doc, self.start, self.end)


@dataclass(frozen=True)
class Label:
    """A hand check of one answer sentence: the articles that state its fact (its own among them),
    and whether its fact rests on unnamed sources in its own article."""

    question: str
    doc: str
    start: int
    end: int
    sha: str
    articles: tuple[str, ...]
    unnamed: bool = False
    note: str = ""

    @property
    def key(self) -> tuple[str, str, int, int]:
        return (self.question, self.doc, self.start, self.end)


def load_labels(path: Path = LABELS) -> list[Label]:
    labels, seen = [], set()
    for where, row in jsonl.rows(path):
        try:
            label = Label(**{**row, "articles": tuple(row["articles"])})
        except (ValueError, KeyError, TypeError) as exc:
            raise AssistantError(f"{where}: not a valid label ({exc!r}); see eval/README.md") from exc
        if label.doc not in label.articles:
            raise AssistantError(f"{where}: a sentence's own article is among those stating it")
        if label.key in seen:
            raise AssistantError(f"{where}: a second label for the same sentence")
        seen.add(label.key)
        labels.append(label)
    return labels


def answered(assistant, questions: Sequence[Question]) -> list[Said]:
    """Every sentence of the answers to ``questions`` with its ``stated_in``."""
    rows = []
    for q in questions:
        answer = assistant.ask(q.question, list(q.history))
        for s in answer.sentences:
            rows.append(
                Said(
                    q.id,
                    s.doc_id,
                    s.start,
                    s.end,
                    sentence_sha(s.text),
                    tuple(t.doc_id for t in s.stated_in),
                    s.publications,
                    s.single_unnamed,
                    s.text,
                )  # fmt: skip
            )
    return rows


def compare(said: Sequence[Said], labels: Sequence[Label], publication: dict[str, str]) -> dict[str, object]:
    """The system's counts against the labels.  ``publication``: each doc id's publication
    ("" when unknown: such an article counts as its own publication, as ``AnswerSentence`` does).

    Sentences without a label or with a stale one make their answer unscored (counted apart)."""
    by_key = {label.key: label for label in labels}

    def publications(docs: Iterable[str]) -> int:
        return len({publication.get(d) or f"article {d}" for d in docs})

    questions = list(dict.fromkeys(s.question for s in said))
    scored, unlabelled, stale = [], [], []
    for s in said:
        label = by_key.get(s.key)
        if label is None:
            unlabelled.append(s)
        elif label.sha != s.sha:
            stale.append(s)
        else:
            scored.append((s, label))
    unscored = {s.question for s in (*unlabelled, *stale)}
    rows = []
    for s, label in scored:
        system, hand = len(s.stated_in), len(label.articles)
        rows.append(
            {
                "question": s.question,
                "doc": s.doc,
                "start": s.start,
                "end": s.end,
                "system": list(s.stated_in),
                "hand": list(label.articles),
                "articles_system": system,
                "articles_hand": hand,
                "publications_system": s.publications,
                "publications_hand": publications(label.articles),
                "missed": sorted(set(label.articles) - set(s.stated_in)),
                "extra": sorted(set(s.stated_in) - set(label.articles)),
                "single_unnamed": s.single_unnamed,
                "single_unnamed_hand": hand == 1 and label.unnamed,
            }
        )
    answers = [q for q in questions if q not in unscored]
    per_q = {q: [r for r in rows if r["question"] == q] for q in answers}
    match = [q for q in answers if all(r["articles_system"] == r["articles_hand"] for r in per_q[q])]
    match_pub = [q for q in answers if all(r["publications_system"] == r["publications_hand"] for r in per_q[q])]
    alone = [q for q in answers if all(r["articles_hand"] == 1 for r in per_q[q])]  # what "always 1" would match
    flagged = [q for q in answers if any(r["single_unnamed"] for r in per_q[q])]
    flagged_hand = [q for q in answers if any(r["single_unnamed_hand"] for r in per_q[q])]
    in_scored = [r for r in rows if r["question"] in answers]
    return {
        "answers": len(questions),
        "answers_scored": len(answers),
        "answers_matching": len(match),
        "answer_match_rate": ratio(len(match), len(answers)),
        "answers_matching_if_always_one": len(alone),
        "answers_matching_publications": len(match_pub),
        "answer_publication_match_rate": ratio(len(match_pub), len(answers)),
        "sentences": len(said),
        "sentences_scored": len(in_scored),
        "sentences_unlabelled": len(unlabelled),
        "sentences_stale": len(stale),
        "sentence_agreement": ratio(sum(r["articles_system"] == r["articles_hand"] for r in in_scored), len(in_scored)),
        "sentence_same_articles": ratio(sum(set(r["system"]) == set(r["hand"]) for r in in_scored), len(in_scored)),
        "sentence_publication_agreement": ratio(
            sum(r["publications_system"] == r["publications_hand"] for r in in_scored), len(in_scored)
        ),
        "over_counts": sum(r["articles_system"] > r["articles_hand"] for r in in_scored),
        "under_counts": sum(r["articles_system"] < r["articles_hand"] for r in in_scored),
        "hand_corroborated": sum(r["articles_hand"] > 1 for r in in_scored),
        "system_corroborated": sum(r["articles_system"] > 1 for r in in_scored),
        "answers_flagged_single_unnamed": len(flagged),
        "answers_single_unnamed_by_hand": len(flagged_hand),
        "single_unnamed_sentences": sum(r["single_unnamed"] for r in in_scored),
        "single_unnamed_right": sum(r["single_unnamed"] and r["single_unnamed_hand"] for r in in_scored),
        "single_unnamed_missed": sum(r["single_unnamed_hand"] and not r["single_unnamed"] for r in in_scored),
        "disagreements": [r for r in in_scored if r["missed"] or r["extra"]],
        "unlabelled": [list(s.key) for s in unlabelled],
        "stale": [list(s.key) for s in stale],
    }


# ---------------------------------------------------------------- running it


def _news(data_dir: Path, folder: Path):
    """The news set, its articles indexed in ``folder`` as ``assistant eval`` indexes them."""
    question_set = load_set("news", *SETS["news"])
    return question_set, indexed(question_set.articles, folder, data_dir)


def asked_questions(question_set) -> list[Question]:
    """The answerable test questions of ``CATEGORIES``, in file order."""
    return [q for q in question_set.split("test") if q.answerable and q.category in CATEGORIES]


def dev_articles(question_set) -> list[str]:
    return [a.name for a in question_set.articles if a.split == "dev"]


def _texts(pairs: Sequence[LabelledPair], assistant) -> list[tuple[str, str, float, bool]]:
    """The labelled pairs' sentences read from the index; raises when one changed since labelling."""
    documents = assistant.retriever.index.documents
    out, drifted = [], []
    for p in pairs:
        a, b = (documents[s.doc].text[s.start : s.end] for s in (p.pair.a, p.pair.b))
        if sentence_sha(a) != p.pair.a.sha or sentence_sha(b) != p.pair.b.sha:
            drifted.append(p.pair.key)
        out.append((a, b, p.pair.cosine, p.same))
    if drifted:
        raise AssistantError(f"{len(drifted)} labelled pairs changed since labelling, e.g. {drifted[:3]}")
    return out


def _f(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def table(result: dict) -> str:
    dev = result["dev"]
    lines = [
        f"dev pairs: {dev['pairs']} labelled, {dev['same']} the same fact; the figures rule refuses "
        f"{len(dev['figures_rule_refuses']['same'])} of these and {dev['figures_rule_refuses']['not_same']} others",
        "| same_cosine | tp | fp | fn | tn | accuracy | precision | recall | F1 |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in dev["grid"]:
        marks = [m for m, t in (("chosen", dev["chosen"]), ("best F1", dev["best_f1"])) if r["threshold"] == t]
        mark = f" ({', '.join(marks)})" if marks else ""
        lines.append(
            f"| {r['threshold']:.2f}{mark} | {r['tp']} | {r['fp']} | {r['fn']} | {r['tn']} | {_f(r['accuracy'])} | "
            f"{_f(r['precision'])} | {_f(r['recall'])} | {_f(r['f1'])} |"
        )
    lines += test_lines(result["test"], f"test, same_cosine={dev['chosen']:.2f} (chosen)", details=True)
    if result["questions_without_sentences"]:
        lines.append(f"  asked, answered with no sentence: {', '.join(result['questions_without_sentences'])}")
    if dev["best_f1"] != dev["chosen"]:
        lines += test_lines(result["test_at_best_f1"], f"test, same_cosine={dev['best_f1']:.2f} (best F1 on dev)")
    return "\n".join(lines) + f"\n\n{described(result['machine'])} {result['seconds']:.0f} s."


def test_lines(t: dict, heading: str, details: bool = False) -> list[str]:
    """The test figures of ``compare`` as a table, and with ``details`` every disagreement."""
    n = t["answers_scored"]
    lines = [
        "",
        f"{heading}: {t['answers']} answers, {t['sentences']} sentences "
        f"({t['sentences_unlabelled']} unlabelled, {t['sentences_stale']} stale)",
        "| measure | value |",
        "|---|---|",
        f"| answers whose every article count matches | {t['answers_matching']} / {n} ({_f(t['answer_match_rate'])}) |",
        f"| the same, had every count been 1 (baseline) | {t['answers_matching_if_always_one']} / {n} |",
        f"| answers whose every publication count matches | {t['answers_matching_publications']} / {n} "
        f"({_f(t['answer_publication_match_rate'])}) |",
        f"| sentences: article count agrees | {_f(t['sentence_agreement'])} of {t['sentences_scored']} |",
        f"| sentences: the very same articles | {_f(t['sentence_same_articles'])} |",
        f"| sentences: publication count agrees | {_f(t['sentence_publication_agreement'])} |",
        f"| sentences over-counted / under-counted | {t['over_counts']} / {t['under_counts']} |",
        f"| sentences stated by >1 article: by hand / by the system | {t['hand_corroborated']} / "
        f"{t['system_corroborated']} |",
        f"| answers with a sentence flagged single_unnamed: system / hand | {t['answers_flagged_single_unnamed']} / "
        f"{t['answers_single_unnamed_by_hand']} |",
        f"| single_unnamed sentences: flagged / right / missed | {t['single_unnamed_sentences']} / "
        f"{t['single_unnamed_right']} / {t['single_unnamed_missed']} |",
    ]
    if details:
        for r in t["disagreements"]:
            lines.append(
                f"  {r['question']} {r['doc']}[{r['start']}:{r['end']}]: system {r['articles_system']}, hand "
                f"{r['articles_hand']}; extra {r['extra']} missed {r['missed']}"
            )
    lines += [f"  unlabelled: {key}" for key in t["unlabelled"]]
    lines += [f"  stale (sentence changed): {key}" for key in t["stale"]]
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals.corroboration", description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DATA_DIR, help="the shared data folder")
    parser.add_argument("--pairs", type=Path, default=PAIRS)
    parser.add_argument("--labels", type=Path, default=LABELS)
    parser.add_argument("--json", dest="json_out", type=Path, help="write the results here")
    parser.add_argument("--list-pairs", action="store_true", help="print the dev pairs with their text, to label")
    parser.add_argument("--list-answers", action="store_true", help="print the test answers' sentences, to label")
    parser.add_argument("--same-cosine", type=float, help="with --list-answers: ask with this cosine")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="newsdesk-corroboration-") as tmp:
        question_set, assistant = _news(args.data, Path(tmp))
        if args.list_pairs:
            for p in candidate_pairs(assistant, dev_articles(question_set)):
                row = {"a": asdict(p.a), "b": asdict(p.b), "cosine": p.cosine}
                print(json.dumps(row) + f"\n  A: {p.text_a}\n  B: {p.text_b}")
            return 0
        if args.list_answers:
            if args.same_cosine is not None:
                assistant = assistant.with_settings(assistant.settings.updated({"same_cosine": args.same_cosine}))
            for s in answered(assistant, asked_questions(question_set)):
                print(json.dumps({"question": s.question, "doc": s.doc, "start": s.start, "end": s.end, "sha": s.sha}))
                print(f"  {s.text}")
            return 0
        asked = asked_questions(question_set)
        pairs = load_pairs(args.pairs)
        listed = {p.key for p in candidate_pairs(assistant, dev_articles(question_set))}
        disagree = listed ^ {p.pair.key for p in pairs}
        if disagree:
            raise AssistantError(f"the labelled pairs and the pair rule disagree on {len(disagree)} pairs")
        texts = _texts(pairs, assistant)
        rows = grid(texts, assistant.settings)
        chosen, by_f1 = choose(rows), choose(rows, "f1")
        refused = figures_rejected(texts, assistant.settings)
        publication = {d: doc.publication for d, doc in assistant.retriever.index.documents.items()}
        labels = load_labels(args.labels)
        tests, answered_ids = {}, set()
        for threshold in dict.fromkeys((chosen.threshold, by_f1.threshold)):
            asking = assistant.with_settings(assistant.settings.updated({"same_cosine": threshold}))
            said = answered(asking, asked)
            answered_ids |= {s.question for s in said}
            tests[threshold] = compare(said, labels, publication)
    result = {
        "machine": machine(),
        "dev": {
            "pairs": len(pairs),
            "same": sum(p.same for p in pairs),
            "rule": f"cosine >= {PAIR_COSINE}, word overlap < same_words, both articles dev; {SAMPLE} drawn",
            "choice": "best accuracy; ties to higher precision, then higher cosine",
            "grid": [r.as_dict() for r in rows],
            "chosen": chosen.threshold,
            "best_f1": by_f1.threshold,
            "figures_rule_refuses": {
                "same": [list(pairs[n].pair.key) for n in refused if pairs[n].same],
                "not_same": sum(not pairs[n].same for n in refused),
            },
        },
        "questions": [q.id for q in asked],
        "questions_without_sentences": [q.id for q in asked if q.id not in answered_ids],
        "test": tests[chosen.threshold],
        "test_at_best_f1": tests[by_f1.threshold],
        "seconds": time.perf_counter() - started,
    }
    if args.json_out:
        args.json_out.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    print(table(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
