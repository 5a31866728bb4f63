"""Train the answerability cross-encoder (``assistant/models/answerability.py``) and export it
to int8 ONNX.

Examples are (question, evidence, answers?) with evidence the window the product reads
(``answerability.evidence``: a centre sentence and its neighbours after the title):

* ``squad2``: SQuAD 2.0 dev part a; the window is centred on the sentence of the
  answer, or of the plausible wrong answer of an unanswerable question.
* ``squad1-near-miss``: SQuAD v1.1 dev part a; each sampled question twice: centred
  on its answer (answers), and in the paragraph nearest the question by TF-IDF that
  holds none of its gold answers, centred on the sentence sharing most of its words
  (does not: the leave-gold-out near miss).
* ``wikiqa``: WikiQA train (only questions with an answer sentence are in the data); a
  question's candidate sentences are its Wikipedia passage: centred on its answer
  sentence (answers), and without its answer sentences, centred on the sentence sharing
  most of its words (does not: a near miss on the same subject).

The model starts from the bundled ms-marco cross-encoder (``_model``) and is fine-tuned
with binary cross-entropy, its lower half frozen.  ``--folds`` also trains one model per
fold of Wikipedia articles (SQuAD's titles, both versions grouped together, since the
halves share articles), each without
its fold's articles, so that ``evals.answerability`` scores every SQuAD question with a
model that never saw its article.

    python -m evals.train_answerability [--folds] [--out assistant/models/answerability.onnx]
"""

from __future__ import annotations

import argparse
import json
import math
import random
import re
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from assistant.ingest.sentences import split_sentences
from assistant.models.answerability import MAX_TOKENS, MODEL_FILE, evidence
from evals.corpora import DATA_DIR
from evals.machine import machine

FOLDS = 2  # a fine-tuning run takes minutes on two cores: two folds, each trained on half the articles
# fold models: for evaluation only, never shipped
FOLD_DIR = Path(__file__).resolve().parent.parent / ".cache" / "answerability-folds"
NEAR_MISS_QUESTIONS = 700
WIKIQA_QUESTIONS = 400
EPOCHS = 2
BATCH = 16
LEARNING_RATE = 3e-5
HEAD_LEARNING_RATE = 1e-4
FROZEN_LAYERS = 6  # of the encoder's twelve, besides the embeddings: half the backward pass
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Example:
    question: str
    evidence: str
    answers: bool
    group: str  # the Wikipedia article (SQuAD) or question (WikiQA): the unit of folds
    source: str


def _split(text: str) -> tuple[list[tuple[int, int]], list[str]]:
    """``text``'s sentence spans and the sentences, as the product splits them."""
    spans = split_sentences(text)
    return spans, [text[s:e] for s, e in spans]


def _centre_at(spans: Sequence[tuple[int, int]], offset: int) -> int:
    return next((i for i, (_, end) in enumerate(spans) if offset < end), len(spans) - 1)


def _words(text: str) -> set[str]:
    return {w.casefold() for w in _WORD.findall(text)}


def _most_shared(question: str, sentences: Sequence[str]) -> int:
    asked = _words(question)
    return max(range(len(sentences)), key=lambda i: len(asked & _words(sentences[i])))


def squad2(data_dir: Path) -> list[Example]:
    articles = json.loads((data_dir / "squad2" / "dev-v2.0-part-a.json").read_text(encoding="utf-8"))["data"]
    out = []
    for article in articles:
        title = article["title"].replace("_", " ")
        for paragraph in article["paragraphs"]:
            spans, sentences = _split(paragraph["context"])
            for qa in paragraph["qas"]:
                marked = qa["answers"] or qa.get("plausible_answers") or []
                centre = (
                    _centre_at(spans, marked[0]["answer_start"]) if marked else _most_shared(qa["question"], sentences)
                )
                out.append(
                    Example(
                        qa["question"],
                        evidence(title, sentences, centre),
                        not qa["is_impossible"],
                        article["title"],
                        "squad2",
                    )  # fmt: skip
                )
    return out


