"""Read a folder of news articles into clean Documents, saying what was dropped and why.

One file goes: bytes -> text (UTF-8 with or without BOM, UTF-16 with BOM) ->
lines and stated metadata (``formats``) -> cleaned Document (``cleaning``).  This
module owns the folder and the bytes: which files are candidates, size, symlink
and permission checks, decoding, and the corpus-wide steps (duplicates, learned
boilerplate).  An unusable file becomes a ``Skipped`` with a specific reason:
nothing disappears silently.
"""

from __future__ import annotations

import codecs
import contextlib
import hashlib
import os
import re
import time
import tomllib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from types import MappingProxyType

from assistant.errors import ArticleError, CorpusError
from assistant.ingest.body import bundled_model
from assistant.ingest.cleaning import LEARNED, SiteRules, clean, count_short_lines, line_key, short_lines
from assistant.ingest.dedupe import Duplicate, find_duplicates, fingerprint, unrelated
from assistant.ingest.formats import SUFFIXES, Line, Metadata, to_lines
from assistant.ingest.memo import Entry, Memo, final_key
from assistant.settings import Settings
from assistant.types import Document, Progress, Removal, no_progress

__all__ = [
    "SUFFIXES",
    "Article",
    "Duplicate",
    "Scan",
    "Skipped",
    "parse_article",
    "read_corpus",
    "walk",
]

_NOTHING_LEARNED: Mapping[str, int] = MappingProxyType({})
#: The corpus's own page-furniture rules, beside its articles (``read_site_rules``).
FURNITURE = "furniture.toml"


@dataclass(frozen=True)
class Article:
    """A cleaned document and every line removed on the way."""

    document: Document
    removed: tuple[Removal, ...]


@dataclass(frozen=True)
class Skipped:
    """A file that could not be used; ``path`` is relative to the corpus folder."""

    path: str
    reason: str


@dataclass(frozen=True)
class Scan:
    """Everything ``read_corpus`` found: usable articles, refused files, and copies."""

    articles: tuple[Article, ...]
    skipped: tuple[Skipped, ...]
    duplicates: tuple[Duplicate, ...]
    #: Short lines learned as boilerplate, with how many articles hold each (``index --report``).
    learned: Mapping[str, int]

    def reason(self, removal: Removal) -> str:
        """Why a line went, as ``index --report`` prints it: a line learned as boilerplate with
        the count of articles repeating it, which the article's own record leaves out."""
        if removal.reason == LEARNED:
            return f"repeated across {self.learned.get(line_key(removal.text), 0)} articles"
        return removal.reason


@dataclass(frozen=True)
class _Source:
    """A decoded, format-converted file, ready to clean (possibly twice)."""

    doc_id: str
    lines: tuple[Line, ...]
    given: Metadata  # front matter over format metadata (HTML <head>)
    plain: bool  # plain text or Markdown: its furniture is still in it (HTML's went with trafilatura)


# ---------------------------------------------------------------- reading files


def read_corpus(
    corpus_dir: Path,
    *,
    max_bytes: int = Settings.max_article_bytes,
    duplicate_similarity: float = Settings.duplicate_similarity,
    progress: Progress = no_progress,
    memo: Memo | None = None,
) -> Scan:
    """Read every article under ``corpus_dir`` (recursively, in sorted path order).

    Candidates are non-hidden files; those without a known suffix, symlinks leading
    outside the folder and symlinked folders are reported as ``Skipped`` rather than
    read.  Hidden files and folders (``.DS_Store``, ``.git``) are ignored silently.
    ``max_bytes`` and ``duplicate_similarity`` are the settings of the same names.
    Duplicates are found before boilerplate is learned, so two copies of one article
    do not teach each other that their title and paragraphs are boilerplate.
    ``memo`` (``ingest.memo``) holds what each file's reading gave last time: a file
    whose status, or bytes, and context are unchanged is not read or cleaned again, and
    the duplicates found last time stand when no changed file meets another; the result
    is the same.  Raises ``CorpusError`` only when ``corpus_dir`` is missing or not a folder.
    """
    root = Path(corpus_dir)
    if not root.exists():
        raise CorpusError(f"corpus folder {root} does not exist; create it or point to another folder")
    if not root.is_dir():
        raise CorpusError(f"corpus path {root} is not a folder; pass the folder holding the articles")
    reader = _Reader(memo or Memo(), read_site_rules(root), max_bytes)
    paths, skipped = _list_files(root)
    files: list[_File] = []
    for done, (doc_id, path, status) in enumerate(paths, 1):
        try:
            files.append(reader.read(doc_id, path, status))
        except ArticleError as error:
            skipped.append(Skipped(doc_id, str(error)))
        progress("reading", done, len(paths))

    duplicates = reader.duplicates(files, duplicate_similarity)
    copies = {d.doc_id for d in duplicates}
    originals = [f for f in files if f.doc_id not in copies]
    learned = count_short_lines(f.entry.lines for f in originals)

    articles: list[Article] = []
    for done, f in enumerate(originals, 1):
        try:
            articles.append(reader.article(f, learned))
        except ArticleError as error:
            skipped.append(Skipped(f.doc_id, str(error)))
        progress("cleaning", done, len(originals))
    reader.memo.save()
    return Scan(
        articles=tuple(articles),
        skipped=tuple(sorted(skipped, key=lambda s: s.path)),
        duplicates=tuple(duplicates),
        learned=learned,
    )


