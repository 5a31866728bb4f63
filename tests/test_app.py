"""The web chat: a real Gradio server on a free loopback port, driven by gradio_client and by
Debian's Chromium through Playwright."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
PAYLOAD = ("Hostile markup test\n\nThe envoy's memo on soybean tariffs read <script>window.pwned=1</script> "
           "and <img src=x onerror=\"window.pwned=2\"> in full.\n")
NEW_ARTICLE = ("---\ntitle: Yellen meets He on soybeans\npublication: Test Wire\ndate: 2021-10-09\n---\n"
               "Treasury Secretary Janet Yellen held a video call with Vice Premier Liu He about soybean "
               "purchases under the phase one trade deal.\n\nThe two agreed to meet again before December.\n")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory, built):
    base = tmp_path_factory.mktemp("app")
    corpus = base / "corpus"
    shutil.copytree(built[0], corpus)
    (corpus / "payload.txt").write_text(PAYLOAD, encoding="utf-8")
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "app.py"), "--corpus", str(corpus), "--index", str(base / "index"),
         "--port", str(port), "--feedback", str(base / "feedback.jsonl")],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"app exited: {process.stdout.read()}")
        try:
            urllib.request.urlopen(url, timeout=2)
            break
        except OSError:
            time.sleep(0.5)
    else:
        process.kill()
        pytest.fail("app did not start within 180 s")
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
    answer = client.predict("How long did it last?", ["Tell me about Biden's September call with Xi."],
                            api_name="/ask")
    assert answer["query"] != answer["question"] and "Xi" in answer["query"]


def test_upload_makes_an_article_answerable_and_refuses_a_binary(client, server, tmp_path):
    from gradio_client import handle_file

    before = client.predict("What did Janet Yellen discuss with Liu He?", api_name="/ask")
    assert before["abstained"]
    good = tmp_path / "yellen.md"
    good.write_text(NEW_ARTICLE, encoding="utf-8")
    binary = tmp_path / "photo.txt"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 200)
    status, table, *_ = client.predict([handle_file(str(good)), handle_file(str(binary))], api_name="/upload")
    status = status.replace("\\", "")  # Markdown escapes in the status message
    assert "✓ yellen.md added as" in status
    assert "photo.txt" in status and "binary" in status
    assert any(row[0] == "Yellen meets He on soybeans" for row in table["data"])
    stored = sorted(p.name for p in server["corpus"].glob("upload-*"))
    assert len(stored) == 1 and stored[0].endswith(".md")
    after = client.predict("What did Janet Yellen discuss with Liu He?", api_name="/ask")
    assert not after["abstained"] and "soybean" in after["text"]


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


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
    page = _answered_page(browser, server, "What did the envoy's memo on soybean tariffs read?")
    assert page.evaluate("window.pwned") is None
    assert page.locator("#nd-sources script, #nd-sources img, #nd-chat img[src=x]").count() == 0
    assert "<script>" in page.locator("#nd-sources").inner_text()
    page.close()


def test_feedback_is_appended(browser, server):
    page = _answered_page(browser, server, "How long did the Biden–Xi call last?")
    page.get_by_label("Comment on an answer").fill("clear and cited")
    page.locator("#nd-chat button[aria-label='Like']").first.click()
    path = server["base"] / "feedback.jsonl"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not path.exists():
        time.sleep(0.3)
    record = json.loads(path.read_text(encoding="utf-8").splitlines()[-1])
    assert record["verdict"] == "up" and record["comment"] == "clear and cited"
    assert record["question"] == "How long did the Biden–Xi call last?" and record["citations"]
    page.close()


def test_refuses_to_listen_beyond_loopback_without_auth():
    done = subprocess.run([sys.executable, str(ROOT / "app.py"), "--host", "0.0.0.0", "--port", str(free_port())],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode != 0
    assert "refusing to listen on 0.0.0.0 without --auth" in done.stderr


def test_concurrent_sessions_keep_their_own_conversations(server, tmp_path):
    """The load benchmark, short: 5 clients with multi-turn chats for a few seconds."""
    out = tmp_path / "load.json"
    done = subprocess.run([sys.executable, str(ROOT / "bench" / "load.py"), "--clients", "5", "--seconds", "6",
                           "--url", server["url"], "--out", str(out)], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    result = json.loads(out.read_text())
    assert result["turns"] >= 10
    assert result["errors"] == 0 and result["crosstalk"] == 0, result["examples"]
