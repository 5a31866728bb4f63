"""Single-article summaries against the BBC reference summaries: ROUGE-1/2/L of the product's
``answer.salience`` summarizer, lead-3, LexRank and TextRank, all in one run.

Data: ``../shared/data/bbc`` (README there): ``articles/<category>/NNN.txt`` (first line the
title) and ``summaries/<category>/NNN.txt``, an extractive reference whose sentences are
concatenated with no space after the full stop (``split_reference``).  One article file is
not valid UTF-8 (a pound sign in Latin-1); it is read as cp1252 and named in the result.

Every system chooses from the same sentences: the article body (title line excluded) split
by the product's ``split_sentences``.  The product's summarizer reads the vectors the index
would hold for them (e5, "title\\nsentence", ``ingest.split.passage_text``) and the title's own
passage vector; the vectors come from the benchmarks' on-disk cache when it holds them
(``bench/embed_cache.py``; ``--no-cache`` encodes everything).  Lengths: three sentences for
every system, and the reference's own sentence count for every system.

ROUGE is Google's ``rouge-score`` with Porter stemming: R-1, R-2, R-L (LCS over the whole
text) and R-Lsum (summary-level LCS over newline-separated sentences; the reference's
sentences are not in article order, which R-L penalises and R-Lsum does not).  Each figure is
the mean over articles with a 95% bootstrap interval over articles, and the paired difference
from lead-3 with its interval.

Splits are by article, by a hash of ``category/NNN`` (``split_of``: a third dev, the rest
test).  The salience weights are chosen by a grid search on dev only (``GRID``; the mean of
the R-1, R-2 and R-L F1 at both lengths); test figures are reported with those weights.

    python -m evals.summaries --json eval/summaries.json [--limit N]
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import re
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from assistant.answer.salience import SalienceWeights, summarize_article
from assistant.ingest.sentences import split_sentences
from assistant.settings import Settings
from evals.baselines import SentenceTokenizer
from evals.corpora import DATA_DIR, ROOT
from evals.machine import described, machine

BBC = DATA_DIR / "bbc"
LEAD = 3
METRICS = ("rouge1", "rouge2", "rougeL", "rougeLsum")
LABELS = {"rouge1": "R-1", "rouge2": "R-2", "rougeL": "R-L", "rougeLsum": "R-Lsum"}
OBJECTIVE = ("rouge1", "rouge2", "rougeL")  # what the dev grid search maximises (F1, both lengths)
SYSTEMS = ("lead-3", "lexrank", "textrank", "salience")
LENGTHS = ("3", "reference")
#: Weights tried on dev: centroid, title, position, short-line penalty.
GRID = {
    "centroid": (0.0, 0.5, 1.0, 2.0),
    "title": (0.0, 0.5, 1.0, 2.0),
    "position": (0.0, 0.5, 1.0, 2.0, 4.0, 8.0),
    "short": (0.0, 1.0),
}
BOOTSTRAP = 1000
SEED = 0
#: Where a reference sentence may start: after terminal punctuation or a closing quote with no
#: space, or where a line of the article without a full stop (a subheading) was joined to the next:
#: at a capital or opening quote straight after a word, or after two spaces.  A single space is not
#: a join ("difficult... Turkcell's", "Steel Co. said" are one sentence).
_JOIN = re.compile(r"(?<=[.!?…\"'”’)])(?=\S)|(?<=\s\s)(?=\S)|(?<=\w)(?=[A-Z\"“‘])")
#: A sentence's end within a line: terminal punctuation, perhaps inside closing quotes.
_ENDS = re.compile(r"[.!?…][\"'”’)\]]*$")


@dataclass(frozen=True)
class Article:
    key: str  # category/NNN
    title: str
    sentences: tuple[str, ...]
    reference: tuple[str, ...]
    reference_found: bool  # every reference sentence is a whole sentence of the article text
    recoded: bool  # not valid UTF-8: read as cp1252


def split_of(key: str) -> str:
    """ "dev" for a third of the articles, "test" for the rest, by the sha256 of ``category/NNN``."""
    return "dev" if int(hashlib.sha256(key.encode()).hexdigest()[:8], 16) % 3 == 0 else "test"


def split_reference(summary: str, article: str) -> list[str]:
    """The reference's sentences: it is cut at a join (``_JOIN``) only where the piece before it
    stands in ``article`` as a whole sentence (whitespace or an edge on both sides), so the full
    stops of "$11.1bn" or "U.S." never cut it.  The rest after the last cut is one sentence."""
    text = summary.strip()
    pieces, start = [], 0
    for match in _JOIN.finditer(text):
        if _whole(text[start : match.start()].strip(), article):
            pieces.append(text[start : match.start()].strip())
            start = match.start()
    rest = text[start:].strip()
    return [*pieces, rest] if rest else pieces


def _whole(piece: str, article: str) -> bool:
    """Whether ``piece`` stands in ``article`` as whole sentences: it starts a line or follows a
    sentence's end, and ends a line or ends a sentence before whitespace."""
    at = article.find(piece) if piece else -1
    while at >= 0:
        end = at + len(piece)
        before, after = article[:at].rstrip(" \t"), article[end : end + 1]
        starts = not before or before.endswith("\n") or (before != article[:at] and bool(_ENDS.search(before)))
        ends = after in ("", "\n", "\r") or (after.isspace() and bool(_ENDS.search(piece)))
        if starts and ends:
            return True
        at = article.find(piece, at + 1)
    return False


