"""Duplicate detection: exact copies by normalised hash, near copies by MinHash + exact Jaccard."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from assistant.errors import SettingsError
from assistant.ingest.dedupe import (
    MINHASH_BLOCK,
    Duplicate,
    find_duplicates,
    fingerprint,
    lsh_bands,
    minhash,
    unrelated,
)
from assistant.ingest.text import normalise
from assistant.types import Document

CORPUS = Path(__file__).resolve().parent.parent / "corpus"
TEXTS = [p.read_text(encoding="utf-8") for p in sorted(CORPUS.glob("*.txt"))]


def doc(doc_id: str, text: str) -> Document:
    return Document(doc_id, "", "", "", "", text, "")


def edit(text: str, words: int) -> str:
    """``text`` with every 150th word replaced, ``words`` times."""
    tokens = text.split(" ")
    for n in range(1, words + 1):
        tokens[n * 150] = "CHANGED"
    return " ".join(tokens)


def test_normalise_ignores_case_whitespace_and_quote_style():
    assert normalise("  “Don’t”\tPANIC\n\nnow ") == normalise('"don\'t" panic now') == '"don\'t" panic now'


def test_distinct_articles_are_not_duplicates():
    assert find_duplicates([doc(f"{i}.txt", t) for i, t in enumerate(TEXTS)]) == []


def test_exact_copy_with_other_whitespace_case_and_quotes():
    text = TEXTS[2]
    copy = "\n\n" + text.replace(" ", "  \t").replace("’", "'").upper()
    assert find_duplicates([doc("b.txt", copy), doc("a.txt", text)]) == [Duplicate("b.txt", "a.txt", 1.0)]


def test_near_copy_with_a_few_words_changed():
    text = TEXTS[3]
    (found,) = find_duplicates([doc("a.txt", text), doc("z.txt", edit(text, 3)), doc("m.txt", TEXTS[0])])
    assert (found.doc_id, found.kept) == ("z.txt", "a.txt")
    assert 0.9 < found.similarity < 1.0


def test_threshold_decides():
    text = TEXTS[3]
    docs = [doc("a.txt", text), doc("b.txt", edit(text, 5))]
    (found,) = find_duplicates(docs)
    assert find_duplicates(docs, threshold=found.similarity + 0.01) == []
    assert find_duplicates(docs, threshold=found.similarity) == [found]


def test_first_in_doc_id_order_is_kept_whatever_the_input_order():
    text = TEXTS[1]
    docs = [
        doc("c.txt", edit(text, 2)),
        doc("b.txt", edit(text, 1)),
        doc("a.txt", text),
    ]
    expected = find_duplicates(docs)
    assert [(d.doc_id, d.kept) for d in expected] == [
        ("b.txt", "a.txt"),
        ("c.txt", "a.txt"),
    ]
    assert find_duplicates(list(reversed(docs))) == expected


def test_short_and_empty_texts():
    docs = [doc("a.txt", "Ferries resumed."), doc("b.txt", "ferries  resumed."), doc("c.txt", ""),
            doc("d.txt", "Ferries resumed today."), doc("e.txt", "")]  # fmt: skip
    assert [(d.doc_id, d.kept) for d in find_duplicates(docs)] == [
        ("b.txt", "a.txt"),
        ("e.txt", "c.txt"),
    ]


@pytest.mark.parametrize("threshold", [0.0, -0.5, 1.5])
def test_threshold_must_be_a_fraction(threshold):
    with pytest.raises(SettingsError, match="threshold"):
        find_duplicates([], threshold=threshold)


def test_lsh_bands_are_datasketchs_choice():
    """The (bands, rows) datasketch 2.0 chose for these thresholds and 128 permutations."""
    assert [lsh_bands(t, 128) for t in (0.3, 0.6, 0.75, 0.9)] == [
        (37, 3),
        (18, 7),
        (11, 11),
        (5, 25),
    ]


def test_minhash_agreement_estimates_jaccard():
    a = frozenset(f"w{i}" for i in range(400))
    b = frozenset(f"w{i}" for i in range(100, 500))  # Jaccard 300 / 500 = 0.6
    assert abs((minhash(a) == minhash(b)).mean() - 0.6) < 0.15


def test_near_copies_just_above_the_bar_are_all_found():
    """LSH is tuned looser than the 0.8 bar: copies with every 50th word changed (Jaccard ~0.82)
    must all be proposed, whatever the hashing; the exact Jaccard then decides."""
    for number, text in enumerate(TEXTS):
        tokens = text.split(" ")
        tokens[::50] = ["CHANGED"] * len(tokens[::50])
        (found,) = find_duplicates([doc("a.txt", text), doc("b.txt", " ".join(tokens))])
        assert (found.doc_id, found.kept) == ("b.txt", "a.txt"), number
        assert 0.8 <= found.similarity < 0.9, number


def test_minhash_of_a_long_text_is_the_minimum_over_its_blocks():
    shingles = frozenset(f"w{i}" for i in range(2 * MINHASH_BLOCK + 7))
    halves = (
        sorted(shingles)[: MINHASH_BLOCK + 3],
        sorted(shingles)[MINHASH_BLOCK + 3 :],
    )
    expected = np.minimum(minhash(frozenset(halves[0])), minhash(frozenset(halves[1])))
    np.testing.assert_array_equal(minhash(shingles), expected)


OTHER_DOMAIN = [
    "The regional water board approved a new reservoir north of the valley after two dry summers left "
    "farmers rationing irrigation; construction is expected to take four years and cost 60 million.",
    "A youth chess club in the port town has sent three players to the national finals, the first time "
    "any club from the coast has qualified, after a season of weekly tournaments in the library.",
    "Night trains between the two capitals will return in spring, the rail operator said, with sleeper "
    "cars refurbished and a stop added at the border station for passengers changing to local lines.",
    "The university's observatory recorded a meteor shower brighter than any in a decade, and its "
    "volunteers counted more than two hundred trails in one hour before clouds closed in.",
]


def test_an_unrelated_change_leaves_every_verdict_as_it_was():
    """``unrelated`` may spare a search only when the search would give the same verdicts:
    checked over every way of adding one document to the others, copies included."""
    base = [doc(f"{i}.txt", t) for i, t in enumerate(OTHER_DOMAIN)]
    base.append(doc("4.txt", OTHER_DOMAIN[0]))  # an exact copy among the others
    extras = [
        doc("0a.txt", OTHER_DOMAIN[1] + " Updated at noon."),  # a near copy, sorting before its original
        doc("9.txt", OTHER_DOMAIN[2].upper()),  # an exact copy once normalised
        doc("5.txt", "Harvest festival moves indoors as rain is forecast for the whole weekend in the hills."),
        doc("6.txt", ""),
    ]
    fingerprints = {d.doc_id: fingerprint(d) for d in [*base, *extras]}
    before = find_duplicates(base)
    verdicts = []
    for extra in extras:
        others = [fingerprints[d.doc_id] for d in base]
        spared = unrelated([fingerprints[extra.doc_id]], others)
        after = find_duplicates([*base, extra])
        if spared:
            assert after == before, extra.doc_id
        verdicts.append(spared)
    assert verdicts == [False, False, True, True]
    assert not unrelated([fingerprints["6.txt"], fingerprint(doc("7.txt", ""))], [])  # two empty texts meet
