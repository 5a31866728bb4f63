"""How much page furniture the cleaning leaves, on real news pages of many sites.

Every benchmark page (``evals.pages``) is cleaned as the product cleans a file: each
converter's plain-text rendering through the text path (``to_lines`` then ``clean``),
and the HTML itself through the HTML path (trafilatura, then ``clean``).  Each page is
cleaned on its own, as an upload is (learned boilerplate = {}: the pages come from
different sites, so nothing repeats across them the way a site's furniture repeats
across its articles).  The cleaned text is scored against the marked article body with
the benchmark's shingle metric (``evals.shingles``).

Rows, per converter: ``none`` (the raw rendering), ``rules`` (the cleaning without the
body model), ``model`` (the rules and the body model, cross-validated by page: each page
is cleaned by a model that never saw it in any rendering).  HTML: ``html`` as the product
reads HTML (the model does not apply there).  Also: how many lines clean BBC articles
(never used in training) lose to the shipped model, and the three worst pages per row.

    python -m evals.furniture [--json eval/cleaning.json]
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from types import MappingProxyType

from assistant.errors import ArticleError
from assistant.ingest.body import BodyModel, bundled_model
from assistant.ingest.cleaning import clean
from assistant.ingest.formats import to_lines
from evals.pages import CONVERTERS, Page, load_pages, render
from evals.shingles import Match, match, summary
from evals.train_body import BBC, BBC_PER_CATEGORY, bbc_articles, clean_examples, cross_validate

WORST = 3
HELD_OUT_BBC = 20  # clean articles per category after those trained on
_NOTHING: Mapping[str, int] = MappingProxyType({})


def cleaned_text(text: str, suffix: str, body: BodyModel | None = None) -> str:
    """The product's cleaned text of a file's content; "" when it refuses the file."""
    try:
        lines, given = to_lines(text, suffix)
        return clean("page", lines, given, _NOTHING, body=body)[0].text
    except ArticleError:
        return ""


def score(pages: Sequence[Page], clean_page: Callable[[Page], str]) -> dict[str, object]:
    """The benchmark's figures over ``pages`` and the worst pages by F1, with what went wrong."""
    matches: dict[str, Match] = {}
    outputs: dict[str, str] = {}
    for page in pages:
        outputs[page.key] = clean_page(page)
        matches[page.key] = match(page.body, outputs[page.key])
    worst = sorted(pages, key=lambda p: (matches[p.key].f1, p.key))[:WORST]
    return {
        **summary(list(matches.values())),
        "worst": [_worst(p, matches[p.key], outputs[p.key]) for p in worst],
    }


def _worst(page: Page, m: Match, output: str) -> dict[str, object]:
    if not output:
        why = "the product refused the rendering (no text left or unreadable)"
    elif m.precision < m.recall:
        why = "furniture kept"
    else:
        why = "article body removed"
    return {
        "key": page.key[:12],
        "url": page.url,
        "precision": round(m.precision, 3),
        "recall": round(m.recall, 3),
        "f1": round(m.f1, 3),
        "why": why,
    }


def clean_article_losses(model: BodyModel, folder: Path = BBC) -> dict[str, object]:
    """Lines of clean articles (none trained on) that the model removes: should be none."""
    articles = lost = lines = 0
    examples = []
    for name, text in bbc_articles(folder, BBC_PER_CATEGORY, BBC_PER_CATEGORY + HELD_OUT_BBC):
        try:
            source, given = to_lines(text, ".txt")
            _, removed = clean(name, source, given, _NOTHING, body=model)
        except ArticleError:
            continue
        articles += 1
        lines += len(source)
        by_model = [r for r in removed if r.reason.startswith("not article body")]
        lost += len(by_model)
        examples += [f"{name}: {r.text[:80]}" for r in by_model[:1]]
    return {"articles": articles, "lines": lines, "lines_removed_by_model": lost, "examples": examples[:5]}


def run(pages: Sequence[Page]) -> dict[str, object]:
    models = cross_validate(pages, clean_examples())
    results: dict[str, object] = {}
    for converter, suffix in CONVERTERS.items():
        texts = {p.key: render(p.html, converter) for p in pages}
        results[converter] = {
            "none": score(pages, lambda p, t=texts: t[p.key]),
            "rules": score(pages, lambda p, t=texts, s=suffix: cleaned_text(t[p.key], s)),
            "model (cross-validated)": score(
                pages, lambda p, t=texts, s=suffix: cleaned_text(t[p.key], s, models[p.key])
            ),
        }
    results["html"] = {"product": score(pages, lambda p: cleaned_text(p.html, ".html"))}
    model = bundled_model()
    return {
        "pages": len(pages),
        "metric": "4-gram shingle precision and recall averaged over pages, their F1 (article-extraction-benchmark)",
        "learned_boilerplate": "none: each page cleaned on its own",
        "body_model": {"fingerprint": model.fingerprint, "threshold": model.threshold},
        "results": results,
        "clean_articles": clean_article_losses(model),
    }


def _table(report: Mapping[str, object]) -> str:
    rows = ["| rendering | cleaning | precision | recall | F1 |", "|---|---|---|---|---|"]
    for rendering, modes in report["results"].items():
        for mode, figures in modes.items():
            p, r, f = figures["precision"], figures["recall"], figures["f1"]
            rows.append(f"| {rendering} | {mode} | {p:.3f} | {r:.3f} | {f:.3f} |")
    return "\n".join(rows)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", type=Path, help="write the figures here (e.g. eval/cleaning.json)")
    parser.add_argument("--data", type=Path, help="the aeb folder of the shared data")
    args = parser.parse_args(argv)
    report = run(load_pages(args.data) if args.data else load_pages())
    print(_table(report))
    for rendering, modes in report["results"].items():
        for mode, figures in modes.items():
            worst = "; ".join(f"{w['key']} F1 {w['f1']:.2f} ({w['why']})" for w in figures["worst"])
            print(f"worst {rendering} / {mode}: {worst}")
    print("clean articles:", json.dumps(report["clean_articles"], ensure_ascii=False))
    if args.json:
        args.json.write_text(json.dumps(report, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
