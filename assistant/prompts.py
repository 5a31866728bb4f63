"""User-facing wording, kept in ``prompts/`` so it can be edited without touching code.

``prompts/templates.toml`` maps names to ``string.Template`` strings (``$name``
placeholders); ``prompts/examples.txt`` holds example questions, one per line.
The folder is the project's own (beside the ``assistant`` package) unless the
``NEWSDESK_PROMPTS`` environment variable names another.

Rendering is strict: an unknown template, a missing value or a value the
template does not use raises SettingsError, so a typo can neither show "$count"
to a reader nor silently drop a value.  Values are inserted as given; the page
and the CLI escape as they render.
"""

from __future__ import annotations

import os
import tomllib
from functools import lru_cache
from pathlib import Path
from string import Template

from assistant.errors import SettingsError
from assistant.types import AnswerSentence, Citation

ENV_VAR = "NEWSDESK_PROMPTS"


def _folder() -> Path:
    return Path(os.environ.get(ENV_VAR) or Path(__file__).resolve().parent.parent / "prompts")


@lru_cache(maxsize=4)  # keyed by folder, so an override via NEWSDESK_PROMPTS is never served stale
def _templates(folder: Path) -> dict[str, Template]:
    path = folder / "templates.toml"
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise SettingsError(f"cannot read templates {path}: {exc}; set {ENV_VAR} to a folder holding it") from exc
    templates = {}
    for name, text in raw.items():
        if not isinstance(text, str) or not Template(text).is_valid():
            raise SettingsError(
                f"template {name!r} in {path} must be a string with $name placeholders "
                f"(write $$ for a dollar sign), got {text!r}"
            )
        templates[name] = Template(text)
    return templates


@lru_cache(maxsize=4)
def _examples(folder: Path) -> tuple[str, ...]:
    path = folder / "examples.txt"
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise SettingsError(f"cannot read example questions {path}: {exc}") from exc
    return tuple(line.strip() for line in lines if line.strip())


def render(name: str, /, **values: object) -> str:
    """The template ``name`` with ``values`` substituted; each placeholder needs exactly one value."""
    templates = _templates(_folder())
    if name not in templates:
        raise SettingsError(f"no template {name!r} in {_folder()}; known: {', '.join(sorted(templates))}")
    template = templates[name]
    wanted = set(template.get_identifiers())
    missing, extra = sorted(wanted - values.keys()), sorted(values.keys() - wanted)
    if missing or extra:
        problems = ([f"missing {', '.join('$' + v for v in missing)}"] if missing else []) + (
            [f"unexpected {', '.join(extra)}"] if extra else []
        )
        takes = ", ".join("$" + v for v in sorted(wanted)) or "no values"
        raise SettingsError(f"template {name!r} takes {takes}: {'; '.join(problems)}")
    return template.substitute(values)


def citation_label(c: Citation) -> str:
    """ "[1] Title — Publication, date", with "unknown" wording where the article states nothing:
    the one label of a citation, in the CLI, the answer's sources and the page."""
    return render(
        "citation",
        number=c.number,
        title=c.label,
        publication=c.publication or render("publication_unknown"),
        date=date_label(c.date, c.date_written),
    )


def corroboration_label(sentence: AnswerSentence) -> str:
    """ "Stated in 3 articles from 2 publications", and that the fact rests on a single unnamed
    source when it does: the one wording of an answer sentence's corroboration, in the CLI and the page."""
    articles, publications = sentence.articles, sentence.publications
    label = render(
        "corroborated",
        articles=articles,
        articles_plural="" if articles == 1 else "s",
        publications=publications,
        publications_plural="" if publications == 1 else "s",
    )
    return f"{label}. {render('single_unnamed')}" if sentence.single_unnamed else label


def outcome_label(outcome: str) -> str:
    """How the CLI and the page label an answer that does not answer: "Partial answer" or
    "Not in the articles" (an answered question carries no label)."""
    return render(f"outcome_{outcome}")


def date_label(date: str, written: str = "") -> str:
    """An article's date as a reader sees it: the ISO date; else the page's date line as
    written, flagged when its day/month order is undecided; else "date unknown"."""
    if date:
        return date
    return render("date_undecided", written=written) if written else render("date_unknown")


def examples() -> tuple[str, ...]:
    """Example questions for the chat, one per non-blank line of ``prompts/examples.txt``."""
    return _examples(_folder())
