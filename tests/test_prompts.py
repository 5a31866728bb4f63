"""The wording in prompts/: every template renders, and rendering fails loudly on a slip."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path
from string import Template

import pytest

from assistant import prompts
from assistant.errors import SettingsError

PROMPTS = Path(__file__).resolve().parent.parent / "prompts"
TEMPLATES = tomllib.loads((PROMPTS / "templates.toml").read_text(encoding="utf-8"))
EXPECTED = {
    "greeting": {"count", "first", "last"},
    "greeting_undated": {"count"},
    "abstain": set(),
    "abstain_mentions": {"term", "places"},
    "abstain_unmentioned": {"terms"},
    "abstain_nearest": {"places"},
    "partial": {"kind"},
    "partial_unstated": set(),
    "outcome_partial": set(),
    "outcome_not_in_articles": set(),
    "disagreement": set(),
    "summary": {"articles", "plural"},
    "said_only": {"speaker"},
    "said_nothing": {"speaker", "topic"},
    "said_nothing_at_all": {"speaker"},
    "corroborated": {"articles", "articles_plural", "publications", "publications_plural"},
    "single_unnamed": set(),
    "according_to": {"source"},
    "followup_note": {"query"},
    "date_unknown": set(),
    "citation": {"number", "title", "publication", "date"},
    "no_question": set(),
    "publication_unknown": set(),
    "date_undecided": {"written"},
    "sources_placeholder": set(),
    "article_summary": set(),
    "card_paragraph": set(),
    "card_article": set(),
    "card_back": {"number"},
    "feedback_saved": set(),
    "upload_added": {"file", "stored"},
    "upload_refused": {"reason"},
    "upload_index_failed": {"reason"},
    "upload_nothing": set(),
    "skipped_file": {"path", "reason"},
    "skipped_duplicate": {"path", "kept", "similarity"},
    "index_up_to_date": {"count", "index", "seconds"},
    "index_updated": {"index", "added", "changed", "removed", "unchanged", "embedded", "seconds"},
    "no_passage": set(),
    "source_and_date_unknown": set(),
    "wrote": {"path"},
    "eval_extra_missing": {"command", "missing"},
    "url_added": {"url", "stored"},
    "url_refused": {"url", "reason"},
    "url_none_added": {"count"},
    "url_missing": set(),
    "feed_added": {"url"},
    "feed_known": {"url"},
    "feed_removed": {"url"},
    "feed_unknown": {"url"},
    "feed_line": {"url", "seen"},
    "feed_none": set(),
    "feed_failed": {"url", "reason"},
    "feed_polled": {"stored", "seen"},
    "entity_unknown": {"name"},
    "entity_line": {"name", "kind", "articles", "mentions"},
    "entity_chosen": {"name"},
    "timeline_line": {"date", "precision", "phrase", "source"},
    "timeline_conflict": {"other"},
    "timeline_empty": set(),
    "stated_by": {"source"},
    "example_happened": {"name"},
    "example_happened_in": {"name"},
    "example_said": {"name"},
    "example_who": {"name"},
    "example_summary": {"title"},
}


def _placeholders(name: str) -> set[str]:
    return set(Template(TEMPLATES[name]).get_identifiers())


def test_templates_are_exactly_the_expected_ones_with_their_placeholders():
    assert {name: _placeholders(name) for name in TEMPLATES} == EXPECTED


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_template_renders_with_the_placeholders_it_declares(name):
    values = {key: f"<{key}>" for key in _placeholders(name)}
    text = prompts.render(name, **values)
    assert "$" not in text and text.strip() == text and text
    for value in values.values():
        assert value in text


def test_values_are_inserted_as_given():
    assert prompts.render("according_to", source="<b>Axios</b> & co") == "According to <b>Axios</b> & co:"
    assert (
        prompts.render(
            "citation", number=3, title="Inside Biden’s call with Xi", publication="Axios", date="2021-09-10"
        )
        == "[3] Inside Biden’s call with Xi — Axios, 2021-09-10"
    )


def test_missing_value_names_the_template_and_the_placeholder():
    with pytest.raises(SettingsError, match=r"'greeting'.*missing \$last"):
        prompts.render("greeting", count=5, first="2021-02-06")


def test_extra_value_is_a_typo_and_raises():
    with pytest.raises(SettingsError, match=r"'greeting_undated'.*unexpected cuont"):
        prompts.render("greeting_undated", count=5, cuont=5)
    with pytest.raises(SettingsError, match=r"'abstain'.*no values.*unexpected term"):
        prompts.render("abstain", term="Taiwan")


def test_unknown_template_is_named_with_the_known_ones():
    with pytest.raises(SettingsError, match=r"'greting'.*known: abstain, abstain_mentions"):
        prompts.render("greting", count=5)


def test_examples_are_five_questions():
    questions = prompts.examples()
    assert len(questions) == 5
    assert all(q.strip() == q and q.endswith("?") and len(q) > 10 for q in questions)


def test_override_folder_from_environment(tmp_path, monkeypatch):
    (tmp_path / "templates.toml").write_text('abstain = "Nothing on that, $$0 spent."\n', encoding="utf-8")
    (tmp_path / "examples.txt").write_text("\nWhy?\n\n", encoding="utf-8")
    monkeypatch.setenv(prompts.ENV_VAR, str(tmp_path))
    assert prompts.render("abstain") == "Nothing on that, $0 spent."
    assert prompts.examples() == ("Why?",)
    monkeypatch.delenv(prompts.ENV_VAR)
    assert prompts.render("abstain") == TEMPLATES["abstain"]


@pytest.mark.parametrize("toml", ['greeting = "$count articles from $"', "greeting = 5", "greeting = ["])
def test_broken_templates_file_raises_settings_error(tmp_path, monkeypatch, toml):
    (tmp_path / "templates.toml").write_text(toml, encoding="utf-8")
    monkeypatch.setenv(prompts.ENV_VAR, str(tmp_path))
    with pytest.raises(SettingsError, match="templates.toml|greeting"):
        prompts.render("greeting", count=1)


def test_missing_folder_raises_settings_error(tmp_path, monkeypatch):
    monkeypatch.setenv(prompts.ENV_VAR, str(tmp_path / "nowhere"))
    with pytest.raises(SettingsError, match="templates.toml"):
        prompts.render("abstain")
    with pytest.raises(SettingsError, match="examples.txt"):
        prompts.examples()


def test_import_is_cheap_and_reads_nothing(tmp_path):
    # A missing prompts folder proves nothing is read at import; the module list, that nothing heavy loads.
    code = (
        "import sys, assistant.prompts;"
        "print(' '.join(m for m in ('torch', 'faiss', 'gradio', 'sentence_transformers') if m in sys.modules))"
    )
    env = {**os.environ, "NEWSDESK_PROMPTS": str(tmp_path / "nowhere")}
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env=env,
        cwd=Path(__file__).resolve().parent.parent,
    )
    assert out.stdout.strip() == ""
