"""Read a folder of news articles into clean Documents, saying what was dropped and why.

One file goes: bytes -> text (UTF-8 with or without BOM, UTF-16 with BOM) ->
optional front matter -> lines (plain text as is, Markdown syntax stripped, HTML
through trafilatura) -> cleaning (boilerplate rules, metadata lines, title,
repeats) -> Document.  A dropped line becomes a ``Removal`` and an unusable file a
``Skipped``, each with a specific reason: nothing disappears silently.

The cleaned text keeps the article's characters (curly quotes included) because
answers quote it verbatim; only bullets and runs of whitespace change.  Each kept
source line becomes one paragraph (a Markdown paragraph may span several lines),
and paragraphs are joined with a blank line.
"""

from __future__ import annotations

import codecs
import contextlib
import hashlib
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import astuple, dataclass
from datetime import date
from pathlib import Path
from types import MappingProxyType

from assistant.dedupe import Duplicate, find_duplicates, normalise
from assistant.errors import ArticleError, CorpusError
from assistant.types import Document, Removal

__all__ = [
    "SUFFIXES",
    "Article",
    "Duplicate",
    "Scan",
    "Skipped",
    "learn_boilerplate",
    "parse_article",
    "parse_date",
    "read_corpus",
]

SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm")
TITLE_MAX_WORDS = 20
LEARNED_MAX_WORDS = 12  # longer lines shared by two articles are quotes, not page furniture
TRUNCATED_MIN_WORDS = 8

_NOTHING_LEARNED: Mapping[str, int] = MappingProxyType({})


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
class Metadata:
    """Article metadata; ``""`` means not stated."""

    title: str = ""
    publication: str = ""
    author: str = ""
    date: str = ""

    def over(self, other: Metadata) -> Metadata:
        """Fields set here win; the empty ones are taken from ``other``."""
        return Metadata(*(mine or theirs for mine, theirs in zip(astuple(self), astuple(other), strict=True)))


@dataclass(frozen=True)
class Line:
    """One non-blank unit of text and the 1-based source line where it starts."""

    no: int
    text: str


@dataclass(frozen=True)
class _Source:
    """A decoded, format-converted file, ready to clean (possibly twice)."""

    doc_id: str
    lines: tuple[Line, ...]
    given: Metadata  # front matter over format metadata (HTML <head>)


# ---------------------------------------------------------------- reading files


def read_corpus(corpus_dir: Path, *, max_bytes: int = 5_000_000) -> Scan:
    """Read every article under ``corpus_dir`` (recursively, in sorted path order).

    Candidates are non-hidden files; those without a known suffix, symlinks leading
    outside the folder and symlinked folders are reported as ``Skipped`` rather than
    read.  Hidden files and folders (``.DS_Store``, ``.git``) are ignored silently.
    Duplicates are found before boilerplate is learned, so two copies of one article
    do not teach each other that their title and paragraphs are boilerplate.
    Raises ``CorpusError`` only when ``corpus_dir`` is missing or not a folder.
    """
    root = Path(corpus_dir)
    if not root.exists():
        raise CorpusError(f"corpus folder {root} does not exist; create it or point to another folder")
    if not root.is_dir():
        raise CorpusError(f"corpus path {root} is not a folder; pass the folder holding the articles")
    paths, skipped = _list_files(root)
    sources: list[_Source] = []
    for doc_id, path in paths:
        try:
            sources.append(_load(doc_id, _read_bytes(path, max_bytes), path.suffix))
        except ArticleError as error:
            skipped.append(Skipped(doc_id, str(error)))

    drafts: list[Document] = []
    for source in sources:
        with contextlib.suppress(ArticleError):  # the final pass below reports it
            drafts.append(_build(source, _NOTHING_LEARNED).document)
    duplicates = find_duplicates(drafts)
    copies = {d.doc_id for d in duplicates}
    originals = [s for s in sources if s.doc_id not in copies]
    learned = learn_boilerplate("\n".join(line.text for line in s.lines) for s in originals)

    articles: list[Article] = []
    for source in originals:
        try:
            articles.append(_build(source, learned))
        except ArticleError as error:
            skipped.append(Skipped(source.doc_id, str(error)))
    return Scan(
        articles=tuple(articles),
        skipped=tuple(sorted(skipped, key=lambda s: s.path)),
        duplicates=tuple(duplicates),
    )