def squad1_near_miss(data_dir: Path, seed: int, limit: int = NEAR_MISS_QUESTIONS) -> list[Example]:
    from sklearn.feature_extraction.text import TfidfVectorizer

    articles = json.loads((data_dir / "squad" / "dev-v1.1-part-a.json").read_text(encoding="utf-8"))["data"]
    flat = [(a["title"], p) for a in articles for p in a["paragraphs"]]
    paragraphs = [(title, p["context"]) for title, p in flat]
    questions = [(i, qa["question"], qa["answers"]) for i, (_, p) in enumerate(flat) for qa in p["qas"]]
    sample = random.Random(seed).sample(questions, min(limit, len(questions)))
    tfidf = TfidfVectorizer(stop_words="english", sublinear_tf=True).fit([c for _, c in paragraphs])
    matrix = tfidf.transform([c for _, c in paragraphs])
    out = []
    for gold, question, answers in sample:
        title, context = paragraphs[gold]
        spans, sentences = _split(context)
        centre = _centre_at(spans, answers[0]["answer_start"])
        out.append(Example(question, evidence(title.replace("_", " "), sentences, centre), True, title, "squad1"))
        similarity = (matrix @ tfidf.transform([question]).T).toarray().ravel()
        golds = [a["text"].casefold() for a in answers]
        for other in similarity.argsort()[::-1]:
            other_title, other_context = paragraphs[other]
            if other != gold and not any(g in other_context.casefold() for g in golds):
                sentences = _split(other_context)[1]
                text = evidence(other_title.replace("_", " "), sentences, _most_shared(question, sentences))
                out.append(Example(question, text, False, title, "squad1"))
                break
    return out


def wikiqa(data_dir: Path, seed: int, limit: int = WIKIQA_QUESTIONS) -> list[Example]:
    folder = data_dir / "wikiqa" / "train"
    columns = [(folder / f).read_text(encoding="utf-8").splitlines() for f in ("id.txt", "a.toks", "b.toks", "sim.txt")]
    grouped: dict[str, tuple[str, list[str], list[int]]] = {}
    for qid, question, sentence, label in zip(*columns, strict=True):
        entry = grouped.setdefault(qid, (question, [], []))
        entry[1].append(sentence)
        entry[2].append(int(label))
    out = []
    for qid in sorted(random.Random(seed).sample(sorted(grouped), min(limit, len(grouped)))):
        question, sentences, labels = grouped[qid]
        if 1 not in labels:
            continue
        out.append(Example(question, evidence(None, sentences, labels.index(1)), True, f"wikiqa:{qid}", "wikiqa"))
        misses = [s for s, label in zip(sentences, labels, strict=True) if not label]
        if misses:
            text = evidence(None, misses, _most_shared(question, misses))
            out.append(Example(question, text, False, f"wikiqa:{qid}", "wikiqa"))
    return out


def examples(data_dir: Path, seed: int) -> list[Example]:
    return squad2(data_dir) + squad1_near_miss(data_dir, seed) + wikiqa(data_dir, seed)


def squad_folds(items: Sequence[Example]) -> list[list[str]]:
    """The SQuAD article titles, dealt into ``FOLDS`` folds in a fixed (sorted, seeded) order."""
    titles = sorted({e.group for e in items if e.source.startswith("squad")})
    random.Random(0).shuffle(titles)
    return [sorted(titles[i::FOLDS]) for i in range(FOLDS)]


# ---------------------------------------------------------------- training and export


