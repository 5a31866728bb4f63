"""The web chat: a real Gradio server on a free loopback port, driven by gradio_client and by
Debian's Chromium through Playwright."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from appserver import free_port, start_app
from badfiles import BAD, GOOD, ODD, REFUSED, YELLEN

ROOT = Path(__file__).resolve().parent.parent
PAYLOAD = (
    "Hostile markup test\n\nThe envoy's memo on soybean tariffs read <script>window.pwned=1</script> "
    'and <img src=x onerror="window.pwned=2"> in full.\n'
)
EVIL = "Ferry Strike Ends\n\nFerry crews in Burgas ended a three-day strike on Sunday after a pay deal.\n"
UPLOADABLE = [bad for bad in BAD if bad.upload]


@pytest.fixture(scope="module")
def server(tmp_path_factory, built):
    base = tmp_path_factory.mktemp("app")
    corpus = base / "corpus"
    shutil.copytree(built[0], corpus)
    (corpus / "payload.txt").write_text(PAYLOAD, encoding="utf-8")
    process, url = start_app(corpus, base / "index", "--feedback", str(base / "feedback.jsonl"))
    yield {"url": url, "corpus": corpus, "base": base}
    process.terminate()
    process.wait(timeout=30)


@pytest.fixture(scope="module")
def client(server):
    from gradio_client import Client

    return Client(server["url"], verbose=False)


def test_listens_on_loopback_only(server):
    port = int(server["url"].rsplit(":", 1)[1].strip("/"))
    out = subprocess.run(["ss", "-ltnH", f"sport = :{port}"], capture_output=True, text=True).stdout
    local = {line.split()[3] for line in out.splitlines() if line.strip()}
    assert local == {f"127.0.0.1:{port}"}


def test_ask_through_the_api(client):
    answer = client.predict("What did Kerry's China trip produce?", api_name="/ask")
    assert not answer["abstained"] and "[1]" in answer["text"]
    assert answer["citations"][0]["publication"] == "Axios"
    assert answer["citations"][0]["text"] in answer["text"] or answer["sentences"][0]["text"] in answer["text"]


def test_follow_up_through_the_api(client):
    answer = client.predict("How long did it last?", ["Tell me about Biden's September call with Xi."], api_name="/ask")
    assert answer["query"] != answer["question"] and "Xi" in answer["query"]


def test_upload_makes_an_article_answerable_at_once(client, server, tmp_path):
    from gradio_client import handle_file

    before = client.predict("What did Janet Yellen discuss with Liu He?", api_name="/ask")
    assert before["abstained"]
    good = tmp_path / "yellen.md"
    good.write_text(YELLEN, encoding="utf-8")
    status, table, *_ = client.predict([handle_file(str(good))], api_name="/upload")
    assert "✓ yellen.md added as" in status.replace("\\", "")  # Markdown escapes in the status message
    assert any(row[0] == "Yellen meets He on soybeans" for row in table["data"])
    stored = sorted(p.name for p in server["corpus"].glob("upload-*"))
    assert len(stored) == 1 and stored[0].endswith(".md")
    after = client.predict("What did Janet Yellen discuss with Liu He?", api_name="/ask")
    assert not after["abstained"] and "soybean" in after["text"]


@pytest.mark.parametrize("question, message", REFUSED.values(), ids=REFUSED.keys())
def test_bad_questions_through_the_api_get_their_message(client, question, message):
    from gradio_client.exceptions import AppError

    with pytest.raises(AppError, match=message):
        client.predict(question, api_name="/ask")


def _ask_over_http(url: str, question: str) -> dict:
    """/ask through Gradio's plain HTTP route with JSON written here: ``json.dumps`` escapes a
    lone surrogate as ``\\ud800``, which gradio_client, encoding UTF-8, cannot send at all."""
    import httpx

    body = json.dumps({"data": [question, [], "", "", []]})
    posted = httpx.post(
        url + "gradio_api/call/ask", content=body, headers={"content-type": "application/json"}, timeout=60
    )
    stream = httpx.get(url + f"gradio_api/call/ask/{posted.json()['event_id']}", timeout=120).text
    assert stream.startswith("event: complete\n"), stream
    return json.loads(stream.split("data: ", 1)[1])[0]


@pytest.mark.parametrize("question", ODD.values(), ids=ODD.keys())
def test_odd_characters_through_the_api_get_an_answer(server, question):
    answer = _ask_over_http(server["url"], question)
    assert answer["abstained"] or answer["citations"]


@pytest.fixture(scope="module")
def bad_uploads(client, server, tmp_path_factory):
    """One /upload of every bad file a browser can send, a good UTF-16 article, and a file
    posted as ``../../evil.txt``; the status message, Markdown escapes removed."""
    import httpx
    from gradio_client import handle_file

    folder = tmp_path_factory.mktemp("uploads")
    for bad in UPLOADABLE:
        (folder / bad.name).write_bytes(bad.data)
    name, data, _, _ = GOOD[0]
    (folder / name).write_bytes(data)
    posted = httpx.post(
        server["url"] + "gradio_api/upload",
        timeout=60,
        files={"files": ("../../evil.txt", EVIL.encode(), "text/plain")},
    )
    (evil,) = posted.json()
    status, *_ = client.predict(
        [*(handle_file(str(p)) for p in sorted(folder.iterdir())), handle_file(evil)], api_name="/upload"
    )
    return status.replace("\\", "")


@pytest.mark.parametrize("bad", UPLOADABLE, ids=lambda bad: bad.row)
def test_each_bad_upload_gets_its_own_message(bad_uploads, bad):
    (line,) = [line for line in bad_uploads.splitlines() if f"'{bad.name}'" in line]
    assert line.startswith(f"✗ cannot add '{bad.name}': ") and bad.upload in line


def test_good_uploads_beside_bad_ones_are_stored_safely_and_answerable(bad_uploads, client, server):
    assert "✓ wide.txt added as `upload-" in bad_uploads and "✓ evil.txt added as `upload-" in bad_uploads
    corpus = server["corpus"]
    assert not (corpus / "evil.txt").exists() and not (corpus.parent.parent / "evil.txt").exists()
    assert all(re.fullmatch(r"upload-[0-9a-f]{12}\.(txt|md)", p.name) for p in corpus.glob("upload-*"))
    for question, phrase in [(GOOD[0][2], GOOD[0][3]), ("How long did the Biden Xi call last?", "90 minutes")]:
        answer = client.predict(question, api_name="/ask")
        assert not answer["abstained"] and phrase in answer["text"], question


def test_a_50_mb_upload_is_refused_by_the_server(server, tmp_path):
    import httpx

    huge = tmp_path / "huge.txt"
    with huge.open("wb") as handle:
        handle.truncate(50_000_000)
    with huge.open("rb") as handle:
        refused = httpx.post(server["url"] + "gradio_api/upload", files={"files": ("huge.txt", handle)}, timeout=120)
    assert refused.status_code == 413 and "5000000 bytes" in refused.text


def test_an_unsupported_type_is_refused_by_the_server(client, tmp_path):
    from gradio_client import handle_file
    from gradio_client.exceptions import AppError

    pdf = tmp_path / "notes.pdf"
    pdf.write_bytes(b"%PDF-1.4\n")
    with pytest.raises(AppError, match=r"Invalid file type.*'\.txt', '\.md'"):
        client.predict([handle_file(str(pdf))], api_name="/upload")


def _ask_in_page(page, question: str) -> None:
    page.locator("#nd-question textarea").fill(question)
    page.locator("#nd-ask").click()


def _answered_page(browser, server, question: str):
    """A fresh page (its own session) that has asked ``question`` and shows its sources."""
    page = browser.new_page()
    page.goto(server["url"])
    _ask_in_page(page, question)
    page.locator("#nd-sources mark").first.wait_for(timeout=90_000)
    return page


def test_chat_in_a_real_browser(browser, server, tmp_path):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(server["url"])
    assert "Articles indexed" in page.locator("#nd-status").inner_text()
    _ask_in_page(page, "What did Kerry's China trip produce?")
    page.locator("#nd-sources mark").first.wait_for(timeout=90_000)
    chat = page.locator("#nd-chat").inner_text()
    assert "[1]" in chat and "video call" in chat
    highlighted = page.locator("#nd-sources mark").first.inner_text()
    assert "Kerry" in highlighted or "video call" in highlighted
    shots = Path(os.environ.get("NEWSDESK_SCREENSHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shots / "chat.png"), full_page=True)
    page.locator("#nd-pick label").first.click()
    page.locator("#nd-article-box mark#nd-cited").wait_for(timeout=30_000)
    assert "Inside Biden" in page.locator("#nd-article-box").inner_text()
    page.screenshot(path=str(shots / "article.png"))
    _ask_in_page(page, "And who met him?")
    page.get_by_text("Searched for:").wait_for(timeout=90_000)
    page.close()


def test_article_markup_is_shown_as_text(browser, server):
    """In the answer, in its sources and in the whole article opened from a citation."""
    page = _answered_page(browser, server, "What did the envoy's memo on soybean tariffs read?")
    page.locator("#nd-pick label").first.click()
    page.locator("#nd-article-box mark#nd-cited").wait_for(timeout=30_000)
    assert page.evaluate("window.pwned") is None
    assert page.locator(":is(#nd-chat, #nd-sources, #nd-article-box) :is(script, img)").count() == 0
    for panel in ("#nd-chat", "#nd-sources", "#nd-article-box"):
        assert '<img src=x onerror="window.pwned=2">' in page.locator(panel).inner_text(), panel
    assert "<script>window.pwned=1</script>" in page.locator("#nd-article-box").inner_text()
    page.close()


def test_question_markup_is_shown_as_text(browser, server):
    question = (
        "What did the envoy's memo on soybean tariffs read? <script>window.pwned=3</script> "
        '<img src=x onerror="window.pwned=4"> <b>'
    )
    page = browser.new_page()
    page.goto(server["url"])
    _ask_in_page(page, question)
    page.locator("#nd-chat").get_by_text('onerror="window.pwned=4"').wait_for(timeout=90_000)
    assert page.evaluate("window.pwned") is None
    assert page.locator("#nd-chat :is(script, img, b)").count() == 0
    assert "<script>window.pwned=3</script>" in page.locator("#nd-chat").inner_text()
    page.close()


def test_a_one_megabyte_question_in_the_chat_gets_a_message(browser, server):
    page = browser.new_page()
    page.goto(server["url"])
    _ask_in_page(page, "x" * 1_000_000)
    page.get_by_text("the query is 1,000,000 characters; the limit is 2,000").wait_for(timeout=60_000)
    page.close()


def test_feedback_is_appended(browser, server):
    page = _answered_page(browser, server, "How long did the Biden–Xi call last?")
    page.get_by_label("Comment on an answer").fill("clear and cited")
    page.locator("#nd-chat button[aria-label='Like']").first.click()
    path = server["base"] / "feedback.jsonl"
    deadline = time.monotonic() + 30
    # the file is created by its open, then written: wait for a whole line, not for the file
    while time.monotonic() < deadline and not (path.exists() and path.read_text(encoding="utf-8").endswith("\n")):
        time.sleep(0.3)
    record = json.loads(path.read_text(encoding="utf-8").splitlines()[-1])
    assert record["verdict"] == "up" and record["comment"] == "clear and cited"
    assert record["question"] == "How long did the Biden–Xi call last?" and record["citations"]
    page.close()


def test_refuses_to_listen_beyond_loopback_without_auth():
    done = subprocess.run(
        [sys.executable, str(ROOT / "app.py"), "--host", "0.0.0.0", "--port", str(free_port())],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0
    assert "refusing to listen on 0.0.0.0 without --auth" in done.stderr


def test_concurrent_sessions_keep_their_own_conversations(server, tmp_path):
    """The load benchmark, short: 5 browser sessions (each a Chromium page with its own
    ``gr.State``) holding multi-turn chats at once; a follow-up rewritten with another
    session's conversation is cross-talk."""
    out = tmp_path / "load.json"
    done = subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "load.py"),
            "--clients",
            "5",
            "--seconds",
            "6",
            "--url",
            server["url"],
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(out.read_text())
    assert result["turns"] >= 10
    assert result["errors"] == 0 and result["crosstalk"] == 0, result["examples"]