def parse_article(
    doc_id: str, data: bytes, suffix: str, *, learned: Mapping[str, int] = _NOTHING_LEARNED
) -> Article:
    """Clean one file's bytes (e.g. an upload) exactly as ``read_corpus`` would.

    ``learned`` is the corpus's ``learn_boilerplate`` result.  Raises
    ``ArticleError`` naming the problem when the file cannot become an article.
    """
    return _build(_load(doc_id, data, suffix), learned)


def _list_files(root: Path) -> tuple[list[tuple[str, Path]], list[Skipped]]:
    inside = root.resolve()
    files: list[tuple[str, Path]] = []
    skipped: list[Skipped] = []
    for dirpath, dirnames, filenames in os.walk(root):
        here = Path(dirpath)
        for name in dirnames:
            if (here / name).is_symlink() and not name.startswith("."):
                skipped.append(
                    Skipped(
                        _rel(here / name, root),
                        "symbolic link to a folder; links to folders are not followed",
                    )
                )
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and not (here / d).is_symlink())
        for name in filenames:
            if name.startswith("."):
                continue
            path = here / name
            doc_id = _rel(path, root)
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
            f"too large: {size:,} bytes, the limit is {max_bytes:,}; split the file or raise max_bytes"
        )
    return data


def _load(doc_id: str, data: bytes, suffix: str) -> _Source:
    lines = _split_lines(_decode(data))
    front, skip = _front_matter(lines)
    suffix = suffix.lower()
    if suffix in (".html", ".htm"):
        body, found = _html_lines("\n".join(lines[skip:]))
        return _Source(doc_id, body, front.over(found))
    if suffix in (".md", ".markdown"):
        return _Source(doc_id, _markdown_lines(lines, skip), front)
    if suffix == ".txt":
        numbered = enumerate(lines[skip:], skip + 1)
        return _Source(doc_id, tuple(Line(no, text.strip()) for no, text in numbered if text.strip()), front)
    raise ArticleError(f"unsupported file type {suffix!r}; articles must end in {', '.join(SUFFIXES)}")


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
    elif b"\0" in data:
        raise ArticleError(
            f"binary file (NUL byte at offset {data.index(0)}); only text articles can be read"
        )
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


def _split_lines(text: str) -> list[str]:
    # Not str.splitlines(): it also breaks on form feeds and U+2028, and line
    # numbers must match what an editor shows.
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


# ---------------------------------------------------------------- front matter

_FRONT_KEYS = {
    "title": "title",
    "publication": "publication",
    "source": "publication",
    "site": "publication",
    "author": "author",
    "date": "date",
}
_ALLOWED = "title, publication (or source, site), author, date"


def _front_matter(lines: Sequence[str]) -> tuple[Metadata, int]:
    """Metadata from a leading ``---`` block and how many lines it spans (0: none)."""
    if not lines or lines[0].strip() != "---":
        return Metadata(), 0
    end = next((i for i in range(1, len(lines)) if lines[i].strip() == "---"), 0)
    if not end:
        raise ArticleError(
            "malformed front matter: the '---' on line 1 is never closed; add a '---' line after the keys"
        )
    fields: dict[str, str] = {}
    for no, line in enumerate(lines[1:end], start=2):
        if not line.strip():
            continue
        key, colon, value = line.partition(":")
        key = key.strip().casefold()
        if not colon or not key:
            raise ArticleError(f"malformed front matter: line {no} {line.strip()!r} is not 'key: value'")
        if key not in _FRONT_KEYS:
            raise ArticleError(
                f"malformed front matter: unknown key {key!r} on line {no}; allowed: {_ALLOWED}"
            )
        field = _FRONT_KEYS[key]
        if field in fields:
            raise ArticleError(f"malformed front matter: {field} given twice (line {no}); keep one")
        value = _unquote(value.strip())
        if field == "date" and value:
            iso = parse_date(value)
            if not iso:
                raise ArticleError(
                    f"malformed front matter: date {value!r} on line {no} is not a date; "
                    "write it as YYYY-MM-DD"
                )
            value = iso
        fields[field] = value
    return Metadata(**fields), end + 1


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        return value[1:-1].strip()
    return value


