"""The README's figures, generated from result files (``python -m evals.readme``).

Each generated block in ``README.md`` sits between ``<!-- generated: NAME -->`` and
``<!-- end: NAME -->``; this rewrites every block from its result file, which
``make eval`` (``eval/results.json``), ``make tune`` (``eval/tuning.json``), ``make external`` (``eval/external.json``)
and ``make bench`` (``bench/results/summary.md``) write.  ``tests/test_readme.py``
fails when a block differs from what its file says, so no figure there is typed.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from evals.machine import described

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
_BLOCK = re.compile(r"(<!-- generated: (?P<name>[\w-]+) -->\n)(?P<body>.*?)(<!-- end: (?P=name) -->)", re.DOTALL)


def _f(value: float | None, digits: int = 3) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def auroc(positives: list[float], negatives: list[float]) -> float | None:
    """The probability that a positive scores above a negative (ties count half)."""
    if not positives or not negatives:
        return None
    wins = sum((p > n) + 0.5 * (p == n) for p in positives for n in negatives)
    return wins / (len(positives) * len(negatives))


_SET_NAMES = {"bundled": "Bundled articles (`corpus/`)", "news": "News from other domains (`eval/news/`)"}


def _set_heading(name: str, outcome: dict) -> str:
    counts = ", ".join(
        f"{split} {outcome['articles'][split]} articles / {outcome['questions'][split]} questions"
        for split in ("dev", "test")
    )
    return f"**{_SET_NAMES.get(name, name)}**: {counts}."


def retrieval_table(results: dict) -> str:
    default = f"{results['default']['model']}/{results['default']['mode']}"
    out = []
    for name, outcome in results["sets"].items():
        lines = [
            _set_heading(name, outcome),
            "",
            "| model | mode | test R@1 | test R@3 | test R@5 | test MRR@10 | dev R@5 | dev MRR@10 | ms per query |",
            "|---|---|---|---|---|---|---|---|---|",
        ]
        for key, row in outcome["retrieval"]["test"].items():
            s, dev = row["scores"], outcome["retrieval"]["dev"][key]["scores"]
            cells = [_f(s["recall_1"]), _f(s["recall_3"]), _f(s["recall_5"]), _f(s["mrr_10"])]
            cells += [_f(dev["recall_5"]), _f(dev["mrr_10"]), _f(row["ms_per_query"], 1)]
            if key == default:
                cells = [f"**{c}**" for c in cells]
            model, mode = key.split("/")
            mode = f"**{mode} (default)**" if key == default else mode
            lines.append(f"| {model} | {mode} | " + " | ".join(cells) + " |")
        out.append("\n".join(lines))
    return "\n\n".join(out) + f"\n\n{described(results.get('machine'))}\n"


_SYSTEMS = {"ours": "**Newsdesk**", "lead-2": "lead-2 baseline", "lexrank-3": "LexRank-3 baseline (sumy)"}


def answers_table(results: dict) -> str:
    out = []
    for name, outcome in results["sets"].items():
        lines = [
            _set_heading(name, outcome),
            "",
            "| system | split | fact coverage | fully covered | cited evidence | abstains (unanswerable) "
            "| false abstention | words |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for system, label in _SYSTEMS.items():
            for split in ("test", "dev") if system == "ours" else ("test",):
                t = outcome["answers"][split]["summary"][system]["overall"]
                cells = [t["fact_coverage"], t["full_coverage_rate"], t["cited_evidence_rate"]]
                cells += [t["abstention_rate"], t["false_abstention_rate"]]
                lines.append(
                    f"| {label} | {split} ({t['n']}) | " + " | ".join(map(_f, cells)) + f" | {_f(t['mean_words'], 0)} |"
                )
        test = outcome["answers"]["test"]
        lines += ["", "| Newsdesk by category, test split | questions | fact coverage | cited evidence | abstains |"]
        lines += ["|---|---|---|---|---|"]
        for category, t in test["summary"]["ours"].items():
            if category != "overall":
                lines.append(
                    f"| {category} | {t['n']} | {_f(t['fact_coverage'])} | {_f(t['cited_evidence_rate'])} "
                    f"| {_f(t['abstention_rate'])} |"
                )
        lines += ["", *_outcomes(outcome["answers"]), ""]
        lines += [_separation(test) + f" `ask()` p50 during the run: {test['ask_ms_p50']:.0f} ms."]
        out.append("\n".join(lines))
    return "\n\n".join(out) + f"\n\n{described(results.get('machine'))}\n"


_OUTCOMES = ("answered", "partial", "not_in_articles")


def _outcomes(answers: dict) -> list[str]:
    """The confusion table of each split: what each kind of question got."""
    lines = ["| outcome by split | " + " | ".join(o.replace("_", " ") for o in _OUTCOMES) + " |", "|---|---|---|---|"]
    for split in ("test", "dev"):
        rows = answers[split]["per_question"]
        for kind, answerable in (("answerable", True), ("unanswerable", False)):
            of_kind = [r for r in rows if r["score"]["answerable"] is answerable]
            counts = [sum(r["outcome"] == o for r in of_kind) for o in _OUTCOMES]
            lines.append(f"| {split}, {kind} ({len(of_kind)}) | " + " | ".join(map(str, counts)) + " |")
    return lines


def _separation(answers: dict) -> str:
    # Questions refused before any sentence was scored (a name no article mentions) have no score.
    scored = [r for r in answers["per_question"] if r["best_score"] is not None]
    answerable = [r["best_score"] for r in scored if r["score"]["answerable"]]
    unanswerable = [r["best_score"] for r in scored if not r["score"]["answerable"]]
    return (
        f"Best cross-encoder score, answerable above unanswerable (ROC AUC over the {len(scored)} test questions "
        f"that reached the cross-encoder): {_f(auroc(answerable, unanswerable))}."
    )


def answerability_table(results: dict) -> str:
    """SQuAD 2.0 and leave-gold-out SQuAD: old score against new signal (``evals.answerability``)."""
    lines = [
        "| data | questions | AUROC: best logit (old) | answerability model | new signal | logistic model, "
        "all features | refuses unanswerable (old / new) | false refusal (old / new) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name in ("squad2", "squad1-leave-gold-out"):
        r = results.get(name)
        if r is None:
            continue
        old, new = r["operating_point_old_best_logit"], r["operating_point_new_signal"]
        lines.append(
            f"| {name} | {r['questions']} ({r['articles']} articles) | {_f(r['auroc_old_best_logit'])} "
            f"| {_f(r['auroc_answerability_model'])} | {_f(r['auroc_new_signal'])} | {_f(r['auroc_cv_model'])} "
            f"| {_f(old['refusal_unanswerable'])} / {_f(new['refusal_unanswerable'])} "
            f"| {_f(old['false_refusal_answerable'])} / {_f(new['false_refusal_answerable'])} |"
        )
    lines += [
        "",
        "| confusion, new signal at its CV operating point | answered | refused or partial |",
        "|---|---|---|",
    ]
    for name in ("squad2", "squad1-leave-gold-out"):
        if name in results:
            confusion = results[name]["operating_point_new_signal"]["confusion"]
            for kind in ("answerable", "unanswerable"):
                c = confusion[kind]
                lines.append(f"| {name}, {kind} | {c['answered']} | {c['refused']} |")
    sets = results.get("question_sets_test", {})
    if sets:
        lines += ["", "| question set, test split | AUROC: best score (old) | new signal |", "|---|---|---|"]
        lines += [f"| {name} | {_f(a['old'])} | {_f(a['new'])} |" for name, a in sets.items()]
    lines += ["", described(results.get("machine"))]
    return "\n".join(lines) + "\n"


def tuning_table(results: dict) -> str:
    chosen = results["chosen"]
    lines = [
        f"Chosen on the dev splits ({', '.join(f'{n} {k}' for k, n in results['dev_questions'].items())} questions):",
        "",
        "| setting | chosen |",
        "|---|---|",
        *(f"| `{key}` | {value} |" for key, value in chosen.items()),
        "",
        "| `passage_prior` | `answer_candidates` | `abstain_below` (calibrated) | fact coverage | cited evidence "
        "| abstains (unanswerable) | false abstention |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in results["answering"]:
        cells = [f"{row['passage_prior']}", f"{row['answer_candidates']}", f"{row['abstain_below']:.2f}"]
        cells += map(_f, [row["fact_coverage"], row["cited_evidence"], row["abstention"], row["false_abstention"]])
        if all(row[key] == chosen[key] for key in ("passage_prior", "answer_candidates")):
            cells = [f"**{c}**" for c in cells]  # the chosen row
        lines.append("| " + " | ".join(cells) + " |")
    best_mrr = max(row["mrr_10"] for row in results["fusion"])
    spread = min(row["mrr_10"] for row in results["fusion"])
    folds = results["threshold_by_article"]
    model = results.get("answerability")
    lines += (
        [
            "",
            "`answerable_below` calibrated on the answers given at the chosen settings: dev abstention "
            f"{_f(model['calibration']['abstention'])}, "
            f"false abstention {_f(model['calibration']['false_abstention'])}; "
            f"without each dev article in turn ({model['by_article']['folds']} folds) it refuses "
            f"{_f(model['by_article']['abstention'])} of the left-out unanswerable questions for "
            f"{_f(model['by_article']['false_abstention'])} false abstention. At both thresholds, dev fact coverage "
            f"{_f(model['at_threshold']['fact_coverage'])}, "
            f"cited evidence {_f(model['at_threshold']['cited_evidence'])}; the dev objective gains "
            f"{_f(model['objective_gain'])} over the model off, so the model is "
            + ("**on**." if chosen["answerable_below"] > float("-inf") else "**off** (`answerable_below = -inf`)."),
        ]
        if model
        else []
    )
    lines += [
        "",
        f"Hybrid fusion weights: dev MRR@10 from {_f(spread)} to {_f(best_mrr)} over {len(results['fusion'])} "
        "candidates (`eval/tuning.json`). The threshold calibrated without each dev article in turn "
        f"({folds['folds']} folds, thresholds {folds['thresholds'][0]:.2f} to {folds['thresholds'][1]:.2f}) "
        f"refuses {_f(folds['abstention'])} of the left-out unanswerable questions for "
        f"{_f(folds['false_abstention'])} false abstention.",
        "",
        described(results.get("machine")),
    ]
    return "\n".join(lines) + "\n"


def external_table(results: dict) -> str:
    lines = ["| data | measure | figure |", "|---|---|---|"]
    for name, label in (("trecqa-dev", "TrecQA dev"), ("wikiqa-dev", "WikiQA dev")):
        for scorer, s in results[name].items():
            figures = f"{_f(s['MAP'])} / {_f(s['MRR'])}"
            lines.append(f"| {label} ({s['questions']} questions) | MAP / MRR, {scorer} | {figures} |")
    q = results["squad-part-a"]
    figures = f"{_f(q['recall_1'])} / {_f(q['recall_5'])} / {_f(q['mrr_10'])}"
    lines.append(
        f"| SQuAD v1.1 part a ({q['paragraphs']} paragraphs, {q['questions']} questions) "
        f"| R@1 / R@5 / MRR@10 of the gold paragraph | {figures} |"
    )
    lines.append(
        f"| | answers containing a gold span ({q['answered_sample']} sampled questions) "
        f"| {_f(q['answer_contains_gold'])} (abstained {_f(q['abstained'])}) |"
    )
    return "\n".join(lines + _answer_type_lines(results)) + f"\n\n{described(results.get('machine'))}\n"


def _answer_type_lines(results: dict) -> list[str]:
    types = results.get("answer-types-squad-part-a")
    if not types:
        return []
    lines = [
        "",
        f"Answer types on SQuAD v1.1 part a ({types['questions']} questions, {types['typed_answers']} with a "
        "typed gold answer; truth: the NER type of the gold span):",
        "",
        "| expected type (from the question) | questions | precision |",
        "|---|---|---|",
    ]
    lines += [f"| {kind} | {row['predicted']} | {_f(row['precision'])} |" for kind, row in types["precision"].items()]
    lines += ["", "| gold answer's type | questions | recall |", "|---|---|---|"]
    lines += [f"| {kind} | {row['questions']} | {_f(row['recall'])} |" for kind, row in types["recall"].items()]
    return lines


def drift_table(results: dict) -> str:
    """The same code's figures on two machines: how far a figure moves with the CPU alone."""
    first, second = results["machines"]
    lines = [f"| figure | {first} | {second} | moved |", "|---|---|---|---|"]
    for name, (a, b) in results["figures"].items():
        lines.append(f"| {name} | {_f(a)} | {_f(b)} | {_f(abs(a - b))} |")
    return "\n".join(lines) + f"\n\nSource: {results['source']}.\n"


