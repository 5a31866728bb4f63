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
    """The tuning run records how many dev questions of each set it used: exactly the dev splits."""
    from evals.questions import load_sets

    tuning = json.loads(TUNING.read_text(encoding="utf-8"))
    dev = {s.name: len(s.split("dev")) for s in load_sets(tuple(tuning["dev_questions"]))}
    assert tuning["dev_questions"] == dev
