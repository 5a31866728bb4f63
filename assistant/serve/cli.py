"""``assistant`` command line: index, search, ask, chat, and (with the eval extra) eval, external.

The only place that turns errors into messages and exit codes: a failing
command prints one line ``error: …`` and exits 1; a bad file in the corpus is a
``warning: …`` line and the rest of the corpus is still indexed.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from assistant import prompts
from assistant.errors import AssistantError
from assistant.settings import MODES, Settings, load_settings
from assistant.types import PHASES


def _common(parser: argparse.ArgumentParser, folders: bool = True) -> None:
    """The options every command shares; ``eval`` writes its own corpora and indexes (no folders)."""
    if folders:
        parser.add_argument("--corpus", type=Path, help="article folder (default: the project's corpus/)")
        parser.add_argument("--index", type=Path, help="index folder (default: the project's index/)")
    parser.add_argument(
        "--model", help="embedding model: e5-small-v2 (default), all-MiniLM-L6-v2, or a sentence-transformers folder"
    )
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a setting (see assistant/settings.py); repeatable",
    )


def _filters(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--from", dest="date_from", default="", metavar="YYYY-MM-DD", help="articles published on or after"
    )
    parser.add_argument(
        "--to", dest="date_to", default="", metavar="YYYY-MM-DD", help="articles published on or before"
    )
    parser.add_argument("--source", action="append", default=[], help="only this publication; repeatable")
    parser.add_argument("--about", metavar="NAME", help="only articles naming this person, organisation or place")


def _fetching(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--allow-private",
        action="store_true",
        help="also fetch from loopback and private addresses (refused by default: the allow_private setting)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="assistant", description="Offline, cited question answering over news articles."
    )
    commands = parser.add_subparsers(dest="command", required=True)

    index = commands.add_parser("index", help="build or update the index of the corpus folder")
    _common(index)
    index.add_argument("--rebuild", action="store_true", help="re-embed everything, ignoring the existing index")
    index.add_argument(
        "--report", action="store_true", help="print each article's metadata and every line removed as boilerplate"
    )
    index.add_argument(
        "--engine",
        choices=("local", "ray"),
        default="local",
        help="where the model runs: this process, or a Ray cluster (RAY_ADDRESS, else a local Ray; the [ray] extra)",
    )

    search = commands.add_parser("search", help="print the passages that best match a query")
    _common(search)
    search.add_argument("query")
    search.add_argument("-k", type=int, help="how many passages (default: the k setting, 5)")
    search.add_argument("--mode", choices=MODES)
    _filters(search)
    search.add_argument("--json", action="store_true", help="print JSON instead of text")

    ask = commands.add_parser("ask", help="answer a question with cited sentences from the articles")
    _common(ask)
    ask.add_argument("question")
    ask.add_argument(
        "--history",
        action="append",
        default=[],
        metavar="TURN",
        help="an earlier question of the conversation (repeatable, oldest first)",
    )
    _filters(ask)
    ask.add_argument("--json", action="store_true", help="print the whole Answer as JSON")
    ask.add_argument(
        "--corroboration",
        action="store_true",
        help="list, for each answer sentence, the articles and publications stating the same fact",
    )

    timeline = commands.add_parser("timeline", help="every sentence that dates what it reports, in date order")
    _common(timeline)
    timeline.add_argument("--about", metavar="NAME", help="only articles naming this person, organisation or place")
    timeline.add_argument("--words", default="", help="only sentences holding these words")
    timeline.add_argument("--from", dest="date_from", default="", metavar="YYYY-MM-DD")
    timeline.add_argument("--to", dest="date_to", default="", metavar="YYYY-MM-DD")
    timeline.add_argument("--json", action="store_true", help="print the events as JSON")

    summarize = commands.add_parser("summarize", help="an article's most central sentences, in article order")
    _common(summarize)
    summarize.add_argument("article", help="the article's id (its file name in the corpus folder)")
    summarize.add_argument("-n", "--sentences", type=int, default=3, help="how many sentences (default 3)")
    summarize.add_argument("--json", action="store_true", help="print the sentences as JSON, with their offsets")

    entities = commands.add_parser("entities", help="the people, organisations and places the articles name")
    _common(entities)
    entities.add_argument("--kind", choices=("person", "organisation", "place"))
    entities.add_argument("--top", type=int, default=50, help="how many, those in most articles first (default 50)")
    entities.add_argument("--json", action="store_true", help="print every one as JSON, with its articles")

    chat = commands.add_parser("chat", help="an interactive conversation (follow-up questions work; /clear, /quit)")
    _common(chat)

    add = commands.add_parser("add", help="fetch articles by their addresses into the corpus folder, then index")
    _common(add)
    add.add_argument("urls", nargs="+", metavar="URL")
    _fetching(add)

    follow = commands.add_parser("feeds", help="follow RSS and Atom feeds: add, remove, list, poll")
    _common(follow)
    actions = follow.add_subparsers(dest="action", required=True)
    for action, text in (("add", "follow a feed"), ("remove", "stop following a feed")):
        actions.add_parser(action, help=text).add_argument("url", metavar="URL")
    actions.add_parser("list", help="the feeds followed, with how many items each has given")
    _fetching(actions.add_parser("poll", help="store every item not seen before, then index"))

    evaluate = commands.add_parser("eval", help="score retrieval and answers on the question sets, dev and test apart")
    _common(evaluate, folders=False)
    evaluate.add_argument("--sets", nargs="+", help="question sets (default: bundled news; see eval/README.md)")
    evaluate.add_argument(
        "--data", type=Path, help="the shared data folder (default: ../shared/data beside the project)"
    )
    evaluate.add_argument("--json", dest="json_out", type=Path, metavar="OUT", help="also write the results as JSON")
    evaluate.add_argument("--models", nargs="+", help="embedders to compare (default: e5-small-v2 all-MiniLM-L6-v2)")
    external = commands.add_parser("external", help="score on public data: TrecQA, WikiQA, SQuAD (slow)")
    _common(external)
    external.add_argument(
        "--data", type=Path, help="the shared data folder (default: ../shared/data beside the project)"
    )
    external.add_argument("--answers", type=int, default=300, help="SQuAD questions answered with ask (default 300)")
    external.add_argument("--json", dest="json_out", type=Path, metavar="OUT", help="also write the results as JSON")
    return parser


def _settings(args: argparse.Namespace) -> Settings:
    from assistant.pipeline import PROJECT_DIR

    overrides: dict[str, Any] = {}
    for item in args.set:
        key, sep, value = item.partition("=")
        if not sep:
            raise AssistantError(f"--set takes KEY=VALUE, got {item!r}")
        overrides[key.strip()] = value.strip()
    if args.model:
        overrides["model"] = args.model
    if getattr(args, "allow_private", False):  # `add` and `feeds poll`
        overrides["allow_private"] = True
    return load_settings(PROJECT_DIR, overrides)


def _dirs(args: argparse.Namespace) -> tuple[Path, Path]:
    from assistant.pipeline import PROJECT_DIR

    return args.corpus or PROJECT_DIR / "corpus", args.index or PROJECT_DIR / "index"


class PhaseProgress:
    """A build's progress on stderr: on a terminal, a bar per phase with its rate and time
    left (tqdm); otherwise (a log, a pipe) one line per phase as it ends, so an hour's
    build is neither silent nor a log full of redrawn bars."""

    def __init__(self, stream=None) -> None:
        self.stream = stream or sys.stderr
        self.terminal = self.stream.isatty()
        self.phase = ""
        self.bar = None
        self.started = 0.0

    def __call__(self, phase: str, done: int, total: int) -> None:
        if phase != self.phase:
            self.close()
            self.phase, self.started = phase, time.perf_counter()
            if self.terminal:
                from tqdm import tqdm

                self.bar = tqdm(total=total, desc=phase, unit=PHASES.get(phase, "step"), file=self.stream)
        if self.bar is not None:
            self.bar.update(done - self.bar.n)
        if done >= total:
            self.close(done)

    def close(self, done: int | None = None) -> None:
        """End the current phase: close its bar, or write its one line."""
        if self.bar is not None:
            self.bar.close()
        elif self.phase and done is not None:
            took = time.perf_counter() - self.started
            unit = PHASES.get(self.phase, "step")
            rate = f", {done / took:.1f} {unit}s/s" if took > 0 else ""
            print(f"{self.phase}: {done} {unit}s in {took:.1f} s{rate}", file=self.stream, flush=True)
        self.bar, self.phase = None, ""


def cmd_index(args: argparse.Namespace) -> int:
    from assistant.pipeline import build_index, scan_corpus

    settings = _settings(args)
    corpus, index = _dirs(args)
    report = build_index(corpus, index, settings, rebuild=args.rebuild, progress=PhaseProgress(), engine=args.engine)
    for skipped in report.skipped:
        print(prompts.render("skipped_file", path=skipped.path, reason=skipped.reason), file=sys.stderr)
    for dup in report.duplicates:
        print(
            prompts.render("skipped_duplicate", path=dup.doc_id, kept=dup.kept, similarity=f"{dup.similarity:.2f}"),
            file=sys.stderr,
        )
    if args.report:
        print(format_report(scan_corpus(corpus, settings)))
    _print_build(report, index)
    return 0


def _print_build(report, index: Path) -> None:
    seconds = f"{report.seconds:.2f}"
    if report.up_to_date:
        print(prompts.render("index_up_to_date", count=len(report.unchanged), index=index, seconds=seconds))
        return
    print(
        prompts.render(
            "index_updated",
            index=index,
            added=len(report.added),
            changed=len(report.changed),
            removed=len(report.removed),
            unchanged=len(report.unchanged),
            embedded=report.texts_embedded,
            seconds=seconds,
        )
    )


def format_report(scan) -> str:
    """Per article: the metadata found and every line removed, so a person can check the cleaning."""
    out = []
    for article in scan.articles:
        doc = article.document
        out.append(f"== {doc.doc_id}")
        for field in ("title", "publication", "author", "date"):
            out.append(f"   {field + ':':13}{getattr(doc, field) or '(not found)'}")
        out.append(f"   kept:        {len(doc.text):,} characters")
        out.append(f"   removed:     {len(article.removed)} lines")
        for removal in article.removed:
            text = removal.text if len(removal.text) <= 90 else removal.text[:87] + "..."
            out.append(f"     line {removal.line_no:>3}  [{scan.reason(removal)}]  {text}")
    for skipped in scan.skipped:
        out.append(f"== {skipped.path}: skipped, {skipped.reason}")
    for dup in scan.duplicates:
        out.append(f"== {dup.doc_id}: skipped, duplicate of {dup.kept} (similarity {dup.similarity:.2f})")
    return "\n".join(out)


def _filter_args(args: argparse.Namespace, assistant) -> dict[str, Any]:
    """The keyword filters of ``search`` and ``ask``: dates, publications, an entity's articles."""
    articles = assistant.articles_about(args.about) if args.about else ()
    return {"date_from": args.date_from, "date_to": args.date_to, "sources": args.source, "articles": articles}


