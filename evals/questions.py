"""The fixed question sets: their records, their loaders and their dev/test splits
(format: ``eval/README.md``).

Each set pairs a question file with an article list (``articles.tsv``) that puts
every article in ``dev`` or ``test``.  A question belongs to ``dev`` only when every
article it draws on (``docs``, or ``about`` for an unanswerable one) is a dev
article: tuning never sees a question that touches a test article.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from assistant.answer.followup import resolve
from assistant.errors import AssistantError
from evals import jsonl

#: Questions answered by a few sentences; "broad" ones ask for a summary across articles
#: (``answer.summary``), whose settings are chosen on their own (``evals.tune_summary``).
NARROW = ("single", "multi", "followup", "unanswerable")
CATEGORIES = (*NARROW, "broad")


@dataclass(frozen=True)
class Question:
    id: str
    category: str
    question: str
    answerable: bool
    evidence: tuple[str, ...] = ()
    facts: tuple[tuple[str, ...], ...] = ()
    history: tuple[str, ...] = ()
    docs: tuple[str, ...] = ()
    about: tuple[str, ...] = ()  # unanswerable: the articles it asks about (decides its split)

    @property
    def articles(self) -> tuple[str, ...]:
        return self.docs or self.about


def load_questions(path: Path) -> list[Question]:
    """Parse and validate a question file; errors name the line and the problem."""
    questions, seen = [], set()
    for where, row in jsonl.rows(path):
        try:
            q = Question(
                id=str(row["id"]),
                category=row["category"],
                question=row["question"],
                answerable=bool(row["answerable"]),
                evidence=tuple(row.get("evidence", ())),
                facts=tuple(tuple(group) for group in row.get("facts", ())),
                history=tuple(row.get("history", ())),
                docs=tuple(row.get("docs", ())),
                about=tuple(row.get("about", ())),
            )
        except (KeyError, TypeError) as exc:
            raise AssistantError(f"{where}: not a valid question ({exc!r}); see eval/README.md") from exc
        if q.category not in CATEGORIES:
            raise AssistantError(f"{where}: category {q.category!r} is not one of {', '.join(CATEGORIES)}")
        if q.answerable and not q.evidence:
            raise AssistantError(f"{where}: an answerable question needs evidence")
        if q.id in seen:
            raise AssistantError(f"{where}: duplicate id {q.id!r}")
        seen.add(q.id)
        questions.append(q)
    if not questions:
        raise AssistantError(f"{path} holds no questions")
    return questions


def retrieval_query(q: Question) -> str:
    """The text searched for a question: follow-ups resolved against their history
    by the same rules the chat uses."""
    return resolve(q.question, q.history)


SPLITS = ("dev", "test")


@dataclass(frozen=True)
class Article:
    name: str  # the file name in the evaluated corpus, as questions' ``docs`` name it
    split: str
    source: str  # ``corpus/NAME`` in the project, else a path (or ``FILE#ID``) under ../shared/data


@dataclass(frozen=True)
class QuestionSet:
    name: str
    questions: tuple[Question, ...]
    articles: tuple[Article, ...]

    def split(self, split: str) -> list[Question]:
        """The questions of ``split``: dev when every article a question draws on is a dev article."""
        dev = {a.name for a in self.articles if a.split == "dev"}
        return [q for q in self.questions if ("dev" if set(q.articles) <= dev else "test") == split]


def load_articles(path: Path) -> tuple[Article, ...]:
    """Parse an article list: a header, then ``name<TAB>split<TAB>source`` per line."""
    try:
        rows = [line.split("\t") for line in path.read_text(encoding="utf-8").splitlines()[1:] if line.strip()]
    except (OSError, UnicodeDecodeError) as exc:
        raise AssistantError(f"cannot read article list {path}: {exc}") from exc
    articles = []
    for number, row in enumerate(rows, start=2):
        if len(row) != 3 or row[1] not in SPLITS:
            raise AssistantError(f"{path}:{number}: expected name, split ({' or '.join(SPLITS)}) and source")
        articles.append(Article(*row))
    return tuple(articles)


def load_set(name: str, questions_file: Path, articles_file: Path) -> QuestionSet:
    """A question set whose every question names articles of its list (``docs`` or ``about``)."""
    questions = load_questions(questions_file)
    articles = load_articles(articles_file)
    known = {a.name for a in articles}
    for q in questions:
        if not q.articles:
            raise AssistantError(f"{questions_file}: question {q.id} names no article (docs, or about)")
        if unknown := sorted(set(q.articles) - known):
            raise AssistantError(f"{questions_file}: question {q.id} names {unknown}, not in {articles_file}")
    return QuestionSet(name, tuple(questions), articles)


EVAL_DIR = Path(__file__).resolve().parent.parent / "eval"

#: The question sets, by name: the bundled articles' own, and news from other domains.
SETS = {
    "bundled": (EVAL_DIR / "questions.jsonl", EVAL_DIR / "articles.tsv"),
    "news": (EVAL_DIR / "news" / "questions.jsonl", EVAL_DIR / "news" / "articles.tsv"),
}


def load_sets(names: list[str] | tuple[str, ...] = tuple(SETS)) -> list[QuestionSet]:
    unknown = sorted(set(names) - set(SETS))
    if unknown:
        raise AssistantError(f"unknown question set(s) {', '.join(unknown)}; known: {', '.join(SETS)}")
    return [load_set(name, *SETS[name]) for name in names]
