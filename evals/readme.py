"""The README's figures, generated from result files (``python -m evals.readme``).

Each generated block in ``README.md`` sits between ``<!-- generated: NAME -->`` and
``<!-- end: NAME -->``; this rewrites every block from its result file, which
``make eval`` (``eval/results.json``), ``make external`` (``eval/external.json``)
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

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
_BLOCK = re.compile(r"(<!-- generated: (?P<name>[\w-]+) -->\n)(?P<body>.*?)(<!-- end: (?P=name) -->)", re.DOTALL)


def _f(value: float | None, digits: int = 3) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def _machine(machine: dict | None) -> str:
    if not machine:
        return "Machine not recorded."
    flags = ", ".join(machine.get("flags") or []) or "none of AVX2, AVX-512, VNNI"
    return f"Measured on {machine.get('cpu') or 'an unknown CPU'}, {machine.get('cores')} cores (CPU flags: {flags})."


def auroc(positives: list[float], negatives: list[float]) -> float | None:
    """The probability that a positive scores above a negative (ties count half)."""
    if not positives or not negatives:
        return None
    wins = sum((p > n) + 0.5 * (p == n) for p in positives for n in negatives)
    return wins / (len(positives) * len(negatives))


def retrieval_table(results: dict) -> str:
    default = f"{results['default']['model']}/{results['default']['mode']}"
    lines = ["| model | mode | R@1 | R@3 | R@5 | MRR@10 | ms per query |", "|---|---|---|---|---|---|---|"]
    for key, row in results["retrieval"].items():
        s = row["scores"]
        cells = [_f(s["recall_1"]), _f(s["recall_3"]), _f(s["recall_5"]), _f(s["mrr_10"]), _f(row["ms_per_query"], 1)]
        if key == default:
            cells = [f"**{c}**" for c in cells]
        model, mode = key.split("/")
        mode = f"**{mode} (default)**" if key == default else mode
        lines.append(f"| {model} | {mode} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + f"\n\n{_machine(results.get('machine'))}\n"


def answers_table(results: dict) -> str:
    answers = results["answers"]
    names = {"ours": "**Newsdesk**", "lead-2": "lead-2 baseline", "lexrank-3": "LexRank-3 baseline (sumy)"}
    overall = answers["summary"]["ours"]["overall"]
    lines = [
        f"| answers ({overall['n']} questions) | fact coverage | fully covered | cited evidence "
        "| abstains (unanswerable) | false abstention | words |",
        "|---|---|---|---|---|---|---|",
    ]
    for system, summary in answers["summary"].items():
        t = summary["overall"]
        cells = [
            t["fact_coverage"],
            t["full_coverage_rate"],
            t["cited_evidence_rate"],
            t["abstention_rate"],
            t["false_abstention_rate"],
        ]
        figures = " | ".join(map(_f, cells))
        lines.append(f"| {names.get(system, system)} | {figures} | {_f(t['mean_words'], 0)} |")
    lines += ["", "| Newsdesk by category | questions | fact coverage | cited evidence | abstains |"]
    lines += ["|---|---|---|---|---|"]
    for category, t in answers["summary"]["ours"].items():
        if category != "overall":
            lines.append(
                f"| {category} | {t['n']} | {_f(t['fact_coverage'])} | {_f(t['cited_evidence_rate'])} "
                f"| {_f(t['abstention_rate'])} |"
            )
    # Questions refused before any sentence was scored (a name no article mentions) have no score.
    scored = [r for r in answers["per_question"] if r["best_score"] is not None]
    answerable = [r["best_score"] for r in scored if r["score"]["answerable"]]
    unanswerable = [r["best_score"] for r in scored if not r["score"]["answerable"]]
    c = answers["calibration"]
    lines += [
        "",
        f"Best cross-encoder score, answerable above unanswerable (ROC AUC over the {len(scored)} questions "
        f"that reached the cross-encoder): {_f(auroc(answerable, unanswerable))}. "
        f"Calibration: `abstain_below` = {c['suggested']:.2f}; the threshold alone refuses "
        f"{_f(c['abstention_at_suggested'])} of unanswerable questions for "
        f"{_f(c['false_abstention_at_suggested'])} false abstention. "
        f"`ask()` p50 during the run: {answers['ask_ms_p50']:.0f} ms.",
        "",
        _machine(results.get("machine")),
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
    return "\n".join(lines + _answer_type_lines(results)) + f"\n\n{_machine(results.get('machine'))}\n"


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


def bench_summary(summary: str) -> str:
    """``bench/results/summary.md`` without its title, its sections one heading level down."""
    body = summary.split("\n", 1)[1].lstrip("\n")
    return re.sub(r"^## ", "#### ", body, flags=re.MULTILINE).rstrip("\n") + "\n"


#: Block name -> (result file, how to render its content: parsed JSON, or the text of a .md file).
BLOCKS: dict[str, tuple[str, Callable[[Any], str]]] = {
    "retrieval": ("eval/results.json", retrieval_table),
    "answers": ("eval/results.json", answers_table),
    "external": ("eval/external.json", external_table),
    "bench": ("bench/results/summary.md", bench_summary),
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
