"""Turn an article's decoded text into numbered lines and the metadata it states.

Each format has one converter: plain text keeps its lines as they are, Markdown
loses its syntax, HTML goes through trafilatura (imported only when an HTML file
is read, since it is slow to load).  An optional ``---`` front matter block comes
first in any format and wins over metadata the format itself carries (HTML
<head>).  Line numbers are those of the source file, so a removal or a parse
error can point at the line a person would open in an editor.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import astuple, dataclass

from assistant.errors import ArticleError
from assistant.ingest.pubdate import is_date, parse_date

__all__ = ["SUFFIXES", "Line", "Metadata", "to_lines"]

SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm")


@dataclass(frozen=True)
class Metadata:
    """Article metadata; ``""`` means not stated."""

    title: str = ""
    publication: str = ""
    author: str = ""
    date: str = ""
    date_written: str = ""  # a date line whose day/month order nothing decided, as written
    url: str = ""  # where a fetched page came from (front matter of ``live.add_url``)
    fetched: str = ""  # when it was fetched, as written there

    def over(self, other: Metadata) -> Metadata:
        """Fields set here win; the empty ones are taken from ``other``."""
        return Metadata(*(mine or theirs for mine, theirs in zip(astuple(self), astuple(other), strict=True)))


@dataclass(frozen=True)
class Line:
    """One non-blank unit of text and the 1-based source line where it starts."""

    no: int
    text: str


def is_web_address(url: str) -> bool:
    """Whether ``url`` is an http or https address: the only kind an article may come from."""
    return url.lower().startswith(("http://", "https://"))


def to_lines(text: str, suffix: str) -> tuple[tuple[Line, ...], Metadata]:
    """The non-blank lines of ``text`` read as the format ``suffix`` names, and the
    metadata stated by its front matter over that of the format.  Raises
    ``ArticleError`` for malformed front matter, HTML without article text, or a
    suffix outside ``SUFFIXES``."""
    lines = _split_lines(text)
    front, skip = _front_matter(lines)
    suffix = suffix.lower()
    if suffix in (".html", ".htm"):
        body, found = _html_lines("\n".join(lines[skip:]))
        return body, front.over(found)
    if suffix in (".md", ".markdown"):
        return _markdown_lines(lines, skip), front
    if suffix == ".txt":
        numbered = enumerate(lines[skip:], skip + 1)
        return tuple(Line(no, raw.strip()) for no, raw in numbered if raw.strip()), front
    raise ArticleError(f"unsupported file type {suffix!r}; articles must end in {', '.join(SUFFIXES)}")


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
    "url": "url",
    "fetched": "fetched",
}
_ALLOWED = "title, publication (or source, site), author, date, url, fetched"


FRONT_MAX_LINES = 20  # a "---" closing further down than this, after no "key: value" line, is a rule
_KEY_VALUE = re.compile(r"\s*[A-Za-z][\w -]{0,30}:")


def _front_matter(lines: Sequence[str]) -> tuple[Metadata, int]:
    """Metadata from a leading ``---`` block and how many lines it spans (0: none)."""
    if not lines or lines[0].strip() != "---":
        return Metadata(), 0
    end = next((i for i in range(1, len(lines)) if lines[i].strip() == "---"), 0)
    first = next((line for line in lines[1:] if line.strip()), "")
    if not _KEY_VALUE.match(first) and not (end and end <= FRONT_MAX_LINES):
        return Metadata(), 0  # a page opening with a horizontal rule (a text rendering of HTML), not front matter
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
            raise ArticleError(f"malformed front matter: unknown key {key!r} on line {no}; allowed: {_ALLOWED}")
        field = _FRONT_KEYS[key]
        if field in fields:
            raise ArticleError(f"malformed front matter: {field} given twice (line {no}); keep one")
        value = _unquote(value.strip())
        if field == "date" and value:
            iso = parse_date(value)
            if not iso:
                problem = "has no certain day/month order" if is_date(value) else "is not a date"
                raise ArticleError(
                    f"malformed front matter: date {value!r} on line {no} {problem}; write it as YYYY-MM-DD"
                )
            value = iso
        if field == "url" and value and not is_web_address(value):
            raise ArticleError(f"malformed front matter: url {value!r} on line {no} is not an http(s) address")
        fields[field] = value
    return Metadata(**fields), end + 1


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        return value[1:-1].strip()
    return value


# ---------------------------------------------------------------- Markdown and HTML

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
        Line(no, re.sub(r"^- ", "", text.strip())) for no, text in enumerate(result.text.split("\n"), 1) if text.strip()
    )
    found = Metadata(
        title=(result.title or "").strip(),
        publication=(result.sitename or "").strip(),
        author=(result.author or "").strip(),
        date=parse_date(result.date or ""),
    )
    return lines, found
