"""Rendering for the page: text is always shown as text, marks land on the cited span."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from assistant.serve.render import answer_markdown, article_html, escape_markdown, feeds_html, highlighted
from assistant.types import Answer, Citation, Document


def test_markdown_escaping_neutralises_html_and_syntax():
    out = escape_markdown("<script>alert(1)</script> *bold* [link](x) # h")
    assert "<" not in out and "&lt;script&gt;" in out
    assert r"\*bold\*" in out and r"\[link\]\(x\)" in out


@given(st.text(), st.integers(0, 50), st.integers(0, 50))
def test_highlight_keeps_every_character_and_never_leaks_markup(text, a, b):
    start, end = sorted((min(a, len(text)), min(b, len(text))))
    out = highlighted(text, start, end, "x")
    assert "<script" not in out.replace("&lt;script", "")
    plain = out.replace("<p>", "").replace("</p>", "\n\n").replace("<mark id='x'>", "").replace("<mark>", "")
    plain = plain.replace("</mark>", "").replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"')
    plain = plain.replace("&#x27;", "'").replace("&amp;", "&")
    assert plain[:-2] == text


def _answer(**changes) -> Answer:
    doc_text = "Alpha said <b>hi</b>.\n\nBeta agreed."
    citation = Citation(1, "d.txt", "T", "P", "", doc_text[:21], 0, 21, (0,), label="T")
    base = dict(
        question="q?",
        query="q?",
        text=doc_text[:21] + " [1]",
        sentences=(),
        citations=(citation,),
        abstained=False,
        reason="",
        passages=(),
    )
    return Answer(**{**base, **changes})


def test_answer_markdown_keeps_markers_and_escapes_text():
    out = answer_markdown(_answer())
    assert out.endswith("[1]") and "&lt;b&gt;" in out and "<b>" not in out


def test_abstention_is_quoted_under_its_label_and_followup_query_shown():
    out = answer_markdown(
        _answer(
            abstained=True,
            outcome="not_in_articles",
            citations=(),
            text="The articles do not answer this.",
            query="q? Kerry",
        )
    )
    assert out.startswith("> **Not in the articles**") and "Searched for: q? Kerry" in out.replace("\\", "")


def test_a_partial_answer_is_set_apart_from_an_answer_under_its_own_label():
    partial = answer_markdown(_answer(abstained=True, outcome="partial"))
    answered = answer_markdown(_answer())
    assert partial.startswith("> **Partial answer**") and "&lt;b&gt;" in partial and "[1]" in partial
    assert not answered.startswith(">") and "Partial" not in answered


def test_article_marks_the_cited_span_across_paragraphs():
    doc = Document("d.txt", "T", "P", "", "", "One.\n\nTwo <i>x</i>.\n\nThree.", "h")
    out = article_html(doc, 0, 14)
    assert out.count("<mark") == 2 and "id='nd-cited'" in out and "&lt;i&gt;" in out


def test_followed_feeds_are_escaped():
    shown = feeds_html({"http://news.example/feed?x=<script>alert(1)</script>": 3})
    assert "<script>" not in shown and "&lt;script&gt;" in shown and "(3 items taken)" in shown
    assert "No feeds followed yet" in feeds_html({})


def test_the_sources_panel_says_who_is_speaking_escaped():
    from dataclasses import replace

    from assistant.serve.render import sources_html

    doc_text = "Alpha said <b>hi</b>.\n\nBeta agreed."
    doc = Document("d.txt", "T", "P", "", "", doc_text, "")
    answer = _answer()
    speaking = replace(answer, citations=(replace(answer.citations[0], stated_by="<i>Alpha</i>"),))
    shown = sources_html(speaking, {"d.txt": doc})
    assert "Stated by: &lt;i&gt;Alpha&lt;/i&gt;" in shown and "<i>Alpha" not in shown
    assert "Stated by" not in sources_html(answer, {"d.txt": doc})


def test_each_sentences_corroboration_is_listed_on_demand_and_escaped():
    from dataclasses import replace

    from assistant import prompts
    from assistant.serve.render import sources_html
    from assistant.types import AnswerSentence, Statement

    doc = Document("d.txt", "T", "P", "", "", "Alpha said <b>hi</b>.\n\nBeta agreed.", "")
    statements = (
        Statement("d.txt", 0, 0, 20, "Alpha said <b>hi</b>.", "T", "P", "", "Alpha", "T"),
        Statement(
            "e.txt", 3, 10, 30, "Alpha <script>x</script> hi.", "<u>Other</u>", "Q", "2024-01-02", "", "<u>Other</u>"
        ),
    )
    sentence = AnswerSentence("Alpha said <b>hi</b>.", "d.txt", 0, 0, 20, (1,), 1.0, statements)
    shown = sources_html(replace(_answer(), sentences=(sentence,)), {"d.txt": doc})
    label = prompts.corroboration_label(sentence)
    assert label == prompts.render(
        "corroborated", articles=2, articles_plural="s", publications=2, publications_plural="s"
    )
    assert f"<details class='nd-corroboration'><summary>{label}" in shown
    assert "&lt;u&gt;Other&lt;/u&gt;" in shown and "&lt;script&gt;" in shown and "<script>" not in shown
    alone = replace(sentence, stated_in=(replace(statements[0], stated_by="unnamed sources"),))
    assert prompts.render("single_unnamed") in sources_html(replace(_answer(), sentences=(alone,)), {"d.txt": doc})


def test_an_article_is_shown_under_its_summary_escaped():
    from assistant import prompts
    from assistant.types import Sentence

    doc = Document("d.txt", "T", "P", "", "", "Alpha <b>one</b>.\n\nBeta two.", "")
    shown = article_html(doc, 0, 5, (Sentence("d.txt", 0, 0, 17, "Alpha <b>one</b>."),))
    assert prompts.render("article_summary") in shown and "<li>Alpha &lt;b&gt;one&lt;/b&gt;.</li>" in shown
    assert prompts.render("article_summary") not in article_html(doc, 0, 5)


def test_a_card_shows_the_cited_sentence_in_its_immediate_context_and_opens_to_more():
    from dataclasses import replace

    from assistant import prompts
    from assistant.serve.render import sources_html

    text = "One. Two <i>x</i>. Three is cited. Four. Five.\n\nSecond paragraph."
    doc = Document("d.txt", "T", "P", "", "", text, "")
    start = text.index("Three")
    cited = Citation(2, "d.txt", "T", "P", "", "Three is cited.", start, start + 15, (2,), label="T")
    shown = sources_html(replace(_answer(), citations=(cited,)), {"d.txt": doc})
    passage = shown.split("<blockquote class='nd-passage'>")[1].split("</blockquote>")[0]
    # the sentence before and the one after, not the whole paragraph
    assert passage == "<p>Two &lt;i&gt;x&lt;/i&gt;. <mark>Three is cited.</mark> Four.</p>", passage
    assert "id='nd-card-2'" in shown and "data-back='2'" in shown
    assert prompts.render("card_back", number=2) in shown
    assert prompts.render("card_paragraph") in shown and prompts.render("card_article") in shown
    assert "Second paragraph." in shown  # inside the whole article, on demand


def test_disagreeing_accounts_are_stacked_under_their_headings():
    from dataclasses import replace

    from assistant import prompts
    from assistant.serve.render import sources_html

    text = "Usdaw said jobs are at risk.\n\nGreenfield said no stores will close."
    doc = Document("d.txt", "T", "P", "", "", text, "")
    first = Citation(1, "d.txt", "T", "P", "", text[:28], 0, 28, (0,), label="T")
    second = Citation(2, "d.txt", "T", "P", "", text[30:], 30, len(text), (1,), label="T")
    shown = sources_html(replace(_answer(), citations=(first, second), disagreement=True), {"d.txt": doc})
    headings = [prompts.render("according_to", source=s) for s in ("Usdaw", "Greenfield")]
    assert all(f"<h3>{h}</h3>" in shown for h in headings)
    assert "display: flex" not in shown and "nd-sides" not in shown
    assert shown.index(headings[0]) < shown.index("nd-card-1") < shown.index(headings[1]) < shown.index("nd-card-2")