# ---------------------------------------------------------------- formats

_FENCE = re.compile(r"(```|~~~)")
_RULE_LINE = re.compile(r"(?:[-*_=]\s*){3,}")  # thematic break or setext underline
_LINK_DEF = re.compile(r"\[[^\]]+\]:\s*\S+")
_HEADING = re.compile(r"#{1,6}\s+(.*?)(?:\s+#+)?")
_BLOCK_MARK = re.compile(r"(?:>\s?)+|(?:[-*+]|\d{1,9}[.)])\s+")
_INLINE = (
    (re.compile(r"!\[[^\]]*\]\([^)]*\)"), ""),  # images carry no article text
    (re.compile(r"\[([^\]]+)\]\([^)]*\)"), r"\1"),
    (re.compile(r"\[([^\]]+)\]\[[^\]]*\]"), r"\1"),
    (re.compile(r"<(https?://[^>\s]+)>"), r"\1"),
    (re.compile(r"`([^`]+)`"), r"\1"),
    (re.compile(r"(\*\*|__|~~)(?=\S)(.+?)(?<=\S)\1"), r"\2"),
    (re.compile(r"(?<![\w*])\*(?=\S)(.+?)(?<=\S)\*(?![\w*])"), r"\1"),
    (re.compile(r"(?<![\w_])_(?=\S)(.+?)(?<=\S)_(?![\w_])"), r"\1"),
    (re.compile(r"\\([\\`*_{}\[\]()#+\-.!>])"), r"\1"),
)


def _markdown_lines(lines: Sequence[str], skip: int) -> tuple[Line, ...]:
    """Markdown to plain paragraphs: headings, list items and quotes stand alone,
    soft-wrapped lines join their paragraph, code keeps its lines.  Syntax-only
    lines (fences, rules, link definitions) are markup, not text, so they vanish
    without a ``Removal``."""
    out: list[Line] = []
    parts: list[str] = []  # the paragraph being gathered, which starts on line open_no
    open_no = 0
    in_code = False

    def flush() -> None:
        nonlocal open_no
        if parts:
            out.append(Line(open_no, " ".join(parts)))
        parts.clear()
        open_no = 0

    for no, raw in enumerate(lines[skip:], skip + 1):
        text = raw.strip()
        if _FENCE.match(text):
            flush()
            in_code = not in_code
        elif in_code:
            if text:
                out.append(Line(no, text))
        elif not text or _RULE_LINE.fullmatch(text) or _LINK_DEF.fullmatch(text):
            flush()
        elif heading := _HEADING.fullmatch(text):
            flush()
            out.append(Line(no, _inline(heading.group(1))))
        else:
            mark = _BLOCK_MARK.match(text)
            if mark:
                flush()
                text = text[mark.end() :]
            open_no = open_no or no
            parts.append(_inline(text))
    flush()
    return tuple(line for line in out if line.text.strip())


def _inline(text: str) -> str:
    for pattern, replacement in _INLINE:
        text = pattern.sub(replacement, text)
    return text.strip()


