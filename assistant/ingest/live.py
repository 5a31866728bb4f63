"""Live sources: add an article by its address, and follow RSS and Atom feeds.

An added page is stored in the corpus folder like any other article, as
``web-<first 12 hex of sha256(address)><suffix>``, with its address and fetch time as
front matter (``url``, ``fetched``); the address, not the bytes, names it, so adding the
same page again replaces the stored copy with what the site says now.  It is validated
exactly as indexing will read it (``parse_article``) before it is written, atomically.

Feeds are kept in the corpus folder too, in the hidden file ``FEEDS`` (reading the
corpus passes over hidden files): each feed's address and the items taken from it, so
a poll fetches only items never seen before.  An item counts as seen once it is stored or
refused for what it is (not an article, too large, empty); one that failed for a
reason that may pass (no answer, a server error) is tried again at the next poll.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import urljoin
from xml.etree import ElementTree

from assistant.errors import ArticleError, CorpusError, FetchError
from assistant.ingest.corpus import parse_article
from assistant.ingest.fetch import Fetched, fetch
from assistant.ingest.formats import is_web_address
from assistant.ingest.uploads import write_atomic
from assistant.settings import Settings

__all__ = ["FEEDS", "Feeds", "Item", "Poll", "add_url", "parse_feed", "poll"]

FEEDS = ".feeds.json"
ARTICLE_TYPES = ("text/html", "application/xhtml+xml", "text/plain", "text/markdown")
FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/xml", "text/xml")
_SUFFIX = {"text/plain": ".txt", "text/markdown": ".md"}  # the rest is HTML
_ATOM = "{http://www.w3.org/2005/Atom}"
_HASH_CHARS = 12


def add_url(corpus_dir: Path, url: str, settings: Settings) -> Path:
    """Fetch the page at ``url`` and store it in ``corpus_dir``; return the path written.

    Raises ``FetchError`` when it cannot be fetched (refused address, no answer, wrong type,
    too large) and ``ArticleError`` when what came back is not a readable article.
    """
    page = _fetch(url, ARTICLE_TYPES, settings)
    suffix = _SUFFIX.get(page.media_type, ".html")
    name = f"web-{hashlib.sha256(page.url.encode('utf-8')).hexdigest()[:_HASH_CHARS]}{suffix}"
    address = "".join(c for c in page.final_url if c >= " ")  # one line, whatever the server sent
    front = f"---\nurl: {address}\nfetched: {page.fetched}\n---\n"
    data = (front + page.text()).encode("utf-8")
    if len(data) > settings.max_article_bytes:
        raise ArticleError(
            f"{url} is {len(data):,} bytes as text, over max_article_bytes ({settings.max_article_bytes:,})"
        )
    try:
        parse_article(name, data, suffix)
    except ArticleError as error:
        raise ArticleError(f"cannot add {url}: {error}") from None
    root = Path(corpus_dir)
    try:
        root.mkdir(parents=True, exist_ok=True)
        return write_atomic(root / name, data)
    except OSError as error:
        raise CorpusError(f"cannot write into {root}: {error.strerror or error}; check that it is writable") from None


@dataclass(frozen=True)
class Item:
    """One entry of a feed: its identity (guid or id, else its link), link and title."""

    key: str
    link: str
    title: str


def parse_feed(data: bytes) -> list[Item]:
    """The items of an RSS 2.0 or Atom document, in document order (those without a link are
    left out).  Raises ``FetchError`` for malformed XML, entity declarations (which expand
    into memory bombs) or a document that is neither format."""
    head = data[:4096].lower()
    if b"<!doctype" in head or b"<!entity" in head:
        raise FetchError("the feed declares a document type or entities; refused (feeds need neither)")
    try:
        root = ElementTree.fromstring(data)
    except ElementTree.ParseError as error:
        raise FetchError(f"the feed is not well-formed XML ({error})") from None
    items = []
    if root.tag == "rss" or root.find("channel") is not None:
        for entry in root.iter("item"):
            link = (entry.findtext("link") or "").strip()
            key = (entry.findtext("guid") or "").strip() or link
            items.append(Item(key, link, (entry.findtext("title") or "").strip()))
    elif root.tag == f"{_ATOM}feed":
        for entry in root.iter(f"{_ATOM}entry"):
            links = entry.findall(f"{_ATOM}link")
            chosen = next((x for x in links if x.get("rel", "alternate") == "alternate"), None)
            link = (chosen.get("href") if chosen is not None else "") or ""
            key = (entry.findtext(f"{_ATOM}id") or "").strip() or link
            items.append(Item(key, link.strip(), (entry.findtext(f"{_ATOM}title") or "").strip()))
    else:
        raise FetchError(f"the document is neither RSS nor Atom (its root is <{root.tag}>)")
    return [item for item in items if item.link]


@dataclass
class Feeds:
    """The corpus's feed subscriptions and the items seen of each (``FEEDS``)."""

    path: Path
    seen: dict[str, list[str]] = field(default_factory=dict)  # feed address -> item keys, in order seen

    @classmethod
    def of(cls, corpus_dir: Path) -> Feeds:
        path = Path(corpus_dir) / FEEDS
        try:
            stored = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return cls(path)
        except (OSError, ValueError) as error:
            raise CorpusError(f"cannot read the feed list {path}: {error}; fix or delete it") from None
        followed = stored.get("feeds") if isinstance(stored, dict) else None
        if not isinstance(followed, dict) or not all(isinstance(v, list) for v in followed.values()):
            raise CorpusError(f"the feed list {path} is not one this version wrote; fix or delete it")
        return cls(path, {url: list(keys) for url, keys in followed.items()})

    def add(self, url: str) -> bool:
        """Subscribe to ``url``; False when it already was.  Raises ``FetchError`` for an
        address that is not http(s)."""
        if not is_web_address(url):
            raise FetchError(f"cannot follow {url!r}: only http and https feeds can be added")
        if url in self.seen:
            return False
        self.seen[url] = []
        self.save()
        return True

    def remove(self, url: str) -> bool:
        if self.seen.pop(url, None) is None:
            return False
        self.save()
        return True

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(self.path, json.dumps({"feeds": self.seen}, indent=1, ensure_ascii=False).encode("utf-8"))


