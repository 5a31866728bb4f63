"""Example questions for the chat that the served corpus answers.

The hand-written examples (``prompts/examples.txt``) are about the articles they were written
for; a reader who indexed another archive would be offered questions about articles they do not
have.  So the examples offered are those of the file that the index answers, and when fewer than
wanted pass, questions built from the corpus fill the list: what happened with the names it
mentions most, what one of them said, who a person is, a summary of an article's title, the
forms in turn.  Every question is asked before it is offered and kept only when it is answered
with a citation and its answer shows what the form promises (``passes``).  No rule here knows
which corpus it serves: a corpus keeps its file's questions because its index answers them.

Names come from the small named-entity model, which calls some clubs and firms people and cuts
some names short; the filters (``askable``) and the checks keep what it gets wrong out of the
examples rather than correcting it.  The choice is kept beside the index (``EXAMPLES``) under
the generation served, the settings and the file's questions (``cache_key``): a restart asks
nothing, a new index, other settings or an edited file choose again.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from assistant import prompts
from assistant.answer.countries import COUNTRIES
from assistant.ingest.uploads import write_atomic
from assistant.settings import Settings
from assistant.store.entities import Entity
from assistant.types import Answer

EXAMPLES = "examples.json"
#: Bumped when the way examples are built or checked changes, so a kept choice is made again.
FORMAT = 1
#: Built questions asked per example still wanted, at most: the checks stay a few seconds.
TRIES = 3
#: Words before a name that do not introduce it ("from Acme", "with Ana Lima"): not a role.
_LINKS = frozenset(
    "a an the and or but of for from to by with at in on as than after before over under into against "
    "between without about said says told".split()
)
#: "Ana Lima, the director," / "Ana Lima, Acme's chief," / "Acme, which": a description follows the name.
_APPOSITION = re.compile(r",\s+(?:the |an? |[A-Z][\w.’'-]*['’]s )?[a-z]")
_NATIONALITIES = frozenset(adjective for party, adjective, _ in COUNTRIES if adjective != party)


@dataclass(frozen=True)
class Candidate:
    """A question built from the corpus: its form ("happened", "said", "who" or "summary"), the
    name or title it asks about, and its wording."""

    form: str
    subject: str
    question: str


def cache_key(generation: str, settings: Settings, given: Sequence[str], n: int) -> dict[str, Any]:
    """What a kept choice is valid for: the index generation served, the query-time settings the
    answers depended on, the file's questions and how many were wanted."""
    digest = hashlib.sha256(json.dumps(asdict(settings), sort_keys=True, default=str).encode()).hexdigest()
    return {"format": FORMAT, "generation": generation, "settings": digest, "given": list(given), "n": n}


def cached(path: Path, key: dict[str, Any], choose: Callable[[], list[str]]) -> list[str]:
    """The questions kept at ``path`` under ``key``, else ``choose()``'s, kept there (written
    atomically; a folder that cannot be written only costs the choice again next time)."""
    try:
        kept = json.loads(path.read_text(encoding="utf-8"))
        if kept["key"] == key and all(isinstance(q, str) for q in kept["examples"]):
            return list(kept["examples"])
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError):
        pass
    questions = choose()
    with contextlib.suppress(OSError):
        write_atomic(path, json.dumps({"key": key, "examples": questions}, ensure_ascii=False).encode("utf-8"))
    return questions


def choose(
    given: Sequence[str],
    build: Callable[[], Sequence[Iterable[Candidate]]],
    ask: Callable[[str], Answer],
    n: int,
) -> list[str]:
    """Up to ``n`` questions that ``ask`` answers: ``given``'s first, in order, then built ones.

    ``build`` is called only when ``given`` falls short (listing a corpus's names can be slow) and
    returns one sequence of candidates per form, best first; the forms are taken in turn, a
    candidate about a name already offered is passed over unasked, and at most ``TRIES`` built
    questions are asked per example wanted.
    """
    chosen: list[str] = []
    for question in given:
        if len(chosen) == n:
            return chosen
        if answered(ask(question)):
            chosen.append(question)
    budget = TRIES * (n - len(chosen))
    if budget <= 0:
        return chosen
    used: set[str] = set()
    forms: list[Iterator[Candidate]] = [iter(form) for form in build()]
    while forms and budget > 0 and len(chosen) < n:
        for form in list(forms):
            candidate = next((c for c in form if c.form == "summary" or not _words(c.subject) & used), None)
            if candidate is None:
                forms.remove(form)
                continue
            budget -= 1
            if passes(candidate, ask(candidate.question)):
                chosen.append(candidate.question)
                used |= _words(candidate.subject)
            if budget == 0 or len(chosen) == n:
                break
    return chosen


