"""Random text and bytes through reading, cleaning, sentence splitting and chunking:
no exception escapes but the specific ArticleError, and every offset stays exact."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant.errors import ArticleError
from assistant.ingest.chunking import chunk_spans
from assistant.ingest.corpus import parse_article
from assistant.ingest.sentences import split_sentences
from assistant.ingest.tokens import tiktoken_count

NEWSY = st.lists(
    st.one_of(
        st.sampled_from(
            [
                "Share on twitter",
                "Read More »",
                "( 4 mins)",
                "March 23, 2021",
                "BY Jane Doe",
                "Speevr logo",
                "---",
                "title: X",
                "# Heading",
                "<p>para</p>",
                "  • bullet",
                "The U.S. said on Feb. 10 that Sen. Smith Jr. agreed.",
                "",
            ]
        ),
        st.text(min_size=0, max_size=80),
    ),
    max_size=25,
).map("\n".join)


def _check_article(data: bytes, suffix: str) -> None:
    try:
        article = parse_article("fuzz" + suffix, data, suffix)
    except ArticleError as exc:
        assert str(exc)
        return
    text = article.document.text
    assert text.strip() == text and text
    spans = split_sentences(text)
    for start, end in spans:
        assert text[start:end].strip() == text[start:end] != ""
    for start, end in chunk_spans(
        text, spans, chunk_tokens=40, overlap_tokens=10, count_model_tokens=tiktoken_count, max_model_tokens=64
    ):
        assert 0 <= start < end <= len(text) and tiktoken_count(text[start:end]) <= 64


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(NEWSY, st.sampled_from([".txt", ".md"]))
def test_random_articles_clean_or_fail_specifically(text, suffix):
    _check_article(text.encode("utf-8", "surrogatepass"), suffix)


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=400), st.sampled_from([".txt", ".md", ".html"]))
def test_random_bytes_clean_or_fail_specifically(data, suffix):
    _check_article(data, suffix)
