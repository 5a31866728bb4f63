"""Newsdesk web chat (Gradio).  Thin: builds the assistant once, wires events, renders answers.

Listens on 127.0.0.1 unless told otherwise; binding any other address requires
``--auth user:password`` (or the explicit ``--insecure-no-auth``).  Article and
user text is escaped by ``assistant.serve.render`` before it reaches the page.
Feedback goes to ``feedback.jsonl`` in the project folder (``--feedback PATH``).
Sentences the page says are in ``prompts/templates.toml``; the labels of its
controls are here, beside the controls.
"""

import argparse
import sys
import threading
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from assistant import Assistant, AssistantError, prompts
from assistant.pipeline import PROJECT_DIR
from assistant.serve import render
from assistant.serve.feedback import record_feedback
from assistant.types import PHASES, Progress, no_progress

LOOPBACK = {"127.0.0.1", "localhost", "::1"}
SCROLL_TO_CITED = "() => { document.getElementById('nd-cited')?.scrollIntoView({block: 'center'}); }"
#: Run once the page loads: the latest answer's [n] markers become links to source card n (their text
#: stays "[n]", for screen readers and copy-paste), and each card's last link goes back to [n] in the
#: answer; whichever end is reached is highlighted and focused.
CITATION_LINKS = r"""() => {
  const MARK = /\[(\d+)\]/g;
  const latest = () => { const rows = document.querySelectorAll('#nd-chat .bot-row'); return rows[rows.length - 1]; };
  const link = (row) => {
    const walker = document.createTreeWalker(row, NodeFilter.SHOW_TEXT);
    const found = [];
    while (walker.nextNode()) {
      const node = walker.currentNode;
      if (node.parentElement.closest('a, button, code')) continue;
      MARK.lastIndex = 0;
      if (MARK.test(node.nodeValue)) found.push(node);
    }
    for (const node of found) {
      const text = node.nodeValue, part = document.createDocumentFragment();
      let last = 0;
      text.replace(MARK, (whole, n, at) => {
        part.append(text.slice(last, at));
        const a = document.createElement('a');
        a.href = '#nd-card-' + n; a.className = 'nd-cite-link'; a.dataset.cite = n; a.textContent = whole;
        part.append(a); last = at + whole.length;
      });
      part.append(text.slice(last));
      node.replaceWith(part);
    }
  };
  const refresh = () => {
    const row = latest();
    document.querySelectorAll('#nd-chat a.nd-cite-link').forEach((a) => {
      if (!row || !row.contains(a)) a.replaceWith(document.createTextNode(a.textContent));
    });
    if (row) link(row);
  };
  const show = (target) => {
    document.querySelectorAll('.nd-active').forEach((e) => e.classList.remove('nd-active'));
    target.classList.add('nd-active');
    target.scrollIntoView({block: 'center'});
    target.focus({preventScroll: true});
  };
  document.addEventListener('click', (event) => {
    const cite = event.target.closest('a.nd-cite-link');
    const back = event.target.closest('a.nd-back');
    if (cite) {
      const card = document.getElementById('nd-card-' + cite.dataset.cite);
      if (card) { event.preventDefault(); show(card); }
    } else if (back) {
      const row = latest();
      const marker = row && row.querySelector('a.nd-cite-link[data-cite="' + back.dataset.back + '"]');
      if (marker) { event.preventDefault(); show(marker); }
    }
  });
  let pending = false;
  new MutationObserver(() => {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => { pending = false; refresh(); });
  }).observe(document.body, {childList: true, subtree: true, characterData: true});
}"""
CSS = """
.nd-card { border: 1px solid var(--border-color-primary); border-radius: 8px; padding: 8px 12px; margin-bottom: 10px; }
.nd-cite { font-weight: 600; margin-bottom: 4px; }
.nd-passage mark, #nd-article mark { background: #ffe58f; color: inherit; padding: 0 2px; }
.nd-side > h3 { margin: 12px 0 6px; }
/* contrast of at least 4.5:1 (axe: color-contrast): the Ask button, the chosen tab, the upload box's "or" */
#nd-ask { background: #c2410c !important; border-color: #c2410c !important; color: #fff !important; }
button[role="tab"].selected { color: #9a3412 !important; }
#nd-upload .or { color: #52525b !important; }
.nd-card.nd-active { outline: 3px solid #b45309; outline-offset: 2px; }
a.nd-cite-link { text-decoration: underline; }
a.nd-cite-link.nd-active { background: #ffe58f; color: inherit; }
.nd-more summary, .nd-corroboration summary { cursor: pointer; }
.nd-back { display: inline-block; margin-top: 6px; }
@media (max-width: 760px) { #nd-chat-row { flex-direction: column; } #nd-chat-row > * { width: 100%; } }
.nd-muted { opacity: 0.7; font-size: 0.9em; }
.nd-corroboration { margin: 4px 0; }
#nd-article-box { overflow-y: auto; }
"""


