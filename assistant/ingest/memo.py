"""What reading and cleaning each file gave last time, so an update re-cleans only what changed.

Reading a corpus cleans every file twice (once alone, to find duplicates; once with the
boilerplate learned across the corpus) and fingerprints each draft for duplicate search:
at archive scale that is most of the time it takes to add one article.  Each step is a
pure function of its inputs, so its result is kept under a digest of them:

* a file's *draft* (cleaned alone), its short lines (what ``learn_boilerplate`` counts)
  and the draft's fingerprint (``dedupe``): keyed by the file's path, suffix and bytes,
  and the *context*: the corpus's furniture rules, the body model's fingerprint and the
  source of the ``ingest`` package, so that new cleaning code or a new model never
  reuses an old result;
* a file's final article: the same key, plus which of the file's own short lines the
  corpus has learned as boilerplate, the only part of the corpus-wide learning its
  cleaning reads.

Two more records spare an update from touching every file of an archive:

* each file's status (size, times, inode) when its key was taken: a file whose status
  is unchanged, and old enough for its time stamps to mean something, has the same key,
  so its bytes are not read again;
* the last duplicate search: the files it read (path and key) and what it found, which
  stands as long as the files changed since meet none of the others (``dedupe.unrelated``).

The memo is a SQLite file beside the index (``MEMO``), written in one transaction at the
end of a read, which also drops the rows of files no longer read.  A memo that cannot be
read, or was written by another version of this module, is deleted and rebuilt: it only
ever saves time, it never decides anything.  No pickle: values are JSON and raw bytes.
A file's draft is read from the database only when a full duplicate search needs it.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from functools import cache, lru_cache
from pathlib import Path

from assistant.ingest.dedupe import Duplicate, Fingerprint
from assistant.types import Document, Removal

MEMO = "cleaning-memo.sqlite"
VERSION = 2  # SQLite's user_version: another layout is dropped, not read
_SCHEMA = (
    "create table if not exists files (key text primary key, draft text, lines text not null,"
    " digest text, signature blob, final_key text, final text)",
    "create table if not exists paths (doc_id text primary key, status text not null, key text not null)",
    "create table if not exists dedupe (threshold real primary key, members text not null, found text not null)",
)

#: A row written again (its final article added) keeps the draft it was stored with.
_UPSERT = (
    "insert into files values (?, ?, ?, ?, ?, ?, ?) on conflict(key) do update set"
    " draft = coalesce(excluded.draft, files.draft), lines = excluded.lines, digest = excluded.digest,"
    " signature = excluded.signature, final_key = excluded.final_key, final = excluded.final"
)


@dataclass(frozen=True)
class Entry:
    """One file's row: its draft's fingerprint (None: it cleaned to nothing), its short lines,
    and its last final article with the key it was cleaned under."""

    fingerprint: Fingerprint | None
    lines: frozenset[str]
    final_key: str = ""
    final: tuple[Document, tuple[Removal, ...]] | None = None


@cache
def _ingest_source() -> str:
    """A digest of the ``ingest`` package's source: a change to the cleaning code invalidates the memo."""
    digest = hashlib.sha256()
    for path in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


@lru_cache(maxsize=8)
def _context_digest(context: tuple[str, ...]) -> str:
    """The cleaning code and ``context`` as one digest: taken once per read, not once per file."""
    return hashlib.sha256("\0".join([_ingest_source(), *context]).encode()).hexdigest()


def final_key(lines: frozenset[str], learned: Mapping[str, int]) -> str:
    """What of the learned boilerplate a file's final cleaning reads: which of its own lines are in it."""
    seen = sorted(line for line in lines if line in learned)
    return hashlib.sha256("\n".join(seen).encode()).hexdigest() if seen else ""


