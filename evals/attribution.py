"""Who said it: precision and recall of ``accounts.stated_by`` on hand-labelled sentences.

Three domains: politics and diplomacy (the bundled ``corpus/``), BBC News (business,
sport, entertainment, tech) and Reuters-21578 (commodities, markets, companies).
The sentences were chosen by ``select`` (a fixed, seeded rule that never looks at the
product's output) and labelled blind, before ``stated_by`` ran on them; the labels are
in ``eval/attribution_labels.jsonl``, one sentence a line, as references (article,
character offsets in the text the product reads, a hash of the sentence) and never as
text: the eval reads the shared data at run time and stops if a sentence has drifted.

A predicted source matches a label (or one of its alternatives) when, case folded and
without a leading "the" and possessives, one's words contain the other's ("Silva" and
"Coach Ana Silva"), or when both are names of one country (``countries.py``: "Moscow"
and "Russia").  Precision counts the sentences the product gives a source, recall those
the label gives one, and none-vs-some accuracy every sentence.

    python -m evals.attribution --json eval/attribution.json
    python -m evals.attribution --select   # the sentences the rule picks, unlabelled, as JSONL
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import sys
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from assistant.answer.accounts import stated_by
from assistant.answer.countries import COUNTRIES
from assistant.errors import AssistantError
from assistant.ingest.corpus import parse_article, read_site_rules
from assistant.ingest.sentences import split_sentences
from evals import jsonl
from evals.corpora import DATA_DIR, write_corpus
from evals.machine import described, machine
from evals.questions import EVAL_DIR, Article, load_articles

LABELS = EVAL_DIR / "attribution_labels.jsonl"
SEED = 16
DOMAINS = ("politics", "bbc", "reuters")
BBC_CATEGORIES = ("business", "sport", "entertainment", "tech")
#: Articles drawn beside the listed ones, and attributed-looking sentences taken from each article.
EXTRA_ARTICLES = {"politics": 0, "bbc": 6, "reuters": 8}
PER_ARTICLE = {"politics": 5, "bbc": 1, "reuters": 2}
#: A quotation mark or a verb or phrase of speech: the sentences that may state a source.
CUE = re.compile(
    r"[“”\"]|\b(?:said|says|say|saying|told|tells|according to|added|adds|stated|announced|claimed|warned|"
    r"insisted|argued|explained|confirmed|denied|quoted|reported|noted|commented|spokes(?:man|woman|person))\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Ref:
    """One sentence: where it is in the text the product reads, and a hash to notice drift."""

    id: str
    domain: str
    split: str
    article: str
    source: str
    start: int
    end: int
    sha: str
    cue: bool


@dataclass(frozen=True)
class Labelled:
    ref: Ref
    label: str  # "" when the sentence attributes to no one it names
    also: tuple[str, ...]  # other names a reader might give the same source
    kind: str  # named, country, unnamed, role, pronoun or none


@dataclass(frozen=True)
class Scores:
    sentences: int
    attributed: int  # labelled with a source
    predicted: int  # given a source by the product
    correct: int  # both, and matching
    agree: int  # none-vs-some agreement

    def as_dict(self) -> dict[str, object]:
        return {
            "sentences": self.sentences,
            "attributed": self.attributed,
            "predicted": self.predicted,
            "correct": self.correct,
            "precision": _ratio(self.correct, self.predicted),
            "recall": _ratio(self.correct, self.attributed),
            "none_vs_some_accuracy": _ratio(self.agree, self.sentences),
        }


def _ratio(k: int, n: int) -> float | None:
    return round(k / n, 4) if n else None


def sha(sentence: str) -> str:
    return hashlib.sha256(sentence.encode("utf-8")).hexdigest()[:12]


def hashed_split(name: str) -> str:
    """The split of an article no list places: a third dev, two thirds test, by a hash of its name."""
    return "dev" if int(hashlib.sha256(name.encode()).hexdigest(), 16) % 3 == 0 else "test"


# ---------------------------------------------------------------- the articles and their text


def articles(data_dir: Path = DATA_DIR) -> list[tuple[str, Article]]:
    """Every article drawn, with its domain: the bundled five, the news list's BBC articles of the
    four categories and its Reuters items, and ``EXTRA_ARTICLES`` more of each drawn with ``SEED``
    from the rest of the data (unreadable files and Reuters items without a body left out)."""
    chosen = [("politics", a) for a in load_articles(EVAL_DIR / "articles.tsv")]
    listed = load_articles(EVAL_DIR / "news" / "articles.tsv")
    bbc = [a for a in listed if a.source.split("/")[2:3] and a.source.split("/")[2] in BBC_CATEGORIES]
    reuters = [a for a in listed if a.source.startswith("reuters21578.jsonl#")]
    rng = random.Random(SEED)
    taken = {a.source for a in listed}
    pool = [
        f"bbc/articles/{path.parent.name}/{path.name}"
        for category in BBC_CATEGORIES
        for path in sorted((data_dir / "bbc" / "articles" / category).glob("*.txt"))
        if f"bbc/articles/{category}/{path.name}" not in taken and _readable(path)
    ]
    for source in rng.sample(pool, EXTRA_ARTICLES["bbc"]):
        name = "bbc_" + source.removeprefix("bbc/articles/").replace("/", "_")
        bbc.append(Article(name, hashed_split(name), source))
    with (data_dir / "reuters21578.jsonl").open(encoding="utf-8") as lines:
        ids = [str(row["newid"]) for row in map(json.loads, lines) if row.get("body", "").strip()]
    pool = [i for i in ids if f"reuters21578.jsonl#{i}" not in taken]
    for newid in rng.sample(pool, EXTRA_ARTICLES["reuters"]):
        name = f"reuters_{newid}.txt"
        reuters.append(Article(name, hashed_split(name), f"reuters21578.jsonl#{newid}"))
    return chosen + [("bbc", a) for a in bbc] + [("reuters", a) for a in reuters]


def _readable(path: Path) -> bool:
    try:
        path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        return False
    return True


def texts(chosen: Sequence[Article], data_dir: Path = DATA_DIR) -> dict[str, str]:
    """Each article's text as the product reads it: written as the news eval writes its corpus,
    then cleaned by ``parse_article`` with the corpus's furniture rules."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = write_corpus(chosen, Path(tmp), data_dir)
        rules = read_site_rules(folder)
        return {
            a.name: parse_article(a.name, (folder / a.name).read_bytes(), ".txt", site_rules=rules).document.text
            for a in chosen
        }


