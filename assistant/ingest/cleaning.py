"""Clean an article's lines into a Document, saying which lines went and why.

Page furniture (share buttons, reading times, subscription prompts…), teasers of
other articles, repeats and lines shared across the corpus are dropped.  Date
lines, bylines and logos are dropped too but read for metadata on the way, as is
a leading dateline ("NAIROBI (Daily Nation): ...", which stays), and the first
headline-like line becomes the title.  A plain-text page (not HTML, whose furniture
trafilatura has already taken) may also pass through a learned line classifier
(``body``), which drops what the rules left of menus, teasers and footers; it sees
only the lines no rule removed, and never the title.  Every dropped line becomes a
``Removal`` with its reason: nothing disappears silently.

The cleaned text keeps the article's characters (curly quotes included) because
answers quote it verbatim; only bullets and runs of whitespace change.  Each kept
line becomes one paragraph, and paragraphs are joined with a blank line.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping, Sequence
from types import MappingProxyType

from assistant.errors import ArticleError
from assistant.ingest.body import BodyModel, applies_to
from assistant.ingest.formats import Line, Metadata
from assistant.ingest.pubdate import day_first_evidence, is_date, parse_date
from assistant.ingest.text import normalise
from assistant.types import Document, Removal

__all__ = ["clean", "count_short_lines", "learn_boilerplate", "short_lines"]

TITLE_MAX_WORDS = 20  # a headline is short; a longer line without a full stop is body text
LEARNED_MAX_WORDS = 12  # longer lines shared by two articles are quotes, not page furniture
#: The reason of a line removed as learned boilerplate.  Without the count of articles holding
#: it, so that one more article repeating a line re-cleans nothing (``index --report`` shows it).
LEARNED = "repeated across articles"
TRUNCATED_MIN_WORDS = 8  # a shorter cut-off copy of a line could be a coincidence of openings


# ---------------------------------------------------------------- names

_NAME_WORD = re.compile(r"[A-Z](?:[a-z]*(?:[-'’]?[A-Z]?[a-z]+)*|\.)|de|van|von|der|da|del|la|le|bin|al")
_BYLINE = re.compile(r"by\s+(.+)", re.IGNORECASE)
_NAME_SPLIT = re.compile(r"\s*(?:,|&|\band\b)\s*")


def _is_name(text: str, low: int = 2, high: int = 3) -> bool:
    words = text.split()
    return low <= len(words) <= high and all(_NAME_WORD.fullmatch(w) for w in words) and text[0].isupper()


def _byline(text: str) -> str:
    """The author(s) of a line like "BY Amara Okafor" or "By Jane Doe and John Roe"."""
    match = _BYLINE.fullmatch(text)
    if not match:
        return ""
    names = match.group(1).strip()
    parts = [n.title() if n.isupper() else n for n in _NAME_SPLIT.split(names) if n]
    return names if parts and all(_is_name(n, 2, 4) for n in parts) else ""


_DATELINE = re.compile(r"[A-Z][A-Z .,'’-]*\(([^()]{2,40})\)\s*[:—–-]\s")  # NAIROBI (Daily Nation): ...


# ---------------------------------------------------------------- cleaning

_READING_TIME = r"\(\s*\d+\s*min(?:ute)?s?(?: read)?\s*\)"
_TEASER = re.compile(_READING_TIME + r"\s*\S", re.IGNORECASE)
_BULLET = re.compile(r"^[•◦▪▫‣⁃●○■□]\s*")
# Page furniture of any site, matched against the whole normalised line (casefolded,
# straight quotes, single spaces) so prose that merely contains the words survives.
# A corpus adds the furniture of its own sites in ``furniture.toml`` (``SiteRules``).
_RULES = tuple(
    (reason, re.compile(pattern))
    for reason, pattern in (
        ("share button", r"share(?: (?:on|via|this|to|with) .{1,30}| \S+)?"),
        ("read-more link", r"(?:read|see) more\W*|continue reading\W*"),
        ("reading time", _READING_TIME),
        ("subscription prompt", r"subscribe\b[^.?!]{0,80}"),
        ("podcast prompt", r"listen to\b.*\bpodcasts?\b.*"),
        ("logo", r".{1,40} logo"),  # an image's alt text; a site's own rule may read its name from it
        ("table of contents", r"table of contents"),
        ("comment prompt", r"leave a comment|\d* ?comments?"),
        (
            "related-articles header",
            r"(?:more|most recent|related|recommended) (?:by|from|articles|stories|reading)\b.{0,40}",
        ),
        ("call to action", r"sign up\b[^.?!]{0,80}"),
        ("advertisement", r"advertisement|sponsored content"),
        ("separator", r"[\W_]+"),  # "---", "* * *": a rule between parts of the page
    )
)


#: A corpus's own furniture rules, (reason, pattern) as ``_RULES``; a pattern's group
#: ``publication`` names the publication ("(?P<publication>.+) logo").
SiteRules = tuple[tuple[str, re.Pattern[str]], ...]


def learn_boilerplate(texts: Iterable[str]) -> Mapping[str, int]:
    """Normalised short lines (≤ 12 words) found in at least two of ``texts``,
    mapped to how many texts hold them: furniture of a site that no rule names."""
    return count_short_lines(short_lines(text.split("\n")) for text in texts)


def short_lines(lines: Iterable[str]) -> frozenset[str]:
    """The normalised short lines among one text's ``lines``: what ``learn_boilerplate`` counts."""
    return frozenset(line for line in map(line_key, lines) if line and len(line.split()) <= LEARNED_MAX_WORDS)


