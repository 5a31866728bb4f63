"""The defaults of ``Settings`` are the ones ``python -m evals.tune`` chose on the dev splits."""

from __future__ import annotations

import json
from pathlib import Path

from assistant.settings import Settings
from evals.tune import TUNED

TUNING = Path(__file__).resolve().parent.parent / "eval" / "tuning.json"


def test_defaults_are_what_tuning_on_the_dev_splits_chose():
    chosen = json.loads(TUNING.read_text(encoding="utf-8"))["chosen"]
    assert sorted(chosen) == sorted(TUNED)
    defaults = Settings()
    assert {key: getattr(defaults, key) for key in TUNED} == chosen, "set the defaults to eval/tuning.json's choice"


def test_tuning_never_read_a_test_split():
    """The tuning run records how many dev questions of each set it used: exactly the dev splits'
    questions answered by a few sentences (broad ones tune the summaries: ``evals.tune_summary``)."""
    from evals.questions import NARROW, load_sets

    tuning = json.loads(TUNING.read_text(encoding="utf-8"))
    sets = load_sets(tuple(tuning["dev_questions"]))
    dev = {s.name: sum(q.category in NARROW for q in s.split("dev")) for s in sets}
    assert tuning["dev_questions"] == dev


def test_summary_defaults_are_what_tuning_on_the_dev_broad_questions_chose():
    """``python -m evals.tune_summary`` chose them, reading only dev broad questions."""
    from evals.questions import load_sets
    from evals.tune_summary import TUNED as SUMMARY_TUNED

    tuning = json.loads((TUNING.parent / "summary_tuning.json").read_text(encoding="utf-8"))
    assert sorted(tuning["chosen"]) == sorted(SUMMARY_TUNED)
    defaults = Settings()
    assert {key: getattr(defaults, key) for key in SUMMARY_TUNED} == tuning["chosen"]
    sets = load_sets(tuple(tuning["dev_questions"]))
    assert tuning["dev_questions"] == {s.name: sum(q.category == "broad" for q in s.split("dev")) for s in sets}
