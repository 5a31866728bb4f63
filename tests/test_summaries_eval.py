"""The summary evaluation's pieces (evals/summaries.py) on hand-made inputs whose right answer is
known: the reference splitter, ROUGE (a bad summary scores low), the intervals, the baselines'
choices, the split rule, reading a file that is not UTF-8, and the defaults against the result file."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from assistant.settings import Settings
from evals.summaries import (
    Article,
    Rouge,
    bootstrap,
    figures,
    lead,
    load_bbc,
    split_of,
    split_reference,
    sumy_choice,
)

RESULT = Path(__file__).resolve().parent.parent / "eval" / "summaries.json"

ARTICLE = (
    "Harbour pilots at the port of Kelby walked out on Monday over a dispute about night shifts.\n"
    "The union said pilots had worked 14-hour shifts since the port's new terminal opened in the U.S. style.\n"
    '"We cannot guide ships safely when we are this tired," said union spokesperson Dana Holt. '
    "Ferries were delayed by $1.5m worth of cargo.\n\nTalks resume\n"
    "The port authority said it would meet the union on Thursday."
)


def test_a_reference_is_cut_only_between_whole_sentences_of_the_article():
    pieces = [
        "Talks resume",  # a subheading: a line without a full stop
        "The port authority said it would meet the union on Thursday.",
        '"We cannot guide ships safely when we are this tired," said union spokesperson Dana Holt.',
        "The union said pilots had worked 14-hour shifts since the port's new terminal opened in the U.S. style.",
        "Ferries were delayed by $1.5m worth of cargo.",
    ]
    assert split_reference("".join(pieces), ARTICLE) == pieces
    # two lines joined by spaces, as some references join a subheading to the next sentence
    assert (
        split_reference("Talks resume  The port authority said it would meet the union on Thursday.", ARTICLE)
        == (pieces[:2])
    )
    # text that is not the article's stays one piece rather than being cut at a guess
    assert split_reference("Nothing.Here matches.", ARTICLE) == ["Nothing.Here matches."]


@pytest.fixture(scope="module")
def rouge():
    return Rouge()


def test_rouge_of_the_reference_itself_is_one_and_of_an_unrelated_summary_near_zero(rouge):
    reference = ["Harbour pilots walked out over night shifts.", "The port authority will meet the union."]
    same = rouge.score(reference, reference)
    assert all(f1 == pytest.approx(1.0) and recall == pytest.approx(1.0) for f1, recall in same.values())
    bad = rouge.score(reference, ["A bakery won a prize for its sourdough loaf."])
    assert all(f1 < 0.1 for f1, _ in bad.values()), bad
    half = rouge.score(reference, reference[:1])
    assert 0.5 < half["rouge1"][0] < 1.0 and half["rouge1"][1] < 0.6  # precise but half the recall


def test_stemming_is_on(rouge):
    assert rouge.score(["pilots walked"], ["pilot walking"])["rouge1"][0] == pytest.approx(1.0)


def test_rouge_lsum_ignores_the_order_of_sentences_and_rouge_l_does_not(rouge):
    reference = ["Harbour pilots walked out over night shifts.", "The port authority will meet the union."]
    swapped = rouge.score(reference, reference[::-1])
    assert swapped["rougeLsum"][0] == pytest.approx(1.0)
    assert swapped["rougeL"][0] < 0.7


def _article(key: str, sentences: list[str], reference: list[str]) -> Article:
    return Article(key, "Harbour pilots strike", tuple(sentences), tuple(reference), True, False)


def test_figures_rank_a_good_system_over_a_bad_one_with_paired_differences(rouge):
    sentences = [s for line in ARTICLE.splitlines() for s in [line] if s]
    articles = [_article(f"t/{i}", sentences, sentences[:2]) for i in range(5)]
    chosen = {"lead-3": [[0, 1]] * 5, "salience": [[3, 4]] * 5}
    result = figures(articles, chosen, rouge)
    assert result["lead-3"]["rouge1"]["f1"] == pytest.approx(1.0)
    assert result["salience"]["rouge1"]["f1"] < 0.4
    assert result["salience"]["rouge2"]["f1_minus_lead3"] < -0.6
    assert result["salience"]["sentences_mean"] == 2
    assert result["lead-3"]["words_mean"] == sum(len(s.split()) for s in sentences[:2])


def test_bootstrap_interval_brackets_the_mean_and_is_reproducible():
    values = np.random.default_rng(1).normal(0.5, 0.1, 400)
    low, high = bootstrap(values)
    assert low < values.mean() < high and high - low < 0.05
    assert bootstrap(values) == [low, high]
    assert bootstrap(np.full(10, 0.3)) == pytest.approx([0.3, 0.3])


def test_baselines_choose_in_article_order_within_the_length():
    sentences = [
        "Harbour pilots at the port walked out on Monday over night shifts.",
        "The union said pilots worked long night shifts at the port.",
        "The union said pilots worked long night shifts at the port.",  # repeated: given to sumy once
        "Ferries and cargo ships waited outside the port for the pilots.",
        "A bakery in the town won a prize.",
    ]
    article = _article("t/1", sentences, [])
    assert lead(article, 3) == [0, 1, 2] and lead(_article("t/2", sentences[:2], []), 3) == [0, 1]
    for kind in ("lexrank", "textrank"):
        chosen = sumy_choice(article, 2, kind)
        assert len(chosen) == 2 and chosen == sorted(chosen) and 2 not in chosen
        assert sumy_choice(article, 0, kind) == []


def test_the_split_is_deterministic_and_about_a_third_dev():
    keys = [f"sport/{n:03d}" for n in range(1, 601)]
    assert [split_of(k) for k in keys] == [split_of(k) for k in keys]
    assert 0.25 < sum(split_of(k) == "dev" for k in keys) / len(keys) < 0.42


def test_an_article_that_is_not_utf8_is_read_as_cp1252(tmp_path):
    (tmp_path / "articles" / "sport").mkdir(parents=True)
    (tmp_path / "summaries" / "sport").mkdir(parents=True)
    text = "Club sells striker\n\nThe club sold its striker for £15.8m on Monday. Fans were surprised."
    (tmp_path / "articles" / "sport" / "001.txt").write_bytes(text.encode("cp1252"))
    (tmp_path / "summaries" / "sport" / "001.txt").write_text(
        "Fans were surprised.The club sold its striker for £15.8m on Monday.", encoding="utf-8"
    )
    (tmp_path / "articles" / "sport" / "002.txt").write_text("No summary\n\nText.", encoding="utf-8")
    [article] = load_bbc(tmp_path)
    assert article.recoded and article.title == "Club sells striker" and article.reference_found
    assert article.sentences == ("The club sold its striker for £15.8m on Monday.", "Fans were surprised.")
    assert set(article.reference) == set(article.sentences)


def test_settings_defaults_are_the_weights_the_dev_grid_chose():
    result = json.loads(RESULT.read_text(encoding="utf-8"))
    defaults = Settings()
    best = result["dev_grid"]["best"]
    assert {k: getattr(defaults, f"salience_{k}") for k in best} == best, "set Settings' salience_* to the dev best"
    assert result["weights_used"] == best
    assert result["dev_grid"]["tried"] and max(t["objective"] for t in result["dev_grid"]["tried"]) == pytest.approx(
        next(t["objective"] for t in result["dev_grid"]["tried"] if {k: t[k] for k in best} == best)
    )
