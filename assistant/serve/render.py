"""Answers and articles as Markdown and HTML for the web page; every piece of text is escaped.

Article text and questions are data, never markup: HTML is escaped everywhere,
and Markdown syntax is backslash-escaped where text goes into Markdown, so a
``<script>`` or ``*`` in an article shows as itself.  Pure functions, no Gradio.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping, Sequence

from assistant import prompts
from assistant.answer.accounts import account_source, side_of
from assistant.ingest.sentences import split_sentences
from assistant.pipeline import ArticleInfo
from assistant.types import Answer, Citation, Document, Sentence

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~<>])")


def escape_markdown(text: str) -> str:
    """Text that renders literally in Markdown, with any HTML neutralised first."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", html.escape(text, quote=False))


def answer_markdown(answer: Answer) -> str:
    """The chat message: the answer with [n] markers; a partial answer or an abstention set
    apart as a quote under its outcome's label; the searched query."""
    body = escape_markdown(answer.text)
    for c in answer.citations:  # markers were escaped with the text; show them plainly
        body = body.replace(rf"\[{c.number}\]", f"[{c.number}]")
    if answer.abstained:
        label = f"**{escape_markdown(prompts.outcome_label(answer.outcome))}**\n\n"
        body = "\n".join("> " + line for line in (label + body).split("\n"))
    if answer.query != answer.question:
        body += "\n\n*" + escape_markdown(prompts.render("followup_note", query=answer.query)) + "*"
    return body


def _paragraph(doc: Document, start: int, end: int) -> tuple[int, int]:
    """The paragraph(s) of ``doc.text`` around ``start:end``."""
    left = doc.text.rfind("\n\n", 0, start)
    right = doc.text.find("\n\n", end)
    return (0 if left < 0 else left + 2), (len(doc.text) if right < 0 else right)


def highlighted(text: str, start: int, end: int, mark_id: str = "") -> str:
    """``text`` as escaped HTML paragraphs with ``start:end`` inside <mark> (one per paragraph
    it crosses, so marks never straddle a paragraph; the first carries ``mark_id``)."""
    out, offset = [], 0
    for paragraph in text.split("\n\n"):
        low, high = max(start - offset, 0), min(end - offset, len(paragraph))
        if low < high:
            ident = f" id='{mark_id}'" if mark_id and start >= offset else ""
            out.append(
                html.escape(paragraph[:low])
                + f"<mark{ident}>"
                + html.escape(paragraph[low:high])
                + "</mark>"
                + html.escape(paragraph[high:])
            )
        else:
            out.append(html.escape(paragraph))
        offset += len(paragraph) + 2
    return "".join(f"<p>{p}</p>" for p in out)


def _context(doc: Document, start: int, end: int) -> tuple[int, int]:
    """The cited ``start:end`` with the sentence before and the sentence after it, within its paragraph."""
    low, high = _paragraph(doc, start, end)
    spans = [(low + a, low + b) for a, b in split_sentences(doc.text[low:high])]
    before = [a for a, b in spans if b <= start]
    after = [b for a, b in spans if a >= end]
    return (before[-1] if before else low), (after[0] if after else high)


def _card(c: Citation, doc: Document) -> str:
    """One citation: its label, who is speaking, the cited sentences marked in their immediate
    context, and controls that open the whole paragraph and the whole article; ``nd-card-N`` is
    what the answer's [N] links to, and its last link goes back to [N] in the answer."""
    low, high = _context(doc, c.start, c.end)
    context = highlighted(doc.text[low:high], c.start - low, c.end - low)
    para_low, para_high = _paragraph(doc, c.start, c.end)
    paragraph = highlighted(doc.text[para_low:para_high], c.start - para_low, c.end - para_low)
    notes = "".join(f"<li>{html.escape(n)}</li>" for n in c.date_notes)
    said = prompts.render("stated_by", source=c.stated_by) if c.stated_by else ""
    expand = (
        f"<details class='nd-more'><summary>{html.escape(prompts.render('card_paragraph'))}</summary>"
        f"<blockquote class='nd-passage'>{paragraph}</blockquote></details>"
        if (para_low, para_high) != (low, high)
        else ""
    )
    whole = highlighted(doc.text, c.start, c.end)
    return (
        f"<article class='nd-card' id='nd-card-{c.number}' tabindex='-1' aria-labelledby='nd-card-{c.number}-label'>"
        f"<h3 class='nd-cite' id='nd-card-{c.number}-label'>{html.escape(prompts.citation_label(c))}</h3>"
        + (f"<p class='nd-said nd-muted'>{html.escape(said)}</p>" if said else "")
        + f"<blockquote class='nd-passage'>{context}</blockquote>"
        + (f"<ul class='nd-dates'>{notes}</ul>" if notes else "")
        + expand
        + f"<details class='nd-more'><summary>{html.escape(prompts.render('card_article'))}</summary>"
        + f"<div class='nd-whole'>{whole}</div></details>"
        + f"<a href='#nd-chat' class='nd-back' data-back='{c.number}'>"
        + f"{html.escape(prompts.render('card_back', number=c.number))}</a>"
        + "</article>"
    )