def entity_names(rows: list[list[Any]]) -> list[str]:
    """The names of the entity table's rows, once each, for the chat's "only articles naming" filter."""
    return sorted({row[0] for row in rows}, key=str.casefold)


class Shared:
    """The one assistant all sessions use; uploads swap in an updated one under a lock."""

    def __init__(self, assistant: Assistant, feedback: Path) -> None:
        self.assistant = assistant
        self.feedback = feedback
        self.lock = threading.Lock()
        self.polling = threading.Lock()  # one poll at a time: the schedule's and the button's

    def status(self) -> str:
        return self.assistant.greeting()

    def corpus_table(self) -> list[list[Any]]:
        return render.corpus_rows(self.assistant.articles())

    def feed_lines(self) -> str:
        """The feeds followed, with the items taken of each (HTML, addresses escaped)."""
        return render.feeds_html(self.assistant.followed_feeds())

    def entity_table(self) -> list[list[Any]]:
        """Name, kind, articles, mentions of every entity the articles name (found once per article)."""
        return [[e.name, e.kind, len(e.articles), e.mentions] for e in self.assistant.entities()]

    def cited_documents(self, answer) -> dict:
        """The cited articles of ``answer``, by id, for the sources panel."""
        return {c.doc_id: self.assistant.article(c.doc_id) for c in answer.citations}

    def whole_article(self, number: int | None, answers: list) -> str:
        """The article of citation ``number`` of the latest answer, its cited span marked; "" when none."""
        citation = next((c for c in answers[-1].citations if c.number == number), None) if answers else None
        return self.article_view(citation.doc_id, citation.start, citation.end) if citation else ""

    def article_view(self, doc_id: str, start: int, end: int) -> str:
        """A whole article with ``start:end`` marked, under its summary; "" when the index lacks it."""
        doc = self.assistant.article(doc_id)
        return render.article_html(doc, start, end, self.assistant.summarize(doc_id)) if doc else ""

    def upload(self, files: list, progress: Progress = no_progress) -> str:
        """Store each uploaded file, re-index once if any was stored (telling ``progress`` how
        far it has come); the lines saying what happened."""
        return self._stored([_store_upload(self.assistant, file) for file in files], progress)

    def add_url(self, url: str, progress: Progress = no_progress) -> str:
        """Fetch the article at ``url`` into the corpus and index it; the line saying what happened."""
        url = (url or "").strip()
        if not url:
            return prompts.render("url_missing")
        try:
            written = self.assistant.add_url(url)
        except AssistantError as exc:
            return prompts.render("upload_refused", reason=render.escape_markdown(str(exc)))
        added = prompts.render("url_added", url=render.escape_markdown(url), stored=written.name)
        return self._stored([(True, added)], progress)

    def poll(self, progress: Progress = no_progress) -> str:
        """Store the followed feeds' new items and index them (the schedule and the button)."""
        with self.polling:
            report = self.assistant.poll_feeds()
        lines = [
            prompts.render("feed_failed", url=render.escape_markdown(u), reason=render.escape_markdown(r))
            for u, r in report.failed
        ]
        lines += [
            prompts.render("url_refused", url=render.escape_markdown(u), reason=render.escape_markdown(r))
            for u, r in report.refused
        ]
        lines.append(prompts.render("feed_polled", stored=len(report.stored), seen=report.seen_before))
        return self._stored([(bool(report.stored), line) for line in lines], progress)

    def _stored(self, results: list[tuple[bool, str]], progress: Progress = no_progress) -> str:
        """Re-index once if any result stored a file; every result's line, and the indexing's failure."""
        messages = [message for _, message in results]
        if any(stored for stored, _ in results):
            with self.lock:
                try:
                    self.assistant = self.assistant.reload(progress)
                except AssistantError as exc:
                    messages.append(prompts.render("upload_index_failed", reason=render.escape_markdown(str(exc))))
        return "\n\n".join(messages) or prompts.render("upload_nothing")


