"""Chunking: runs of whole sentences, sized in cl100k tokens, with exact offsets.

Sentences are packed by LangChain's ``TextSplitter._merge_splits``, the greedy
packing with whole-sentence overlap that its NLTK and spaCy splitters use.
Around it:

* Each piece handed to LangChain is a sentence extended to the start of the
  next one, so a merged chunk is an exact substring of the text.  Pieces carry
  their offsets (``_Span``) and the ``_join_docs`` override carries them onto
  the chunk: offsets never come from ``str.find``, which repeated text fools.
* A sentence longer than ``chunk_tokens`` is cut at word boundaries first (a
  word too long, at characters), since LangChain would only log a warning.
* Every chunk is then measured with the embedding model's own tokenizer and
  re-cut (at pieces, then words, then characters) until it fits, because a
  model silently truncates what it cannot read.  cl100k and WordPiece counts
  differ, so a chunk within ``chunk_tokens`` can still be too long.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from functools import cache
from typing import TYPE_CHECKING, Any, cast

from assistant.ingest.sentences import stripped_span
from assistant.ingest.tokens import tiktoken_count

if TYPE_CHECKING:
    from langchain_text_splitters import TextSplitter

Span = tuple[int, int]
_WORD = re.compile(r"\S+")


def chunk_spans(
    text: str,
    sentences: Sequence[Span],
    *,
    chunk_tokens: int,
    overlap_tokens: int,
    count_model_tokens: Callable[[str], int],
    max_model_tokens: int,
) -> list[Span]:
    """Chunks of ``text`` as ``(start, end)`` character spans, in order.

    ``sentences`` are increasing, non-overlapping spans into ``text``.  Each
    chunk is a run of whole sentences (or a piece of one that does not fit
    alone), stripped of surrounding whitespace; consecutive chunks share up to
    ``overlap_tokens`` tokens of whole sentences.  Guarantees:

    * ``count_model_tokens(text[start:end]) <= max_model_tokens`` always;
    * ``tiktoken_count(text[start:end]) <= chunk_tokens`` unless the chunk is
      a single character;
    * every non-whitespace character inside a sentence is in some chunk;
    * starts and ends are both strictly increasing (no chunk holds another).

    Raises ``ValueError`` for a budget that cannot be met or malformed spans.
    """
    _check_budget(chunk_tokens, overlap_tokens, count_model_tokens, max_model_tokens)
    units = _stripped_sentences(text, sentences)
    if not units:
        return []

    def within_chunk_tokens(candidate: str) -> bool:
        return len(candidate) == 1 or tiktoken_count(candidate) <= chunk_tokens

    def fits(candidate: str) -> bool:
        return within_chunk_tokens(candidate) and count_model_tokens(candidate) <= max_model_tokens

    pieces = [piece for unit in units for piece in _fit(text, [unit], within_chunk_tokens)]
    merger = _piece_merger()(
        pieces, chunk_size=chunk_tokens, chunk_overlap=overlap_tokens, length_function=_content_tokens
    )
    first_piece = {start: i for i, (start, _) in enumerate(pieces)}
    last_piece = {end: i for i, (_, end) in enumerate(pieces)}
    chunks: list[Span] = []
    for merged in cast("list[_Span]", merger.split_text(text)):
        start, end = merged.start, merged.end
        if fits(text[start:end]):
            chunks.append((start, end))
        else:
            chunks.extend(_fit(text, pieces[first_piece[start] : last_piece[end] + 1], fits))
    return _without_contained(chunks)


def _check_budget(
    chunk_tokens: int, overlap_tokens: int, count_model_tokens: Callable[[str], int], max_model_tokens: int
) -> None:
    if chunk_tokens <= 0:
        raise ValueError(f"chunk_tokens must be positive, got {chunk_tokens}")
    if not 0 <= overlap_tokens < chunk_tokens:
        raise ValueError(f"overlap_tokens must be in [0, chunk_tokens={chunk_tokens}), got {overlap_tokens}")
    smallest = count_model_tokens("a")
    if max_model_tokens < smallest:
        raise ValueError(
            f"max_model_tokens={max_model_tokens} cannot hold even one character: the model "
            f"counts {smallest} tokens for 'a' (prefix and special tokens included); raise it"
        )


def _stripped_sentences(text: str, sentences: Sequence[Span]) -> list[Span]:
    """The sentences without surrounding whitespace; blank ones dropped."""
    units: list[Span] = []
    previous_end = 0
    for start, end in sentences:
        if not previous_end <= start <= end <= len(text):
            raise ValueError(
                f"sentence spans must be increasing, non-overlapping and inside the text "
                f"(length {len(text)}); got {(start, end)} after a span ending at {previous_end}"
            )
        span = stripped_span(text, start, end)
        if span:
            units.append(span)
        previous_end = end
    return units


def _fit(text: str, units: Sequence[Span], fits: Callable[[str], bool], level: int = 0) -> list[Span]:
    """Consecutive ``units`` grouped greedily into spans that satisfy ``fits``.

    A unit that does not fit alone is cut finer and grouped in turn: into
    words at level 0, into characters at level 1.  A single character that
    does not fit raises ``ValueError``.
    """
    spans: list[Span] = []
    i = 0
    while i < len(units):
        start, end = units[i]
        if fits(text[start:end]):
            last = _furthest_fit(text, units, i, fits)
            spans.append((start, units[last][1]))
            i = last + 1
            continue
        if level == 0:
            finer = [match.span() for match in _WORD.finditer(text, start, end)]
        elif level == 1:
            finer = [(position, position + 1) for position in range(start, end)]
        else:
            raise ValueError(
                f"the character {text[start:end]!r} at offset {start} exceeds the token "
                f"budget on its own; raise max_model_tokens"
            )
        spans.extend(_fit(text, finer, fits, level + 1))
        i += 1
    return spans


def _furthest_fit(text: str, units: Sequence[Span], first: int, fits: Callable[[str], bool]) -> int:
    """The last unit of the longest run from ``units[first]`` (which fits) that fits.

    Galloping then bisection keeps the number of tokenizer calls logarithmic
    in the run length, which matters for a long word cut at characters.  Token
    counts are not strictly monotone in length, so the run found may stop
    short of the longest; it always fits.
    """
    start = units[first][0]
    good, step = first, 1
    while good + step < len(units) and fits(text[start : units[good + step][1]]):
        good += step
        step *= 2
    bad = min(good + step, len(units))
    while bad - good > 1:
        middle = (good + bad) // 2
        if fits(text[start : units[middle][1]]):
            good = middle
        else:
            bad = middle
    return good


def _content_tokens(piece: str) -> int:
    """A piece's tokens without the whitespace it runs on with.

    That is how the piece was cut to fit, so no piece looks oversized to
    LangChain (which would log a warning), and the count is a cache hit.
    Between sentences cl100k folds a space into the next word (" The"), so
    these counts also add up to the chunk's own count more closely.
    """
    return tiktoken_count(piece.rstrip())


def _without_contained(chunks: list[Span]) -> list[Span]:
    """Chunks sorted by start, minus those another chunk contains.

    Re-cutting an oversized chunk can yield pieces that its overlapping
    neighbour already holds, or that start before the neighbour does.
    """
    kept: list[Span] = []
    for start, end in sorted(set(chunks), key=lambda chunk: (chunk[0], -chunk[1])):
        if not kept or end > kept[-1][1]:
            kept.append((start, end))
    return kept


class _Span(str):
    """A slice of the text that remembers its offsets through LangChain's merging.

    ``end`` is where the content ends: a piece's string runs on over the
    whitespace up to the next piece; a merged chunk's string is exactly
    ``text[start:end]``.
    """

    start: int
    end: int


def _span(value: str, start: int, end: int) -> _Span:
    span = _Span(value)
    span.start = start
    span.end = end
    return span


@cache
def _piece_merger() -> Callable[..., TextSplitter]:
    """The LangChain splitter, defined on first use: ``import assistant`` must not load LangChain."""
    from langchain_text_splitters import TextSplitter

    class PieceMerger(TextSplitter):
        """Packs pre-cut pieces ``(start, content_end)`` with LangChain's ``_merge_splits``."""

        def __init__(self, pieces: Sequence[Span], **kwargs: Any) -> None:
            super().__init__(**kwargs)
            self._pieces = pieces

        def split_text(self, text: str) -> list[str]:
            next_starts = [start for start, _ in self._pieces[1:]] + [self._pieces[-1][1]]
            splits = [
                _span(text[start:next_start], start, end)
                for (start, end), next_start in zip(self._pieces, next_starts, strict=False)
            ]
            return self._merge_splits(splits, "")

        def _join_docs(self, docs: list[str], separator: str) -> str | None:
            first, last = cast(_Span, docs[0]), cast(_Span, docs[-1])
            # Pieces are contiguous slices of the text and the separator is "".
            return _span("".join(docs)[: last.end - first.start], first.start, last.end)

    return PieceMerger
