"""Two extractive baselines to measure answers against, over the same retrieved passages.

Each takes the passages best first and returns ``(answer text, citation texts)``;
the citation texts are the chosen sentences themselves, each a verbatim
substring of its passage, and the answer is those sentences joined by spaces.
Both return ``("", [])`` when there are no passages.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from assistant.ingest.sentences import split_sentences
from assistant.types import Passage

LEXRANK_PASSAGES = 3  # the passages LexRank reads: as many as an answer usually draws on
_WORD = re.compile(r"\w+(?:['’]\w+)*")


def _sentences(text: str) -> list[str]:
    return [text[start:end] for start, end in split_sentences(text)]


def lead_baseline(passages: Sequence[Passage]) -> tuple[str, list[str]]:
    """The first two sentences of the top passage (fewer if it has fewer)."""
    if not passages:
        return "", []
    chosen = _sentences(passages[0].text)[:2]
    return " ".join(chosen), chosen


class SentenceTokenizer:
    """What sumy asks of a tokenizer, without NLTK's punkt data (which would
    have to be downloaded): ``split_sentences`` and a word regex."""

    language = "english"

    def to_sentences(self, text: str) -> tuple[str, ...]:
        return tuple(_sentences(text))

    def to_words(self, sentence: str) -> tuple[str, ...]:
        return tuple(_WORD.findall(sentence))


def lexrank_baseline(passages: Sequence[Passage], sentences: int = 3) -> tuple[str, list[str]]:
    """LexRank (sumy) over the top ``LEXRANK_PASSAGES`` passages: the ``sentences``
    most central sentences, in passage order (passages best first, then position).

    A sentence repeated across passages (overlapping chunks) is kept once, at
    its first place: sumy keys sentences by text, so duplicates would share one
    rating and could both be chosen.  The Snowball stemmer is NLTK code, not
    data, so nothing is downloaded.

    sumy's defaults are kept (similarity threshold 0.1, no damping, power
    method stopping at epsilon 0.1).  On a dozen news sentences few pairs pass
    the threshold, the ratings often tie, and ties go to the earlier sentence:
    the result is then the lead sentences in passage order.
    """
    if not passages:
        return "", []
    from sumy.models.dom import ObjectDocumentModel, Paragraph, Sentence
    from sumy.nlp.stemmers import Stemmer
    from sumy.summarizers.lex_rank import LexRankSummarizer
    from sumy.utils import get_stop_words

    tokenizer = SentenceTokenizer()
    seen: set[str] = set()
    paragraphs = []
    for passage in passages[:LEXRANK_PASSAGES]:
        fresh = []
        for text in _sentences(passage.text):
            if text not in seen:
                seen.add(text)
                fresh.append(text)
        if fresh:
            paragraphs.append(Paragraph([Sentence(text, tokenizer) for text in fresh]))
    summarizer = LexRankSummarizer(Stemmer("english"))
    summarizer.stop_words = get_stop_words("english")
    # sumy returns its own Sentence objects in document order; their text is ours, stripped,
    # and split_sentences spans carry no surrounding whitespace, so str() gives ours back.
    chosen = [str(s) for s in summarizer(ObjectDocumentModel(paragraphs), sentences)]
    return " ".join(chosen), chosen
