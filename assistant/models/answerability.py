"""Answerability: does this evidence state what the question asks?  A small cross-encoder
trained here for that (``python -m evals.train_answerability``), int8 ONNX.

The ms-marco cross-encoder scores *relevance*: a sentence about the Anchorage talks is
relevant to "which hotel hosted the Anchorage talks?" whether or not it names a hotel,
so its best score separates answerable from unanswerable questions poorly
(``eval/answerability.json``).  This model starts from that cross-encoder's weights and
is fine-tuned on pairs whose label is whether the evidence answers:
SQuAD 2.0's unanswerable questions (written to look answerable from their paragraph),
leave-gold-out near misses and WikiQA questions without an answer sentence.

What it reads is ``evidence``: the best-scoring sentence with its neighbours, after the
article's title, the same window in training and in the product.  The weights are an
ONNX file (no pickle), fingerprinted in each index manifest; the tokenizer is the
cross-encoder's.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from assistant.errors import ModelError
from assistant.models import rerank
from assistant.models.embedding import ModelInfo
from assistant.models.onnx import OnnxRuns, fingerprint, pair_logit, wordpiece_tokenizer

NAME = "newsdesk-answerability"
MODEL_FILE = Path(__file__).with_name("answerability.onnx")
MAX_TOKENS = 256  # question and evidence together; longer pairs are cut (their [SEP] kept)
WINDOW_WORDS = 80  # evidence: the centre sentence and its neighbours up to this many words


def evidence(title: str | None, sentences: Sequence[str], centre: int) -> str:
    """The window the model reads: ``sentences[centre]`` and its neighbours, nearest first,
    alternately after and before, while the window stays within ``WINDOW_WORDS`` words; in
    article order, after the title.  A centre sentence longer than the budget is kept whole."""
    first = last = centre
    words = len(sentences[centre].split())
    step = 0
    while first > 0 or last < len(sentences) - 1:
        step += 1
        after = step % 2 == 1 and last < len(sentences) - 1 or first == 0
        nxt = last + 1 if after else first - 1
        n = len(sentences[nxt].split())
        if words + n > WINDOW_WORDS:
            break
        words += n
        first, last = min(first, nxt), max(last, nxt)
    text = " ".join(sentences[first : last + 1])
    return f"{title}. {text}" if title else text


def model_info() -> ModelInfo:
    """The model's identity, recorded in each index manifest beside the other models'."""
    return ModelInfo(NAME, "onnx", 1, MAX_TOKENS, fingerprint(model_file()))


def model_file() -> Path:
    """The weights file; a missing one is reported with its fix (``Assistant.open`` calls this at
    start-up, so that it fails there, not at the first question)."""
    if not MODEL_FILE.is_file():
        raise ModelError(f"{MODEL_FILE} is missing; train it with: python -m evals.train_answerability")
    return MODEL_FILE


class Answerability:
    """Scores (question, evidence) pairs: a logit, higher when the evidence answers."""

    def __init__(self, threads: int, weights: Path | None = None) -> None:
        self._runs = OnnxRuns(weights or model_file(), threads)
        self._tokenizer = wordpiece_tokenizer(rerank.model_dir())

    def score(self, question: str, text: str) -> float:
        return pair_logit(self._runs, self._tokenizer, question, text, MAX_TOKENS)
