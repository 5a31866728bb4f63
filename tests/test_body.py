"""The plain-text body classifier: its weights load as shipped, and it drops page furniture
of sites it never saw while keeping every line of the article (and of a clean, short one)."""

from __future__ import annotations

import json
import os
from dataclasses import replace

import pytest

from assistant.ingest.body import MODEL_FILE, BodyModel, bundled_model, content_fingerprint
from assistant.ingest.corpus import corpus_state, parse_article
from evals.shingles import match

SPORT_BODY = [
    "Harbour Town clinched the regional rugby title on Saturday with a 27-19 win over the Valley Rams at a packed "
    "Riverside Park, ending a twelve-year wait for silverware.",
    "The home side trailed 13-6 at half-time after two penalties and a converted try from the visitors, whose "
    "forwards dominated the breakdown for most of the opening forty minutes.",
    "Coach Dana Whitfield said her players had kept their heads when the game seemed to be slipping away. "
    '"We talked about patience at the break, and they delivered," she said.',
    "Winger Tomas Brandt scored twice in the final quarter, the second after a sweeping move that began inside "
    "Harbour's own twenty-two, before the replacement fly-half added a late penalty.",
    "The Rams, who had won their previous nine matches, will now face a play-off against the runners-up of the "
    "northern league for a place in next season's national competition.",
]
SPORT_FURNITURE_TOP = [
    "Skip to main content",
    "Home",
    "News",
    "Sport",
    "Rugby",
    "Football",
    "Cricket",
    "Weather",
    "Sign in",
    "Harbour Town end twelve-year wait with title win",
    "Share on Facebook | Share on X | Email",
]
SPORT_FURNITURE_BOTTOM = [
    "Related stories",
    "Valley Rams name unchanged side for derby",
    "Five things we learned from the weekend's action",
    "Ticket prices frozen for next season",
    "We use cookies to improve your experience. Accept all cookies | Manage preferences",
    "Follow us on Facebook, X and Instagram",
    "Newsletter sign-up",
    "About us | Contact | Privacy policy | Terms of use",
    "© 2024 Example Media Group. All rights reserved.",
]
BUSINESS_BODY = [
    "Shares in the regional grocery chain Northfield Markets rose 8% on Tuesday after it reported a jump in "
    "quarterly profit and raised its outlook for the full year.",
    "The company said operating profit climbed to 142 million in the three months to June, helped by lower "
    "energy costs and strong sales of its own-label ranges.",
    "Chief executive Priya Anand told analysts that shoppers were returning to larger weekly baskets as food "
    "inflation eased, but warned that wage costs would rise in the autumn.",
    "Analysts at one brokerage said the results were ahead of expectations and lifted their price target, "
    "although they cautioned that competition from discount chains remained intense.",
]
BUSINESS_FURNITURE_TOP = [
    "Menu",
    "Markets",
    "Companies",
    "Economy",
    "Personal finance",
    "Subscribe for full access",
    "Northfield Markets lifts outlook as profit jumps",
    "Listen to this article",
    "Share this article",
]
BUSINESS_FURNITURE_BOTTOM = [
    "Advertisement",
    "Most read",
    "1. Central bank holds rates steady",
    "2. Oil slips as supply fears ease",
    "3. Retail sales beat forecasts",
    "Comments (12)",
    "Download our app",
    "Privacy | Cookie settings | Help",
]
SHORT_CLEAN = """Library opens new reading room

The town library opened a new reading room on Monday after a year of building work.

The room seats forty people and has been fitted with new lighting and shelves for local history books.

The librarian said the room would be open every day except Sunday.
"""


def _page(top: list[str], body: list[str], bottom: list[str]) -> str:
    return "\n\n".join([*top, *body, *bottom]) + "\n"


def test_model_loads_from_json_and_its_fingerprint_matches():
    model = bundled_model()
    data = json.loads(MODEL_FILE.read_text(encoding="utf-8"))
    assert model.fingerprint == data["fingerprint"] == content_fingerprint(model)
    assert len(model.fingerprint) == 64 and 0.0 < model.threshold < 1.0
    tampered = json.loads(MODEL_FILE.read_text(encoding="utf-8"))
    tampered["stages"][1]["bias"] += 1.0
    with pytest.raises(ValueError, match="fingerprint"):
        BodyModel.from_json(tampered)


@pytest.mark.parametrize(
    ("top", "body", "bottom"),
    [
        (SPORT_FURNITURE_TOP, SPORT_BODY, SPORT_FURNITURE_BOTTOM),
        (BUSINESS_FURNITURE_TOP, BUSINESS_BODY, BUSINESS_FURNITURE_BOTTOM),
    ],
    ids=["sport", "business"],
)
def test_body_kept_and_furniture_removed_on_pages_of_other_sites(top, body, bottom):
    article = parse_article("page.txt", _page(top, body, bottom).encode(), ".txt")
    assert article.document.text.split("\n\n") == body
    reasons = {r.text: r.reason for r in article.removed}
    assert set(reasons) == {*top, *bottom}
    by_model = [text for text, reason in reasons.items() if reason.startswith("not article body (model p=")]
    assert len(by_model) >= len(bottom) // 2, reasons  # the rules alone would leave these


def test_html_is_not_judged_by_the_model():
    """trafilatura has taken HTML's furniture already: the model would only cost recall there."""
    paragraphs = "".join(f"<p>{text}</p>" for text in SPORT_BODY + SPORT_FURNITURE_BOTTOM)
    html = f"<html><head><title>Title win</title></head><body><article>{paragraphs}</article></body></html>"
    article = parse_article("page.html", html.encode(), ".html")
    assert not any(r.reason.startswith("not article body") for r in article.removed)


def test_a_clean_short_article_loses_nothing():
    article = parse_article("short.txt", SHORT_CLEAN.encode(), ".txt")
    assert [r.reason for r in article.removed] == ["title"]
    assert article.document.text.count("\n\n") == 2


def test_a_long_clean_article_loses_nothing():
    paragraphs = [f"{sentence} It was paragraph {n} of the report." for n, sentence in enumerate(SPORT_BODY * 3)]
    article = parse_article("long.txt", _page(["A long report"], paragraphs, []).encode(), ".txt")
    assert [r.reason for r in article.removed] == ["title"]


def test_cleaning_beats_no_cleaning_on_built_in_pages():
    for top, body, bottom in (
        (SPORT_FURNITURE_TOP, SPORT_BODY, SPORT_FURNITURE_BOTTOM),
        (BUSINESS_FURNITURE_TOP, BUSINESS_BODY, BUSINESS_FURNITURE_BOTTOM),
    ):
        raw = _page(top, body, bottom)
        truth = "\n\n".join(body)
        cleaned = parse_article("page.txt", raw.encode(), ".txt").document.text
        assert match(truth, cleaned).f1 > match(truth, raw).f1 + 0.2


def test_another_body_model_changes_the_corpus_state(tmp_path, monkeypatch):
    (tmp_path / "a.txt").write_text(SHORT_CLEAN, encoding="utf-8")
    os.utime(tmp_path / "a.txt", (1_000_000_000, 1_000_000_000))
    before = corpus_state(tmp_path, 1000)
    other = replace(bundled_model(), fingerprint="0" * 64)
    monkeypatch.setattr("assistant.ingest.corpus.bundled_model", lambda: other)
    assert corpus_state(tmp_path, 1000) != before is not None
