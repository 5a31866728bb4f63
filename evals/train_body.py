"""Train the plain-text body classifier (``assistant/ingest/body.py``) and write its JSON.

Examples are the lines of the benchmark's news pages (``evals.pages``) as every
converter renders them, each labelled body when most of its word 4-grams occur in the
page's marked article body, plus clean BBC articles (``../shared/data/bbc``) whose every
line after the title is body, so that the model learns that a page of prose has no
furniture.  The model is a logistic regression fitted by Newton's method with an L2
penalty; its threshold is chosen by cross-validation inside the training pages, never
on the pages it is scored on.  ``cross_validate`` gives every benchmark page a model
that never saw that page in any rendering (``evals.furniture`` scores with them).

    python -m evals.train_body [--out assistant/ingest/body_model.json]
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from assistant.errors import ArticleError
from assistant.ingest.body import MODEL_FILE, BodyModel, Stage, applies_to, content_fingerprint, context, line_features
from assistant.ingest.formats import to_lines
from evals.corpora import DATA_DIR
from evals.pages import CONVERTERS, Page, load_pages, render
from evals.shingles import shingles, tokens

BBC = DATA_DIR / "bbc" / "articles"
BBC_PER_CATEGORY = 40  # clean articles per category: as many lines as the benchmark's pages give
FOLDS = 5
INNER_FOLDS = 3
L2 = 1.0  # penalty on the standardised weights
MAJORITY = 0.5  # a line is body when more than this share of its 4-grams is in the article body
NEIGHBOURS = 2  # a short line is body only within this many lines of a long body line


@dataclass(frozen=True)
class Example:
    """One page's lines as the model sees them, with labels and weights.

    ``group`` is the page key (the same for every rendering of a page), so that folds
    never split a page's renderings between training and scoring."""

    group: str
    lines: tuple[str, ...]
    x: np.ndarray
    y: np.ndarray
    weight: np.ndarray


def page_lines(text: str, suffix: str) -> tuple[str, ...]:
    """The lines the product would clean, as the model sees them; none when the
    product cannot read the rendering at all."""
    try:
        return tuple(line.text for line in to_lines(text, suffix)[0])
    except ArticleError:
        return ()


def labels(lines: Sequence[str], body: str) -> list[bool]:
    """Which lines are article body: most 4-grams in ``body`` for a line of four words or
    more; a shorter line must occur in ``body`` and stand next to a long body line."""
    wanted = set(shingles(body))
    body_text = f" {' '.join(tokens(body))} "
    words = [tokens(text) for text in lines]
    long = [len(w) >= 4 and _in_body_share(w, wanted) > MAJORITY for w in words]
    out = []
    for i, w in enumerate(words):
        if len(w) >= 4:
            out.append(long[i])
        else:
            near = any(long[max(0, i - NEIGHBOURS) : i + NEIGHBOURS + 1])
            out.append(bool(w) and near and f" {' '.join(w)} " in body_text)
    return out


def _in_body_share(words: Sequence[str], wanted: set[tuple[str, ...]]) -> float:
    grams = [tuple(words[i : i + 4]) for i in range(len(words) - 3)]
    return sum(g in wanted for g in grams) / len(grams)


def _example(group: str, lines: Sequence[str], y: Sequence[bool], short: bool = False) -> Example | None:
    if not lines or (not short and not applies_to(lines)):
        return None  # the product never asks the model about such a page
    weight = np.sqrt([max(1, len(tokens(text))) for text in lines])
    return Example(group, tuple(lines), np.asarray(line_features(lines)), np.asarray(y, dtype=float), weight)


def benchmark_examples(pages: Sequence[Page]) -> list[Example]:
    out = []
    for page in pages:
        for converter, suffix in CONVERTERS.items():
            lines = page_lines(render(page.html, converter), suffix)
            if example := _example(page.key, lines, labels(lines, page.body)):
                out.append(example)
    return out


def bbc_articles(folder: Path, start: int, stop: int) -> Iterator[tuple[str, str]]:
    """(``category/NNN.txt``, text) of the clean BBC articles ``start:stop`` of each category,
    in order: training takes the first ``BBC_PER_CATEGORY``, the evaluation those after."""
    for category in sorted(p for p in folder.iterdir() if p.is_dir()):
        for path in sorted(category.glob("*.txt"))[start:stop]:
            yield f"{category.name}/{path.name}", path.read_bytes().decode("utf-8", errors="replace")


def clean_examples(folder: Path = BBC) -> list[Example]:
    """Clean articles, every line after the title body (the title goes to the title rule)."""
    out = []
    for name, text in bbc_articles(folder, 0, BBC_PER_CATEGORY):
        lines = page_lines(text, ".txt")[1:]
        # short ones too: what the model learns of prose pages must hold for the long ones
        if example := _example(f"bbc/{name}", lines, [True] * len(lines), short=True):
            out.append(example)
    return out


