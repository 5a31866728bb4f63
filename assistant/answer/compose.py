"""Extractive answers: choose article sentences that answer, cite each one, or abstain.

1. Search the (follow-up resolved) question with hybrid retrieval.
2. Candidates: the sentences of the top passages and their neighbours.
3. Prefilter by the cosine of the stored sentence vectors to the query (free:
   computed at index time) plus the sentence's BM25, then score the best few with
   the cross-encoder, which reads question and sentence together and ranks answer
   sentences far better than cosine (``assistant external``: TrecQA, WikiQA) but
   costs a transformer pass per sentence, so it is spent only where it counts.
   Each score also carries the rank of the passage the sentence came from.
4. Abstain ("not in the articles") when the best score is below ``abstain_below``
   or when any of the question's names and numbers appears nowhere in the corpus.  The
   cross-encoder scores relevance, not whether a sentence answers: so the
   answerability model (``models/answerability.py``) reads the best sentence in
   its window, and below ``answerable_below``, or when a "who / when / how many /
   how long" question gets no sentence offering that type of answer
   (``answer_type.py``), the answer is *partial*: it says the articles do not give
   what was asked, then quotes what they say about it.
5. Select best-first, skipping near-repeats, up to the sentence and word budget
   (a question asking how named parties' accounts differ first gets each party's
   best attributed statement); a sentence that leans on its predecessor
   ("Instead, they…", "This follows…") brings it along, or is dropped when the
   budget cannot hold both.
6. A sentence another article says almost word for word is said once and
   cites both.  Accounts of two countries, or of the parties a question
   compares, are shown grouped by source (``accounts.py``).  Otherwise: by
   source, then position.
Every sentence is sliced from its article by offsets, so quotes are verbatim
and citations correct by construction.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from assistant import prompts
from assistant.answer.accounts import (
    account_source,
    is_country,
    said_about,
    side_of,
    sides_compared,
    speaks_for,
    stated_by,
)
from assistant.answer.answer_type import expected_type, supplies
from assistant.answer.corroboration import statements, word_overlap
from assistant.answer.dates import resolve_relative_dates
from assistant.answer.followup import entities, resolve
from assistant.answer.summary import budget, date_order, is_broad, spread, subject
from assistant.answer.timeline import sentence_date
from assistant.retrieve.filters import Filters, check_query
from assistant.retrieve.search import standardise
from assistant.settings import Settings
from assistant.store.lexical import tokenize
from assistant.types import Answer, AnswerSentence, Citation, Passage, Sentence

if TYPE_CHECKING:
    from assistant.models.answerability import Answerability
    from assistant.retrieve.search import Retriever
    from assistant.store.generation import Index

#: How a partial answer names what the articles do not give, by expected answer type.
_KIND_WORDS = {
    "agent": "name",
    "person": "person",
    "organisation": "organisation",
    "place": "place",
    "date": "date",
    "number": "number",
    "duration": "length of time",
}
#: Openings that make a sentence lean on the one before it.
DEPENDENT = re.compile(
    r"^[\W]*(?:worse|this|that|these|those|it|its|he|she|they|them|his|her|their|but|and|also|"
    r"however|still|meanwhile|likewise|such|rather|then|so|yet|instead|moreover|even so|as a result|"
    r"in another|on the other hand|the same)\b",
    re.IGNORECASE,
)
#: A sentence ends in terminal punctuation (possibly inside closing quotes); lines without it
#: are headings, bullets or truncated leads: poor answers on their own.
COMPLETE = re.compile(r"[.!?…][\"'”’)\]]*$")
_WORDS = re.compile(r"\S+")
_PRONOUNS = frozenset("it this that them these those".split())


@dataclass(frozen=True)
class Scored:
    sentence: Sentence
    score: float  # cross-encoder logit less the passage prior
    logit: float  # the cross-encoder logit alone


def ask(
    retriever: Retriever, settings: Settings, question: str, history: Sequence[str] = (), filters: Filters | None = None
) -> Answer:
    """Answer ``question`` (after the user turns ``history``) from the indexed articles."""
    question = check_query(question, settings.max_query_chars)
    query = resolve(question, [h for h in history if h and h.strip()])
    # a broad question searches its subject ("Summarize how X developed": "X developed"); it and
    # "What did X say about Y?" read as many passages as a summary
    broad = is_broad(query)
    said = None if broad else said_about(question)
    searched = subject(query) if broad else query
    k = settings.summary_passages if broad or said else settings.answer_passages
    passages = tuple(retriever.search(searched, k, "hybrid", filters))
    if not passages:
        return _abstain(retriever, question, query, passages, "no article passes the filters")
    missing = retriever.unmentioned(entities(searched))
    if missing:  # a name, number or acronym of the question that no article has: whatever matches, it is not this
        return _abstain(retriever, question, searched, passages, f"the articles never mention {', '.join(missing)}")
    if broad:
        return _summarize(retriever, settings, question, query, searched, passages)
    if said:
        parties, topic = said
        if topic.casefold() in _PRONOUNS:  # "What did the minister say about it?": the conversation says what
            topic = query.removeprefix(question.strip()).strip() or topic
        return _said(retriever, settings, question, query, passages, parties, topic)
    parties = sides_compared(query)  # the parties whose accounts the question compares, if it does
    scored = _score(retriever, settings, query, passages, parties)
    best = scored[0]
    if best.score < settings.abstain_below:
        return _abstain(
            retriever,
            question,
            query,
            passages,
            f"best sentence scores {best.score:.2f}, below abstain_below={settings.abstain_below}",
            best.score,
        )
    chosen = _select(retriever, settings, scored, parties, query)
    scores = {(c.sentence.doc_id, c.sentence.index): c.score for c in scored}
    answer = _compose(retriever, settings, question, query, passages, chosen, scores, best.score, parties)
    return _judged(retriever, settings, answer, best.sentence, chosen)


def _judged(
    retriever: Retriever, settings: Settings, answer: Answer, best: Sentence, chosen: Sequence[Sentence]
) -> Answer:
    """``answer``, or a partial one when it is on topic (the score passed) but without what the
    question asks for: no sentence of the expected answer type, or the answerability model reads
    the ``best`` sentence as not answering.  A partial answer says so, then quotes."""
    question, query = answer.question, answer.query
    if settings.judges_answerability:
        logit = answerability(retriever.answerability, retriever.index, query, best)
        answer = replace(answer, answerability=logit)
    kind = expected_type(question)
    if kind and not supplies(kind, query, [s.text for s in chosen]):
        intro = prompts.render("partial", kind=_KIND_WORDS[kind])
        reason = f"the question asks for an answer of type {kind} and no chosen sentence gives one"
    elif answer.answerability is not None and answer.answerability < settings.answerable_below:
        intro = prompts.render("partial_unstated")
        reason = (
            f"the best sentence is on the subject but the answerability model reads it as not answering "
            f"({answer.answerability:.2f} < answerable_below={settings.answerable_below})"
        )
    else:
        return answer
    return replace(answer, text=f"{intro}\n\n{answer.text}", abstained=True, reason=reason, outcome="partial")


def _summarize(
    retriever: Retriever, settings: Settings, question: str, query: str, topic: str, passages: tuple[Passage, ...]
) -> Answer:
    """A summary across articles for a broad question about ``topic`` (``summary.py``): candidates
    are taken from every article in turn, each article's best sentences come first, and the
    length grows with the articles that speak to the subject."""
    wide = replace(settings, answer_candidates=settings.summary_candidates, answer_neighbours=0)
    scored = _score(retriever, wide, topic, passages, (), per_article=True)
    best = max(c.logit for c in scored)
    if best < settings.abstain_below:
        reason = f"no sentence on the subject scores above abstain_below={settings.abstain_below} (best {best:.2f})"
        return _abstain(retriever, question, query, passages, reason, best)
    # The subject is in the articles: a sentence on it counts from ``summary_relevant`` (a broad
    # subject scores an article's events lower than a question scores its answer).
    relevant = [c for c in scored if c.logit >= settings.summary_relevant]
    size = budget(
        len({c.sentence.doc_id for c in relevant}),
        settings.summary_per_article,
        settings.summary_max_sentences,
        settings.summary_words_per_sentence,
    )
    within = replace(
        settings, max_sentences=size.sentences, max_words=size.words, abstain_below=settings.summary_relevant
    )
    documents = retriever.index.documents
    # a summary tells what happened: a sentence dating its event comes before commentary as near
    ranked = sorted(
        relevant,
        key=lambda c: (
            -(c.logit + settings.summary_event_bonus * bool(sentence_date(c.sentence, documents[c.sentence.doc_id])))
        ),
    )
    chosen = _select(retriever, within, spread(ranked, lambda c: c.sentence.doc_id), (), topic, judge=False)
    scores = {(c.sentence.doc_id, c.sentence.index): c.logit for c in scored}
    answer = _compose(
        retriever, settings, question, query, passages, chosen, scores, best, order=lambda ss: date_order(ss, documents)
    )
    articles = len({s.doc_id for s in answer.sentences})
    intro = prompts.render("summary", articles=articles, plural="" if articles == 1 else "s")
    return replace(answer, text=f"{intro}\n\n{answer.text}", summary=True)


def _said(
    retriever: Retriever,
    settings: Settings,
    question: str,
    query: str,
    passages: tuple[Passage, ...],
    parties: Sequence[str],
    topic: str,
) -> Answer:
    """What ``parties`` said about ``topic``: their own statements only (``accounts.speaks_for``),
    or an answer saying the articles report none.  A statement answers as any sentence does (its
    score from ``abstain_below``, read with the question), and must be about the topic: share a
    word of it, with its article's title (read with the question, a party's name makes any of
    its statements score as relevant, whatever they are about)."""
    wide = replace(settings, answer_candidates=settings.summary_candidates)
    scored = _score(retriever, wide, query, passages, parties)
    documents = retriever.index.documents
    (about,) = tokenize([topic])

    def theirs(text: str) -> bool:
        return any(speaks_for(side_of(text), party) for party in parties)

    def on_topic(sentence: Sentence) -> bool:
        (words,) = tokenize([f"{documents[sentence.doc_id].title} {sentence.text}"])
        return not about or not set(about).isdisjoint(words)

    said = [c for c in scored if theirs(c.sentence.text) and c.score >= settings.abstain_below and on_topic(c.sentence)]
    speakers = " and ".join(account_source(p) for p in parties)
    if not said:
        text = (
            prompts.render("said_nothing", speaker=speakers, topic=topic)
            if topic
            else prompts.render("said_nothing_at_all", speaker=speakers)
        )
        reason = f"no statement of {speakers} on {topic!r} scores above abstain_below={settings.abstain_below}"
        return Answer(question, query, text, (), (), True, reason, passages, scored[0].score, outcome="not_in_articles")
    # a predecessor brought as context is not theirs
    chosen = [s for s in _select(retriever, settings, said, (), query, judge=False) if theirs(s.text)]
    scores = {(c.sentence.doc_id, c.sentence.index): c.score for c in scored}
    answer = _compose(retriever, settings, question, query, passages, chosen, scores, said[0].score)
    intro = prompts.render("said_only", speaker=speakers)
    return _judged(retriever, settings, replace(answer, text=f"{intro}\n\n{answer.text}"), said[0].sentence, chosen)


def answerability(model: Answerability, index: Index, query: str, sentence: Sentence) -> float:
    """The answerability ``model``'s logit for ``sentence`` in its window of its article."""
    from assistant.models.answerability import evidence

    sentences = [s.text for s in index.sentences[sentence.doc_id]]
    window = evidence(index.documents[sentence.doc_id].title, sentences, sentence.index)
    return model.score(query, window)