def _html_lines(html: str) -> tuple[tuple[Line, ...], Metadata]:
    """Main text and <head> metadata through trafilatura, without any network use
    (no URL is given) and without guessing a date from body prose."""
    from trafilatura import bare_extraction
    from trafilatura.settings import Document as Extraction

    result = bare_extraction(
        html,
        with_metadata=True,
        include_comments=False,
        include_images=False,
        include_links=False,
        include_formatting=False,
        date_extraction_params={"original_date": True, "extensive_search": False},
    )
    if not isinstance(result, Extraction) or not result.text or not result.text.strip():
        raise ArticleError("no article text found in the HTML")
    # trafilatura renders list items as "- item"; the dash is markup.
    lines = tuple(
        Line(no, re.sub(r"^- ", "", text.strip()))
        for no, text in enumerate(result.text.split("\n"), 1)
        if text.strip()
    )
    found = Metadata(
        title=(result.title or "").strip(),
        publication=(result.sitename or "").strip(),
        author=(result.author or "").strip(),
        date=parse_date(result.date or ""),
    )
    return lines, found


# ---------------------------------------------------------------- dates and names

_MONTHS = ("january", "february", "march", "april", "may", "june", "july",
           "august", "september", "october", "november", "december")  # fmt: skip
_WEEKDAY = r"(?:(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s+)?"
_TIME = (
    r"(?:\s*(?:[,|–—-]|at|t)?\s*"  # separator: "– 08:25", "at 10:30", ISO "T08:25"
    r"\d{1,2}:\d{2}(?::\d{2})?(?:\.\d+)?"
    r"\s*(?:[ap]\.?m\.?)?"
    r"\s*(?:z|[+-]\d{2}:?\d{2}|[a-z]{2,4})?)?"  # zone: Z, +01:00, ET, GMT
)
_DATE_SHAPES = tuple(
    re.compile(_WEEKDAY + shape + _TIME)
    for shape in (
        r"(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})",
        r"(?P<m>\d{1,2})/(?P<d>\d{1,2})/(?P<y>\d{4})",  # US order, as on the sites we read
        r"(?P<month>[a-z]{3,9})\.? (?P<d>\d{1,2})(?:st|nd|rd|th)?,? (?P<y>\d{4})",
        r"(?P<d>\d{1,2})(?:st|nd|rd|th)? (?P<month>[a-z]{3,9})\.?,? (?P<y>\d{4})",
    )
)


def parse_date(text: str) -> str:
    """ISO ``YYYY-MM-DD`` when ``text`` is only a date (optionally with weekday and
    time), else ``""``.  Accepts "March 23, 2021", "Mar. 23, 2021", "23 March 2021",
    "2021-03-23" and US-style "Fri, 09/10/2021 – 08:25"."""
    flat = " ".join(text.split()).casefold()
    for shape in _DATE_SHAPES:
        match = shape.fullmatch(flat)
        if not match:
            continue
        parts = match.groupdict()
        month = int(parts["m"]) if parts.get("m") else _month(parts["month"])
        try:
            return date(int(parts["y"]), month, int(parts["d"])).isoformat()
        except ValueError:  # month 0 (unknown name) or day 31 of a short month
            return ""
    return ""


def _month(word: str) -> int:
    """1-12 for a month name or abbreviation ("sept" included), 0 otherwise."""
    return next((i for i, name in enumerate(_MONTHS, 1) if name.startswith(word)), 0)


_NAME_WORD = re.compile(r"[A-Z](?:[a-z]*(?:[-'’]?[A-Z]?[a-z]+)*|\.)|de|van|von|der|da|del|la|le|bin|al")
_BYLINE = re.compile(r"by\s+(.+)", re.IGNORECASE)
_NAME_SPLIT = re.compile(r"\s*(?:,|&|\band\b)\s*")


def _is_name(text: str, low: int = 2, high: int = 3) -> bool:
    words = text.split()
    return low <= len(words) <= high and all(_NAME_WORD.fullmatch(w) for w in words) and text[0].isupper()