@dataclass
class Timeline:
    """The Timeline tab's components: its filters, the plot, the list, the source of a chosen entry."""

    about: Any
    words: Any
    date_from: Any
    date_to: Any
    show: Any
    plot: Any
    table: Any
    article: Any
    events: Any


@dataclass
class Page:
    """The components the event handlers read and write."""

    status: Any
    chat: Any
    question: Any
    send: Any
    comment: Any
    clear: Any
    date_from: Any
    date_to: Any
    sources: Any
    sources_panel: Any
    pick: Any
    article: Any
    table: Any
    files: Any
    upload_status: Any
    history: Any
    answers: Any
    url: Any
    fetch: Any
    feed: Any
    follow: Any
    unfollow: Any
    poll: Any
    feeds: Any
    about: Any
    entities: Any
    timeline: Timeline


def build_app(shared: Shared):
    import gradio as gr

    with gr.Blocks(title="Newsdesk") as app:
        page = _layout(gr, shared)
        listed = _wire(gr, shared, page)
        app.load(listed, None, [page.entities, page.about, page.timeline.about], api_visibility="private")
    return app


def _layout(gr, shared: Shared) -> Page:
    """The page: a chat tab (conversation, examples, filters, sources) and a corpus tab."""
    gr.Markdown("# Newsdesk")
    status = gr.Markdown(shared.status(), elem_id="nd-status")
    history, answers = gr.State([]), gr.State([])
    with gr.Tab("Chat"), gr.Row(elem_id="nd-chat-row"):
        with gr.Column(scale=3):
            chat = gr.Chatbot(
                label="Conversation",
                height=480,
                elem_id="nd-chat",
                allow_tags=False,
                feedback_options=("Like", "Dislike"),
                buttons=["copy", "copy_all"],  # no share button: it has no accessible name (axe: button-name)
            )
            examples = shared.assistant.examples()  # kept per index: after a re-index, a restart shows new ones
            with gr.Row():
                question = gr.Textbox(
                    label="Question", placeholder=next(iter(examples), ""), scale=5, elem_id="nd-question"
                )
                send = gr.Button("Ask", variant="primary", scale=1, elem_id="nd-ask")
            if examples:
                gr.Examples([[q] for q in examples], inputs=question, label="Examples")
            with gr.Row():
                comment = gr.Textbox(label="Comment on an answer (optional), then press its thumbs up or down", scale=4)
                clear = gr.Button("Clear conversation", scale=1, elem_id="nd-clear")
            with gr.Accordion("Filters", open=False):
                with gr.Row():
                    date_from = gr.Textbox(label="From (YYYY-MM-DD)")
                    date_to = gr.Textbox(label="To (YYYY-MM-DD)")
                sources = gr.CheckboxGroup(shared.assistant.publications(), label="Publications (none = all)")
                about = gr.Dropdown(
                    [], value=None, label="Only articles naming (pick in the Entities tab, or type)", elem_id="nd-about"
                )
        with gr.Column(scale=2):
            gr.Markdown("## Sources")
            sources_panel = gr.HTML(render.sources_html(None, {}), elem_id="nd-sources")
            pick = gr.Radio(label="Open the whole article of a citation", choices=[], elem_id="nd-pick")
            article = gr.HTML(elem_id="nd-article-box", max_height=460)
    with gr.Tab("Timeline"):
        with gr.Row():
            timeline_about = gr.Dropdown([], value=None, label="Only articles naming", elem_id="nd-timeline-about")
            timeline_words = gr.Textbox(label="Sentences holding", elem_id="nd-timeline-words")
            timeline_from = gr.Textbox(label="From (YYYY-MM-DD)")
            timeline_to = gr.Textbox(label="To (YYYY-MM-DD)")
            timeline_show = gr.Button("Show", variant="primary", elem_id="nd-timeline-show")
        timeline_plot = gr.ScatterPlot(
            x="date", y="publication", color="publication", label="Events over time", elem_id="nd-timeline-plot"
        )
        timeline_table = gr.Dataframe(
            [],
            headers=["when", "precision", "sentence", "source", "dated otherwise by"],
            interactive=False,
            wrap=True,
            elem_id="nd-timeline",
        )
        timeline_article = gr.HTML(elem_id="nd-timeline-article", max_height=460)
        timeline_events = gr.State([])
    with gr.Tab("Entities"):
        gr.Markdown("People, organisations and places the articles name. Choose one to ask only about it.")
        entities = gr.Dataframe(
            [], headers=["name", "kind", "articles", "mentions"], interactive=False, elem_id="nd-entities"
        )
    with gr.Tab("Corpus"):
        table = gr.Dataframe(
            shared.corpus_table(),
            headers=["title", "publication", "date", "sentences", "chunks", "file"],
            interactive=False,
            elem_id="nd-corpus",
        )
        files = gr.File(
            label="Add articles (.txt, .md, .html)",
            file_count="multiple",
            file_types=[".txt", ".md", ".markdown", ".html", ".htm"],
            elem_id="nd-upload",
        )
        with gr.Row():
            url = gr.Textbox(label="Add an article by its address (http or https)", scale=5, elem_id="nd-url")
            fetch = gr.Button("Fetch and index", scale=1, elem_id="nd-fetch")
        with gr.Row():
            feed = gr.Textbox(label="Follow an RSS or Atom feed", scale=4, elem_id="nd-feed")
            follow = gr.Button("Follow", scale=1, elem_id="nd-follow")
            unfollow = gr.Button("Stop following", scale=1, elem_id="nd-unfollow")
            poll = gr.Button("Poll feeds now", scale=1, elem_id="nd-poll")
        feeds = gr.HTML(shared.feed_lines(), elem_id="nd-feeds")
        upload_status = gr.Markdown(elem_id="nd-upload-status")
    return Page(
        status,
        chat,
        question,
        send,
        comment,
        clear,
        date_from,
        date_to,
        sources,
        sources_panel,
        pick,
        article,
        table,
        files,
        upload_status,
        history,
        answers,
        url,
        fetch,
        feed,
        follow,
        unfollow,
        poll,
        feeds,
        about,
        entities,
        Timeline(
            timeline_about,
            timeline_words,
            timeline_from,
            timeline_to,
            timeline_show,
            timeline_plot,
            timeline_table,
            timeline_article,
            timeline_events,
        ),
    )


