"""Newsdesk web page (Gradio).  Thin: builds the assistant once and formats what it returns.

Listens on 127.0.0.1 unless told otherwise; binding any other address requires
``--auth user:password`` (or the explicit ``--insecure-no-auth``).  Every piece of
article or user text is HTML-escaped before it reaches the page.
"""

from __future__ import annotations

import argparse
import html
import sys
from pathlib import Path

from assistant import Assistant, AssistantError
from assistant.types import Passage

LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def render_passages(query: str, passages: list[Passage]) -> str:
    """Passages as escaped HTML cards with their citation (title, publication, date, offsets)."""
    if not passages:
        return "<p>No passage matches.</p>"
    cards = [f"<p class='nd-query'>Passages for <q>{html.escape(query)}</q></p>"]
    for rank, p in enumerate(passages, start=1):
        meta = " · ".join(html.escape(x) for x in (p.source, p.date or "date unknown") if x)
        cards.append(
            "<div class='nd-passage'>"
            f"<div class='nd-cite'>[{rank}] <b>{html.escape(p.title or p.doc_id)}</b> — {meta}"
            f" <small>({html.escape(p.doc_id)}, chars {p.start}–{p.end})</small></div>"
            f"<blockquote>{html.escape(p.text)}</blockquote></div>"
        )
    return "\n".join(cards)


def build_app(assistant: Assistant):
    import gradio as gr

    def search(query: str) -> str:
        try:
            return render_passages(query, assistant.search(query, assistant.settings.k))
        except AssistantError as exc:
            return f"<p class='nd-error'>{html.escape(str(exc))}</p>"

    docs = assistant.retriever.index.documents
    with gr.Blocks(title="Newsdesk") as app:
        gr.Markdown(f"# Newsdesk\nSearch {len(docs)} indexed articles; every passage is cited.")
        query = gr.Textbox(label="Question", placeholder="What did Kerry's China trip produce?")
        button = gr.Button("Search", variant="primary")
        results = gr.HTML()
        button.click(search, query, results, api_name="search")
        query.submit(search, query, results, api_name=False)
    return app


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Serve the Newsdesk page.")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=7860)
    parser.add_argument("--corpus", type=Path)
    parser.add_argument("--index", type=Path)
    parser.add_argument("--auth", metavar="USER:PASSWORD", help="required to bind beyond loopback")
    parser.add_argument("--insecure-no-auth", action="store_true",
                        help="bind beyond loopback without a password (you accept the risk)")
    args = parser.parse_args(argv)
    auth = None
    if args.auth:
        user, sep, password = args.auth.partition(":")
        if not (sep and user and password):
            parser.error("--auth takes USER:PASSWORD")
        auth = (user, password)
    if args.host not in LOOPBACK and not auth and not args.insecure_no_auth:
        parser.error(f"refusing to listen on {args.host} without --auth USER:PASSWORD")
    try:
        assistant = Assistant.load(args.corpus, args.index)
    except AssistantError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    build_app(assistant).queue().launch(server_name=args.host, server_port=args.port, auth=auth,
                                        show_error=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