def load_bbc(folder: Path = BBC) -> list[Article]:
    """Every article with a reference summary, in category then file order."""
    out = []
    for path in sorted((folder / "articles").glob("*/*.txt")):
        key = f"{path.parent.name}/{path.stem}"
        summary = folder / "summaries" / path.parent.name / path.name
        if not summary.is_file():
            continue
        raw = path.read_bytes()
        try:
            text, recoded = raw.decode("utf-8"), False
        except UnicodeDecodeError:
            text, recoded = raw.decode("cp1252"), True
        title, _, body = text.partition("\n")
        body = body.strip()
        reference = split_reference(summary.read_text(encoding="utf-8"), body)
        out.append(
            Article(
                key,
                " ".join(title.split()),
                tuple(body[start:end] for start, end in split_sentences(body)),
                tuple(reference),
                all(_whole(r, body) for r in reference),
                recoded,
            )
        )
    return out


# ---------------------------------------------------------------- systems


def lead(article: Article, n: int) -> list[int]:
    return list(range(min(n, len(article.sentences))))


def sumy_choice(article: Article, n: int, kind: str) -> list[int]:
    """sumy's LexRank or TextRank (defaults kept, English stop words, Snowball stemmer) over the
    article's sentences, through ``evals.baselines``' tokenizer; a repeated sentence is given
    once (sumy keys sentences by text), at its first place."""
    from sumy.models.dom import ObjectDocumentModel, Paragraph, Sentence
    from sumy.nlp.stemmers import Stemmer
    from sumy.summarizers.lex_rank import LexRankSummarizer
    from sumy.summarizers.text_rank import TextRankSummarizer
    from sumy.utils import get_stop_words

    first: dict[str, int] = {}
    for i, text in enumerate(article.sentences):
        first.setdefault(text, i)
    if not first or n <= 0:
        return []
    tokenizer = SentenceTokenizer()
    document = ObjectDocumentModel([Paragraph([Sentence(text, tokenizer) for text in first])])
    summarizer = (LexRankSummarizer if kind == "lexrank" else TextRankSummarizer)(Stemmer("english"))
    summarizer.stop_words = get_stop_words("english")
    return sorted(first[str(s)] for s in summarizer(document, n))


@dataclass(frozen=True)
class Vectors:
    sentences: np.ndarray
    title: np.ndarray


def embed(articles: Sequence[Article], settings: Settings, cache: bool) -> dict[str, Vectors]:
    """Each article's sentence vectors as the index holds them and its title's passage vector."""
    from assistant.ingest.split import passage_text
    from assistant.pipeline import build_embedder
    from assistant.types import Document

    embedder = build_embedder(settings)
    if cache:
        sys.path.insert(0, str(ROOT / "bench"))  # the benchmarks' scripts import their siblings by name
        from embed_cache import CachedEmbedder

        embedder = CachedEmbedder(embedder)
    texts = []
    for a in articles:
        doc = Document(a.key, a.title, "", "", "", "", "")
        texts += [passage_text(doc, s) for s in a.sentences]
    vectors = embedder.encode_documents(texts)
    titles = embedder.encode_documents([a.title for a in articles])
    out, at = {}, 0
    for a, title in zip(articles, titles, strict=True):
        out[a.key] = Vectors(vectors[at : at + len(a.sentences)], title)
        at += len(a.sentences)
    return out


# ---------------------------------------------------------------- metric


