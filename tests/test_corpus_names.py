"""No product module names a person or organisation of the bundled articles: the five articles
are an example corpus, and a rule that names their people works only on them.

The names are found by the NER model in the bundled articles (people, also by surname, and
organisations); a name with a word the articles also use in lower case ("state", "ministry") or
one of the general table of countries is not taken as theirs.
``prompts/examples.txt`` (the bundled corpus's example questions) is the one exception.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PRODUCT = [*sorted((ROOT / "assistant").rglob("*.py")), ROOT / "app.py", ROOT / "prompts" / "templates.toml"]


@cache
def corpus_names() -> frozenset[str]:
    from assistant.answer.countries import COUNTRIES
    from assistant.models.ner import entities

    texts = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "corpus").glob("*.txt"))]
    lower = set(re.findall(r"\b[a-z][a-z’'-]+\b", " ".join(texts)))
    general = {word for entry in COUNTRIES for name in (entry[0], entry[1], *entry[2]) for word in name.split()}
    names = set()
    for found in entities(texts):
        for text, label, _, _ in found:
            if label not in ("PERSON", "ORG") or "\n" in text:  # a run across lines is page furniture
                continue
            words = re.findall(r"[A-Z][\w-]+", text)
            if words and all(w.casefold() not in lower and w not in general for w in words):
                names.add(" ".join(words))
                if label == "PERSON":
                    names.add(words[-1])  # the surname alone: "Psaki said"
    return frozenset(names)


def named(text: str) -> list[str]:
    return sorted(w for w in corpus_names() if re.search(rf"(?<![\w-]){re.escape(w)}(?![\w-])", text))


def test_the_bundled_articles_have_names_to_look_for():
    assert {"Kerry", "Psaki", "Blinken", "Xi"} <= corpus_names()
    assert named("Blinken said so") == ["Blinken"]  # the check can fail


@pytest.mark.parametrize("path", PRODUCT, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_product_module_names_them(path):
    assert named(path.read_text(encoding="utf-8")) == []
