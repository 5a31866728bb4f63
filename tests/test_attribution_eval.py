"""The attribution eval's matching rule and metrics (``evals.attribution``), on hand-made inputs
whose scores are known, including predictions that must score badly."""

from __future__ import annotations

import json

import pytest

from assistant.errors import AssistantError
from evals.attribution import (
    Labelled,
    Ref,
    hashed_split,
    load_labels,
    matches,
    predictions,
    report,
    scores,
    sha,
    texts,
)
from evals.questions import Article


@pytest.mark.parametrize(
    "predicted, label",
    [
        ("Silva", "Coach Ana Silva"),  # one's words hold the other's, either way
        ("Coach Ana Silva", "Ana Silva"),
        ("the regulator", "Regulator"),  # case and a leading "the"
        ("Ryanair’s", "Ryanair"),  # a possessive
        ("Moscow", "Russia"),  # two names of one country
        ("the Kremlin", "Russian"),
        ("unnamed sources", "unnamed sources"),
    ],
)
def test_a_prediction_naming_the_labelled_source_matches(predicted, label):
    assert matches(predicted, label)


@pytest.mark.parametrize(
    "predicted, label",
    [
        ("Okafor", "Ana Silva"),
        ("Russia", "Ukraine"),
        ("UK", "British Airways"),  # a company with a country's adjective is not the country
        ("the regulator", "unnamed sources"),
        ("", "Ana Silva"),  # no prediction names nobody
        ("the", "the regulator"),  # only "the" has no words left
    ],
)
def test_a_prediction_naming_someone_else_does_not_match(predicted, label):
    assert not matches(predicted, label)


def test_scores_count_precision_over_predictions_and_recall_over_labels():
    pairs = [
        ("Ana Silva", ("Silva",)),  # right
        ("Okafor", ("Silva",)),  # wrong source: hurts both
        ("the club", ()),  # a source where the label has none: hurts precision
        ("", ("the regulator",)),  # a source missed: hurts recall
        ("", ()),  # rightly none
        ("Moscow", ("Russia", "Lavrov")),  # an alternative
    ]
    s = scores(pairs).as_dict()
    assert (s["sentences"], s["attributed"], s["predicted"], s["correct"]) == (6, 4, 4, 2)
    assert s["precision"] == 0.5 and s["recall"] == 0.5
    assert s["none_vs_some_accuracy"] == round(4 / 6, 4)


def test_a_reader_that_names_everyone_or_no_one_scores_badly():
    labels = [("Silva",), (), (), ("unnamed sources",), ()]
    always = scores(("Silva", a) for a in labels).as_dict()
    assert always["precision"] == 0.2 and always["recall"] == 0.5
    never = scores(("", a) for a in labels).as_dict()
    assert never["precision"] is None and never["recall"] == 0.0 and never["none_vs_some_accuracy"] == 0.6


def _labelled(domain: str, split: str, label: str, *also: str, start: int = 0) -> Labelled:
    ref = Ref(f"a.txt:{start}", domain, split, "a.txt", "x", start, start + 1, "0", True)
    return Labelled(ref, label, also, "named" if label else "none")


def test_the_report_scores_each_domain_and_split_and_lists_the_errors():
    rows = [
        _labelled("bbc", "test", "Silva"),
        _labelled("bbc", "test", "", start=1),
        _labelled("reuters", "dev", "the company", start=2),
    ]
    result = report(rows, ["Ana Silva", "Okafor", ""])
    groups = result["groups"]
    assert groups["bbc/test"]["precision"] == 0.5 and groups["bbc/test"]["recall"] == 1.0
    assert groups["reuters/dev"]["recall"] == 0.0 and groups["reuters/dev"]["precision"] is None
    assert groups["politics/test"]["sentences"] == 0
    assert groups["all/all"]["correct"] == 1
    assert [e["id"] for e in result["errors"]] == ["a.txt:1", "a.txt:2"]


def test_labels_are_read_and_a_label_without_its_kind_is_refused(tmp_path):
    row = {**_labelled("bbc", "dev", "Silva", "Coach Silva").ref.__dict__, "label": "Silva", "also": ["Coach Silva"]}
    path = tmp_path / "labels.jsonl"
    path.write_text(json.dumps({**row, "kind": "named"}) + "\n", encoding="utf-8")
    assert load_labels(path)[0].also == ("Coach Silva",)
    path.write_text(json.dumps(row) + "\n", encoding="utf-8")
    with pytest.raises(AssistantError, match="kind"):
        load_labels(path)


def test_a_sentence_that_changed_since_labelling_stops_the_eval(tmp_path):
    article = tmp_path / "bbc" / "articles" / "sport" / "001.txt"
    article.parent.mkdir(parents=True)
    article.write_text("Rovers draw\nCoach Ana Silva said the referee was wrong.\n", encoding="utf-8")
    text = "Coach Ana Silva said the referee was wrong."
    source = Article("bbc_sport_001.txt", "test", "bbc/articles/sport/001.txt")
    start = texts([source], tmp_path)[source.name].index(text)  # offsets in the text the product reads

    def labelled(digest: str) -> Labelled:
        ref = Ref(f"{source.name}:{start}", "bbc", "test", source.name, source.source, start, start + len(text),
                  digest, True)  # fmt: skip
        return Labelled(ref, "Ana Silva", (), "named")

    assert predictions([labelled(sha(text))], tmp_path) == ["Coach Ana Silva"]
    with pytest.raises(AssistantError, match="changed since labelling"):
        predictions([labelled(sha("Coach Ana Silva said the referee was right."))], tmp_path)


def test_an_article_no_list_places_gets_a_fixed_split():
    splits = [hashed_split(f"reuters_{n}.txt") for n in range(300)]
    assert splits == [hashed_split(f"reuters_{n}.txt") for n in range(300)]
    assert 0.2 < splits.count("dev") / len(splits) < 0.45