# ---------------------------------------------------------------- fitting


def fit(x: np.ndarray, y: np.ndarray, w: np.ndarray) -> Stage:
    """A logistic regression (standardised features, L2, Newton steps) with sample weights ``w``."""
    mean = x.mean(axis=0)
    scale = np.where(x.std(axis=0) > 1e-9, x.std(axis=0), 1.0)
    z = np.hstack([(x - mean) / scale, np.ones((len(x), 1))])
    beta = np.zeros(z.shape[1])
    penalty = np.full(z.shape[1], L2)
    penalty[-1] = 0.0  # the bias is not shrunk
    for _ in range(30):
        p = 1.0 / (1.0 + np.exp(-z @ beta))
        gradient = z.T @ (w * (p - y)) + penalty * beta
        hessian = (z * (w * p * (1 - p))[:, None]).T @ z + np.diag(penalty)
        step = np.linalg.solve(hessian, gradient)
        beta -= step
        if np.abs(step).max() < 1e-6:
            break
    return Stage(
        weights=tuple(round(float(b), 8) for b in beta[:-1]),
        bias=round(float(beta[-1]), 8),
        mean=tuple(round(float(m), 8) for m in mean),
        scale=tuple(round(float(v), 8) for v in scale),
    )


def folds(groups: Sequence[str], k: int) -> dict[str, int]:
    """Each group's fold: groups in sorted order dealt round-robin (deterministic)."""
    return {g: i % k for i, g in enumerate(sorted(set(groups)))}


def _stack(examples: Sequence[Example], part: str) -> np.ndarray:
    return np.concatenate([getattr(e, part) for e in examples])


def train(examples: Sequence[Example]) -> BodyModel:
    """The two stages and the threshold, from ``examples`` alone.

    The second stage learns from first-stage verdicts made out of fold (by a first stage
    that did not see the page), as it will meet them on new pages; the threshold is the
    one with the best word-weighted F1 of body lines over ``examples`` with those verdicts.
    """
    fold_of = folds([e.group for e in examples], INNER_FOLDS)
    first_out_of_fold: dict[int, np.ndarray] = {}
    for f in range(INNER_FOLDS):
        held = [i for i, e in enumerate(examples) if fold_of[e.group] == f]
        rest = [e for e in examples if fold_of[e.group] != f]
        stage = fit(np.vstack([e.x for e in rest]), _stack(rest, "y"), _stack(rest, "weight"))
        first_out_of_fold.update({i: stage(examples[i].x) for i in held})
    first = fit(np.vstack([e.x for e in examples]), _stack(examples, "y"), _stack(examples, "weight"))
    x2 = np.vstack(
        [np.hstack([e.x, np.asarray(context(e.lines, list(first_out_of_fold[i])))]) for i, e in enumerate(examples)]
    )
    y, w = _stack(examples, "y"), _stack(examples, "weight")
    second = fit(x2, y, w)
    model = BodyModel(first, second, threshold=_best_threshold(second(x2), y, w**2))
    return replace(model, fingerprint=content_fingerprint(model))


def _best_threshold(p: np.ndarray, y: np.ndarray, words: np.ndarray) -> float:
    best, best_f1 = 0.5, -1.0
    for threshold in np.arange(0.05, 0.951, 0.025):
        keep = p >= threshold
        tp = (words * keep * y).sum()
        fp = (words * keep * (1 - y)).sum()
        fn = (words * ~keep * y).sum()
        f1 = 2 * tp / (2 * tp + fp + fn)
        if f1 > best_f1:
            best, best_f1 = round(float(threshold), 4), f1
    return best


def cross_validate(pages: Sequence[Page], clean: Sequence[Example]) -> dict[str, BodyModel]:
    """For each benchmark page, the model of the fold that left it (in every rendering) out;
    the ``clean`` articles are in every fold's training (they are scored apart, on other articles)."""
    examples = benchmark_examples(pages)
    fold_of = folds([p.key for p in pages], FOLDS)
    models = {}
    for f in range(FOLDS):
        training = [e for e in examples if fold_of[e.group] != f] + list(clean)
        model = train(training)
        models.update({p.key: model for p in pages if fold_of[p.key] == f})
    return models


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=MODEL_FILE)
    args = parser.parse_args(argv)
    examples = benchmark_examples(load_pages()) + clean_examples()
    model = train(examples)
    args.out.write_text(json.dumps(model.to_json(), indent=1) + "\n", encoding="utf-8")
    print(f"wrote {args.out}: {len(examples)} pages, threshold {model.threshold}, sha256 {model.fingerprint}")


if __name__ == "__main__":
    main()