def line_key(raw: str) -> str:
    """A line as the learned boilerplate knows it: no bullet, single spaces, normalised."""
    return normalise(_display(raw))


def count_short_lines(texts: Iterable[frozenset[str]]) -> Mapping[str, int]:
    """``learn_boilerplate`` from each text's ``short_lines`` (kept per file, so an update
    that re-reads a corpus need not re-normalise every line)."""
    counts: dict[str, int] = {}
    for lines in texts:
        for line in lines:
            counts[line] = counts.get(line, 0) + 1
    return MappingProxyType({line: n for line, n in sorted(counts.items()) if n >= 2})


def _display(text: str) -> str:
    """A kept line as it appears in the cleaned text: no bullet, single spaces."""
    return " ".join(_BULLET.sub("", text.strip()).split())


def clean(
    doc_id: str,
    lines: Sequence[Line],
    given: Metadata,
    learned: Mapping[str, int],
    site_rules: SiteRules = (),
    body: BodyModel | None = None,
) -> tuple[Document, tuple[Removal, ...]]:
    """The cleaned Document of ``lines`` and the lines removed from it.

    ``given`` (front matter, HTML <head>) wins over metadata read from the lines;
    ``learned`` is a ``learn_boilerplate`` result; ``body``, for plain text only, drops
    the lines it calls furniture on a page long enough for it (``body.applies_to``).
    Raises ``ArticleError`` when nothing but boilerplate is left.
    """
    kept, removed, found = _sift(lines, given.title, learned, site_rules, body)
    if not kept and body is not None:
        # a page the model calls all furniture is one it cannot read (another script, a list
        # of facts): it is left as the rules leave it rather than refused
        kept, removed, found = _sift(lines, given.title, learned, site_rules)
    if not kept:
        first = f" (first: {removed[0].text!r}, {removed[0].reason})" if removed else ""
        raise ArticleError(f"only boilerplate: nothing left after cleaning {len(removed)} lines{first}")
    meta = given.over(found)
    text = "\n\n".join(kept)
    document = Document(
        doc_id=doc_id,
        title=meta.title,
        publication=meta.publication,
        author=meta.author,
        date=meta.date,
        text=text,
        content_hash=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        date_written="" if meta.date else meta.date_written,
        url=meta.url,
    )
    return document, tuple(removed)


def _sift(
    lines: Sequence[Line],
    given_title: str,
    learned: Mapping[str, int],
    site_rules: SiteRules = (),
    body: BodyModel | None = None,
) -> tuple[list[str], list[Removal], Metadata]:
    """Split ``lines`` into kept paragraphs and removals, reading metadata on the way.

    The first applicable rule wins, in this order: page furniture, teasers of other
    articles (only once the body has begun, so the article's own lead is safe even
    when a reading time precedes it), date-only lines, bylines, a name next to a date line, learned
    boilerplate, the title (the first title-like line before any body text, unless
    a title was given), then repeats of the title, of an earlier line, or a cut-off
    copy of an earlier line, and last the ``body`` model.  Metadata lines are checked
    before learned boilerplate so that a byline shared by two articles still yields the author.
    """
    sift = _Sift(lines, learned, given_title, site_rules, body)
    for i in range(len(lines)):
        sift.take(i)
    return sift.kept, sift.removed, Metadata(title=sift.title, **sift.found)