def _score(
    retriever: Retriever,
    settings: Settings,
    query: str,
    passages: Sequence[Passage],
    parties: Sequence[str],
    per_article: bool = False,
) -> list[Scored]:
    """Candidates with cosine and scores, best first.

    A score is the cross-encoder logit less ``passage_prior`` per rank of the best
    passage holding the sentence: the cross-encoder reads one sentence, retrieval
    read the whole passage, and both know something (README, "Answers").  ``per_article``
    takes the prefilter's best of each article in turn (a summary reads every article).
    """
    index = retriever.index
    ranks = retriever.sentence_rows_near(passages, settings.answer_neighbours)
    alone = [r for r in ranks if _answers_alone(index.sentence_rows[r].text, settings.min_answer_words)]
    rows = alone or list(ranks)
    cosines = index.sentence_vectors(rows) @ retriever.query_vector(query)
    lexical = retriever.sentence_lexical(query)[rows]
    prefilter = standardise(cosines) + settings.sentence_lexical_weight * standardise(lexical)
    top = sorted(range(len(rows)), key=lambda i: -float(prefilter[i]))
    if per_article:
        top = spread(top, lambda i: index.sentence_rows[rows[i]].doc_id)
    top = top[: settings.answer_candidates]
    if parties:  # a question comparing accounts: also score each party's own statements
        attributed = [
            i
            for i in range(len(rows))
            if i not in top and any(speaks_for(side_of(index.sentence_rows[rows[i]].text), p) for p in parties)
        ]
        top += sorted(attributed, key=lambda i: -float(prefilter[i]))[: settings.answer_candidates // 2]
    sentences = [index.sentence_rows[rows[i]] for i in top]
    logits = retriever.reranker.score(query, [_in_context(index, s) for s in sentences])
    scored = [
        Scored(s, float(v) - settings.passage_prior * ranks[rows[i]], float(v))
        for i, s, v in zip(top, sentences, logits, strict=True)
    ]
    return sorted(scored, key=lambda c: -c.score)


def _answers_alone(text: str, min_words: int) -> bool:
    """A candidate is a complete sentence of a few words at least: the cross-encoder reads it after
    its article's title, and a bare "Indeed." then scores as high as the title does."""
    return bool(COMPLETE.search(text)) and _words(text) >= min_words


def _in_context(index, sentence: Sentence) -> str:
    """What the cross-encoder reads: the sentence after its article's title, and after its
    predecessor when it leans on it ("Instead, they would only meet by video call" means
    nothing alone).  The title says which event "the call" or "the talks" are: ms-marco
    passages are read in context, and a bare sentence loses it."""
    text = sentence.text
    if sentence.index and DEPENDENT.match(sentence.text):
        text = f"{index.sentences[sentence.doc_id][sentence.index - 1].text} {text}"
    title = index.documents[sentence.doc_id].title
    return f"{title}. {text}" if title else text


def _words(text: str) -> int:
    return len(_WORDS.findall(text))


def _select(
    retriever: Retriever,
    settings: Settings,
    scored: list[Scored],
    parties: Sequence[str],
    query: str,
    judge: bool = True,
) -> list[Sentence]:
    """Best-first within budget, skipping near-repeats of what is chosen (MMR with a hard
    redundancy cut on shared words: vectors of sentences of one article share its title,
    so their cosines say little about repetition), with predecessors of dependent sentences.
    ``scored`` is taken in the order given.

    A sentence from another article than the first one's joins only when the answerability
    model reads it, in its window, as answering too: a relevant sentence about another
    company's chief executive does not answer who runs this one."""
    # A sentence joins the answer on its own relevance (the logit), not on the rank of its passage:
    # the prior orders candidates, but a relevant sentence from the fourth passage still answers.
    relevant = [c for c in scored if c.logit >= settings.abstain_below]
    if parties:  # a question comparing accounts gets, first, the best statement of each party it names
        firsts = [next((c for c in scored if speaks_for(side_of(c.sentence.text), party)), None) for party in parties]
        firsts = [c for c in firsts if c is not None]
        relevant = firsts + [c for c in relevant if c not in firsts]
    chosen: list[Sentence] = []
    words = 0
    for candidate in relevant:
        if len(chosen) >= settings.max_sentences:
            break
        sentence = candidate.sentence
        if any((s.doc_id, s.index) == (sentence.doc_id, sentence.index) for s in chosen):
            continue
        if any(word_overlap(sentence.text, s.text) >= settings.redundancy for s in chosen):
            continue
        if (
            chosen
            and sentence.doc_id != chosen[0].doc_id
            and not parties
            and judge
            and settings.judges_answerability
            and answerability(retriever.answerability, retriever.index, query, sentence) < settings.answerable_below
        ):
            continue
        needed = [sentence]
        if DEPENDENT.match(sentence.text) and sentence.index > 0:
            before = retriever.index.sentences[sentence.doc_id][sentence.index - 1]
            if COMPLETE.search(before.text) and not any(
                (s.doc_id, s.index) == (before.doc_id, before.index) for s in chosen
            ):
                needed.insert(0, before)
        cost = sum(_words(s.text) for s in needed)
        if len(chosen) + len(needed) > settings.max_sentences or (chosen and words + cost > settings.max_words):
            continue  # would not fit with what it leans on: drop it, keep looking
        chosen.extend(needed)
        words += cost
    return chosen


def _runs(sentences: list[Sentence], source: dict[tuple[str, int], str | None]) -> list[list[Sentence]]:
    """Consecutive sentences of one article and one ``source``, grouped (a citation quotes a
    contiguous run; two sources' statements are two citations even when adjacent)."""
    runs: list[list[Sentence]] = []
    for s in sentences:
        last = runs[-1][-1] if runs else None
        if (
            last
            and last.doc_id == s.doc_id
            and last.index + 1 == s.index
            and source[(last.doc_id, last.index)] == source[(s.doc_id, s.index)]
        ):
            runs[-1].append(s)
        else:
            runs.append([s])
    return runs


def _compose(
    retriever: Retriever,
    settings: Settings,
    question: str,
    query: str,
    passages: tuple[Passage, ...],
    chosen: list[Sentence],
    scores: dict[tuple[str, int], float],
    best_score: float,
    parties: Sequence[str] = (),
    order: Callable[[list[Sentence]], list[Sentence]] | None = None,
) -> Answer:
    """The answer of the ``chosen`` sentences, cited; in ``order`` when given (then never grouped
    by source), else grouped by source when accounts disagree, else by article then position.
    Each carries the articles stating its fact (``corroboration``); those saying it almost word
    for word (``same_words``) are cited beside it rather than repeated."""
    documents = retriever.index.documents
    stated = {(s.doc_id, s.index): statements(retriever, settings, s) for s in chosen}
    agreeing = {
        key: [
            Sentence(t.doc_id, t.index, t.start, t.end, t.text)
            for t in found[1:]
            if word_overlap(t.text, found[0].text) >= settings.same_words
        ]
        for key, found in stated.items()
    }
    sides = {(s.doc_id, s.index): side_of(s.text) for s in chosen}
    sources = {v for v in sides.values() if v}
    # Accounts are set side by side when two countries' accounts were chosen, or when the
    # question asks how parties' accounts differ and two sources answer it.
    disagreement = order is None and len(sources) >= 2 and (sum(map(is_country, sources)) >= 2 or bool(parties))
    doc_rank = {d: i for i, d in enumerate(dict.fromkeys(s.doc_id for s in chosen))}
    if order is not None:
        ordered = order(chosen)
    elif disagreement:
        side_rank = {v: i for i, v in enumerate(dict.fromkeys(v for v in sides.values() if v))}
        key = lambda s: (side_rank.get(sides[(s.doc_id, s.index)], len(side_rank)), doc_rank[s.doc_id], s.index)  # noqa: E731
        ordered = sorted(chosen, key=key)
    else:
        ordered = sorted(chosen, key=lambda s: (doc_rank[s.doc_id], s.index))
    citations: list[Citation] = []

    def cite(run: list[Sentence]) -> int:
        doc = documents[run[0].doc_id]
        start, end = run[0].start, run[-1].end
        for c in citations:
            if (c.doc_id, c.start, c.end) == (doc.doc_id, start, end):
                return c.number
        notes = tuple(dict.fromkeys(n for s in run for n in resolve_relative_dates(s.text, doc.date)))
        citations.append(
            Citation(
                len(citations) + 1,
                doc.doc_id,
                doc.title,
                doc.publication,
                doc.date,
                doc.text[start:end],
                start,
                end,
                tuple(s.index for s in run),
                notes,
                doc.date_written,
                stated_by(doc.text[start:end]),
                doc.label,
            )
        )
        return len(citations)

    answer_sentences: list[AnswerSentence] = []
    blocks: list[tuple[str | None, str]] = []
    for run in _runs(ordered, sides):
        numbers = [cite(run)]
        for s in run:
            numbers += [cite([other]) for other in agreeing.get((s.doc_id, s.index), [])]
        numbers = list(dict.fromkeys(numbers))
        for s in run:
            answer_sentences.append(
                AnswerSentence(
                    s.text,
                    s.doc_id,
                    s.index,
                    s.start,
                    s.end,
                    tuple(numbers),
                    scores.get((s.doc_id, s.index)),
                    stated.get((s.doc_id, s.index), ()),
                )
            )
        marker = "".join(f"[{n}]" for n in numbers)
        side = sides.get((run[0].doc_id, run[0].index)) if disagreement else None
        blocks.append((side, " ".join(s.text for s in run) + f" {marker}"))
    text = _layout(blocks, disagreement)
    return Answer(
        question, query, text, tuple(answer_sentences), tuple(citations), False, "", passages, best_score, disagreement
    )


def _layout(blocks: list[tuple[str | None, str]], disagreement: bool) -> str:
    """Paragraphs of cited sentences; grouped under "According to …" when sides disagree."""
    if not disagreement:
        return "\n\n".join(text for _, text in blocks)
    parts = [prompts.render("disagreement")]
    current = object()
    for side, text in blocks:
        if side != current:
            label = account_source(side)
            parts.append(prompts.render("according_to", source=label) + " " + text)
            current = side
        else:
            parts[-1] += " " + text
    return "\n\n".join(parts)


def _abstain(
    retriever: Retriever,
    question: str,
    query: str,
    passages: tuple[Passage, ...],
    reason: str,
    best_score: float | None = None,
) -> Answer:
    """Say the corpus does not answer, and name what it holds that comes nearest."""
    documents = retriever.index.documents
    lines = [prompts.render("abstain")]
    found = {t: retriever.documents_mentioning(t) for t in entities(query)}
    missing = [t for t, docs in found.items() if not docs]
    for term, docs in found.items():
        if docs and len(docs) < len(documents):
            places = "; ".join(documents[d].label for d in docs[:3])
            lines.append(prompts.render("abstain_mentions", term=term, places=places))
            break
    if missing:
        lines.append(prompts.render("abstain_unmentioned", terms=", ".join(missing)))
    if passages:
        nearest = "; ".join(dict.fromkeys(documents[p.doc_id].label for p in passages[:2]))
        lines.append(prompts.render("abstain_nearest", places=nearest))
    return Answer(
        question, query, " ".join(lines), (), (), True, reason, passages, best_score, outcome="not_in_articles"
    )