def _model():
    """The bundled ms-marco cross-encoder as a torch model: its int8 ONNX weights dequantized
    into ``BertForSequenceClassification`` (each weight's consumer in the graph names it).

    Starting from a model that already reads question and passage together is what makes
    fine-tuning on a few thousand pairs work on two cores: all-MiniLM-L6-v2, a bi-encoder
    never trained on pairs, was tried first and had learnt nothing after an epoch.  The
    head keeps its relevance logit as the starting point."""
    import numpy as np
    import onnx
    import torch
    from onnx import numpy_helper
    from transformers import BertConfig, BertForSequenceClassification

    from assistant.models.rerank import model_dir

    graph = onnx.load(str(model_dir() / "model.onnx")).graph
    weights = {i.name: numpy_helper.to_array(i) for i in graph.initializer}
    consumers: dict[str, list] = {}
    for node in graph.node:
        for name in node.input:
            consumers.setdefault(name, []).append(node)

    def dequantized(base: str) -> np.ndarray:
        q = weights[f"{base}_quantized"].astype(np.float32)
        return (q - weights[f"{base}_zero_point"].astype(np.float32)) * weights[f"{base}_scale"]

    def bias_after(node) -> str:
        """The bias added to a MatMulInteger's output a few nodes on: the Linear's name."""
        frontier = [node]
        for _ in range(6):
            frontier = [c for f in frontier for out in f.output for c in consumers.get(out, [])]
            for c in frontier:
                if c.op_type == "Add":
                    names = [x for x in c.input if x.endswith(".bias") and x in weights]
                    if names:
                        return names[0]
        raise ValueError(f"no bias after {node.name}")

    state = {
        f"bert.embeddings.{e}_embeddings.weight": dequantized(f"bert.embeddings.{e}_embeddings.weight")
        for e in ("word", "position", "token_type")
    }
    for node in graph.node:
        if node.op_type == "MatMulInteger":  # ONNX keeps x @ W with W as [in, out]; torch's Linear is [out, in]
            state[bias_after(node).removesuffix(".bias") + ".weight"] = dequantized(
                node.input[1].removesuffix("_quantized")
            ).T
    state |= {k: v for k, v in weights.items() if k.endswith((".bias", "LayerNorm.weight"))}
    config = BertConfig(hidden_size=384, num_hidden_layers=12, num_attention_heads=12, intermediate_size=1536,
                        num_labels=1)  # fmt: skip
    model = BertForSequenceClassification(config)
    model.load_state_dict({k: torch.from_numpy(np.ascontiguousarray(v)).float() for k, v in state.items()})
    return model


def train(items: Sequence[Example], seed: int, log=print, held_out: Sequence[Example] = ()):
    """Fine-tune the model on ``items``; returns it.  With ``held_out``, logs their AUROC after
    each epoch (a progress check on examples it does not train on)."""
    import torch

    from assistant.models.onnx import encode_batch, wordpiece_tokenizer
    from assistant.models.rerank import model_dir

    torch.manual_seed(seed)
    model = _model()
    for part in (model.bert.embeddings, *model.bert.encoder.layer[:FROZEN_LAYERS]):
        part.requires_grad_(False)  # the lower layers keep their general-purpose weights; training is cheaper
    tokenizer = wordpiece_tokenizer(model_dir())
    lengths = [len(e.ids) for e in tokenizer.encode_batch([(x.question, x.evidence) for x in items])]
    rng = random.Random(seed)
    steps = EPOCHS * math.ceil(len(items) / BATCH)
    optimiser = torch.optim.AdamW(
        [{"params": [p for p in model.bert.parameters() if p.requires_grad], "lr": LEARNING_RATE},
         {"params": model.classifier.parameters(), "lr": HEAD_LEARNING_RATE}],
        weight_decay=0.01,
    )  # fmt: skip
    warmup = max(1, steps // 10)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimiser, lambda s: min((s + 1) / warmup, max(0.0, (steps - s) / max(1, steps - warmup)))
    )
    loss_fn = torch.nn.BCEWithLogitsLoss()
    started, step = time.perf_counter(), 0

    def run(batch: Sequence[Example]):
        ids, mask, types = encode_batch(tokenizer, [(x.question, x.evidence) for x in batch], MAX_TOKENS)
        return model(input_ids=torch.from_numpy(ids), attention_mask=torch.from_numpy(mask),
                     token_type_ids=torch.from_numpy(types)).logits[:, 0]  # fmt: skip

    for epoch in range(EPOCHS):
        model.train()
        # batches of similar length (little padding), in random order
        order = sorted(range(len(items)), key=lambda i: lengths[i] + rng.random() * 8)
        batches = [order[i : i + BATCH] for i in range(0, len(order), BATCH)]
        rng.shuffle(batches)
        total = 0.0
        for n, batch in enumerate(batches, start=1):
            loss = loss_fn(run([items[i] for i in batch]), torch.tensor([float(items[i].answers) for i in batch]))
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimiser.step()
            schedule.step()
            optimiser.zero_grad()
            total += float(loss.detach())
            step += 1
            if step % 50 == 0:
                log(f"  step {step}/{steps} loss {total / n:.3f} {time.perf_counter() - started:.0f} s")
        log(f"  epoch {epoch + 1}: mean loss {total / len(batches):.3f}")
        if held_out:
            log(f"  held-out AUROC {_auroc(model, run, held_out):.3f}")
    model.eval()
    return model


