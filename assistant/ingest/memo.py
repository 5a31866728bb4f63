"""What reading and cleaning each file gave last time, so an update re-cleans only what changed.

Reading a corpus cleans every file twice (once alone, to find duplicates; once with the
boilerplate learned across the corpus) and signs each draft for near-duplicate search:
at archive scale that is most of the time it takes to add one article.  Each step is a
pure function of its inputs, so its result is kept under a digest of them:

* a file's *draft* (cleaned alone), its short lines (what ``learn_boilerplate`` counts)
  and the draft's MinHash signature (``dedupe``): keyed by the file's path, suffix and
  bytes, and the *context*: the corpus's furniture rules, the body model's fingerprint
  and the source of the ``ingest`` package, so that new cleaning code or a new model
  never reuses an old result;
* a file's final article: the same key, plus the learned counts of the file's own short
  lines, the only part of the corpus-wide boilerplate its cleaning reads.

The memo is a SQLite file beside the index (``MEMO``), written in one transaction at the
end of a read, which also drops the rows of files no longer read.  A memo that cannot be
read is deleted and rebuilt: it only ever saves time, it never decides anything.  No
pickle: values are JSON and raw signature bytes.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from functools import cache
from pathlib import Path

from assistant.types import Document, Removal

MEMO = "cleaning-memo.sqlite"
_SCHEMA = (
    "create table if not exists files "
    "(key text primary key, draft text, lines text not null, signature blob, final_key text, final text)"
)


@dataclass(frozen=True)
class Entry:
    """One file's row: its draft (None: it cleaned to nothing), short lines, the draft's
    signature (None: not taken yet), and its last final article with the key it was cleaned under."""

    draft: Document | None
    lines: frozenset[str]
    signature: bytes | None = None
    final_key: str = ""
    final: tuple[Document, tuple[Removal, ...]] | None = None


@cache
def _ingest_source() -> str:
    """A digest of the ``ingest`` package's source: a change to the cleaning code invalidates the memo."""
    digest = hashlib.sha256()
    for path in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def final_key(lines: frozenset[str], learned: Mapping[str, int]) -> str:
    """What of the learned boilerplate a file's final cleaning reads: its own lines' counts."""
    seen = sorted((line, learned[line]) for line in lines if line in learned)
    return hashlib.sha256(json.dumps(seen, ensure_ascii=False).encode()).hexdigest()


class Memo:
    """The memo in ``path``; without a path, one read's own (nothing kept)."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path
        self._entries: dict[str, Entry] = {}
        if path is not None:
            self._load(path)
        self._read: set[str] = set()  # keys this read looked up or stored; the others are stale
        self._changed: set[str] = set()  # keys this read stored: the only rows to write

    def _load(self, path: Path) -> None:
        try:
            with _connected(path) as db:
                for key, draft, lines, signature, final_key_, final in db.execute("select * from files"):
                    self._entries[key] = Entry(
                        Document(**json.loads(draft)) if draft else None,
                        frozenset(json.loads(lines)),
                        signature,
                        final_key_ or "",
                        _final(json.loads(final)) if final else None,
                    )
        except (sqlite3.DatabaseError, ValueError, TypeError, KeyError):  # garbled: start again, losing only time
            path.unlink(missing_ok=True)
            self._entries = {}

    @staticmethod
    def key(context: Sequence[str], doc_id: str, suffix: str, data: bytes) -> str:
        """The key of one file's row: its identity and bytes, cleaned in ``context`` (the
        corpus's furniture rules, the body model's fingerprint) by this cleaning code."""
        digest = hashlib.sha256("\0".join([_ingest_source(), *context, doc_id, suffix.lower(), ""]).encode())
        digest.update(data)
        return digest.hexdigest()

    def get(self, key: str) -> Entry | None:
        self._read.add(key)
        return self._entries.get(key)

    def put(self, key: str, entry: Entry) -> None:
        self._read.add(key)
        self._changed.add(key)
        self._entries[key] = entry

    def save(self) -> None:
        """Write the rows this read added or changed and drop those of files it did not read,
        in one transaction (a crash leaves the memo as it was)."""
        stale = [k for k in self._entries if k not in self._read]
        if self.path is None or not (stale or self._changed):
            return
        try:
            with _connected(self.path) as db:
                db.executemany("delete from files where key = ?", ((k,) for k in stale))
                db.executemany("insert or replace into files values (?, ?, ?, ?, ?, ?)", map(self._row, self._changed))
        except sqlite3.DatabaseError:
            self.path.unlink(missing_ok=True)

    def _row(self, key: str) -> tuple:
        e = self._entries[key]
        final = None
        if e.final:
            final = json.dumps(
                {"document": asdict(e.final[0]), "removed": [asdict(r) for r in e.final[1]]}, ensure_ascii=False
            )
        draft = json.dumps(asdict(e.draft), ensure_ascii=False) if e.draft else None
        return key, draft, json.dumps(sorted(e.lines), ensure_ascii=False), e.signature, e.final_key, final


@contextmanager
def _connected(path: Path) -> Iterator[sqlite3.Connection]:
    """A connection to the memo with its table, committed on success, rolled back on error, closed."""
    db = sqlite3.connect(path)
    try:
        with db:
            db.execute(_SCHEMA)
            yield db
    finally:
        db.close()


def _final(value: dict) -> tuple[Document, tuple[Removal, ...]]:
    return Document(**value["document"]), tuple(Removal(**r) for r in value["removed"])