def _byline(text: str) -> str:
    """The author(s) of a line like "BY Gabriel Wildau" or "By Jane Doe and John Roe"."""
    match = _BYLINE.fullmatch(text)
    if not match:
        return ""
    names = match.group(1).strip()
    parts = [n.title() if n.isupper() else n for n in _NAME_SPLIT.split(names) if n]
    return names if parts and all(_is_name(n, 2, 4) for n in parts) else ""


_DATELINE = re.compile(r"[A-Z][A-Z .,'’-]*\(([^()]{2,40})\)\s*[:—–-]\s")  # WASHINGTON (Axios): ...


# ---------------------------------------------------------------- cleaning

_READING_TIME = r"\(\s*\d+\s*min(?:ute)?s?(?: read)?\s*\)"
_TEASER = re.compile(_READING_TIME + r"\s*\S", re.IGNORECASE)
_BULLET = re.compile(r"^[•◦▪▫‣⁃●○■□]\s*")
# Page furniture, matched against the whole normalised line (casefolded, straight
# quotes, single spaces) so prose that merely contains the words survives.
_RULES = tuple(
    (reason, re.compile(pattern))
    for reason, pattern in (
        ("share button", r"share(?: (?:on|via|this|to|with) .{1,30}| \S+)?"),
        ("read-more link", r"(?:read|see) more\W*|continue reading\W*"),
        ("reading time", _READING_TIME),
        ("subscription prompt", r"subscribe\b[^.?!]{0,80}"),
        ("podcast prompt", r"listen to\b.*\bpodcasts?\b.*"),
        ("logo", r".{1,40} logo"),
        ("table of contents", r"table of contents"),
        ("comment prompt", r"leave a comment|\d* ?comments?"),
        (
            "related-articles header",
            r"(?:more|most recent|related|recommended) (?:by|from|articles|stories|reading)\b.{0,40}",
        ),
        ("feed generator credit", r"generated by \S+"),
        ("call to action", r"let's get started\W*|sign up\b[^.?!]{0,80}"),
        ("advertisement", r"advertisement|sponsored content"),
    )
)


def learn_boilerplate(texts: Iterable[str]) -> Mapping[str, int]:
    """Normalised short lines (≤ 12 words) found in at least two of ``texts``,
    mapped to how many texts hold them: furniture of a site that no rule names."""
    counts: dict[str, int] = {}
    for text in texts:
        for line in {normalise(_display(raw)) for raw in text.split("\n")}:
            if line and len(line.split()) <= LEARNED_MAX_WORDS:
                counts[line] = counts.get(line, 0) + 1
    return MappingProxyType({line: n for line, n in sorted(counts.items()) if n >= 2})


def _display(text: str) -> str:
    """A kept line as it appears in the cleaned text: no bullet, single spaces."""
    return " ".join(_BULLET.sub("", text.strip()).split())


def _build(source: _Source, learned: Mapping[str, int]) -> Article:
    kept, removed, found = _clean(source.lines, source.given.title, learned)
    if not kept:
        first = f" (first: {removed[0].text!r}, {removed[0].reason})" if removed else ""
        raise ArticleError(f"only boilerplate: nothing left after cleaning {len(removed)} lines{first}")
    meta = source.given.over(found)
    text = "\n\n".join(kept)
    document = Document(
        doc_id=source.doc_id,
        title=meta.title,
        publication=meta.publication,
        author=meta.author,
        date=meta.date,
        text=text,
        content_hash=hashlib.sha256(text.encode("utf-8")).hexdigest(),
    )
    return Article(document, tuple(removed))