@dataclass
class _File:
    """A file's memo row; a file the memo did not know also keeps its source and draft."""

    doc_id: str
    path: str
    key: str
    entry: Entry
    source: _Source | None = None


@dataclass
class _Reader:
    """One read of a corpus: its memo, furniture rules and size limit."""

    memo: Memo
    site_rules: SiteRules
    max_bytes: int

    def __post_init__(self) -> None:
        self.context = (
            bundled_model().fingerprint,
            *(f"{reason}\0{pattern.pattern}" for reason, pattern in self.site_rules),
        )
        self.settled = time.time_ns() - SETTLED_NS

    def read(self, doc_id: str, path: str, status: os.stat_result | None) -> _File:
        """The file's memo row, found by its status when that is unchanged and settled, else by
        its bytes; a file the memo does not know is loaded and drafted (cleaned alone, for
        duplicate search) now.  Raises ``ArticleError`` when unusable."""
        trusted = ""
        if status and max(status.st_mtime_ns, status.st_ctime_ns) <= self.settled and status.st_size <= self.max_bytes:
            trusted = Memo.status(self.context, status.st_size, status.st_mtime_ns, status.st_ctime_ns, status.st_ino)
        key = self.memo.known(doc_id, trusted)
        if key is None:
            data = _read_bytes(path, self.max_bytes)
            key = Memo.key(self.context, doc_id, _suffix(path), data)
        self.memo.place(doc_id, trusted, key)
        entry = self.memo.get(key)
        if entry is not None:
            return _File(doc_id, path, key, entry)
        source = _load(doc_id, data, _suffix(path))
        draft = None
        with contextlib.suppress(ArticleError):  # the final pass reports it
            draft = _build(source, _NOTHING_LEARNED, self.site_rules).document
        entry = Entry(draft and fingerprint(draft), short_lines(line.text for line in source.lines))
        self.memo.put(key, entry, draft)
        return _File(doc_id, path, key, entry, source)

    def duplicates(self, files: Sequence[_File], threshold: float) -> list[Duplicate]:
        """``find_duplicates`` over the files' drafts; the last search's verdicts when the files
        changed since (added, edited or removed) meet none of the others (``dedupe.unrelated``)."""
        drafted = {f.doc_id: f for f in files if f.entry.fingerprint is not None}
        members = {doc_id: f.key for doc_id, f in drafted.items()}
        found = None
        if last := self.memo.last_search(threshold):
            before, previous = last
            same = [f.entry.fingerprint for d, f in drafted.items() if before.get(d) == f.key]
            new = [f.entry.fingerprint for d, f in drafted.items() if before.get(d) != f.key]
            old = [self.memo.peek(key) for d, key in before.items() if members.get(d) != key]
            if all(e and e.fingerprint for e in old) and unrelated(new, same, threshold):
                found = previous if unrelated([e.fingerprint for e in old], same, threshold) else None
        if found is None:
            found = find_duplicates(
                [self.memo.draft(f.key) for f in drafted.values()],
                threshold=threshold,
                fingerprints={doc_id: f.entry.fingerprint for doc_id, f in drafted.items()},
            )
        self.memo.searched(threshold, members, found)
        return found

    def article(self, f: _File, learned: Mapping[str, int]) -> Article:
        """The file cleaned with the corpus's ``learned`` boilerplate, from the memo when it
        was cleaned under the same learned lines of its own before."""
        cleaned_under = final_key(f.entry.lines, learned)
        if f.entry.final is not None and f.entry.final_key == cleaned_under:
            return Article(*f.entry.final)
        source = f.source
        if source is None:  # known by its status: read now
            data = _read_bytes(f.path, self.max_bytes)
            source = _load(f.doc_id, data, _suffix(f.path))
            if Memo.key(self.context, f.doc_id, _suffix(f.path), data) != f.key:
                # Changed since it was listed: cleaned as it is now, remembered by nobody;
                # the corpus state moved with it, so the next update reads it again.
                return _build(source, learned, self.site_rules)
        article = _build(source, learned, self.site_rules)
        f.entry = replace(f.entry, final_key=cleaned_under, final=(article.document, article.removed))
        self.memo.put(f.key, f.entry)
        return article