#: Gradio's progress indicator as the page's text shows it: "3/6 files | 0.7s", then "reading - 50.0%".
PROGRESS = r"\d+/\d+ (files|articles|texts)[^\n]*\n(reading|cleaning|splitting|embedding|indexing) - "


def test_an_upload_in_the_browser_shows_the_index_progress(browser, server, tmp_path):
    """While the upload is indexed, the page shows which phase it is in and how far it has come."""
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(server["url"])
    page.get_by_role("tab", name="Corpus").click()
    article = tmp_path / "lighthouse.txt"
    sentences = " ".join(
        f"Keepers logged storm number {n} at the Skerry lighthouse in the winter of 1931." for n in range(60)
    )
    article.write_text(f"Lighthouse Logbook Found\n\n{sentences}\n", encoding="utf-8")
    page.locator("#nd-upload input[type=file]").set_input_files(str(article))
    seen = page.wait_for_function(
        "pattern => { const m = document.body.innerText.match(new RegExp(pattern)); return m && m[0]; }",
        arg=PROGRESS,
        polling=20,
        timeout=90_000,
    ).json_value()
    shots = Path(os.environ.get("NEWSDESK_SCREENSHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shots / "upload-progress.png"))
    page.get_by_text("lighthouse.txt added as").wait_for(timeout=90_000)
    assert re.search(PROGRESS, seen)
    page.close()
