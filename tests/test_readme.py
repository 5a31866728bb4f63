"""The README's figures are generated from result files, never typed (``evals/readme.py``)."""

from __future__ import annotations

import pytest

from evals import readme


def test_every_generated_block_matches_its_result_file():
    text = readme.README.read_text(encoding="utf-8")
    names = [m["name"] for m in readme._BLOCK.finditer(text)]
    assert sorted(names) == sorted(readme.BLOCKS), "each generator has its block in the README, once"
    assert readme.generated(text) == text, "run `python -m evals.readme` (make eval / make bench do)"


def test_a_typed_figure_in_a_block_is_caught():
    text = readme.README.read_text(encoding="utf-8")
    start = text.index("<!-- generated: answers -->\n") + len("<!-- generated: answers -->\n")
    edited = text[:start] + "| **Newsdesk** | 0.999 |\n" + text[start:]
    assert readme.generated(edited) != edited


def test_a_block_without_a_generator_is_refused():
    with pytest.raises(SystemExit, match="no generator"):
        readme.generated("<!-- generated: guesses -->\n<!-- end: guesses -->")


def test_auroc():
    assert readme.auroc([2.0, 3.0], [1.0]) == 1.0
    assert readme.auroc([1.0], [2.0, 3.0]) == 0.0
    assert readme.auroc([1.0], [1.0]) == 0.5
    assert readme.auroc([], [1.0]) is None