def cleaning_table(results: dict) -> str:
    """Cleaning on the aeb pages: per converter and method, and the three worst pages of each."""
    lines = [
        f"| rendering ({results['pages']} pages) | cleaning | precision | recall | F1 | three worst pages (F1, why) |",
        "|---|---|---|---|---|---|",
    ]
    for converter, methods in results["results"].items():
        for method, row in methods.items():
            worst = "; ".join(f"{w['key']} ({_f(w['f1'], 2)}, {w['why']})" for w in row.get("worst", []))
            lines.append(
                f"| {converter} | {method} | {_f(row['precision'])} | {_f(row['recall'])} | {_f(row['f1'])} | {worst} |"
            )
    return "\n".join(lines) + "\n"


def timeline_table(results: dict) -> str:
    """The timeline's hand-labelled entries (``python -m evals.timeline``), per pool and split."""
    lines = [
        "| pool | split | entries labelled | precision | + background dates | relative | relative phrase resolved "
        "| relative entry right |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for pool, splits in results["scores"].items():
        for split, row in splits.items():
            lines.append(
                f"| {pool} | {split} | {row['labelled']} | {_f(row['precision'])} | {_f(row['with_background'])} "
                f"| {row['relative']} | {_f(row['relative_resolution'])} | {_f(row['relative_accuracy'])} |"
            )
    missing = f"{len(results['unlabelled'])} unlabelled, {len(results['disappeared'])} labelled but no longer produced"
    return "\n".join(lines) + f"\n\n{missing}. {described(results.get('machine'))}\n"


def attribution_table(results: dict) -> str:
    """Stated sources against hand labels (``python -m evals.attribution``), per domain and split."""
    lines = [
        "| domain / split | sentences | attributed by hand | named by Newsdesk | right | precision | recall "
        "| none-vs-some |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for group, row in results["groups"].items():
        lines.append(
            f"| {group} | {row['sentences']} | {row['attributed']} | {row['predicted']} | {row['correct']} "
            f"| {_f(row['precision'], 2)} | {_f(row['recall'], 2)} | {_f(row['none_vs_some_accuracy'], 2)} |"
        )
    return "\n".join(lines) + f"\n\n{described(results.get('machine'))}\n"


def corroboration_table(results: dict) -> str:
    """Corroboration counts against a hand check (``python -m evals.corroboration``): the cosine
    chosen on dev pairs, then the test answers at it and at the cosine of best F1 on dev."""
    dev = results["dev"]
    rows = [
        ("answers whose every article count matches", "answers_matching", "answers_scored"),
        ("answers that would match had every count been 1", "answers_matching_if_always_one", "answers_scored"),
        ("answers whose every publication count matches", "answers_matching_publications", "answers_scored"),
    ]
    chosen, best = results["test"], results["test_at_best_f1"]
    lines = [
        f"| test | `same_cosine` = {dev['chosen']} (chosen on dev) | {dev['best_f1']} (best F1 on dev) |",
        "|---|---|---|",
    ]
    lines += [f"| {label} | {chosen[k]} / {chosen[n]} | {best[k]} / {best[n]} |" for label, k, n in rows]
    lines += [
        f"| answer sentences whose article count agrees | {_f(chosen['sentence_agreement'])} "
        f"| {_f(best['sentence_agreement'])} |",
        f"| sentences over-counted / under-counted | {chosen['over_counts']} / {chosen['under_counts']} "
        f"| {best['over_counts']} / {best['under_counts']} |",
        f"| sentences stated by several articles: by hand / by Newsdesk | {chosen['hand_corroborated']} / "
        f"{chosen['system_corroborated']} | {best['hand_corroborated']} / {best['system_corroborated']} |",
        f"| single unnamed source: flagged / right / missed | {chosen['single_unnamed_sentences']} / "
        f"{chosen['single_unnamed_right']} / {chosen['single_unnamed_missed']} | {best['single_unnamed_sentences']} / "
        f"{best['single_unnamed_right']} / {best['single_unnamed_missed']} |",
    ]
    head = f"Dev: {dev['pairs']} labelled pairs ({dev['same']} the same fact), {dev['rule']}; choice: {dev['choice']}."
    return head + "\n\n" + "\n".join(lines) + f"\n\n{described(results.get('machine'))}\n"


def summaries_table(results: dict) -> str:
    """ROUGE of single-article summaries on BBC's test split (``python -m evals.summaries``)."""
    from evals.summaries import table

    weights = ", ".join(f"{k} {v}" for k, v in results["dev_grid"]["best"].items())
    return (
        table(results, "test").lstrip("\n")
        + f"\n\nSalience weights chosen on the dev split ({results['articles']['dev']} articles; "
        + f"{results['dev_grid']['objective']}): {weights}. {described(results.get('machine'))}\n"
    )


def summary_tuning_table(results: dict) -> str:
    """The summaries' settings on the dev broad questions (``python -m evals.tune_summary``)."""
    keys = list(results["chosen"])
    lines = [
        "| " + " | ".join(keys) + " | dev fact coverage | mean words |",
        "|---" * (len(keys) + 2) + "|",
    ]
    for row in results["candidates"]:
        values = " | ".join(str(row[key]) for key in keys)
        lines.append(f"| {values} | {_f(row['fact_coverage'])} | {row['mean_words']:.0f} |")
    chosen = ", ".join(f"`{k}` = {v}" for k, v in results["chosen"].items())
    questions = ", ".join(f"{name} {n}" for name, n in results["dev_questions"].items())
    return (
        "\n".join(lines)
        + f"\n\nChosen: {chosen} (dev broad questions: {questions}; margin {results['margin']}). "
        + f"{described(results.get('machine'))}\n"
    )


def bench_summary(summary: str) -> str:
    """``bench/results/summary.md`` without its title, its sections one heading level down."""
    body = summary.split("\n", 1)[1].lstrip("\n")
    return re.sub(r"^## ", "#### ", body, flags=re.MULTILINE).rstrip("\n") + "\n"


#: Block name -> (result file, how to render its content: parsed JSON, or the text of a .md file).
BLOCKS: dict[str, tuple[str, Callable[[Any], str]]] = {
    "retrieval": ("eval/results.json", retrieval_table),
    "answers": ("eval/results.json", answers_table),
    "tuning": ("eval/tuning.json", tuning_table),
    "answerability": ("eval/answerability.json", answerability_table),
    "cleaning": ("eval/cleaning.json", cleaning_table),
    "drift": ("eval/drift.json", drift_table),
    "external": ("eval/external.json", external_table),
    "timeline": ("eval/timeline.json", timeline_table),
    "attribution": ("eval/attribution.json", attribution_table),
    "corroboration": ("eval/corroboration.json", corroboration_table),
    "summary-tuning": ("eval/summary_tuning.json", summary_tuning_table),
    "summaries": ("eval/summaries.json", summaries_table),
    "bench": ("bench/results/summary.md", bench_summary),
    "scale-paper": ("bench/results/scale-paper.md", str),
}


def _content(source: str) -> Any:
    text = (ROOT / source).read_text(encoding="utf-8")
    return json.loads(text) if source.endswith(".json") else text


def generated(readme: str) -> str:
    """``readme`` with every generated block rewritten from its result file."""

    def block(match: re.Match[str]) -> str:
        name = match["name"]
        if name not in BLOCKS:
            raise SystemExit(f"README block {name!r} has no generator; known: {', '.join(BLOCKS)}")
        source, render = BLOCKS[name]
        if not (ROOT / source).is_file():
            print(f"warning: README block {name!r} left as it is: no {source} (see the Makefile)", file=sys.stderr)
            return match.group(0)
        return match.group(1) + render(_content(source)) + match.group(4)

    return _BLOCK.sub(block, readme)


def main() -> int:
    text = README.read_text(encoding="utf-8")
    README.write_text(generated(text), encoding="utf-8")
    print(f"rewrote {len(_BLOCK.findall(text))} generated blocks of {README}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