# ---------------------------------------------------------------- choosing the sentences


def select(data_dir: Path = DATA_DIR) -> list[Ref]:
    """The sentences to label.  In each article (sentences of four words or more), up to
    ``PER_ARTICLE`` of those with a ``CUE``, drawn with a seed of the article's name, and as many
    drawn from the rest (plain sentences, and the tricky ones without a cue)."""
    drawn = articles(data_dir)
    text_of = texts([a for _, a in drawn], data_dir)
    refs = []
    for domain, article in drawn:
        text = text_of[article.name]
        spans = [(s, e) for s, e in split_sentences(text) if len(text[s:e].split()) >= 4]
        cued = [span for span in spans if CUE.search(text[span[0] : span[1]])]
        plain = [span for span in spans if span not in cued]
        rng = random.Random(f"{SEED}:{article.name}")
        take = rng.sample(cued, min(PER_ARTICLE[domain], len(cued)))
        others = rng.sample(plain, min(len(take), len(plain)))
        for s, e in sorted(take + others):
            refs.append(
                Ref(
                    f"{article.name}:{s}",
                    domain,
                    article.split,
                    article.name,
                    article.source,
                    s,
                    e,
                    sha(text[s:e]),
                    (s, e) in take,
                )
            )
    return refs


# ---------------------------------------------------------------- labels and matching


def load_labels(path: Path = LABELS) -> list[Labelled]:
    labels = []
    for where, row in jsonl.rows(path):
        try:
            ref = Ref(**{k: row[k] for k in Ref.__dataclass_fields__})
            labels.append(Labelled(ref, row["label"], tuple(row.get("also", ())), row["kind"]))
        except (KeyError, TypeError) as exc:
            fields = ", ".join(Ref.__dataclass_fields__)
            raise AssistantError(f"{where}: a label needs {fields}, label and kind ({exc!r})") from exc
    return labels


def words(name: str) -> tuple[str, ...]:
    """A name's words, case folded, without a leading "the" and without possessives."""
    found = re.findall(r"\w+(?:[.&-]\w+)*", re.sub(r"['’]s\b", "", name.casefold()))
    return tuple(found[1:] if found[:1] == ["the"] else found)