class Rouge:
    """ROUGE of chosen sentences against a reference, remembered per (article, choice): the grid
    search chooses the same sentences under many weights."""

    def __init__(self) -> None:
        from rouge_score import rouge_scorer

        self._scorer = rouge_scorer.RougeScorer(list(METRICS), use_stemmer=True)
        self._seen: dict[tuple[str, tuple[int, ...]], dict[str, tuple[float, float]]] = {}

    def score(self, reference: Sequence[str], summary: Sequence[str]) -> dict[str, tuple[float, float]]:
        """{metric: (F1, recall)}; sentences are newline-separated, as R-Lsum reads them."""
        scores = self._scorer.score("\n".join(reference), "\n".join(summary))
        return {m: (scores[m].fmeasure, scores[m].recall) for m in METRICS}

    def of(self, article: Article, chosen: Sequence[int]) -> dict[str, tuple[float, float]]:
        key = (article.key, tuple(chosen))
        if key not in self._seen:
            self._seen[key] = self.score(article.reference, [article.sentences[i] for i in chosen])
        return self._seen[key]


def bootstrap(values: np.ndarray, seed: int = SEED, reps: int = BOOTSTRAP) -> list[float]:
    """95% percentile interval of the mean, resampling articles."""
    if not len(values):
        return [float("nan"), float("nan")]
    rows = np.random.default_rng(seed).integers(0, len(values), size=(reps, len(values)))
    means = values[rows].mean(axis=1)
    return [float(np.percentile(means, 2.5)), float(np.percentile(means, 97.5))]


def length(article: Article, which: str) -> int:
    return LEAD if which == "3" else len(article.reference)


def choices(
    articles: Sequence[Article],
    vectors: dict[str, Vectors],
    weights: SalienceWeights,
    redundancy: float,
    which: str,
    systems: Sequence[str] = SYSTEMS,
) -> dict[str, list[list[int]]]:
    """Each system's chosen sentence indexes for each article, at length ``which``."""
    pick: dict[str, Callable[[Article, int], list[int]]] = {
        "lead-3": lead,
        "lexrank": lambda a, n: sumy_choice(a, n, "lexrank"),
        "textrank": lambda a, n: sumy_choice(a, n, "textrank"),
        "salience": lambda a, n: summarize_article(
            a.sentences, vectors[a.key].sentences, vectors[a.key].title, n, weights, redundancy
        ),
    }
    return {s: [pick[s](a, length(a, which)) for a in articles] for s in systems}


def figures(
    articles: Sequence[Article], chosen: dict[str, list[list[int]]], rouge: Rouge
) -> dict[str, dict[str, object]]:
    """Per system and metric: mean F1 and recall with intervals, and F1 less lead-3's (paired)."""
    scores = {
        s: {m: np.array([rouge.of(a, c)[m] for a, c in zip(articles, picks, strict=True)]) for m in METRICS}
        for s, picks in chosen.items()
    }
    out: dict[str, dict[str, object]] = {}
    for system, by_metric in scores.items():
        out[system] = {
            "sentences_mean": float(np.mean([len(c) for c in chosen[system]])),
            "words_mean": float(
                np.mean(
                    [sum(len(a.sentences[i].split()) for i in c) for a, c in zip(articles, chosen[system], strict=True)]
                )
            ),
        }
        for metric, values in by_metric.items():
            f1, recall = values[:, 0], values[:, 1]
            row = {
                "f1": float(f1.mean()),
                "f1_95ci": bootstrap(f1),
                "recall": float(recall.mean()),
                "recall_95ci": bootstrap(recall),
            }
            if system != "lead-3" and "lead-3" in scores:
                delta = f1 - scores["lead-3"][metric][:, 0]
                row["f1_minus_lead3"] = float(delta.mean())
                row["f1_minus_lead3_95ci"] = bootstrap(delta)
            out[system][metric] = row
    return out


# ---------------------------------------------------------------- tuning


def grid_search(
    dev: Sequence[Article], vectors: dict[str, Vectors], redundancy: float, rouge: Rouge
) -> tuple[SalienceWeights, list[dict[str, float]]]:
    """The grid's best weights on ``dev`` by the mean of ``OBJECTIVE`` F1 at both lengths (ties to
    the earlier grid point), and every point's objective."""
    tried = []
    for values in itertools.product(*GRID.values()):
        weights = SalienceWeights(**dict(zip(GRID, values, strict=True)))
        total = []
        for which in LENGTHS:
            picks = choices(dev, vectors, weights, redundancy, which, ("salience",))["salience"]
            total += [rouge.of(a, c)[m][0] for a, c in zip(dev, picks, strict=True) for m in OBJECTIVE]
        tried.append({**dict(zip(GRID, values, strict=True)), "objective": float(np.mean(total))})
    best = max(tried, key=lambda t: t["objective"])  # max keeps the first of equals
    return SalienceWeights(**{k: best[k] for k in GRID}), tried


# ---------------------------------------------------------------- run and report