def cmd_search(args: argparse.Namespace) -> int:
    from assistant.pipeline import Assistant

    corpus, index = _dirs(args)
    assistant = Assistant.load(corpus, index, _settings(args))
    passages = assistant.search(args.query, args.k, mode=args.mode, **_filter_args(args, assistant))
    if args.json:
        print(json.dumps([asdict(p) for p in passages], ensure_ascii=False, indent=2))
        return 0
    if not passages:
        print(prompts.render("no_passage"))
    for rank, p in enumerate(passages, start=1):
        meta = ", ".join(x for x in (p.source, p.date) if x) or prompts.render("source_and_date_unknown")
        print(f"[{rank}] {p.label} ({meta}) score {p.score:.3f}")
        print(f"    {p.doc_id} chars {p.start}-{p.end}")
        print("    " + p.text.replace("\n", "\n    "))
        print()
    return 0


def format_answer(answer, corroboration: bool = False) -> str:
    """An Answer as plain text: a partial answer's or an abstention's label, the answer, its
    citations with dates, with ``corroboration`` the articles stating each sentence's fact, and
    what was searched."""
    lines = [f"[{prompts.outcome_label(answer.outcome)}]", answer.text, ""] if answer.abstained else [answer.text, ""]
    for c in answer.citations:
        lines.append(prompts.citation_label(c))
        lines.append(f"    “{c.text}” ({c.doc_id}, chars {c.start}–{c.end})")
        if c.stated_by:
            lines.append("    " + prompts.render("stated_by", source=c.stated_by))
        lines.extend(f"    {note}" for note in c.date_notes)
    if corroboration:
        for s in answer.sentences:
            if s.stated_in:
                lines += ["", f"“{s.text}”", "    " + prompts.corroboration_label(s)]
                lines += [f"    - {t.label} ({t.publication or '?'}, {t.doc_id})" for t in s.stated_in]
    if answer.query != answer.question:
        lines.append(prompts.render("followup_note", query=answer.query))
    return "\n".join(lines).rstrip()