def corroboration_html(answer: Answer) -> str:
    """Under the sources, each answer sentence's corroboration (``prompts.corroboration_label``),
    opening on demand to the articles that state it."""
    items = []
    for s in answer.sentences:
        if not s.stated_in:
            continue
        unknown = prompts.render("publication_unknown")
        listed = "".join(
            f"<li>{html.escape(t.label)} — {html.escape(t.publication or unknown)}, "
            f"{html.escape(prompts.date_label(t.date))}: “{html.escape(t.text)}”</li>"
            for t in s.stated_in
        )
        quote = s.text if len(s.text) <= 90 else s.text[:87].rstrip() + "…"
        items.append(
            f"<details class='nd-corroboration'><summary>{html.escape(prompts.corroboration_label(s))}: "
            f"<span class='nd-muted'>“{html.escape(quote)}”</span></summary><ul>{listed}</ul></details>"
        )
    return "".join(items)


def sources_html(answer: Answer | None, documents: Mapping[str, Document]) -> str:
    """The sources panel: one card per citation, side by side by account when sides disagree;
    then each answer sentence's corroboration.

    ``documents`` holds at least the cited articles, by id."""
    if answer is None or not answer.citations:
        return f"<p class='nd-muted'>{html.escape(prompts.render('sources_placeholder'))}</p>"
    return _cards_html(answer, documents) + corroboration_html(answer)


def _cards_html(answer: Answer, documents: Mapping[str, Document]) -> str:
    """The cards in citation order; when accounts disagree, stacked under each source's heading
    (side by side they were a few words wide)."""
    if not answer.disagreement:
        return "".join(_card(c, documents[c.doc_id]) for c in answer.citations)
    sections: dict[str, list[str]] = {}
    for c in answer.citations:
        side = side_of(c.text)
        label = prompts.render("according_to", source=account_source(side))
        sections.setdefault(label, []).append(_card(c, documents[c.doc_id]))
    return "".join(
        f"<section class='nd-side'><h3>{html.escape(label)}</h3>{''.join(cards)}</section>"
        for label, cards in sections.items()
    )


def article_html(doc: Document, start: int, end: int, summary: Sequence[Sentence] = ()) -> str:
    """A whole cleaned article with the cited span marked (``#nd-cited``, scrolled to by the page),
    under its ``summary`` (``Assistant.summarize``) when given."""
    meta = " · ".join(
        html.escape(x) for x in (doc.publication, doc.author, prompts.date_label(doc.date, doc.date_written)) if x
    )
    body = highlighted(doc.text, start, end, "nd-cited")
    brief = (
        f"<div class='nd-brief'><strong>{html.escape(prompts.render('article_summary'))}</strong><ul>"
        + "".join(f"<li>{html.escape(s.text)}</li>" for s in summary)
        + "</ul></div>"
        if summary
        else ""
    )
    return (
        f"<div id='nd-article'><h3>{html.escape(doc.label)}</h3><p class='nd-muted'>{meta} · "
        f"{html.escape(doc.doc_id)}</p>{brief}{body}</div>"
    )


def feeds_html(feeds: dict[str, int]) -> str:
    """The feeds followed, each with how many of its items were taken; a line saying there are none."""
    if not feeds:
        return f"<p class='nd-muted'>{html.escape(prompts.render('feed_none'))}</p>"
    items = "".join(
        f"<li>{html.escape(prompts.render('feed_line', url=url, seen=seen))}</li>" for url, seen in feeds.items()
    )
    return f"<ul>{items}</ul>"


def corpus_rows(articles: Iterable[ArticleInfo]) -> list[list]:
    """Rows for the corpus table: title, publication, date, sentences, chunks, file."""
    return [
        [
            a.document.label,
            a.document.publication or "—",
            prompts.date_label(a.document.date, a.document.date_written)
            if a.document.date or a.document.date_written
            else "—",
            a.sentences,
            a.chunks,
            a.document.doc_id,
        ]
        for a in articles
    ]