#: A file modified this recently may change again within one clock tick without its
#: modification time moving (git's "racy clean" problem), so its state is not trusted.
SETTLED_NS = 2_000_000_000


def corpus_state(corpus_dir: Path, max_bytes: int) -> str | None:
    """A digest of what ``read_corpus`` would read: every entry's path, type, size, mode and
    modification time (and a symbolic link's target's), plus ``max_bytes``.

    Equal digests mean an unchanged corpus, which then need not be read, cleaned and
    deduplicated again (``bench/indexing.py`` times the no-op re-index).  The body model's
    fingerprint is part of it: another model cleans the same files differently, so they are
    read again.  None when a file changed in the last two seconds: too recent for its time
    stamp to prove anything.
    """
    cleaning = bundled_model().fingerprint
    digest = hashlib.sha256(f"{Path(corpus_dir).resolve()}\0{max_bytes}\0{cleaning}\n".encode())
    settled = time.time_ns() - SETTLED_NS
    for relative, entry in walk(Path(corpus_dir)):
        stats, target = [entry.stat(follow_symlinks=False)], ""
        if entry.is_symlink():
            target = os.readlink(entry.path)
            with contextlib.suppress(OSError):  # a dangling link: its own entry still counts
                stats.append(os.stat(entry.path))
        if any(s.st_mtime_ns > settled for s in stats):
            return None
        fields = [(s.st_mode, s.st_size, s.st_mtime_ns) for s in stats]
        digest.update(f"{relative}\0{fields}\0{target}\n".encode())
    return digest.hexdigest()


def parse_article(
    doc_id: str,
    data: bytes,
    suffix: str,
    *,
    learned: Mapping[str, int] = _NOTHING_LEARNED,
    site_rules: SiteRules = (),
) -> Article:
    """Clean one file's bytes (e.g. an upload) exactly as ``read_corpus`` would.

    ``learned`` is the corpus's ``learn_boilerplate`` result, ``site_rules`` its
    ``read_site_rules``.  Raises
    ``ArticleError`` naming the problem when the file cannot become an article.
    """
    return _build(_load(doc_id, data, suffix), learned, site_rules)


def walk(root: Path) -> Iterator[tuple[str, os.DirEntry]]:
    """Every entry below ``root`` that reading the corpus considers, with its path relative to
    ``root`` (POSIX form), sorted within each folder, a folder's entries before its subfolders'.

    Hidden names (``.git``, ``.DS_Store``, an upload's temporary file) are passed over;
    a symbolic link to a folder is yielded but not followed; a folder that cannot be listed
    is passed over, as ``os.walk`` does.  The one walk of the corpus folder: reading, the
    no-op check and the upload's copy check all see the same files.  ``os.scandir`` gives
    each entry's type without a system call, which counts in an archive of many files.
    """

    def visit(folder: str, prefix: str) -> Iterator[tuple[str, os.DirEntry]]:
        try:
            with os.scandir(folder) as listing:
                entries = sorted((e for e in listing if not e.name.startswith(".")), key=lambda e: e.name)
        except OSError:
            return
        yield from ((prefix + e.name, e) for e in entries)
        for e in entries:
            if e.is_dir(follow_symlinks=False):
                yield from visit(e.path, f"{prefix}{e.name}/")

    return visit(str(root), "")


def _list_files(root: Path) -> tuple[list[tuple[str, str, os.stat_result | None]], list[Skipped]]:
    """The candidate articles (name, path, status; no status when it cannot be taken) and the
    entries refused."""
    inside = root.resolve()
    files: list[tuple[str, str, os.stat_result | None]] = []
    skipped: list[Skipped] = []
    for doc_id, entry in walk(root):
        if doc_id == FURNITURE:
            continue  # the corpus's furniture rules, not an article
        if entry.is_dir():
            if entry.is_symlink():
                skipped.append(Skipped(doc_id, "symbolic link to a folder; links to folders are not followed"))
            continue
        problem = _file_problem(entry, inside)
        if problem:
            skipped.append(Skipped(doc_id, problem))
            continue
        try:
            status = entry.stat()
        except OSError:
            status = None  # read_bytes reports it
        files.append((doc_id, entry.path, status))
    return sorted(files, key=lambda f: f[0]), skipped