def _wire(gr, shared: Shared, page: Page):
    """Event handlers, each bound to its components; ``/ask`` and ``/upload`` are the API.
    Returns what fills the Entities tab when a page loads."""
    _wire_chat(gr, shared, page)
    _wire_corpus(gr, shared, page)
    listed = _wire_entities(gr, shared, page)
    _wire_timeline(gr, shared, page.timeline)
    _wire_api(gr, shared)
    return listed


def _wire_chat(gr, shared: Shared, page: Page) -> None:
    """Asking, opening a cited article, clearing the conversation, thumbs up or down."""

    def respond(
        question: str,
        chat: list,
        history: list[str],
        answers: list,
        date_from: str,
        date_to: str,
        sources: list[str],
        about: str | None,
    ):
        question = (question or "").strip()
        unchanged = (gr.update(), chat, history, answers, gr.update(), gr.update(), gr.update())
        if not question:
            gr.Warning(prompts.render("no_question"))
            return unchanged
        try:
            answer = shared.assistant.ask(
                question,
                history,
                date_from=(date_from or "").strip(),
                date_to=(date_to or "").strip(),
                sources=sources or [],
                articles=shared.assistant.articles_about(about) if about else (),
            )
        except AssistantError as exc:
            gr.Warning(str(exc))
            return unchanged
        chat = [
            *chat,
            {"role": "user", "content": render.escape_markdown(question)},
            {"role": "assistant", "content": render.answer_markdown(answer)},
        ]
        choices = [(f"[{c.number}] {c.label}", c.number) for c in answer.citations]
        return (
            "",
            chat,
            [*history, question],
            [*answers, answer],
            render.sources_html(answer, shared.cited_documents(answer)),
            gr.update(choices=choices, value=None),
            "",
        )

    def open_article(number: int | None, answers: list) -> str:
        return shared.whole_article(number, answers)

    def clear():
        return [], [], [], render.sources_html(None, {}), gr.update(choices=[], value=None), ""

    def feedback(data: gr.LikeData, comment: str, answers: list, history: list[str]):
        turn = data.index[0] if isinstance(data.index, (list, tuple)) else data.index
        position = turn // 2  # user and assistant messages alternate
        if position >= len(answers):
            return comment
        record_feedback(
            shared.feedback,
            question=history[position],
            answer=answers[position],
            verdict="up" if data.liked else "down",
            comment=comment or "",
            history=history[:position],
        )
        gr.Info(prompts.render("feedback_saved"))
        return ""

    p = page
    ask_inputs = [p.question, p.chat, p.history, p.answers, p.date_from, p.date_to, p.sources, p.about]
    ask_outputs = [p.question, p.chat, p.history, p.answers, p.sources_panel, p.pick, p.article]
    p.send.click(respond, ask_inputs, ask_outputs, api_visibility="private")
    p.question.submit(respond, ask_inputs, ask_outputs, api_visibility="private")
    p.pick.change(open_article, [p.pick, p.answers], p.article, api_visibility="private").then(
        None, None, None, js=SCROLL_TO_CITED
    )
    p.clear.click(
        clear, None, [p.chat, p.history, p.answers, p.sources_panel, p.pick, p.article], api_visibility="private"
    )
    p.chat.like(feedback, [p.comment, p.answers, p.history], p.comment, api_visibility="private")