def _country(name: str) -> str | None:
    key = " ".join(words(name))
    for party, adjective, others in COUNTRIES:
        if key in {" ".join(words(n)) for n in (party, adjective, *others)}:
            return party
    return None


def matches(predicted: str, label: str) -> bool:
    """Whether a predicted source names the labelled one (the rule in the module docstring)."""
    a, b = set(words(predicted)), set(words(label))
    if not a or not b:
        return False
    country = _country(predicted)
    return a <= b or b <= a or (country is not None and country == _country(label))


def scores(pairs: Iterable[tuple[str, Sequence[str]]]) -> Scores:
    """Scores of (predicted, accepted names) pairs; no accepted names means no source."""
    n = attributed = predicted = correct = agree = 0
    for guess, accepted in pairs:
        n += 1
        attributed += bool(accepted)
        predicted += bool(guess)
        correct += bool(guess) and any(matches(guess, name) for name in accepted)
        agree += bool(guess) == bool(accepted)
    return Scores(n, attributed, predicted, correct, agree)


# ---------------------------------------------------------------- the eval


def predictions(labelled: Sequence[Labelled], data_dir: Path = DATA_DIR) -> list[str]:
    """``stated_by`` of each labelled sentence, read from the data now; raises ``AssistantError``
    naming the sentences whose text no longer has the labelled hash."""
    chosen = {r.ref.article: Article(r.ref.article, r.ref.split, r.ref.source) for r in labelled}
    text_of = texts(list(chosen.values()), data_dir)
    sentences = [text_of[r.ref.article][r.ref.start : r.ref.end] for r in labelled]
    drifted = [r.ref.id for r, s in zip(labelled, sentences, strict=True) if sha(s) != r.ref.sha]
    if drifted:
        raise AssistantError(f"{len(drifted)} labelled sentences changed since labelling: {', '.join(drifted[:5])}")
    return [stated_by(s) for s in sentences]


def report(labelled: Sequence[Labelled], predicted: Sequence[str]) -> dict[str, object]:
    accepted = [(r.label, *r.also) if r.label else () for r in labelled]
    rows = list(zip(labelled, predicted, accepted, strict=True))

    def scored(keep) -> dict[str, object]:
        return scores((p, a) for r, p, a in rows if keep(r)).as_dict()

    groups: dict[str, dict[str, object]] = {}
    for split in ("dev", "test"):
        for domain in DOMAINS:
            groups[f"{domain}/{split}"] = scored(lambda r, d=domain, s=split: (r.ref.domain, r.ref.split) == (d, s))
        groups[f"all/{split}"] = scored(lambda r, s=split: r.ref.split == s)
    groups["all/all"] = scored(lambda r: True)
    errors = [
        {"id": r.ref.id, "split": r.ref.split, "kind": r.kind, "label": r.label, "also": list(r.also), "predicted": p}
        for r, p, a in rows
        if bool(p) != bool(a) or (p and not any(matches(p, name) for name in a))
    ]
    rule = {"seed": SEED, "extra_articles": EXTRA_ARTICLES, "cued_per_article": PER_ARTICLE}
    return {"machine": machine(), "selection": rule, "groups": groups, "errors": errors}


def table(result: dict) -> str:
    def cell(value) -> str:
        return "-" if value is None else f"{value:.2f}"

    lines = [
        "| group | sentences | attributed | predicted | correct | precision | recall | none-vs-some |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, g in result["groups"].items():
        counts = " | ".join(str(g[k]) for k in ("sentences", "attributed", "predicted", "correct"))
        rates = " | ".join(cell(g[k]) for k in ("precision", "recall", "none_vs_some_accuracy"))
        lines.append(f"| {name} | {counts} | {rates} |")
    return "\n".join(lines) + "\n\n" + described(result["machine"])


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", type=Path, help="write the result here")
    parser.add_argument("--labels", type=Path, default=LABELS)
    parser.add_argument("--select", action="store_true", help="print the rule's sentences (unlabelled) as JSONL")
    args = parser.parse_args(argv)
    if args.select:
        for ref in select():
            print(json.dumps(ref.__dict__, ensure_ascii=False))
        return 0
    labelled = load_labels(args.labels)
    missing = {r.id for r in select()} ^ {r.ref.id for r in labelled}
    if missing:
        example = sorted(missing)[:3]
        raise AssistantError(f"the labels and the selection rule disagree on {len(missing)} sentences, e.g. {example}")
    result = report(labelled, predictions(labelled))
    if args.json:
        args.json.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(table(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
