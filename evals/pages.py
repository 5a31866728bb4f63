"""The benchmark's news pages (``../shared/data/aeb``) and their plain-text renderings.

Each page is rendered to text by several converters, because a person saving a page
as text uses whichever tool they have: cleaning measured on one converter's output
could be fitted to its quirks.  html2text writes Markdown, so its rendering is read
as a ``.md`` file; the others write plain text (``.txt``).
"""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from evals.corpora import DATA_DIR

DATA = DATA_DIR / "aeb"

#: converter -> the suffix its output is read as
CONVERTERS = {"inscriptis": ".txt", "html-text": ".txt", "html2text": ".md"}


@dataclass(frozen=True)
class Page:
    """One benchmark page: its HTML and the article body a person marked in it."""

    key: str
    url: str
    html: str
    body: str


def load_pages(folder: Path = DATA) -> tuple[Page, ...]:
    """Every page of the benchmark, in key order; raises FileNotFoundError naming the folder."""
    truth_file = folder / "ground-truth.json"
    if not truth_file.is_file():
        raise FileNotFoundError(f"no {truth_file}: point --data at the aeb folder of the shared data")
    truth = json.loads(truth_file.read_text(encoding="utf-8"))
    pages = []
    for key in sorted(truth):
        raw = gzip.decompress((folder / "html" / f"{key}.html.gz").read_bytes())
        html = raw.decode("utf-8", errors="replace")
        pages.append(Page(key, truth[key].get("url", ""), html, truth[key].get("articleBody", "")))
    return tuple(pages)


@cache
def render(html: str, converter: str) -> str:
    """The page as ``converter`` renders it to text (links and images left out); once per page,
    since training and scoring both read every rendering."""
    if converter == "inscriptis":
        from inscriptis import get_text

        return get_text(html)
    if converter == "html-text":
        import html_text

        return html_text.extract_text(html, guess_layout=True)
    if converter == "html2text":
        import html2text

        maker = html2text.HTML2Text()
        maker.ignore_links = maker.ignore_images = True
        maker.body_width = 0
        return maker.handle(html)
    raise ValueError(f"unknown converter {converter!r}; choose one of {', '.join(CONVERTERS)}")