def cmd_ask(args: argparse.Namespace) -> int:
    from assistant.pipeline import Assistant

    corpus, index = _dirs(args)
    assistant = Assistant.load(corpus, index, _settings(args))
    answer = assistant.ask(args.question, args.history, **_filter_args(args, assistant))
    print(
        json.dumps(asdict(answer), ensure_ascii=False, indent=2)
        if args.json
        else format_answer(answer, args.corroboration)
    )
    return 0


def cmd_chat(args: argparse.Namespace) -> int:
    from assistant.pipeline import Assistant

    corpus, index = _dirs(args)
    assistant = Assistant.load(corpus, index, _settings(args))
    print(assistant.greeting())
    history: list[str] = []
    while True:
        try:
            question = input("\n> ").strip()
        except EOFError:
            return 0
        if question in ("/quit", "/exit"):
            return 0
        if question == "/clear":
            history.clear()
            continue
        if not question:
            print(prompts.render("no_question"))
            continue
        try:
            print(format_answer(assistant.ask(question, history)))
        except AssistantError as exc:  # one bad question must not end the conversation
            print(f"error: {exc}")
            continue
        history.append(question)


def _evals(command: str) -> None:
    """``evals`` is an extra, not the product: say in one line how to get it when it is missing."""
    try:
        import evals
    except ModuleNotFoundError:
        missing = ["evals"]
    else:
        missing = evals.missing()
    if missing:
        raise AssistantError(prompts.render("eval_extra_missing", command=command, missing=", ".join(missing)))