def _auroc(model, run, examples: Sequence[Example]) -> float:
    import torch
    from sklearn.metrics import roc_auc_score

    model.eval()
    with torch.no_grad():
        scores = [float(v) for i in range(0, len(examples), 64) for v in run(examples[i : i + 64])]
    return float(roc_auc_score([e.answers for e in examples], scores))


def export(model, path: Path) -> None:
    """The model as int8 ONNX at ``path`` (dynamic quantization of the weights, as the bundled
    models are); inputs ``input_ids``, ``attention_mask``, ``token_type_ids``, output ``logits``."""
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic

    path.parent.mkdir(parents=True, exist_ok=True)
    ids = torch.ones((1, 16), dtype=torch.int64)
    with tempfile.TemporaryDirectory() as tmp:
        fp32 = Path(tmp) / "model.onnx"
        axes = {"input_ids": {0: "batch", 1: "tokens"}, "attention_mask": {0: "batch", 1: "tokens"},
                "token_type_ids": {0: "batch", 1: "tokens"}, "logits": {0: "batch"}}  # fmt: skip
        torch.onnx.export(
            model, (ids, torch.ones_like(ids), torch.zeros_like(ids)), str(fp32),
            input_names=["input_ids", "attention_mask", "token_type_ids"], output_names=["logits"],
            dynamic_axes=axes, opset_version=17, dynamo=False,
        )  # fmt: skip
        partial = path.with_suffix(".partial")
        quantize_dynamic(str(fp32), str(partial), weight_type=QuantType.QInt8)
        partial.replace(path)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals.train_answerability", description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DATA_DIR)
    parser.add_argument("--out", type=Path, default=MODEL_FILE)
    parser.add_argument("--folds", action="store_true", help=f"also train the fold models into {FOLD_DIR}")
    parser.add_argument("--only-folds", action="store_true", help="train the fold models, not the shipped one")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    items = examples(args.data, args.seed)
    counts = {s: {"answers": sum(e.answers for e in items if e.source == s),
                  "does_not": sum(not e.answers for e in items if e.source == s)}
              for s in dict.fromkeys(e.source for e in items)}  # fmt: skip
    log(f"{len(items)} examples: {json.dumps(counts)}")
    folds = squad_folds(items)
    if args.folds or args.only_folds:
        FOLD_DIR.mkdir(parents=True, exist_ok=True)
        for i, held in enumerate(folds):
            log(f"fold {i}: without {', '.join(held)}")
            model = train([e for e in items if e.group not in held], args.seed, log,
                          [e for e in items if e.group in held and e.source == "squad2"])  # fmt: skip
            export(model, FOLD_DIR / f"fold{i}.onnx")
        (FOLD_DIR / "folds.json").write_text(json.dumps({"folds": folds, "seed": args.seed}, indent=2) + "\n")
    if not args.only_folds:
        log("the shipped model: every example")
        started = time.perf_counter()
        export(train(items, args.seed, log), args.out)
        record = {"machine": machine(), "seed": args.seed, "examples": counts, "epochs": EPOCHS, "batch": BATCH,
                  "learning_rate": LEARNING_RATE, "max_tokens": MAX_TOKENS, "folds": folds,
                  "seconds": time.perf_counter() - started}  # fmt: skip
        args.out.with_suffix(".json").write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
        log(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
