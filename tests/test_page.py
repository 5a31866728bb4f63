"""The page as a reader sees it (#17), in Debian's Chromium at a desktop (1400 × 1000) and a phone
(390 × 844) size: answers and the Corpus tab photographed and measured, an axe-core scan, and the
chat used with the keyboard alone.

Screenshots and the axe summaries go to ``$NEWSDESK_SCREENSHOTS`` (else a temporary folder).
axe-core's script ships inside axe-playwright-python and is evaluated in the page: nothing is
fetched.  Each check lists every problem it finds before failing, so one run says all that is wrong.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

import pytest
from appserver import start_app

SIZES = {"1400": {"width": 1400, "height": 1000}, "390": {"width": 390, "height": 844}}
QUESTIONS = {
    "kerry": "What did Kerry's China trip produce?",
    "accounts": "How do the US and Chinese accounts of the Alaska talks differ?",  # sources disagree
    "partial": "Which members of the European Parliament did China sanction?",  # on topic, no names given
}
CARDS = "#nd-sources :is(.nd-card, [id^='nd-card-'])"  # today's cards, and the ids the cards will carry
MIN_CARD = 280  # px: narrower, a card's title and quote wrap a word or two per line
BLOCKING = ("serious", "critical")
FOCUS_DELTA = 48  # a pixel counts as changed by focus when a colour channel moves this much (0-255)


@pytest.fixture(scope="module")
def server(tmp_path_factory, built):
    """The app over the bundled corpus alone (``test_app``'s server adds a hostile article)."""
    base = tmp_path_factory.mktemp("page")
    shutil.copytree(built[0], base / "corpus")
    shutil.copytree(built[1], base / "index")
    feedback = base / "feedback.jsonl"
    process, url = start_app(base / "corpus", base / "index", "--feedback", str(feedback), "--poll-minutes", "0")
    yield {"url": url, "feedback": feedback}
    process.terminate()
    process.wait(timeout=30)


@pytest.fixture(scope="module")
def expected(assistant):
    """What the app should show for each question (the same index, asked directly)."""
    return {name: assistant.ask(question) for name, question in QUESTIONS.items()}


@pytest.fixture(scope="module")
def shots(tmp_path_factory) -> Path:
    folder = Path(os.environ.get("NEWSDESK_SCREENSHOTS") or tmp_path_factory.mktemp("shots"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def open_page(browser, server):
    """A function giving a fresh page of the app at a size of ``SIZES``; closed after the test."""
    opened = []

    def at(size: str):
        page = browser.new_page(viewport=SIZES[size])
        opened.append(page)
        page.goto(server["url"])
        page.locator("#nd-question textarea").wait_for(timeout=30_000)
        return page

    yield at
    for page in opened:
        page.close()


def _flat(text: str) -> str:
    return " ".join(text.split())


def _marker(answer) -> str:
    """A stretch of the answer's first quoted sentence, as the chat shows it."""
    return _flat(answer.sentences[0].text)[:60]


def _wait_for_answer(page, answer) -> None:
    """Until the chat shows ``answer``'s first sentence and the sources panel a card."""
    page.wait_for_function(
        """([text, cards]) => document.querySelector('#nd-chat')?.innerText.replace(/\\s+/g, ' ').includes(text)
            && document.querySelectorAll(cards).length > 0""",
        arg=[_marker(answer), CARDS],
        timeout=90_000,
    )
    page.wait_for_timeout(300)  # the panel's HTML arrives with the message; let it lay out


def _ask(page, question: str, answer) -> None:
    page.locator("#nd-question textarea").fill(question)
    page.locator("#nd-ask").click()
    _wait_for_answer(page, answer)


def _box(page, selector: str) -> dict:
    return page.locator(selector).first.bounding_box()


def _cards(page) -> list[dict]:
    """Each source card's box and whether its content is wider than it (words spilling out)."""
    return page.eval_on_selector_all(
        CARDS,
        """cards => cards.map(c => { const r = c.getBoundingClientRect();
            return {id: c.id || c.className, left: r.left, right: r.right, width: r.width,
                    spills: c.scrollWidth > c.clientWidth + 1}; })""",
    )


def _page_overflow(page) -> list[str]:
    width = page.evaluate("[document.scrollingElement.scrollWidth, window.innerWidth]")
    return [] if width[0] <= width[1] + 1 else [f"the page scrolls sideways: scrollWidth {width[0]} > {width[1]}"]


def _layout_problems(page, size: str) -> list[str]:
    """What keeps a reader from reading the answer beside (desktop) or under (phone) its sources."""
    problems = []
    cards = _cards(page)
    problems += [
        f"card {c['id']} is {c['width']:.0f} px wide and its words spill out of it" for c in cards if c["spills"]
    ]
    if size == "1400":
        problems += [
            f"card {c['id']} is {c['width']:.0f} px wide (< {MIN_CARD})" for c in cards if c["width"] < MIN_CARD
        ]
        return problems
    problems += _page_overflow(page)
    chat, sources = _box(page, "#nd-chat"), _box(page, "#nd-sources")
    if sources["y"] < chat["y"] + chat["height"] - 1:
        problems.append(
            f"sources panel top {sources['y']:.0f} is above the chat's bottom {chat['y'] + chat['height']:.0f}"
        )
    panel = sources["width"]
    problems += [
        f"card {c['id']} is {c['width']:.0f} px wide in a {panel:.0f} px panel (cards side by side on a phone)"
        for c in cards
        if c["width"] < 0.75 * panel
    ]
    inner = page.evaluate("window.innerWidth")
    problems += [
        f"card {c['id']} runs off the screen ({c['left']:.0f}–{c['right']:.0f} px)"
        for c in cards
        if c["right"] > inner + 1
    ]
    return problems


def test_the_questions_still_give_their_kinds_of_answer(expected):
    """The page tests rest on these: if the corpus or the answerer changes, choose new questions."""
    assert expected["kerry"].outcome == "answered" and expected["kerry"].citations
    assert expected["accounts"].disagreement and len(expected["accounts"].citations) >= 2  # two accounts at least
    assert expected["partial"].outcome == "partial" and expected["partial"].citations, expected["partial"].reason


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("kind", QUESTIONS)
def test_an_answer_and_its_sources_can_be_read(open_page, expected, shots, kind, size):
    page = open_page(size)
    _ask(page, QUESTIONS[kind], expected[kind])
    page.screenshot(path=str(shots / f"{kind}-{size}.png"), full_page=True)
    problems = []
    text = page.locator("#nd-chat").get_by_text(_marker(expected[kind])[:40]).first
    box = text.bounding_box()
    if not text.is_visible() or box is None or box["x"] < 0 or box["x"] + box["width"] > SIZES[size]["width"] + 1:
        problems.append(f"the answer's text is not visible on screen: {box}")
    if not page.locator("#nd-sources").is_visible() or not page.locator(CARDS).first.is_visible():
        problems.append("the sources panel or its first card is not visible")
    problems += _layout_problems(page, size)
    assert not problems, f"{kind} at {size} px:\n" + "\n".join(problems)


def _open_corpus(page) -> None:
    page.get_by_role("tab", name="Corpus").click()
    page.locator("#nd-corpus").wait_for(timeout=30_000)
    page.wait_for_timeout(500)


@pytest.mark.parametrize("size", SIZES)
def test_the_corpus_tab_can_be_read(open_page, assistant, shots, size):
    page = open_page(size)
    _open_corpus(page)
    page.screenshot(path=str(shots / f"corpus-{size}.png"), full_page=True)
    table = page.locator("#nd-corpus")
    shown = _flat(table.inner_text())
    problems = [
        f"article {a.document.label!r} is not listed" for a in assistant.articles() if a.document.label not in shown
    ]
    box = table.bounding_box()
    if not table.is_visible() or box["x"] < 0 or box["x"] + box["width"] > SIZES[size]["width"] + 1:
        problems.append(f"the corpus table is not on screen: {box}")
    problems += _page_overflow(page)
    assert not problems, f"corpus at {size} px:\n" + "\n".join(problems)


def _axe_summary(violations: list[dict]) -> list[str]:
    """One line per rule broken: its impact, how many elements, up to four of them."""
    return [
        f"{v['id']} ({v['impact']}): {len(v['nodes'])} node(s), e.g. "
        + "; ".join(" ".join(map(str, node["target"])) for node in v["nodes"][:4])
        for v in violations
    ]


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("view", ["answer", "corpus"])
def test_no_serious_accessibility_violations(open_page, expected, shots, view, size):
    """axe-core over the whole page after an answer (the disagreeing accounts, the richest
    panel) and on the Corpus tab; the summary is printed and kept beside the screenshots."""
    from axe_playwright_python.sync_playwright import Axe

    page = open_page(size)
    if view == "answer":
        _ask(page, QUESTIONS["accounts"], expected["accounts"])
    else:
        _open_corpus(page)
    results = Axe().run(page).response
    summary = _axe_summary(results["violations"])
    (shots / f"axe-{view}-{size}.txt").write_text("\n".join(summary) + "\n", encoding="utf-8")
    details = [
        {"id": v["id"], "impact": v["impact"], "nodes": [[n["target"], n["failureSummary"]] for n in v["nodes"]]}
        for v in results["violations"]
    ]
    (shots / f"axe-{view}-{size}.json").write_text(json.dumps(details, indent=1), encoding="utf-8")
    print(f"axe-core {results['testEngine']['version']}, {view} at {size} px:", *summary, sep="\n  ")
    blocking = [v for v in results["violations"] if v["impact"] in BLOCKING]
    assert not blocking, f"{view} at {size} px:\n" + "\n".join(_axe_summary(blocking))


# Keyboard alone: page.keyboard only, no clicks.  A predicate is a JavaScript function of the focused element.

QUESTION_BOX = "e => e.matches('textarea, input') && !!e.closest('#nd-question')"
ASK = "e => !!e.closest('#nd-ask')"
COMMENT = """e => e.matches('textarea, input')
    && /Comment/.test(e.closest('label')?.innerText || e.getAttribute('aria-label') || '')"""
LIKE = "e => e.matches('button') && e.getAttribute('aria-label') === 'Like' && !!e.closest('#nd-chat')"
LOOK = """e => { const s = getComputedStyle(e);
    return [s.outline, s.borderColor, s.backgroundColor, s.boxShadow].join('|'); }"""  # how a card looks
CITATION = "e => e.hasAttribute('data-cite') && !!e.closest('#nd-chat')"
DESCRIBE = """e => [e.tagName.toLowerCase(), e.id && '#' + e.id, e.getAttribute('aria-label'),
    (e.innerText || e.value || '').trim().slice(0, 30), e.closest('[id]')?.id].filter(Boolean).join(' ')"""


def _focused(page, predicate: str):
    return page.evaluate(f"(() => {{ const e = document.activeElement; return !!e && ({predicate})(e); }})()")


def _tab_to(page, predicate: str, what: str, back: bool = False, limit: int = 80) -> None:
    """Press Tab (Shift+Tab when ``back``) until the focused element satisfies ``predicate``;
    fails naming the stops passed, or the element focus stays stuck on."""
    stops = []
    for _ in range(limit):
        if _focused(page, predicate):
            return
        page.keyboard.press("Shift+Tab" if back else "Tab")
        stops.append(page.evaluate(f"({DESCRIBE})(document.activeElement)"))
        if len(stops) >= 4 and len(set(stops[-4:])) == 1:
            pytest.fail(f"focus is stuck on {stops[-1]!r} on the way to {what}")
    pytest.fail(f"{what} not reached in {limit} presses of {'Shift+Tab' if back else 'Tab'}; stops: {stops}")


def _example(assistant, besides: str) -> str:
    """A predicate for the button of an example question the page offers, other than ``besides``."""
    offered = [q for q in assistant.examples() if q != besides]
    return f"e => e.matches('button') && {json.dumps(offered)}.includes(e.innerText.trim())"


def _keyboard_ask(page, question: str, answer) -> None:
    _tab_to(page, QUESTION_BOX, "the question box")
    page.keyboard.type(question)
    page.keyboard.press("Enter")
    _wait_for_answer(page, answer)


def _last_feedback(path: Path) -> dict | None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if path.exists() and path.read_text(encoding="utf-8").strip():
            return json.loads(path.read_text(encoding="utf-8").splitlines()[-1])
        time.sleep(0.3)
    return None


def test_ask_run_an_example_and_give_feedback_with_the_keyboard(open_page, expected, assistant, server):
    page = open_page("1400")
    _keyboard_ask(page, QUESTIONS["kerry"], expected["kerry"])
    _tab_to(page, _example(assistant, besides=QUESTIONS["kerry"]), "an example question")
    example = page.evaluate("document.activeElement.innerText.trim()")
    page.keyboard.press("Enter")
    page.wait_for_timeout(1500)
    if example not in page.locator("#nd-chat").inner_text():  # the example filled the box: ask it
        assert page.locator("#nd-question textarea").input_value() == example
        _tab_to(page, ASK, "the Ask button", back=True)
        page.keyboard.press("Enter")
    _wait_for_answer(page, assistant.ask(example))
    _tab_to(page, COMMENT, "the comment box")
    page.keyboard.type("read with the keyboard")
    _tab_to(page, LIKE, "the latest answer's thumbs up", back=True)
    page.keyboard.press("Enter")
    record = _last_feedback(server["feedback"])
    assert record is not None, "no feedback was recorded"
    assert record["verdict"] == "up" and record["comment"] == "read with the keyboard"
    assert record["question"] == example


def _look(page, selector: str) -> str:
    return page.eval_on_selector(selector, LOOK)


def test_a_citation_reached_by_keyboard_highlights_its_source(open_page, expected):
    page = open_page("1400")
    _keyboard_ask(page, QUESTIONS["accounts"], expected["accounts"])
    _tab_to(page, CITATION, "a citation [n] in the answer")
    number = page.evaluate("document.activeElement.getAttribute('data-cite')")
    card = f"#nd-card-{number}"
    before = _look(page, card)
    page.keyboard.press("Enter")
    page.wait_for_function(
        f"([card, before]) => ({LOOK})(document.querySelector(card)) !== before",
        arg=[card, before],
        timeout=5_000,
    )
    box = _box(page, card)
    assert box["y"] < SIZES["1400"]["height"] and box["y"] + box["height"] > 0, f"{card} is off screen: {box}"
    # and back: the card's last link returns the focus to [n] in the answer
    _tab_to(page, f"e => e.matches('a.nd-back[data-back=\"{number}\"]')", f"card {number}'s link back")
    page.keyboard.press("Enter")
    page.wait_for_function(
        f"() => document.activeElement.matches('#nd-chat a.nd-cite-link[data-cite=\"{number}\"]')", timeout=5_000
    )


def _focus_shows(page, what: str) -> str | None:
    """None when focusing the element (reached by Tab) changes enough pixels around it to be seen:
    half its outline's length by ``FOCUS_DELTA``; else what is wrong."""
    from io import BytesIO

    from PIL import Image, ImageChops

    handle = page.evaluate_handle("document.activeElement")
    box = handle.bounding_box()
    clip = {
        "x": max(box["x"] - 6, 0),
        "y": max(box["y"] - 6, 0),
        "width": box["width"] + 12,
        "height": box["height"] + 12,
    }
    focused = Image.open(BytesIO(page.screenshot(clip=clip))).convert("RGB")
    handle.evaluate("e => e.blur()")
    page.wait_for_timeout(200)
    plain = Image.open(BytesIO(page.screenshot(clip=clip))).convert("RGB")
    handle.evaluate("e => e.focus()")
    red, green, blue = ImageChops.difference(focused, plain).split()
    most = ImageChops.lighter(ImageChops.lighter(red, green), blue)  # each pixel's largest channel change
    changed = sum(most.histogram()[FOCUS_DELTA:])
    outline = box["width"] + box["height"]
    return None if changed >= outline else f"{what}: {changed} pixels change on focus (want ≥ {outline:.0f})"


def test_the_keyboard_focus_can_be_seen(open_page, expected, assistant):
    """WCAG 2.4.7: each control a keyboard user goes through shows where the focus is."""
    page = open_page("1400")
    _keyboard_ask(page, QUESTIONS["kerry"], expected["kerry"])
    stops = [
        (QUESTION_BOX, "the question box", False),
        (ASK, "the Ask button", False),
        (_example(assistant, besides=""), "an example", False),
        (COMMENT, "the comment box", False),
        (LIKE, "the thumbs up", True),
        ("e => e.getAttribute('role') === 'tab'", "a tab", True),
    ]
    problems = []
    for predicate, what, back in stops:
        _tab_to(page, predicate, what, back=back)
        problems.append(_focus_shows(page, what))
    problems = [p for p in problems if p]
    assert not problems, "\n".join(problems)