def _file_problem(entry: os.DirEntry, inside: Path) -> str:
    """Why ``entry`` is not a candidate article, or ``""`` when it is one."""
    suffix = _suffix(entry.name)
    if suffix.lower() not in SUFFIXES:
        kind = f"{suffix!r}" if suffix else "a file without suffix"
        return f"unsupported file type {kind}; articles must end in {', '.join(SUFFIXES)}"
    if entry.is_symlink():
        target = Path(entry.path).resolve()
        if not target.is_relative_to(inside):
            return f"symbolic link to {target}, outside the corpus folder; copy the file in instead"
        if not target.exists():
            return f"broken symbolic link: {target} does not exist"
    if not entry.is_file():
        return "not a regular file"
    return ""


def _suffix(path: str) -> str:
    """``Path(path).suffix``, without building a Path (an archive has many files)."""
    return os.path.splitext(path)[1]


def _read_bytes(path: str, max_bytes: int) -> bytes:
    """The file's bytes; reads at most ``max_bytes + 1`` so a huge file costs nothing."""
    try:
        with open(path, "rb") as handle:
            data = handle.read(max_bytes + 1)
            size = os.fstat(handle.fileno()).st_size
    except PermissionError:
        raise ArticleError("unreadable: permission denied; check the file's permissions") from None
    except OSError as error:
        raise ArticleError(f"unreadable: {error.strerror or error}") from None
    if len(data) > max_bytes:
        raise ArticleError(
            f"too large: {size:,} bytes, the limit is {max_bytes:,}; "
            "split the file or raise the max_article_bytes setting"
        )
    return data


def _load(doc_id: str, data: bytes, suffix: str) -> _Source:
    lines, given = to_lines(_decode(data), suffix)
    return _Source(doc_id, lines, given, plain=suffix.lower() not in (".html", ".htm"))


def _build(source: _Source, learned: Mapping[str, int], site_rules: SiteRules = ()) -> Article:
    body = bundled_model() if source.plain else None
    return Article(*clean(source.doc_id, source.lines, source.given, learned, site_rules, body))


def read_site_rules(root: Path) -> SiteRules:
    """The corpus's own page-furniture rules, from ``furniture.toml`` in its folder (none without it).

    Each ``[[furniture]]`` table has a ``reason`` and a ``pattern`` (a regular expression
    matched against the whole line, case-folded, straight quotes, single spaces); a group
    ``(?P<publication>…)`` in it names the article's publication.  These are the words of
    particular sites, which the generic rules of ``cleaning`` must not carry.  A bad file
    raises ``CorpusError`` naming it.
    """
    path = root / FURNITURE
    if not path.is_file():
        return ()
    try:
        tables = tomllib.loads(path.read_text(encoding="utf-8")).get("furniture", [])
        return tuple((str(t["reason"]), re.compile(str(t["pattern"]))) for t in tables)
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, KeyError, TypeError, re.error) as exc:
        raise CorpusError(
            f"cannot read the furniture rules {path}: {exc!r}; each [[furniture]] needs a reason and a pattern"
        ) from exc


def _decode(data: bytes) -> str:
    """Text from bytes, or an ``ArticleError`` saying which encoding rule failed."""
    if not data:
        raise ArticleError("empty file (0 bytes)")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError as error:
            raise ArticleError(
                f"not valid UTF-16 despite its byte-order mark ({error.reason}); save it as UTF-8"
            ) from None
    elif _utf16_without_bom(data):
        raise ArticleError("UTF-16 without a byte-order mark; save it as UTF-8 (or as UTF-16 with a BOM)")
    elif b"\0" in data:
        raise ArticleError(f"binary file (NUL byte at offset {data.index(0)}); only text articles can be read")
    else:
        bom = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0
        try:
            text = data[bom:].decode("utf-8")
        except UnicodeDecodeError as error:
            offset = bom + error.start
            raise ArticleError(
                f"not UTF-8 (invalid byte 0x{data[offset]:02x} at offset {offset}); save it as UTF-8"
            ) from None
    control = sum(1 for c in text if (c < " " and c not in "\t\n\r\f\v") or c == "\x7f")
    if control > len(text) // 10:
        raise ArticleError(f"binary file ({control} of {len(text)} characters are control characters)")
    if not text.strip():
        raise ArticleError("only whitespace")
    return text


def _utf16_without_bom(data: bytes) -> bool:
    """Mostly-Latin text in UTF-16 has a NUL in (nearly) every other byte and none between:
    worth a message of its own rather than "binary file"."""
    for text_bytes, high_bytes in ((data[0::2], data[1::2]), (data[1::2], data[0::2])):
        if len(high_bytes) >= 8 and 0 not in text_bytes and high_bytes.count(0) >= 0.9 * len(high_bytes):
            return True
    return False