@dataclass
class Poll:
    """What one poll did: files stored, items refused or failed (address, reason), feeds that
    failed (address, reason), and how many items were passed over as seen before."""

    stored: list[Path] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    seen_before: int = 0


def poll(corpus_dir: Path, settings: Settings, *, max_items: int = 50) -> Poll:
    """Fetch every subscribed feed and store each item not seen before (at most ``max_items``
    per feed per poll); a feed that fails is reported and the others still polled."""
    feeds = Feeds.of(corpus_dir)
    report = Poll()
    for url, seen in feeds.seen.items():
        try:
            page = _fetch(url, FEED_TYPES, settings)
            items = [replace(i, link=urljoin(page.final_url, i.link)) for i in parse_feed(page.data)]
        except FetchError as error:
            report.failed.append((url, str(error)))
            continue
        known = set(seen)
        fresh = [item for item in items if item.key not in known]
        report.seen_before += len(items) - len(fresh)
        for item in fresh[:max_items]:
            try:
                report.stored.append(add_url(corpus_dir, item.link, settings))
            except (ArticleError, FetchError) as error:
                if isinstance(error, FetchError) and error.transient:
                    report.failed.append((item.link, str(error)))
                    continue
                report.refused.append((item.link, str(error)))
            seen.append(item.key)
            known.add(item.key)
        feeds.save()
    return report


def _fetch(url: str, accept: tuple[str, ...], settings: Settings) -> Fetched:
    return fetch(
        url,
        accept=accept,
        max_bytes=settings.max_article_bytes,
        timeout=settings.fetch_timeout,
        max_redirects=settings.max_redirects,
        allow_private=settings.allow_private,
    )
