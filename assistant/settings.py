"""All tunable settings in one frozen dataclass, with the defaults chosen by measurement.

Each default's evidence is in a result file, not here: the answer and fusion
settings the question sets can measure are chosen on their dev splits in
``eval/tuning.json`` (``make tune``; ``tests/test_tuning.py`` holds the defaults to
it) and measured on the test splits in ``eval/results.json`` (``make eval``),
index and speed settings in ``bench/results/`` (``make bench``; README "Speed").
Settings come from code (``Settings(...)``), from ``[tool.newsdesk]``
in a ``pyproject.toml`` or ``newsdesk.toml`` beside the corpus, or from CLI flags;
an unknown key or a bad value is refused at start-up, never at the first question.
"""

from __future__ import annotations

import contextlib
import tomllib
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from assistant.errors import SettingsError

#: Retrieval modes, in the order ``assistant eval`` reports them.
MODES = ("dense", "lexical", "hybrid", "rerank")


@dataclass(frozen=True)
class Settings:
    # Embedding: a bundled name ("e5-small-v2", "all-MiniLM-L6-v2") or a
    # sentence-transformers model folder.
    model: str = "e5-small-v2"
    # Chunking, in cl100k tokens; chunks end on sentence boundaries and never
    # exceed the model's own input limit, whatever these say.
    chunk_tokens: int = 240
    overlap_tokens: int = 60
    # Retrieval.
    mode: str = "hybrid"
    k: int = 5
    candidates: int = 50  # per retriever, before fusion
    sentence_weight: float = 1.0  # hybrid: best-sentence cosine, beside the chunk cosine (1.0)
    lexical_weight: float = 0.4  # hybrid: BM25 of the chunk
    sentence_lexical_weight: float = 0.4  # hybrid: BM25 of its best sentence, mirroring the cosines
    rrf_k: int = 60
    rerank_top: int = 10  # hybrid candidates the cross-encoder rescores
    # Answers (see answer/compose.py and README "Answers").
    answer_passages: int = 5  # passages whose sentences are candidates
    answer_neighbours: int = 1  # sentences either side of a passage also considered
    answer_candidates: int = 8  # best-by-prefilter (cosine + BM25) candidates the cross-encoder scores
    min_answer_words: int = 4  # a shorter sentence ("He declined.") cannot answer on its own
    max_sentences: int = 3
    max_words: int = 120
    passage_prior: float = 0.5  # logits taken off per rank of the passage a sentence comes from
    redundancy: float = 0.6  # skip a sentence sharing this share of its words with one already chosen
    same_words: float = 0.7  # another article's sentence sharing this share of words says the same: cite it too
    abstain_below: float = -0.95  # score (logit less passage prior); chosen by `make tune`
    # answerability-model logit below which an on-topic answer is partial, and below which a
    # sentence of another article does not join an answer; -inf turns the model off, as `make
    # tune` keeps it unless the model beats being off on the dev splits (README "Answerability")
    answerable_below: float = float("-inf")
    # Summaries, for broad questions (answer/summary.py): the passages and candidates read, the
    # sentences given per article that speaks to the question, and the cap; per_article, relevant
    # (the cross-encoder logit from which a sentence is on the subject) and event_bonus are chosen
    # on the dev broad questions (`python -m evals.tune_summary`: eval/summary_tuning.json)
    summary_passages: int = 12
    summary_candidates: int = 24
    summary_per_article: int = 2
    summary_max_sentences: int = 10
    summary_words_per_sentence: int = 40
    summary_relevant: float = -2.0
    summary_event_bonus: float = 2.0  # logits added to a sentence that dates what it reports
    # Corroboration (answer/corroboration.py): the nearest sentences of the corpus read for each
    # answer sentence, and the cosine from which one states the same fact as it (chosen on the
    # news set's dev pairs: eval/corroboration.json)
    corroboration_neighbours: int = 20
    same_cosine: float = 0.99
    # Input limits.
    max_article_bytes: int = 5_000_000
    max_query_chars: int = 2_000
    # Threads for ONNX Runtime, FAISS and torch; 0 means "cores, for builds;
    # one, for single queries" (see ``models/threads.py``).
    threads: int = 0
    # Index: a FAISS file of more vectors than this is approximate (HNSW), else exact
    # (bench/scale.py compares both kinds on real vectors).
    approximate_above: int = 50_000
    hnsw_m: int = 48  # graph degree
    hnsw_ef_construction: int = 200  # beam width while building the graph
    hnsw_ef_search: int = 128  # beam width while searching (widened to k when more rows are asked for)
    # Ingest: two articles whose word 5-shingles have this Jaccard similarity are one story.
    duplicate_similarity: float = 0.8
    # Live sources (``ingest.live``): fetching pages and feeds.
    allow_private: bool = False  # fetch from loopback and private addresses (tests, an intranet)
    fetch_timeout: float = 10.0  # seconds for one page, connection to last byte
    max_redirects: int = 5
    # Article summaries without a question (answer/salience.py): what each signal of a sentence's
    # salience counts for; chosen on the dev split of BBC (``python -m evals.summaries``).
    salience_centroid: float = 0.5  # cosine to the article's centroid, standardised in the article
    salience_title: float = 0.0  # cosine to the title, standardised in the article
    salience_position: float = 2.0  # times 1 / (1 + index): news is lead-heavy
    salience_short: float = 1.0  # taken off a line too short or incomplete to stand alone

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise SettingsError(f"mode {self.mode!r} is not one of {', '.join(MODES)}")
        for name in (
            "chunk_tokens",
            "k",
            "candidates",
            "rrf_k",
            "rerank_top",
            "answer_passages",
            "answer_candidates",
            "max_sentences",
            "max_words",
            "max_article_bytes",
            "max_query_chars",
            "hnsw_m",
            "hnsw_ef_construction",
            "hnsw_ef_search",
            "fetch_timeout",
            "summary_passages",
            "summary_candidates",
            "summary_per_article",
            "summary_max_sentences",
            "summary_words_per_sentence",
            "corroboration_neighbours",
        ):
            if getattr(self, name) <= 0:
                raise SettingsError(f"{name} must be positive, got {getattr(self, name)}")
        if not 0 <= self.overlap_tokens < self.chunk_tokens:
            raise SettingsError(
                f"overlap_tokens must be in [0, chunk_tokens={self.chunk_tokens}), got {self.overlap_tokens}"
            )
        if self.max_redirects < 0:
            raise SettingsError(f"max_redirects must be 0 or more, got {self.max_redirects}")
        if self.threads < 0:
            raise SettingsError(f"threads must be 0 (automatic) or more, got {self.threads}")
        for name in ("duplicate_similarity", "redundancy", "same_words", "same_cosine"):
            if not 0.0 < getattr(self, name) <= 1.0:
                raise SettingsError(f"{name} must be in (0, 1], got {getattr(self, name)}")
        if self.approximate_above < 0:
            raise SettingsError(
                f"approximate_above must be 0 (always approximate) or more, got {self.approximate_above}"
            )
        for name in ("salience_centroid", "salience_title", "salience_position", "salience_short"):
            if not 0.0 <= getattr(self, name) < float("inf"):
                raise SettingsError(f"{name} must be 0 or more (and finite), got {getattr(self, name)}")

    @property
    def judges_answerability(self) -> bool:
        """Whether the answerability model runs: ``answerable_below`` above minus infinity."""
        return self.answerable_below > float("-inf")

    def updated(self, values: dict[str, Any]) -> Settings:
        """A copy with ``values`` applied; unknown keys and wrong types are refused."""
        known = {f.name: f for f in fields(self)}
        unknown = sorted(set(values) - set(known))
        if unknown:
            raise SettingsError(f"unknown setting(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}")
        checked = {}
        for key, value in values.items():
            expected = type(getattr(self, key))
            if isinstance(value, str) and expected in (int, float):
                with contextlib.suppress(ValueError):  # refused below, naming the value
                    value = expected(value)
            if isinstance(value, str) and expected is bool and value.strip().lower() in ("true", "false"):
                value = value.strip().lower() == "true"
            if expected is float and type(value) is int:
                value = float(value)
            if type(value) is not expected:
                raise SettingsError(f"setting {key} takes a {expected.__name__}, got {value!r}")
            checked[key] = value
        return replace(self, **checked)


def load_settings(folder: Path, overrides: dict[str, Any] | None = None) -> Settings:
    """Defaults, then ``newsdesk.toml`` or ``[tool.newsdesk]`` in ``folder``, then overrides.

    A bad value from a file is reported with the file's path, so the user knows
    which of the three places to fix.
    """
    values: dict[str, Any] = {}
    own = folder / "newsdesk.toml"
    project = folder / "pyproject.toml"
    source = own if own.is_file() else project
    try:
        if own.is_file():
            values = tomllib.loads(own.read_text(encoding="utf-8"))
        elif project.is_file():
            values = tomllib.loads(project.read_text(encoding="utf-8")).get("tool", {}).get("newsdesk", {})
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise SettingsError(f"cannot read settings from {source}: {exc}") from exc
    try:
        settings = Settings().updated(values)
    except SettingsError as exc:
        raise SettingsError(f"{source}: {exc}") from None
    return settings.updated(overrides or {})