def run(folder: Path = BBC, limit: int | None = None, cache: bool = True) -> dict[str, object]:
    started = time.perf_counter()
    settings = Settings()
    articles = load_bbc(folder)
    splits = {name: [a for a in articles if split_of(a.key) == name] for name in ("dev", "test")}
    if limit:
        splits = {name: part[:limit] for name, part in splits.items()}
    used = splits["dev"] + splits["test"]
    vectors = embed(used, settings, cache)
    embedded = time.perf_counter() - started
    rouge = Rouge()
    chosen_weights, tried = grid_search(splits["dev"], vectors, settings.redundancy, rouge)
    results = {
        name: {
            which: figures(part, choices(part, vectors, chosen_weights, settings.redundancy, which), rouge)
            for which in LENGTHS
        }
        for name, part in splits.items()
    }
    return {
        "command": "python -m evals.summaries" + (f" --limit {limit}" if limit else ""),
        "data": "../shared/data/bbc: articles/<category>/NNN.txt and summaries/<category>/NNN.txt",
        "split_rule": "dev when int(sha256('category/NNN').hexdigest()[:8], 16) % 3 == 0, else test",
        "articles": {name: len(part) for name, part in splits.items()},
        "sentences_per_article": float(np.mean([len(a.sentences) for a in used])),
        "reference_sentences_mean": float(np.mean([len(a.reference) for a in used])),
        "reference_words_mean": float(np.mean([sum(len(r.split()) for r in a.reference) for a in used])),
        "references_not_found_whole": [a.key for a in used if not a.reference_found],
        "recoded_cp1252": [a.key for a in articles if a.recoded],
        "lengths": {"3": "three sentences", "reference": "as many sentences as the reference"},
        "rouge": "rouge-score, Porter stemmer; F1 and recall; mean over articles, 95% bootstrap "
        f"interval ({BOOTSTRAP} resamples of articles, seed {SEED})",
        "weights_used": chosen_weights.__dict__,  # the dev grid's best; Settings' defaults must be these
        "settings_defaults": SalienceWeights.of(settings).__dict__,
        "redundancy": settings.redundancy,
        "dev_grid": {
            "grid": {k: list(v) for k, v in GRID.items()},
            "objective": "mean F1 of " + ", ".join(OBJECTIVE) + " at both lengths, dev",
            "best": chosen_weights.__dict__,
            "tried": tried,
        },
        "results": results,
        "seconds": {"embedding": round(embedded, 1), "total": round(time.perf_counter() - started, 1)},
        "machine": machine(),
    }


def table(report: dict, split: str) -> str:
    """Markdown tables of one split, a table per length: F1 with its interval, then recall; and
    each system's F1 less lead-3's."""
    rows = []
    for which in LENGTHS:
        results = report["results"][split][which]
        rows += [
            f"\n{split}, {report['lengths'][which]} ({report['articles'][split]} articles): F1 [95% CI]; recall",
            "| system | words | "
            + " | ".join([*(LABELS[m] for m in METRICS), *(f"{LABELS[m]} rec" for m in METRICS)])
            + " |",
            "|---" * (2 + 2 * len(METRICS)) + "|",
        ]
        for system, row in results.items():
            cells = [_interval(row[m]["f1"], row[m]["f1_95ci"]) for m in METRICS]
            cells += [f"{row[m]['recall']:.3f}" for m in METRICS]
            rows.append(f"| {system} | {row['words_mean']:.0f} | " + " | ".join(cells) + " |")
        for system in SYSTEMS[1:]:
            deltas = (
                _interval(results[system][m]["f1_minus_lead3"], results[system][m]["f1_minus_lead3_95ci"], "+")
                for m in METRICS
            )
            rows.append(
                f"{system} F1 less lead-3's: "
                + "; ".join(f"{LABELS[m]} {d}" for m, d in zip(METRICS, deltas, strict=True))
            )
    return "\n".join(rows)


def _interval(value: float, interval: Sequence[float], sign: str = "") -> str:
    return f"{value:{sign}.3f} [{interval[0]:{sign}.3f}, {interval[1]:{sign}.3f}]"


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", type=Path, help="write the figures here (e.g. eval/summaries.json)")
    parser.add_argument("--data", type=Path, default=BBC, help="the bbc folder of the shared data")
    parser.add_argument("--limit", type=int, help="only the first N articles of each split (a quick run)")
    parser.add_argument("--no-cache", action="store_true", help="encode every sentence, ignoring bench's cache")
    args = parser.parse_args(argv)
    report = run(args.data, args.limit, cache=not args.no_cache)
    best = report["dev_grid"]["best"]
    print(f"dev grid best, used on both splits: {best} (Settings defaults: {report['settings_defaults']})")
    print(table(report, "test"))
    print(table(report, "dev"))
    print(f"\n{described(report['machine'])} {report['seconds']}")
    if args.json:
        args.json.write_text(json.dumps(report, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
