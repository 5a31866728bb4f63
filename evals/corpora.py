"""The corpus a question set is asked against, written into a folder of article files.

The bundled set's articles are the project's own ``corpus/`` files (with its
``furniture.toml``); the other sets' articles are read from ``../shared/data``
at evaluation time, never copied into the repository (their licences allow
research use, not redistribution).  Each is written as a user would save it:
a plain-text file with front matter for what the source states beside the text.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Collection, Iterable, Sequence
from pathlib import Path

from assistant.errors import AssistantError
from assistant.ingest.corpus import FURNITURE
from evals.questions import Article

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT.parent / "shared" / "data"

_MONTHS = "JAN FEB MAR APR MAY JUN JUL AUG SEP OCT NOV DEC".split()
_PARAGRAPH = re.compile(r"\n\s*\n|\n(?= {2,})")  # Reuters indents each paragraph's first line


def write_corpus(articles: Iterable[Article], folder: Path, data_dir: Path = DATA_DIR) -> Path:
    """Write every article of the list into ``folder`` under its name; returns ``folder``.

    Raises ``AssistantError`` naming the article whose source cannot be read.
    """
    folder.mkdir(parents=True, exist_ok=True)
    reuters: dict[str, dict] | None = None
    articles = list(articles)
    rules = ROOT / "corpus" / FURNITURE
    if rules.is_file() and any(a.source.startswith("corpus/") for a in articles):
        shutil.copyfile(rules, folder / FURNITURE)  # the project's articles come with their furniture rules
    for article in articles:
        try:
            if article.source.startswith("corpus/"):
                shutil.copyfile(ROOT / article.source, folder / article.name)
                continue
            if article.source.startswith("reuters21578.jsonl#"):
                reuters = reuters if reuters is not None else _reuters(data_dir / "reuters21578.jsonl")
                text = _reuters_text(reuters[article.source.partition("#")[2]])
            else:
                text = _bbc_text((data_dir / article.source).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, KeyError) as exc:
            raise AssistantError(f"cannot read article {article.name} from {article.source}: {exc!r}") from exc
        (folder / article.name).write_text(text, encoding="utf-8")
    return folder


def indexed(articles: Iterable[Article], folder: Path, data_dir: Path = DATA_DIR, settings=None):
    """An ``Assistant`` over ``articles``, written to ``folder/corpus`` and indexed in ``folder/index`` as
    ``assistant eval`` does it, with ``settings`` (the project's by default)."""
    from assistant.pipeline import PROJECT_DIR, Assistant
    from assistant.settings import load_settings

    corpus = write_corpus(articles, folder / "corpus", data_dir)
    return Assistant.load(corpus, folder / "index", settings or load_settings(PROJECT_DIR))


def squad_doc_id(article: int, paragraph: int) -> str:
    """The file name of a SQuAD paragraph written as an article."""
    return f"{article:02d}-{paragraph:03d}.txt"


def write_squad_paragraphs(
    articles: Sequence[dict], folder: Path, without: Collection[tuple[int, int]] = frozenset()
) -> int:
    """Write each paragraph of SQuAD's ``articles`` (its JSON ``data``) as one article, its
    Wikipedia title as front matter, except the (article, paragraph) pairs ``without``;
    returns how many were written."""
    folder.mkdir(parents=True, exist_ok=True)
    written = 0
    for a, article in enumerate(articles):
        title = article["title"].replace("_", " ")
        for p, paragraph in enumerate(article["paragraphs"]):
            if (a, p) not in without:
                text = " ".join(paragraph["context"].split())
                (folder / squad_doc_id(a, p)).write_text(_front(title=title) + text + "\n", encoding="utf-8")
                written += 1
    return written


def _front(**fields: str) -> str:
    return "---\n" + "".join(f"{key}: {value}\n" for key, value in fields.items() if value) + "---\n"


def _bbc_text(raw: str) -> str:
    """A BBC file: the title on the first line, then paragraphs."""
    return _front(publication="BBC News") + raw


def _reuters(path: Path) -> dict[str, dict]:
    with path.open(encoding="utf-8") as lines:
        return {str(row["newid"]): row for row in map(json.loads, lines)}


def _reuters_text(row: dict) -> str:
    """A Reuters-21578 record: its title, its dateline date, and its body with the
    teleprinter's hard wraps joined back into paragraphs (and the closing "Reuter" dropped)."""
    day, month, year = row["date"].split()[0].split("-")
    date = f"{year}-{_MONTHS.index(month.upper()) + 1:02d}-{int(day):02d}"
    body = re.sub(r"\s*Reuter\s*\W*$", "", row["body"].strip())
    paragraphs = [" ".join(p.split()) for p in _PARAGRAPH.split(body) if p.strip()]
    return _front(title=row["title"], publication="Reuters", date=date) + "\n\n".join(paragraphs) + "\n"