def cmd_eval(args: argparse.Namespace) -> int:
    _evals("eval")
    from evals.corpora import DATA_DIR
    from evals.questions import SETS, load_sets
    from evals.report import run_eval

    sets = load_sets(args.sets or tuple(SETS))
    text, results = run_eval(sets, _settings(args), args.models, args.data or DATA_DIR)
    print(text)
    if args.json_out:
        args.json_out.write_text(json.dumps(asdict(results), indent=2, ensure_ascii=False), encoding="utf-8")
        print(prompts.render("wrote", path=args.json_out))
    return 0


def cmd_external(args: argparse.Namespace) -> int:
    _evals("external")
    from evals.corpora import DATA_DIR
    from evals.external import run_external

    data = args.data or DATA_DIR
    if not (data / "squad").is_dir():
        raise AssistantError(f"no shared data in {data}; pass --data DIR (the folder with squad/, trecqa/, wikiqa/)")
    results = run_external(data, _settings(args), args.answers)
    print(json.dumps(results, indent=2))
    if args.json_out:
        args.json_out.write_text(json.dumps(results, indent=2), encoding="utf-8")
    return 0


def cmd_timeline(args: argparse.Namespace) -> int:
    from assistant.pipeline import Assistant

    corpus, index = _dirs(args)
    assistant = Assistant.load(corpus, index, _settings(args))
    found = assistant.timeline(about=args.about or "", words=args.words, date_from=args.date_from, date_to=args.date_to)
    if args.json:
        print(json.dumps([asdict(e) for e in found], ensure_ascii=False, indent=2))
        return 0
    if not found:
        print(prompts.render("timeline_empty"))
    for e in found:
        source = ", ".join(x for x in (e.label, e.publication) if x)
        print(prompts.render("timeline_line", date=e.when, precision=e.precision, phrase=e.phrase, source=source))
        print(f"    {e.text}  ({e.doc_id}, chars {e.start}–{e.end})")
        for other in e.conflicts:
            print("    " + prompts.render("timeline_conflict", other=other))
    return 0


