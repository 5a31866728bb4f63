"""The people, organisations and places a corpus mentions, with their articles.

Found by the named-entity model (``models/ner.py``) in each article's paragraphs, and kept
beside the index (``ENTITIES``, SQLite) under the article's content hash and the model's
identity: an article is read by the model once, however often the corpus changes around
it, and the first listing of a large corpus is the only slow one.  Names are grouped as
written, with spacing, a leading "the" and a possessive ending ("Acme's") set aside, so "Ana Lima"
and "Lima" stay two entries: merging them would need knowledge the articles do not state.
"""

from __future__ import annotations

import json
import sqlite3
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from assistant.types import Document

ENTITIES = "entities.sqlite"
#: spaCy's labels, as a reader names them.
KINDS = {"PERSON": "person", "ORG": "organisation", "GPE": "place", "LOC": "place"}


@dataclass(frozen=True)
class Entity:
    """One name the articles mention: its kind, how often, and in which articles (doc ids, sorted)."""

    name: str
    kind: str
    mentions: int
    articles: tuple[str, ...]


def corpus_entities(documents: Iterable[Document], cache: Path) -> list[Entity]:
    """Every person, organisation and place of ``documents``: most articles first, then name."""
    documents = list(documents)
    found = _found(documents, cache)
    mentions: dict[tuple[str, str], int] = defaultdict(int)
    articles: dict[tuple[str, str], set[str]] = defaultdict(set)
    for doc in documents:
        for name, kind in found[doc.content_hash]:
            mentions[name, kind] += 1
            articles[name, kind].add(doc.doc_id)
    entities = [
        Entity(name, kind, mentions[name, kind], tuple(sorted(articles[name, kind]))) for name, kind in mentions
    ]
    return sorted(entities, key=lambda e: (-len(e.articles), -e.mentions, e.name.casefold(), e.kind))


def name_of(text: str) -> str:
    """A mention as it is listed: single spaces, no possessive ending, no leading "the", no
    surrounding quotes."""
    name = " ".join(text.split()).strip("\"'“”‘’")
    for ending in ("'s", "’s"):
        if name.endswith(ending):
            name = name[: -len(ending)]
    if name[:4].casefold() == "the ":
        name = name[4:]
    return name.strip()


def _found(documents: Sequence[Document], cache: Path) -> dict[str, list[tuple[str, str]]]:
    """Each document's (name, kind) mentions by content hash: from the cache, the rest found now
    (and stored, when the cache can be opened)."""
    model = _model_identity()
    known: dict[str, list[tuple[str, str]]] = {}
    db = _open(cache, model)
    try:
        if db is not None:
            hashes = {d.content_hash for d in documents}
            for content_hash, value in db.execute("select content_hash, mentions from documents"):
                if content_hash in hashes:
                    known[content_hash] = [tuple(m) for m in json.loads(value)]
        missing = {d.content_hash: d for d in documents if d.content_hash not in known}
        fresh = {h: _mentions(d.text) for h, d in missing.items()}
        known.update(fresh)
        if db is not None and fresh:
            with db:
                db.executemany(
                    "insert or replace into documents values (?, ?)",
                    ((h, json.dumps(m, ensure_ascii=False)) for h, m in fresh.items()),
                )
    finally:
        if db is not None:
            db.close()
    return known


def _mentions(text: str) -> list[tuple[str, str]]:
    """(name, kind) of every person, organisation and place named in ``text``, paragraph by
    paragraph (a paragraph is what the model reads well, and keeps long articles in bounds)."""
    from assistant.models.ner import entities

    paragraphs = [p for p in text.split("\n\n") if p.strip()]
    found = []
    for paragraph in entities(paragraphs):
        for mention, label, _, _ in paragraph:
            if label in KINDS and (name := name_of(mention)):
                found.append((name, KINDS[label]))
    return found


def _model_identity() -> str:
    from assistant.models.ner import PACKAGE

    try:
        return f"{PACKAGE}=={version(PACKAGE.replace('_', '-'))}"
    except PackageNotFoundError:
        return PACKAGE


def _open(path: Path, model: str) -> sqlite3.Connection | None:
    """The cache, emptied when another model (or nothing readable) wrote it; None when it cannot
    be opened at all (the entities are then found afresh: the cache only saves time)."""
    try:
        db = sqlite3.connect(path)
        with db:
            db.execute("create table if not exists meta (model text not null)")
            db.execute("create table if not exists documents (content_hash text primary key, mentions text not null)")
            stored = db.execute("select model from meta").fetchone()
            if stored is None or stored[0] != model:
                db.execute("delete from documents")
                db.execute("delete from meta")
                db.execute("insert into meta values (?)", (model,))
        return db
    except sqlite3.DatabaseError:
        path.unlink(missing_ok=True)
        return None