def _wire_corpus(gr, shared: Shared, page: Page) -> None:
    """Uploads, articles by address and feeds: stored, indexed, and the corpus table, status and
    publication filter refreshed."""

    def upload(files: list | None, progress=gr.Progress()):  # noqa: B008 (how Gradio asks for its tracker)
        return refreshed(shared.upload(files or [], tracker(progress)))

    def tracker(progress) -> Progress:
        return lambda phase, done, total: progress((done, total), desc=phase, unit=PHASES[phase] + "s")

    def refreshed(text: str):
        rows = shared.entity_table()
        publications = gr.update(choices=shared.assistant.publications())
        return text, shared.corpus_table(), shared.status(), publications, rows, gr.update(choices=entity_names(rows))

    def add_url(url: str, progress=gr.Progress()):  # noqa: B008
        return ("", *refreshed(shared.add_url(url, tracker(progress))))

    def follow(url: str):
        url = (url or "").strip()
        try:
            followed = shared.assistant.follow_feed(url)
        except AssistantError as exc:
            return url, prompts.render("upload_refused", reason=render.escape_markdown(str(exc))), gr.update()
        key = "feed_added" if followed else "feed_known"
        return "", prompts.render(key, url=render.escape_markdown(url)), shared.feed_lines()

    def unfollow(url: str):
        url = (url or "").strip()
        key = "feed_removed" if shared.assistant.unfollow_feed(url) else "feed_unknown"
        return "", prompts.render(key, url=render.escape_markdown(url)), shared.feed_lines()

    def poll(progress=gr.Progress()):  # noqa: B008
        return refreshed(shared.poll(tracker(progress)))

    corpus_outputs = [page.upload_status, page.table, page.status, page.sources, page.entities, page.about]
    page.files.upload(upload, page.files, corpus_outputs, api_name="upload")
    page.fetch.click(add_url, page.url, [page.url, *corpus_outputs], api_name="add_url")
    page.url.submit(add_url, page.url, [page.url, *corpus_outputs], api_visibility="private")
    followed = [page.feed, page.upload_status, page.feeds]
    page.follow.click(follow, page.feed, followed, api_visibility="private")
    page.unfollow.click(unfollow, page.feed, followed, api_visibility="private")
    page.poll.click(poll, None, corpus_outputs, api_name="poll_feeds").then(
        shared.feed_lines, None, page.feeds, api_visibility="private"
    )


def _wire_entities(gr, shared: Shared, page: Page) -> None:
    """The Entities tab, filled when the page loads (each article is read by the model once, then
    cached), and a chosen row narrowing the chat to the articles naming it."""

    def listed():
        rows = shared.entity_table()
        names = entity_names(rows)
        return rows, gr.update(choices=names), gr.update(choices=names)

    def choose(rows, event: gr.SelectData):
        name = rows.iloc[event.index[0], 0]  # a Dataframe reaches handlers as pandas
        gr.Info(prompts.render("entity_chosen", name=name))
        return name, name

    page.entities.select(choose, page.entities, [page.about, page.timeline.about], api_visibility="private")
    return listed


