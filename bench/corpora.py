"""Real news corpora for the scale benchmarks, written as article files the corpus reader takes.

The shared data (``/work/shared/data``, see its README; research licences) is
never copied into the repository: corpus folders are written under
``bench/results/cache/`` (gitignored).  Each article becomes a ``.txt`` file with
front matter (title, publication, and the date where the data has one), so the
normal ``assistant index`` pipeline reads it like any other article:

* ``bbc``: the 2,225 BBC News articles (first line is the title; no dates).  The
  one file that is not valid UTF-8 is copied unchanged, so the reader's own
  "not UTF-8" refusal is exercised as it would be on real data.
* ``news30k``: BBC, plus the 19,043 Reuters-21578 stories with a body (dated
  1987), plus the 7,600 AG News test items (title and description): ~29k articles.

A sample (``write_sample``: every k-th article of a corpus) keeps smoke runs small.

    .venv/bin/python bench/corpora.py bbc|news30k [ARTICLES]   # prints the folder
"""

from __future__ import annotations

import csv
import json
import re
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

from common import CACHE

from assistant.ingest.formats import parse_date

DATA = Path("/work/shared/data")
CORPORA = ("bbc", "news30k")


def front_matter(title: str, publication: str, date: str = "") -> str:
    """A front-matter block; titles are one line, quoted only to keep their own quotes."""
    title = " ".join(title.split())
    if len(title) >= 2 and title[0] == title[-1] and title[0] in "'\"":
        title = f'"{title}"'
    lines = ["---", f"title: {title}", f"publication: {publication}"]
    if date:
        lines.append(f"date: {date}")
    return "\n".join([*lines, "---", ""]) + "\n"


def bbc_articles(data: Path = DATA) -> Iterator[tuple[str, bytes]]:
    for path in sorted((data / "bbc" / "articles").glob("*/*.txt")):
        name = f"bbc/{path.parent.name}-{path.stem}.txt"
        raw = path.read_bytes()
        try:
            title, _, body = raw.decode("utf-8").partition("\n")
        except UnicodeDecodeError:
            yield name, raw
            continue
        yield name, (front_matter(title, "BBC News") + body.strip() + "\n").encode()


def reuters_articles(data: Path = DATA) -> Iterator[tuple[str, bytes]]:
    """Reuters bodies are hard-wrapped at ~70 columns with indented paragraphs and end in
    "Reuter" and a control mark; paragraphs are rejoined and the trailer dropped."""
    with (data / "reuters21578.jsonl").open(encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            body = (record.get("body") or "").replace("\x03", "").strip()
            if not body:
                continue
            body = re.sub(r"\s*Reuter\s*$", "", body)
            paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s{2,}|\n\s*\n", body)]
            date = parse_date(record["date"].split()[0].replace("-", " "))  # "26-FEB-1987"
            title = record.get("title") or paragraphs[0][:80]
            text = front_matter(title, "Reuters", date) + "\n\n".join(p for p in paragraphs if p) + "\n"
            yield f"reuters/{record['newid']:05d}.txt", text.encode()


def ag_news_articles(data: Path = DATA) -> Iterator[tuple[str, bytes]]:
    """AG News escapes newlines as backslashes and some characters as ``#36;``."""
    with (data / "ag_news_test.csv").open(encoding="utf-8", newline="") as handle:
        for number, row in enumerate(csv.DictReader(handle)):
            description = re.sub(r"#(\d+);", lambda m: chr(int(m.group(1))), row["description"])
            body = " ".join(description.replace("\\", " ").split())
            yield (
                f"agnews/{number:05d}.txt",
                (front_matter(row["title"], "AG News") + body + "\n").encode(),
            )


def write_corpus(name: str) -> Path:
    """The corpus folder for ``name``, written once (a ``.complete`` marker says it is whole)."""
    sources = {
        "bbc": (bbc_articles,),
        "news30k": (bbc_articles, reuters_articles, ag_news_articles),
    }[name]
    folder = CACHE / "corpora" / name
    if (folder / ".complete").is_file():
        return folder
    for source in sources:
        for relative, data in source():
            path = folder / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
    (folder / ".complete").touch()
    return folder


def write_sample(name: str, articles: int) -> Path:
    """A folder of ``articles`` articles of corpus ``name``, evenly spread over its files (so
    every source and category is in it), written once like the corpus itself."""
    folder = CACHE / "corpora" / f"{name}-{articles}"
    if (folder / ".complete").is_file():
        return folder
    whole = write_corpus(name)
    files = sorted(p for p in whole.rglob("*.txt"))
    for number in range(min(articles, len(files))):
        path = files[number * len(files) // articles]
        target = folder / path.relative_to(whole)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
    (folder / ".complete").touch()
    return folder


if __name__ == "__main__":
    corpus = sys.argv[1] if len(sys.argv) > 1 else "bbc"
    print(write_sample(corpus, int(sys.argv[2])) if len(sys.argv) > 2 else write_corpus(corpus))