def cmd_summarize(args: argparse.Namespace) -> int:
    from assistant.pipeline import Assistant

    corpus, index = _dirs(args)
    chosen = Assistant.load(corpus, index, _settings(args)).summarize(args.article, args.sentences)
    if args.json:
        print(json.dumps([asdict(s) for s in chosen], ensure_ascii=False, indent=2))
        return 0
    for s in chosen:
        print(f"{s.text}  (chars {s.start}–{s.end})")
    return 0


def cmd_entities(args: argparse.Namespace) -> int:
    from assistant.pipeline import Assistant

    corpus, index = _dirs(args)
    found = [e for e in Assistant.load(corpus, index, _settings(args)).entities() if e.kind == (args.kind or e.kind)]
    if args.json:
        print(json.dumps([asdict(e) for e in found], ensure_ascii=False, indent=2))
        return 0
    for e in found[: args.top]:
        print(prompts.render("entity_line", name=e.name, kind=e.kind, articles=len(e.articles), mentions=e.mentions))
    return 0


def cmd_add(args: argparse.Namespace) -> int:
    from assistant.pipeline import add_url

    settings, (corpus, _) = _settings(args), _dirs(args)
    stored = 0
    for url in args.urls:
        try:
            path = add_url(corpus, url, settings)
        except AssistantError as exc:
            print(prompts.render("url_refused", url=url, reason=str(exc)), file=sys.stderr)
            continue
        stored += 1
        print(prompts.render("url_added", url=url, stored=path.name))
    if not stored:
        raise AssistantError(prompts.render("url_none_added", count=len(args.urls)))
    return _index_after(args, settings)


def cmd_feeds(args: argparse.Namespace) -> int:
    from assistant.pipeline import feeds, poll_feeds

    settings, (corpus, _) = _settings(args), _dirs(args)
    followed = feeds(corpus)
    if args.action == "add":
        key = "feed_added" if followed.add(args.url) else "feed_known"
        print(prompts.render(key, url=args.url))
    elif args.action == "remove":
        if not followed.remove(args.url):
            raise AssistantError(prompts.render("feed_unknown", url=args.url))
        print(prompts.render("feed_removed", url=args.url))
    elif args.action == "list":
        for url, seen in followed.seen.items():
            print(prompts.render("feed_line", url=url, seen=len(seen)))
        if not followed.seen:
            print(prompts.render("feed_none"))
    else:
        report = poll_feeds(corpus, settings)
        for url, reason in report.failed:
            print(prompts.render("feed_failed", url=url, reason=reason), file=sys.stderr)
        for url, reason in report.refused:
            print(prompts.render("url_refused", url=url, reason=reason), file=sys.stderr)
        print(prompts.render("feed_polled", stored=len(report.stored), seen=report.seen_before))
        if report.stored:
            return _index_after(args, settings)
    return 0


def _index_after(args: argparse.Namespace, settings: Settings) -> int:
    """Index the corpus after articles were added to it, as ``assistant index`` would."""
    from assistant.pipeline import build_index

    corpus, index = _dirs(args)
    _print_build(build_index(corpus, index, settings, progress=PhaseProgress()), index)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    handler = {
        "index": cmd_index,
        "search": cmd_search,
        "ask": cmd_ask,
        "chat": cmd_chat,
        "entities": cmd_entities,
        "timeline": cmd_timeline,
        "summarize": cmd_summarize,
        "add": cmd_add,
        "feeds": cmd_feeds,
        "eval": cmd_eval,
        "external": cmd_external,
    }[args.command]
    try:
        return handler(args)
    except AssistantError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