def _clean(
    lines: Sequence[Line], given_title: str, learned: Mapping[str, int]
) -> tuple[list[str], list[Removal], Metadata]:
    """Split ``lines`` into kept paragraphs and removals, reading metadata on the way.

    The first applicable rule wins, in this order: page furniture, teasers of other
    articles (only once the body has begun, so the article's own lead is safe even
    when a reading time precedes it), date-only lines, bylines, a name next to a date line, learned
    boilerplate, the title (the first title-like line before any body text, unless
    a title was given), then repeats of the title, of an earlier line, or a cut-off
    copy of an earlier line.  Metadata lines are checked before learned boilerplate
    so that a byline shared by two articles still yields the author.
    """
    shown_lines = [_display(line.text) for line in lines]
    teaser_titles = {i - 1 for i, shown in enumerate(shown_lines) if i and _TEASER.match(shown)}
    dates = [parse_date(shown) for shown in shown_lines]
    title, found = given_title, {"publication": "", "author": "", "date": ""}
    kept: list[str] = []
    removed: list[Removal] = []
    first_seen: dict[str, int] = {}  # normalised kept line -> its line number
    by_opening: dict[str, list[tuple[str, int]]] = {}  # first words -> earlier lines
    if title:
        first_seen[normalise(title)] = 0  # line 0: the title came from metadata

    def next_to_date(i: int) -> bool:
        return any(
            0 <= j < len(lines) and dates[j] and abs(lines[j].no - lines[i].no) == 1 for j in (i - 1, i + 1)
        )

    for i, (line, shown) in enumerate(zip(lines, shown_lines, strict=True)):
        norm = normalise(shown)
        reason = next((r for r, pattern in _RULES if pattern.fullmatch(norm)), "")
        if reason:
            if reason == "logo":
                found["publication"] = found["publication"] or shown[: -len(" logo")]
        elif kept and _TEASER.match(shown):
            reason = "teaser of another article"
        elif kept and i in teaser_titles and len(norm.split()) <= TITLE_MAX_WORDS:
            reason = "teaser title of another article"
        elif dates[i]:
            found["date"] = found["date"] or dates[i]
            reason = "date line"
        elif author := _byline(shown):
            found["author"] = found["author"] or author
            reason = "byline"
        elif _is_name(shown) and next_to_date(i):
            found["author"] = found["author"] or shown
            reason = "author name beside the date"
        elif norm in learned:
            reason = f"repeated across {learned[norm]} articles"
        elif not title and not kept and _is_title(line.text, shown):
            title = shown
            reason = "title"
        elif norm in first_seen:
            reason = (
                "repeated title"
                if norm == normalise(title)
                else f"repeated line (first on line {first_seen[norm]})"
            )
        elif earlier := _truncated_copy_of(norm, by_opening):
            reason = f"truncated repeat of line {earlier}"
        if reason:
            removed.append(Removal(line.no, line.text, reason))
        else:
            if not kept and (dateline := _DATELINE.match(shown)):
                found["publication"] = found["publication"] or dateline.group(1).strip()
            kept.append(shown)
        if reason in ("", "title"):  # the title too, so its repeats and cut copies go
            first_seen[norm] = line.no
            opening = " ".join(norm.split()[: TRUNCATED_MIN_WORDS - 1])
            by_opening.setdefault(opening, []).append((norm, line.no))
    return kept, removed, Metadata(title=title, **found)


def _is_title(raw: str, shown: str) -> bool:
    """A headline: short, not a sentence, not a list item."""
    return (
        not _BULLET.match(raw.strip())
        and len(shown.split()) <= TITLE_MAX_WORDS
        and not shown.endswith((".", ",", ";", ":"))
        and any(c.isalpha() for c in shown)
    )


def _truncated_copy_of(norm: str, by_opening: Mapping[str, list[tuple[str, int]]]) -> int:
    """Line number of an earlier, longer line that ``norm`` is a cut-off start of."""
    stem = norm.rstrip(".… ")
    words = stem.split()
    if len(words) < TRUNCATED_MIN_WORDS:
        return 0
    # Keyed on the first words minus one: the last word of a cut copy may be partial.
    for earlier, no in by_opening.get(" ".join(words[: TRUNCATED_MIN_WORDS - 1]), ()):
        if len(earlier) > len(stem) and earlier.startswith(stem):
            return no
    return 0