def _wire_timeline(gr, shared: Shared, view: Timeline) -> None:
    """The Timeline tab: the events of the chosen articles, words and dates as a plot (coloured by
    publication) and a list; choosing an entry shows its article with the sentence marked."""
    import pandas as pd

    def show(about: str | None, words: str, date_from: str, date_to: str):
        try:
            found = shared.assistant.timeline(
                about=about or "",
                words=words or "",
                date_from=(date_from or "").strip(),
                date_to=(date_to or "").strip(),
            )
        except AssistantError as exc:
            gr.Warning(str(exc))
            return gr.update(), gr.update(), gr.update(), []
        plot = pd.DataFrame(
            {
                "date": pd.to_datetime([e.date for e in found]),
                "publication": [e.publication or prompts.render("publication_unknown") for e in found],
                "sentence": [e.text for e in found],
            }
        )
        rows = [
            [
                e.when,
                e.precision,
                e.text,
                " · ".join(x for x in (e.label, e.publication) if x),
                "; ".join(e.conflicts),
            ]
            for e in found
        ]
        if not found:
            gr.Info(prompts.render("timeline_empty"))
        return plot, rows, "", found

    def open_event(found: list, event: gr.SelectData):
        chosen = found[event.index[0]] if found and event.index[0] < len(found) else None
        return shared.article_view(chosen.doc_id, chosen.start, chosen.end) if chosen else ""

    inputs = [view.about, view.words, view.date_from, view.date_to]
    view.show.click(show, inputs, [view.plot, view.table, view.article, view.events], api_visibility="private")
    view.table.select(open_event, view.events, view.article, api_visibility="private")


def _wire_api(gr, shared: Shared) -> None:
    """``/ask``: the Answer as JSON, for programs (gradio_client)."""

    def ask(
        question: str,
        history: list[str] | None = None,
        date_from: str = "",
        date_to: str = "",
        sources: list[str] | None = None,
    ) -> dict:
        """Answer a question with cited sentences; history holds earlier questions, oldest first."""
        try:
            answer = shared.assistant.ask(
                question, history or [], date_from=date_from, date_to=date_to, sources=sources or []
            )
        except AssistantError as exc:  # gr.Error reaches the client even with show_error=False
            raise gr.Error(str(exc)) from None
        result = asdict(answer)
        result.pop("passages")
        return result

    gr.api(ask, api_name="ask")


def _store_upload(assistant: Assistant, file: Any) -> tuple[bool, str]:
    """Store one uploaded file in the corpus; (stored, the line saying what happened)."""
    path = Path(file if isinstance(file, str) else file.name)
    try:
        written = assistant.add_article(path.name, path.read_bytes())
    except AssistantError as exc:  # its message names the file and the problem
        return False, prompts.render("upload_refused", reason=render.escape_markdown(str(exc)))
    return True, prompts.render("upload_added", file=render.escape_markdown(path.name), stored=written.name)


def _poll_forever(shared: Shared, seconds: float) -> None:
    """The app's feed schedule: a poll every ``seconds``, in the server process, whether or not a
    page is open; a failure is printed and the next poll still runs."""
    while True:
        time.sleep(seconds)
        try:
            print(shared.poll(), file=sys.stderr, flush=True)
        except Exception as exc:  # noqa: BLE001 (a schedule must outlive one bad poll)
            print(f"warning: feed poll failed: {exc!r}", file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Serve the Newsdesk chat.")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=7860)
    parser.add_argument("--corpus", type=Path)
    parser.add_argument("--index", type=Path)
    parser.add_argument(
        "--feedback",
        type=Path,
        default=PROJECT_DIR / "feedback.jsonl",
        help="where thumbs up/down are appended (default: feedback.jsonl in the project)",
    )
    parser.add_argument("--auth", metavar="USER:PASSWORD", help="required to bind beyond loopback")
    parser.add_argument(
        "--insecure-no-auth", action="store_true", help="bind beyond loopback without a password (you accept the risk)"
    )
    parser.add_argument(
        "--poll-minutes",
        type=float,
        default=30.0,
        help="poll the followed feeds every this many minutes (default 30; 0: only when asked)",
    )
    parser.add_argument("--allow-private", action="store_true", help="also fetch from loopback and private addresses")
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
    if args.allow_private:
        assistant = assistant.with_settings(replace(assistant.settings, allow_private=True))
    shared = Shared(assistant, args.feedback)
    if args.poll_minutes > 0:
        threading.Thread(target=_poll_forever, args=(shared, args.poll_minutes * 60), daemon=True).start()
    app = build_app(shared)
    app.queue(default_concurrency_limit=4).launch(
        server_name=args.host,
        server_port=args.port,
        auth=auth,
        show_error=False,
        css=CSS,
        js=CITATION_LINKS,
        footer_links=[],  # Gradio's footer links are too faint to read (axe: color-contrast)
        max_file_size=assistant.settings.max_article_bytes,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
