"""External evaluation on public data nobody on the team labelled (``assistant external``).

* Answer-sentence selection (TrecQA dev, WikiQA dev): rank each question's
  candidate sentences with the scorers the assistant uses to pick answer
  sentences — the cross-encoder, and the e5 cosine that prefilters for it —
  and report MAP and MRR over questions with at least one correct and one
  incorrect candidate (the standard protocol).
* SQuAD v1.1 (part a): the paragraphs become a corpus (one article each, its
  Wikipedia title as front matter), indexed by the real pipeline; every
  question is searched (recall@1/5 and MRR@10 of the gold paragraph), and a
  sample is answered with ``ask`` (how often the answer's sentences contain a
  gold answer span).
"""

from __future__ import annotations

import json
import random
import statistics
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from assistant.ingest.text import normalise
from assistant.settings import Settings
from evals.answer_types import answer_type_scores
from evals.corpora import squad_doc_id, write_squad_paragraphs
from evals.machine import machine
from evals.retrieval import mrr_at, recall_at

Ranked = list[tuple[str, list[tuple[str, int]]]]  # (question, [(candidate, label)])


def load_trecqa(path: Path) -> Ranked:
    rows = json.loads(path.read_text(encoding="utf-8"))
    return [(r["question"], [(c["sentence"], int(c["label"])) for c in r["candidates"]]) for r in rows]


def load_wikiqa(folder: Path) -> Ranked:
    def lines(name: str) -> list[str]:
        return (folder / name).read_text(encoding="utf-8").splitlines()

    grouped: dict[str, tuple[str, list[tuple[str, int]]]] = {}
    for qid, question, sentence, label in zip(
        lines("id.txt"), lines("a.toks"), lines("b.toks"), lines("sim.txt"), strict=False
    ):
        grouped.setdefault(qid, (question, []))[1].append((sentence, int(label)))
    return list(grouped.values())


def average_precision(labels: Sequence[int]) -> float:
    hits, total = 0, 0.0
    for rank, label in enumerate(labels, start=1):
        if label:
            hits += 1
            total += hits / rank
    return total / hits if hits else 0.0


def selection_scores(data: Ranked, score: Callable[[str, list[str]], Sequence[float]]) -> dict[str, float]:
    """MAP and MRR of ``score(question, candidates)`` over the questions that can be scored."""
    aps, rrs = [], []
    for question, candidates in data:
        labels = [label for _, label in candidates]
        if not (any(labels) and not all(labels)):
            continue
        values = list(score(question, [c for c, _ in candidates]))
        order = sorted(range(len(values)), key=lambda i: -values[i])
        ranked = [labels[i] for i in order]
        aps.append(average_precision(ranked))
        rrs.append(1.0 / (ranked.index(1) + 1))
    return {"questions": len(aps), "MAP": statistics.fmean(aps), "MRR": statistics.fmean(rrs)}


def squad(data_file: Path, settings: Settings, answers: int, seed: int = 0) -> dict[str, float]:
    """Index SQuAD paragraphs as articles; retrieval for every question, ``ask`` for a sample."""
    from assistant.pipeline import Assistant

    articles = json.loads(data_file.read_text(encoding="utf-8"))["data"]
    questions: list[tuple[str, str, list[str]]] = []  # (question, gold doc id, answers)
    with tempfile.TemporaryDirectory(prefix="newsdesk-squad-") as tmp:
        corpus, index = Path(tmp) / "corpus", Path(tmp) / "index"
        write_squad_paragraphs(articles, corpus)
        for a, article in enumerate(articles):
            for p, paragraph in enumerate(article["paragraphs"]):
                doc_id = squad_doc_id(a, p)
                questions += [(qa["question"], doc_id, [x["text"] for x in qa["answers"]]) for qa in paragraph["qas"]]
        started = time.perf_counter()
        assistant = Assistant.load(corpus, index, settings)
        build_seconds = time.perf_counter() - started  # includes loading the models
        report = assistant.last_build
        ranks = []
        for question, gold, _ in questions:
            found = [p.doc_id for p in assistant.search(question, 10)]
            ranks.append(found.index(gold) + 1 if gold in found else None)
        sample = random.Random(seed).sample(questions, min(answers, len(questions)))
        contained, abstained = 0, 0
        for question, _, spans in sample:
            answer = assistant.ask(question)
            abstained += answer.abstained
            text = normalise(answer.text)
            contained += any(normalise(s) in text for s in spans)
    return {
        "paragraphs": len(report.added),
        "questions": len(questions),
        "build_seconds": build_seconds,
        "recall_1": recall_at(ranks, 1),
        "recall_5": recall_at(ranks, 5),
        "mrr_10": mrr_at(ranks, 10),
        "answered_sample": len(sample),
        "answer_contains_gold": contained / max(1, len(sample)),
        "abstained": abstained / max(1, len(sample)),
    }


def run_external(data_dir: Path, settings: Settings, answers: int) -> dict[str, object]:
    """Every external figure, for the default settings."""
    from assistant.models.rerank import CrossEncoder
    from assistant.models.threads import model_threads
    from assistant.pipeline import build_embedder

    embedder = build_embedder(settings)
    cross = CrossEncoder(model_threads(settings.threads))

    def cosine(question: str, candidates: list[str]) -> Sequence[float]:
        return embedder.encode_documents(candidates) @ embedder.encode_queries([question])[0]

    results: dict[str, object] = {"machine": machine()}
    for name, data in (
        ("trecqa-dev", load_trecqa(data_dir / "trecqa" / "dev.json")),
        ("wikiqa-dev", load_wikiqa(data_dir / "wikiqa" / "dev")),
    ):
        results[name] = {
            "cross-encoder": selection_scores(data, cross.score),
            f"{settings.model} cosine": selection_scores(data, cosine),
        }
    results["squad-part-a"] = squad(data_dir / "squad" / "dev-v1.1-part-a.json", settings, answers)
    results["answer-types-squad-part-a"] = answer_type_scores(data_dir / "squad" / "dev-v1.1-part-a.json")
    return results
