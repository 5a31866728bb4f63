"""``python -m evals.timeline``: how often the timeline's (date, event) pairs are right, against
hand labels (``eval/timeline_labels.jsonl``, format in ``eval/README.md``).

Three pools, each indexed as its own corpus the way ``assistant eval`` indexes a question set
(``evals.corpora.write_corpus``, then ``Assistant.load``), and every entry of
``Assistant.timeline()`` taken:

* ``bundled``: the project's five articles (``eval/articles.tsv``);
* ``news``: the news set's articles (``eval/news/articles.tsv``);
* ``reuters``: the first ``REUTERS_POOL`` Reuters-21578 records by newid that have a body holding
  a relative-date word (``RELATIVE_WORD``) and are not in the news set.  Few articles of the first
  two pools are dated, so they state few relative dates; these records are dated and state many.
  Each record's split is decided by a hash of its newid (``reuters_split``).

An entry is known by its article, its sentence's offsets, the date and precision given and the
phrase that gave it; its label also holds a digest of the sentence, so a label whose sentence
changed is not scored as if it still judged it.  Entries without a label and labels whose entry
is gone are counted and listed, never skipped in silence.  Precision is correct over labelled
entries; relative-date accuracy is correct over the labelled entries whose date is relative.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from assistant.errors import AssistantError
from evals import jsonl
from evals.corpora import DATA_DIR, indexed
from evals.labels import ratio, sentence_sha
from evals.machine import machine
from evals.questions import EVAL_DIR, SETS, SPLITS, Article, load_articles

LABELS = EVAL_DIR / "timeline_labels.jsonl"
POOLS = ("bundled", "news", "reuters")
#: How many Reuters records the third pool takes (the first ones by newid that pass the rule).
REUTERS_POOL = 20
#: A word that makes a record a candidate for the Reuters pool: the relative dates news states most.
#: Kept apart from ``assistant.answer.dates`` on purpose, so a change there does not change the pool.
RELATIVE_WORD = re.compile(
    r"\b(?:yesterday|today|tomorrow|monday|tuesday|wednesday|thursday|friday|saturday|sunday"
    r"|(?:last|this|next)\s+(?:week|month|year))\b",
    re.IGNORECASE,
)
#: A label's judgement of an entry.  ``wrong_precision``: the right date at a finer or coarser
#: precision than the sentence states; ``not_event_date``: a date the sentence names that is not
#: when its event happened (a birth year, a counterfactual, an earlier event named in passing).
VERDICTS = ("correct", "wrong_date", "wrong_precision", "not_event_date")
#: How a date is stated: in full; a day and month whose year is the article's ("on 22 March"); or
#: relative to the article's date ("last week").  The last two need the article's date.
DATED_BY = ("explicit", "yearless", "relative")
#: The kind of a ``not_event_date`` error that a reader may still want on a timeline: an earlier
#: event the sentence names in passing ("after winning in 1993"), true but not what it reports.
BACKGROUND = "background"


@dataclass(frozen=True)
class Entry:
    """One (date, sentence) pair of the timeline, with what a label needs to find it again."""

    pool: str
    article: str
    split: str
    start: int
    end: int
    date: str
    precision: str
    phrase: str
    published: str
    sentence_sha: str
    text: str  # shown when listing unlabelled entries; never written to a file

    @property
    def key(self) -> tuple[str, str, int, int, str, str, str]:
        return (self.pool, self.article, self.start, self.end, self.date, self.precision, self.phrase)


@dataclass(frozen=True)
class Label:
    """A hand judgement of one entry: its verdict; how its date is stated (``DATED_BY``); whether
    the date given is the one its phrase denotes (``resolved``: a relative date counted from the
    article's date rightly, whatever the sentence's event); for an error its kind and the right date."""

    pool: str
    article: str
    start: int
    end: int
    date: str
    precision: str
    phrase: str
    sentence_sha: str
    verdict: str
    dated_by: str
    resolved: bool
    error: str = ""
    right: str = ""
    note: str = ""

    @property
    def key(self) -> tuple[str, str, int, int, str, str, str]:
        return (self.pool, self.article, self.start, self.end, self.date, self.precision, self.phrase)


def reuters_split(newid: str) -> str:
    """dev or test for a Reuters record, fixed by its newid (about half each)."""
    return SPLITS[hashlib.sha256(str(newid).encode("ascii")).digest()[0] % 2]


def reuters_pool(path: Path, size: int = REUTERS_POOL, exclude: Iterable[str] = ()) -> tuple[Article, ...]:
    """The first ``size`` records of the Reuters file by newid with a body holding ``RELATIVE_WORD``,
    those named in ``exclude`` (newids) aside."""
    excluded = set(exclude)
    chosen: list[tuple[int, str]] = []
    with path.open(encoding="utf-8") as lines:
        for row in map(json.loads, lines):
            newid = str(row["newid"])
            if newid not in excluded and row.get("body", "").strip() and RELATIVE_WORD.search(row["body"]):
                chosen.append((int(newid), newid))
    chosen.sort()
    return tuple(Article(f"reuters_{n}.txt", reuters_split(n), f"{path.name}#{n}") for _, n in chosen[:size])


def pool_articles(pool: str, data_dir: Path) -> tuple[Article, ...]:
    if pool in SETS:
        return load_articles(SETS[pool][1])
    news = {a.source.partition("#")[2] for a in load_articles(SETS["news"][1]) if "#" in a.source}
    return reuters_pool(data_dir / "reuters21578.jsonl", exclude=news)


def extract(pool: str, articles: Sequence[Article], folder: Path, data_dir: Path) -> list[Entry]:
    """Every timeline entry of ``articles`` indexed as one corpus in ``folder``."""
    assistant = indexed(articles, folder, data_dir)
    split = {a.name: a.split for a in articles}
    return [
        Entry(
            pool,
            e.doc_id,
            split[e.doc_id],
            e.start,
            e.end,
            e.date,
            e.precision,
            e.phrase,
            e.published,
            sentence_sha(e.text),
            e.text,
        )  # fmt: skip
        for e in assistant.timeline()
    ]


def load_labels(path: Path) -> list[Label]:
    """Parse and check the label file; errors name the line."""
    labels: list[Label] = []
    seen: set[tuple] = set()
    for where, row in jsonl.rows(path):
        try:
            label = Label(**row)
        except TypeError as exc:
            raise AssistantError(f"{where}: not a valid label ({exc!r}); see eval/README.md") from exc
        if label.verdict not in VERDICTS:
            raise AssistantError(f"{where}: verdict {label.verdict!r} is not one of {', '.join(VERDICTS)}")
        if label.dated_by not in DATED_BY:
            raise AssistantError(f"{where}: dated_by {label.dated_by!r} is not one of {', '.join(DATED_BY)}")
        if label.verdict != "correct" and not label.error:
            raise AssistantError(f"{where}: a {label.verdict} label needs its kind of error")
        if label.key in seen:
            raise AssistantError(f"{where}: a second label for the same entry")
        seen.add(label.key)
        labels.append(label)
    return labels


@dataclass(frozen=True)
class Matched:
    """Entries with their labels, and what could not be paired: entries without a label, labels
    without their entry, and labels whose sentence changed since they were written."""

    pairs: tuple[tuple[Entry, Label], ...]
    unlabelled: tuple[Entry, ...]
    disappeared: tuple[Label, ...]
    stale: tuple[tuple[Entry, Label], ...]


def match(entries: Sequence[Entry], labels: Sequence[Label]) -> Matched:
    by_key = {label.key: label for label in labels}
    pairs, unlabelled, stale = [], [], []
    for entry in entries:
        label = by_key.get(entry.key)
        if label is None:
            unlabelled.append(entry)
        elif label.sentence_sha != entry.sentence_sha:
            stale.append((entry, label))
        else:
            pairs.append((entry, label))
    present = {entry.key for entry in entries}
    disappeared = [label for label in labels if label.key not in present]
    return Matched(tuple(pairs), tuple(unlabelled), tuple(disappeared), tuple(stale))


@dataclass(frozen=True)
class Score:
    entries: int
    unlabelled: int
    stale: int
    disappeared: int
    labelled: int
    correct: int
    precision: float | None  # correct / labelled
    with_background: float | None  # (correct + background dates) / labelled
    relative: int
    relative_correct: int
    relative_accuracy: float | None  # correct / relative
    relative_resolved: int
    relative_resolution: float | None  # resolved / relative: the phrase's own date, right
    by_dated: dict[str, dict[str, int]]  # dated_by -> labelled, correct, resolved
    verdicts: dict[str, int]
    errors: dict[str, int]


def score(matched: Matched) -> Score:
    """Precision and relative-date accuracy of the labelled entries of ``matched``."""
    labels = [label for _, label in matched.pairs]
    by_dated = {
        how: {
            "labelled": len(these),
            "correct": sum(label.verdict == "correct" for label in these),
            "resolved": sum(label.resolved for label in these),
        }
        for how in DATED_BY
        for these in [[label for label in labels if label.dated_by == how]]
    }
    correct = sum(label.verdict == "correct" for label in labels)
    background = sum(label.verdict == "not_event_date" and label.error == BACKGROUND for label in labels)
    relative = by_dated["relative"]
    return Score(
        entries=len(matched.pairs) + len(matched.unlabelled) + len(matched.stale),
        unlabelled=len(matched.unlabelled),
        stale=len(matched.stale),
        disappeared=len(matched.disappeared),
        labelled=len(labels),
        correct=correct,
        precision=ratio(correct, len(labels)),
        with_background=ratio(correct + background, len(labels)),
        relative=relative["labelled"],
        relative_correct=relative["correct"],
        relative_accuracy=ratio(relative["correct"], relative["labelled"]),
        relative_resolved=relative["resolved"],
        relative_resolution=ratio(relative["resolved"], relative["labelled"]),
        by_dated=by_dated,
        verdicts=dict(Counter(label.verdict for label in labels).most_common()),
        errors=dict(Counter(label.error for label in labels if label.verdict != "correct").most_common()),
    )


def scores(
    entries: Sequence[Entry], labels: Sequence[Label], split_of: dict[tuple[str, str], str]
) -> dict[str, dict[str, Score]]:
    """Scores by pool (and ``all``), then by split (and ``all``); ``split_of``: each (pool, article)'s
    split, so a label whose article produced no entry still counts in its split (and a label of an
    article no longer in its pool counts as disappeared in the pool's ``all``)."""
    out: dict[str, dict[str, Score]] = {}
    for pool in (*sorted({e.pool for e in entries} | {lb.pool for lb in labels}, key=_pool_order), "all"):
        for split in (*SPLITS, "all"):
            wanted = {(p, a) for (p, a), s in split_of.items() if pool in ("all", p) and split in ("all", s)}
            unknown = {(lb.pool, lb.article) for lb in labels if split == "all" and pool in ("all", lb.pool)}
            wanted |= unknown - split_of.keys()  # a labelled article no longer in its pool: its labels are gone
            matched = match(
                [e for e in entries if (e.pool, e.article) in wanted],
                [lb for lb in labels if (lb.pool, lb.article) in wanted],
            )
            out.setdefault(pool, {})[split] = score(matched)
    return out


def _pool_order(pool: str) -> tuple[int, str]:
    return (POOLS.index(pool) if pool in POOLS else len(POOLS), pool)


def table(results: dict[str, dict[str, Score]]) -> list[str]:
    lines = [
        f"{'pool':8} {'split':5} {'entries':>7} {'labelled':>8} {'unlab':>5} {'stale':>5} {'gone':>4} "
        f"{'correct':>7} {'precision':>9} {'+backgr':>7} {'relative':>8} {'rel.ok':>6} {'rel.acc':>7} "
        f"{'rel.resolved':>12}"
    ]
    for pool, by_split in results.items():
        for split, s in by_split.items():
            lines.append(
                f"{pool:8} {split:5} {s.entries:7d} {s.labelled:8d} {s.unlabelled:5d} {s.stale:5d} {s.disappeared:4d} "
                f"{s.correct:7d} {_f(s.precision, 9)} {_f(s.with_background, 7)} {s.relative:8d} "
                f"{s.relative_correct:6d} {_f(s.relative_accuracy, 7)} {_f(s.relative_resolution, 12)}"
            )
    return lines


def _f(value: float | None, width: int) -> str:
    return f"{'-':>{width}}" if value is None else f"{value:{width}.3f}"


def _shown(entry: Entry) -> str:
    return (
        f"{entry.pool} {entry.article} [{entry.start}:{entry.end}] {entry.date} {entry.precision} "
        f"{entry.phrase!r} (published {entry.published or '-'}, sha {entry.sentence_sha})\n    {entry.text}"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals.timeline", description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DATA_DIR, help="the shared data folder")
    parser.add_argument("--labels", type=Path, default=LABELS)
    parser.add_argument("--json", dest="json_out", type=Path, help="write the results here")
    parser.add_argument("--pools", nargs="*", default=list(POOLS), choices=POOLS)
    parser.add_argument("--show-unlabelled", action="store_true", help="print every unlabelled entry's sentence")
    args = parser.parse_args(argv)

    started = time.perf_counter()
    entries: list[Entry] = []
    articles: dict[str, dict[str, list[str]]] = {}
    split_of: dict[tuple[str, str], str] = {}
    with tempfile.TemporaryDirectory(prefix="newsdesk-timeline-") as tmp:
        for pool in args.pools:
            chosen = pool_articles(pool, args.data)
            articles[pool] = {split: [a.name for a in chosen if a.split == split] for split in SPLITS}
            split_of |= {(pool, a.name): a.split for a in chosen}
            entries += extract(pool, chosen, Path(tmp) / pool, args.data)
    labels = [label for label in load_labels(args.labels) if label.pool in args.pools]
    results = scores(entries, labels, split_of)
    matched = match(entries, labels)
    lines = table(results)
    for entry in matched.unlabelled:
        lines.append("unlabelled: " + (_shown(entry) if args.show_unlabelled else " ".join(map(str, entry.key))))
    for _, label in matched.stale:
        lines.append("stale (sentence changed): " + " ".join(map(str, label.key)))
    for label in matched.disappeared:
        lines.append("disappeared (labelled, no longer produced): " + " ".join(map(str, label.key)))
    lines.append(
        f"{len(matched.unlabelled)} unlabelled, {len(matched.stale)} stale, {len(matched.disappeared)} disappeared"
    )
    seconds = time.perf_counter() - started
    lines.append(f"{seconds:.0f} s")
    print("\n".join(lines))
    if args.json_out:
        out = {
            "machine": machine(),
            "labels": str(
                args.labels.relative_to(EVAL_DIR.parent) if args.labels.is_relative_to(EVAL_DIR.parent) else args.labels
            ),  # fmt: skip
            "reuters_pool": {"size": REUTERS_POOL, "rule": RELATIVE_WORD.pattern, "split": "sha256(newid)[0] % 2"},
            "articles": articles,
            "scores": {pool: {split: asdict(s) for split, s in by_split.items()} for pool, by_split in results.items()},
            "unlabelled": [list(e.key) for e in matched.unlabelled],
            "stale": [list(label.key) for _, label in matched.stale],
            "disappeared": [list(label.key) for label in matched.disappeared],
            "seconds": seconds,
        }
        args.json_out.write_text(json.dumps(out, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