def candidates(
    entities: Sequence[Entity], titles: Sequence[str], texts: Sequence[str]
) -> tuple[Iterator[Candidate], ...]:
    """Questions about ``entities`` (most articles first) and ``titles`` (newest first), one
    iterator per form, each best first; ``texts``, the articles', say whether a name is written
    with "the" (looked up only for the candidates drawn)."""
    names = [e for e in entities if askable(e)]
    said = ("person", "organisation")

    def built(form: str, template: str, entity: Entity) -> Candidate:
        return Candidate(form, entity.name, prompts.render(template, name=called(entity.name, texts)))

    return (
        (built("happened", "example_happened_in" if e.kind == "place" else "example_happened", e) for e in names),
        (built("who", "example_who", e) for e in names if e.kind == "person" and len(e.name.split()) > 1),
        (built("said", "example_said", e) for e in names if e.kind in said),
        (Candidate("summary", t, prompts.render("example_summary", title=t)) for t in _titles(titles)),
    )


def called(name: str, texts: Iterable[str]) -> str:
    """``name`` as the articles mostly write it: "the Competition Board" when "the" goes before it
    more often than not (the entity listing sets "the" aside)."""
    mentions = _mentions(name)
    before = [text[max(0, m.start() - 4) : m.start()].casefold() for text in texts for m in mentions.finditer(text)]
    return f"the {name}" if 2 * sum(b == "the " for b in before) > len(before) else name


def askable(entity: Entity) -> bool:
    """Whether a reader would ask about this name as written: capitalised, a few words, not a bare
    abbreviation or a nationality (the model's "the Italian" is no one to ask about)."""
    name, words = entity.name, entity.name.split()
    return (
        name[:1].isupper()
        and any(ch.isalpha() for ch in name)
        and len(words) <= 5
        and len(name) <= 40
        and (len(words) > 1 or len(name) >= 4)
        and name not in _NATIONALITIES
        and not any(ch in name for ch in '"“”?')
    )


def answered(answer: Answer) -> bool:
    """An answer, not an abstention nor a partial one, with at least one citation."""
    return not answer.abstained and answer.outcome == "answered" and bool(answer.citations)


def passes(candidate: Candidate, answer: Answer) -> bool:
    """Whether ``answer`` answers ``candidate`` as its form promises: a summary for "happened"
    (naming the name) and "summary"; the name's own statement first for "said"; for "who", a first
    sentence that introduces the name by a role ("chairman Ana Lima", "Ana Lima, the director,"),
    which the clubs and firms the model takes for people do not get."""
    if not answered(answer):
        return False
    if candidate.form == "happened":
        return answer.summary and _names(answer.text, candidate.subject)
    if candidate.form == "said":
        return answer.citations[0].stated_by.casefold() == candidate.subject.casefold()
    if candidate.form == "who":
        return bool(answer.sentences) and introduces(answer.sentences[0].text, candidate.subject)
    return answer.summary


def introduces(sentence: str, name: str) -> bool:
    """Whether ``sentence`` says what ``name`` is: a role just before it or a description after it."""
    for found in _mentions(name).finditer(sentence):
        before = sentence[: found.start()].split()
        if before and before[-1].isalpha() and before[-1].islower() and before[-1] not in _LINKS:
            return True
        if _APPOSITION.match(sentence, found.end()):
            return True
    return False


def _titles(titles: Sequence[str]) -> Iterator[str]:
    """Headlines that read as a subject: a few words, once each."""
    seen = set()
    for title in titles:
        title = " ".join(title.split()).strip('"“”')
        if 3 <= len(title.split()) <= 14 and len(title) <= 100 and title.casefold() not in seen:
            seen.add(title.casefold())
            yield title


def _words(subject: str) -> set[str]:
    """A name's capitalised words: "Ana Lima" and "Lima" are the same subject, "of" is none."""
    return {w.casefold() for w in re.findall(r"[\w’'-]+", subject) if w[:1].isupper()}


def _mentions(name: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![\w-]){re.escape(name)}(?![\w-])")


def _names(text: str, name: str) -> bool:
    return bool(_mentions(name).search(text))