class _Sift:
    """One pass over an article's lines: what is kept, what is removed and why, and the
    metadata read on the way.  Each rule group returns a reason, or "" to pass the line on."""

    def __init__(
        self,
        lines: Sequence[Line],
        learned: Mapping[str, int],
        title: str,
        site_rules: SiteRules = (),
        body: BodyModel | None = None,
    ) -> None:
        self.lines, self.learned, self.title = lines, learned, title
        texts = [line.text for line in lines]
        # p(body) of every line, read in the context of the whole page; only lines that no rule removed are judged
        self.body_p = body.probabilities(texts) if body and applies_to(texts) else ()
        self.threshold = body.threshold if body else 0.0
        self.rules = (*site_rules, *_RULES)  # a site's own rules first: they may name the publication
        self.shown = [_display(line.text) for line in lines]
        self.norms = [normalise(shown) for shown in self.shown]  # line_key of each line
        self.teaser_titles = {i - 1 for i, shown in enumerate(self.shown) if i and _TEASER.match(shown)}
        order = day_first_evidence(self.shown)  # the page's own numeric dates decide "09/10/2021"
        self.dates = [parse_date(shown, order) for shown in self.shown]
        self.headline = self._headline() if self.body_p and not title else None
        self.found = {"publication": "", "author": "", "date": "", "date_written": ""}
        self.kept: list[str] = []
        self.removed: list[Removal] = []
        self.first_seen: dict[str, int] = {}  # normalised kept line -> its line number
        self.by_opening: dict[str, list[tuple[str, int]]] = {}  # first words -> earlier lines
        if title:
            self.first_seen[normalise(title)] = 0  # line 0: the title came from metadata

    def take(self, i: int) -> None:
        line, shown, norm = self.lines[i], self.shown[i], self.norms[i]
        reason = self._furniture(i, shown, norm) or self._metadata(i, shown) or self._repeat(i, shown, norm)
        if not reason and self.body_p and self.body_p[i] < self.threshold:
            reason = f"not article body (model p={self.body_p[i]:.2f})"
        if reason:
            self.removed.append(Removal(line.no, line.text, reason))
        else:
            if not self.kept and (dateline := _DATELINE.match(shown)):
                self._note("publication", dateline.group(1).strip())
            self.kept.append(shown)
        if reason in ("", "title"):  # the title too, so its repeats and cut copies go
            self.first_seen[norm] = line.no
            opening = " ".join(norm.split()[: TRUNCATED_MIN_WORDS - 1])
            self.by_opening.setdefault(opening, []).append((norm, line.no))

    def _note(self, field: str, value: str) -> None:
        """Metadata found in the lines: the first value of each field wins."""
        self.found[field] = self.found[field] or value

    def _furniture(self, i: int, shown: str, norm: str) -> str:
        reason, match = next(((r, m) for r, pattern in self.rules if (m := pattern.fullmatch(norm))), ("", None))
        if match and "publication" in match.re.groupindex:
            # normalising casefolds and unifies quotes of the shown (single-spaced) line: same
            # length, so the span gives the name as the page writes it, unless casefolding grew it
            same = len(norm) == len(shown)
            span = shown[match.start("publication") : match.end("publication")]
            self._note("publication", span if same else match["publication"])
        if reason or not self.kept:
            return reason
        if _TEASER.match(shown):
            return "teaser of another article"
        if i in self.teaser_titles and len(norm.split()) <= TITLE_MAX_WORDS:
            return "teaser title of another article"
        return ""

    def _metadata(self, i: int, shown: str) -> str:
        if self.dates[i]:
            self._note("date", self.dates[i])
            return "date line"
        if is_date(shown):
            self._note("date_written", shown)
            return "date line (day and month order undecided: shown as written)"
        if author := _byline(shown):
            self._note("author", author)
            return "byline"
        if _is_name(shown) and self._next_to_date(i):
            self._note("author", shown)
            return "author name beside the date"
        return ""

    def _next_to_date(self, i: int) -> bool:
        return any(
            0 <= j < len(self.lines) and self.dates[j] and abs(self.lines[j].no - self.lines[i].no) == 1
            for j in (i - 1, i + 1)
        )

    def _headline(self) -> int | None:
        """On a page the model reads, the headline is the title-like line nearest above the first
        body sentence, past the date, byline and furniture between them: a menu above it ("Home",
        "News") is title-like too, but the first such line is not the headline there."""
        first = next(
            (
                i
                for i, p in enumerate(self.body_p)
                if p >= self.threshold and not _is_title(self.lines[i].text, self.shown[i])
            ),
            None,
        )
        for j in range(first - 1 if first is not None else -1, -1, -1):
            shown, norm = self.shown[j], self.norms[j]
            if any(pattern.fullmatch(norm) for _, pattern in self.rules) or is_date(shown) or _byline(shown):
                continue
            if _is_name(shown) and self._next_to_date(j):
                continue
            if not _is_title(self.lines[j].text, shown):
                return None
            return self.norms.index(norm)  # its first copy
        return None

    def _repeat(self, i: int, shown: str, norm: str) -> str:
        line = self.lines[i]
        if norm in self.learned:
            return LEARNED
        first_title_like = not self.kept and _is_title(line.text, shown)
        if not self.title and (i == self.headline if self.headline is not None else first_title_like):
            self.title = shown
            return "title"
        if norm in self.first_seen:
            if norm == normalise(self.title):
                return "repeated title"
            return f"repeated line (first on line {self.first_seen[norm]})"
        if earlier := _truncated_copy_of(norm, self.by_opening):
            return f"truncated repeat of line {earlier}"
        return ""


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