class Memo:
    """The memo in ``path``; without a path, one read's own (nothing kept)."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path
        self._entries: dict[str, Entry] = {}
        self._drafts: dict[str, Document] = {}  # drafts stored by this read, not yet written
        self._paths: dict[str, tuple[str, str]] = {}  # doc_id -> (status, key)
        self._dedupe: dict[float, tuple[dict[str, str], list[Duplicate]]] = {}
        if path is not None:
            self._load(path)
        self._read: set[str] = set()  # keys this read looked up or stored; the others are stale
        self._changed: set[str] = set()  # keys this read stored: the only rows to write
        self._placed: dict[str, tuple[str, str]] = {}  # the paths this read saw
        self._searched: dict[float, tuple[dict[str, str], list[Duplicate]]] = {}

    def _load(self, path: Path) -> None:
        try:
            with _connected(path) as db:
                for key, lines, digest, signature, final_key_, final in db.execute(
                    "select key, lines, digest, signature, final_key, final from files"
                ):
                    self._entries[key] = Entry(
                        Fingerprint(digest, signature) if digest is not None else None,
                        frozenset(lines.split("\n")) if lines else frozenset(),
                        final_key_ or "",
                        _final(json.loads(final)) if final else None,
                    )
                self._paths = {doc_id: (status, key) for doc_id, status, key in db.execute("select * from paths")}
                for threshold, members, found in db.execute("select * from dedupe"):
                    self._dedupe[threshold] = (json.loads(members), [Duplicate(**d) for d in json.loads(found)])
        except (sqlite3.DatabaseError, ValueError, TypeError, KeyError):  # garbled: start again, losing only time
            path.unlink(missing_ok=True)
            self._entries, self._paths, self._dedupe = {}, {}, {}

    @staticmethod
    def key(context: Sequence[str], doc_id: str, suffix: str, data: bytes) -> str:
        """The key of one file's row: its identity and bytes, cleaned in ``context`` (the
        corpus's furniture rules, the body model's fingerprint) by this cleaning code."""
        digest = hashlib.sha256("\0".join([_ingest_source(), *context, doc_id, suffix.lower(), ""]).encode())
        digest.update(data)
        return digest.hexdigest()

    @staticmethod
    def status(context: tuple[str, ...], size: int, mtime_ns: int, ctime_ns: int, inode: int) -> str:
        """A file's status in ``context``: equal statuses mean equal keys (``known``)."""
        return f"{_context_digest(context)}:{size}:{mtime_ns}:{ctime_ns}:{inode}"

    def known(self, doc_id: str, status: str) -> str | None:
        """The key last taken of ``doc_id`` when its status was ``status``, if its row is kept."""
        stored, key = self._paths.get(doc_id, ("", ""))
        return key if status and stored == status and key in self._entries else None

    def place(self, doc_id: str, status: str, key: str) -> None:
        """Record that ``doc_id`` had ``key`` in ``status`` (``status`` "" : not to be trusted)."""
        self._placed[doc_id] = (status, key)

    def get(self, key: str) -> Entry | None:
        self._read.add(key)
        return self._entries.get(key)

    def peek(self, key: str) -> Entry | None:
        """A row, without counting it as read (a file's previous version, say)."""
        return self._entries.get(key)

    def put(self, key: str, entry: Entry, draft: Document | None = None) -> None:
        """Store ``entry`` under ``key``, and the ``draft`` it was taken of when new."""
        self._read.add(key)
        self._changed.add(key)
        self._entries[key] = entry
        if draft is not None:
            self._drafts[key] = draft

    def draft(self, key: str) -> Document:
        """The draft stored under ``key``: a full duplicate search reads the drafts' texts."""
        if key in self._drafts:
            return self._drafts[key]
        with _connected(self.path) as db:
            (value,) = db.execute("select draft from files where key = ?", (key,)).fetchone()
        return Document(**json.loads(value))

    def last_search(self, threshold: float) -> tuple[dict[str, str], list[Duplicate]] | None:
        """The files (doc_id -> key) the last duplicate search at ``threshold`` read, and what it found."""
        return self._dedupe.get(threshold)

    def searched(self, threshold: float, members: dict[str, str], found: list[Duplicate]) -> None:
        self._searched[threshold] = (members, found)

    def save(self) -> None:
        """Write the rows this read added or changed and drop those of files it did not read,
        in one transaction (a crash leaves the memo as it was)."""
        if self.path is None:
            return
        stale = [k for k in self._entries if k not in self._read]
        gone = [d for d in self._paths if d not in self._placed]
        moved = [(d, *v) for d, v in self._placed.items() if self._paths.get(d) != v]
        searched = [(t, *v) for t, v in self._searched.items() if self._dedupe.get(t) != v]
        if not (stale or self._changed or gone or moved or searched):
            return
        try:
            with _connected(self.path) as db:
                db.executemany("delete from files where key = ?", ((k,) for k in stale))
                db.executemany(_UPSERT, map(self._row, self._changed))
                db.executemany("delete from paths where doc_id = ?", ((d,) for d in gone))
                db.executemany("insert or replace into paths values (?, ?, ?)", moved)
                db.executemany(
                    "insert or replace into dedupe values (?, ?, ?)",
                    ((t, json.dumps(m), json.dumps([asdict(d) for d in f])) for t, m, f in searched),
                )
        except sqlite3.DatabaseError:
            self.path.unlink(missing_ok=True)

    def _row(self, key: str) -> tuple:
        e = self._entries[key]
        final = None
        if e.final:
            final = json.dumps(
                {"document": asdict(e.final[0]), "removed": [asdict(r) for r in e.final[1]]}, ensure_ascii=False
            )
        draft = json.dumps(asdict(self._drafts[key]), ensure_ascii=False) if key in self._drafts else None
        fp = e.fingerprint
        lines = "\n".join(sorted(e.lines))  # short lines hold no line break
        return key, draft, lines, fp and fp.digest, fp and fp.signature, e.final_key, final


@contextmanager
def _connected(path: Path) -> Iterator[sqlite3.Connection]:
    """A connection to the memo with its tables, committed on success, rolled back on error,
    closed; a memo of another layout is emptied first."""
    db = sqlite3.connect(path)
    try:
        with db:
            if db.execute("pragma user_version").fetchone()[0] != VERSION:
                for (table,) in db.execute("select name from sqlite_master where type = 'table'").fetchall():
                    db.execute(f'drop table "{table}"')
                db.execute(f"pragma user_version = {VERSION}")
            for statement in _SCHEMA:
                db.execute(statement)
            yield db
    finally:
        db.close()


def _final(value: dict) -> tuple[Document, tuple[Removal, ...]]:
    return Document(**value["document"]), tuple(Removal(**r) for r in value["removed"])
