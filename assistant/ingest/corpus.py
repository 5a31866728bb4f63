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
import stat
import time
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from types import MappingProxyType

from assistant.errors import ArticleError, CorpusError
from assistant.ingest.body import bundled_model
from assistant.ingest.cleaning import SiteRules, clean, count_short_lines, short_lines
from assistant.ingest.dedupe import Duplicate, find_duplicates
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
    ``memo`` (``ingest.memo``) holds what each file's cleaning gave last time: a file
    whose bytes and context are unchanged is not cleaned again; the result is the same.
    Raises ``CorpusError`` only when ``corpus_dir`` is missing or not a folder.
    """
    root = Path(corpus_dir)
    if not root.exists():
        raise CorpusError(f"corpus folder {root} does not exist; create it or point to another folder")
    if not root.is_dir():
        raise CorpusError(f"corpus path {root} is not a folder; pass the folder holding the articles")
    memo = memo or Memo()
    site_rules = read_site_rules(root)
    context = (bundled_model().fingerprint, *(f"{reason}\0{pattern.pattern}" for reason, pattern in site_rules))
    paths, skipped = _list_files(root)
    files: list[_File] = []
    for done, (doc_id, path) in enumerate(paths, 1):
        try:
            files.append(_File.read(doc_id, path, max_bytes, memo, context, site_rules))
        except ArticleError as error:
            skipped.append(Skipped(doc_id, str(error)))
        progress("reading", done, len(paths))

    signatures = {f.doc_id: f.entry.signature for f in files if f.entry.signature is not None}
    drafts = [f.entry.draft for f in files if f.entry.draft is not None]
    duplicates = find_duplicates(drafts, threshold=duplicate_similarity, signatures=signatures)
    for f in files:
        if f.entry.signature is None and f.doc_id in signatures:
            f.keep(memo, replace(f.entry, signature=signatures[f.doc_id]))
    copies = {d.doc_id for d in duplicates}
    originals = [f for f in files if f.doc_id not in copies]
    learned = count_short_lines(f.entry.lines for f in originals)

    articles: list[Article] = []
    for done, f in enumerate(originals, 1):
        try:
            articles.append(f.article(memo, learned, site_rules))
        except ArticleError as error:
            skipped.append(Skipped(f.doc_id, str(error)))
        progress("cleaning", done, len(originals))
    memo.save()
    return Scan(
        articles=tuple(articles),
        skipped=tuple(sorted(skipped, key=lambda s: s.path)),
        duplicates=tuple(duplicates),
    )


@dataclass
class _File:
    """A file read, its memo row, and (when the row did not hold all it needs) its source."""

    doc_id: str
    suffix: str
    data: bytes
    key: str
    entry: Entry
    source: _Source | None = None

    @classmethod
    def read(cls, doc_id: str, path: Path, max_bytes: int, memo: Memo, context, site_rules: SiteRules) -> _File:
        """The file's bytes and memo row; a file the memo does not know is loaded and drafted
        (cleaned alone, for duplicate search) now.  Raises ``ArticleError`` when unusable."""
        data = _read_bytes(path, max_bytes)
        key = memo.key(context, doc_id, path.suffix, data)
        entry = memo.get(key)
        if entry is not None:
            return cls(doc_id, path.suffix, data, key, entry)
        source = _load(doc_id, data, path.suffix)
        draft = None
        with contextlib.suppress(ArticleError):  # the final pass reports it
            draft = _build(source, _NOTHING_LEARNED, site_rules).document
        entry = Entry(draft, short_lines(line.text for line in source.lines))
        memo.put(key, entry)
        return cls(doc_id, path.suffix, data, key, entry, source)

    def keep(self, memo: Memo, entry: Entry) -> None:
        self.entry = entry
        memo.put(self.key, entry)

    def article(self, memo: Memo, learned: Mapping[str, int], site_rules: SiteRules) -> Article:
        """The file cleaned with the corpus's ``learned`` boilerplate, from the memo when it
        was cleaned with the same counts of its own lines before."""
        cleaned_under = final_key(self.entry.lines, learned)
        if self.entry.final is not None and self.entry.final_key == cleaned_under:
            return Article(*self.entry.final)
        source = self.source or _load(self.doc_id, self.data, self.suffix)
        article = _build(source, learned, site_rules)
        self.keep(memo, replace(self.entry, final_key=cleaned_under, final=(article.document, article.removed)))
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
    for path in walk(Path(corpus_dir)):
        stats, target = [path.lstat()], ""
        if stat.S_ISLNK(stats[0].st_mode):
            target = os.readlink(path)
            with contextlib.suppress(OSError):  # a dangling link: its own entry still counts
                stats.append(path.stat())
        if any(s.st_mtime_ns > settled for s in stats):
            return None
        fields = [(s.st_mode, s.st_size, s.st_mtime_ns) for s in stats]
        digest.update(f"{_rel(path, Path(corpus_dir))}\0{fields}\0{target}\n".encode())
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


def walk(root: Path) -> Iterator[Path]:
    """Every entry below ``root`` that reading the corpus considers, sorted within each folder.

    Hidden names (``.git``, ``.DS_Store``, an upload's temporary file) are passed over;
    a symbolic link to a folder is yielded but not followed.  The one walk of the corpus
    folder: reading, the no-op check and the upload's copy check all see the same files.
    """
    for dirpath, dirnames, filenames in os.walk(root):
        here = Path(dirpath)
        yield from (here / name for name in sorted([*dirnames, *filenames]) if not name.startswith("."))
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and not (here / d).is_symlink())


def _list_files(root: Path) -> tuple[list[tuple[str, Path]], list[Skipped]]:
    inside = root.resolve()
    files: list[tuple[str, Path]] = []
    skipped: list[Skipped] = []
    for path in walk(root):
        doc_id = _rel(path, root)
        if doc_id == FURNITURE:
            continue  # the corpus's furniture rules, not an article
        if path.is_dir():
            if path.is_symlink():
                skipped.append(Skipped(doc_id, "symbolic link to a folder; links to folders are not followed"))
            continue
        problem = _file_problem(path, inside)
        if problem:
            skipped.append(Skipped(doc_id, problem))
        else:
            files.append((doc_id, path))
    return sorted(files), skipped


def _rel(path: Path, root: Path) -> str:
    return path.relative_to(root).as_posix()


def _file_problem(path: Path, inside: Path) -> str:
    """Why ``path`` is not a candidate article, or ``""`` when it is one."""
    if path.suffix.lower() not in SUFFIXES:
        kind = f"{path.suffix!r}" if path.suffix else "a file without suffix"
        return f"unsupported file type {kind}; articles must end in {', '.join(SUFFIXES)}"
    if path.is_symlink():
        target = path.resolve()
        if not target.is_relative_to(inside):
            return f"symbolic link to {target}, outside the corpus folder; copy the file in instead"
        if not target.exists():
            return f"broken symbolic link: {target} does not exist"
    if not path.is_file():
        return "not a regular file"
    return ""


def _read_bytes(path: Path, max_bytes: int) -> bytes:
    """The file's bytes; reads at most ``max_bytes + 1`` so a huge file costs nothing."""
    try:
        with path.open("rb") as handle:
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
