"""Live sources (``ingest.fetch``, ``ingest.live``): articles added by address and feeds
followed, against a loopback HTTP server serving fixture pages and feeds, broken ones
included.  No outside network: every address is 127.0.0.1, which is refused unless
``allow_private`` allows it, as a test of its own shows."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from appserver import start_app

from assistant.errors import ArticleError, CorpusError, FetchError
from assistant.ingest.corpus import read_corpus
from assistant.ingest.fetch import fetch
from assistant.ingest.live import Feeds, add_url, parse_feed, poll
from assistant.settings import Settings

WETLAND = """<!doctype html><html><head><meta charset="utf-8"><title>Wetland birds return to the estuary</title>
<meta property="og:site_name" content="Estuary Weekly"></head><body>
<article><h1>Wetland birds return to the estuary</h1>
<p>Avocets have nested on the restored salt marsh for the first time in thirty years,
the reserve's wardens said on Monday.</p>
<p>The marsh was flooded again in 2019 when the old sea wall was breached on purpose to let the tide back in.</p>
<p>Volunteers counted fourteen pairs this spring, and the wardens expect more once the new islands settle.</p>
</article></body></html>"""
FERRY = """Ferry fares frozen for islanders

The island council has frozen ferry fares for residents until the end of next year.
Councillor Mairi Rennie said the freeze would cost the council about 200,000 pounds.
Visitors will pay the new summer fares from June.
"""
LATIN = (
    "<html><head><title>Caf\xe9 reopens after the flood</title></head><body><article>"
    "<p>The caf\xe9 on the harbour front reopened on Saturday, six months after the winter flood.</p>"
    "<p>Its owner said the new floor sits forty centimetres higher than the old one.</p>"
    "<p>Regulars queued from eight for the first coffee of the season.</p></article></body></html>"
).encode("latin-1")


def rss(*paths: str) -> bytes:
    items = "".join(
        f"<item><title>Story {n}</title><link>{{base}}{path}</link><guid>story-{n}</guid></item>"
        for n, path in enumerate(paths)
    )
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>Local</title>{items}</channel></rss>'.encode()


ATOM = (
    b'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Coast</title>'
    b'<entry><title>Ferries</title><id>tag:coast,2025:ferries</id><link rel="alternate" href="{base}/ferry.txt"/>'
    b"</entry></feed>"
)
BOMB = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
    b"<rss><channel><item><title>&lol2;</title><link>http://x/</link></item></channel></rss>"
)


class Fixtures(BaseHTTPRequestHandler):
    """Pages by path; ``requests`` counts what was asked for."""

    requests: list[str] = []
    base = ""

    def do_GET(self):  # noqa: N802 (the name http.server calls)
        type(self).requests.append(self.path)
        routes = {
            "/wetland.html": (200, "text/html; charset=utf-8", WETLAND.encode()),
            "/ferry.txt": (200, "text/plain", FERRY.encode()),
            "/latin.html": (200, "text/html; charset=iso-8859-1", LATIN),
            "/image.png": (200, "image/png", b"\x89PNG\r\n\x1a\n" + b"\0" * 64),
            "/empty.html": (200, "text/html", b"<html><body><nav>Home</nav></body></html>"),
            "/feed.rss": (200, "application/rss+xml", rss("/wetland.html", "/ferry.txt", "/image.png")),
            "/slow-feed.rss": (200, "application/rss+xml", rss("/slow")),
            "/relative.rss": (200, "application/rss+xml", rss("/ferry.txt").replace(b"{base}", b"")),
            "/feed.atom": (200, "application/atom+xml", ATOM),
            "/broken.xml": (200, "application/xml", b"<rss><channel><item><title>cut off"),
            "/bomb.xml": (200, "application/xml", BOMB),
            "/missing-feed.xml": (404, "text/html", b"gone"),
        }
        if self.path == "/redirect":
            return self._answer(302, "text/html", b"", Location="/wetland.html")
        if self.path.startswith("/loop"):
            return self._answer(302, "text/html", b"", Location=f"/loop{len(self.path)}")
        if self.path == "/to-file":
            return self._answer(302, "text/html", b"", Location="file:///etc/passwd")
        if self.path == "/slow":
            time.sleep(2)
            return self._answer(200, "text/plain", FERRY.encode())
        if self.path == "/huge":
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.end_headers()
            for _ in range(64):  # 4 MiB without a length: read until the limit stops it
                self.wfile.write(b"x" * 65536)
            return None
        status, kind, body = routes.get(self.path, (404, "text/html", b"not here"))
        return self._answer(status, kind, body.replace(b"{base}", self.base.encode()))

    def _answer(self, status: int, kind: str, body: bytes, **headers: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        for key, value in headers.items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:  # quiet
        pass


@pytest.fixture
def server():
    Fixtures.requests = []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Fixtures)
    Fixtures.base = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield Fixtures.base
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def settings():
    return Settings(allow_private=True, fetch_timeout=1.0, max_article_bytes=1_000_000)


ARTICLE = ("text/html", "text/plain")


def test_loopback_and_private_addresses_are_refused_unless_allowed(server):
    for url in (f"{server}/wetland.html", "http://10.0.0.1/", "http://169.254.169.254/latest/meta-data/"):
        with pytest.raises(FetchError, match="private, loopback or reserved"):
            fetch(url, accept=ARTICLE, max_bytes=10_000)
    assert fetch(f"{server}/wetland.html", accept=ARTICLE, max_bytes=10_000, allow_private=True).data


@pytest.mark.parametrize(
    "path, message",
    [
        ("/missing", "answered 404"),
        ("/image.png", "is image/png, not one of"),
        ("/loop", "redirects more than 5 times"),
        ("/to-file", "only http and https"),
        ("/slow", "time limit"),
        ("/huge", "over the limit of 1,000,000 bytes"),
    ],
)
def test_each_broken_answer_gets_its_own_error(server, path, message):
    with pytest.raises(FetchError, match=message):
        fetch(f"{server}{path}", accept=ARTICLE, max_bytes=1_000_000, timeout=1.0, allow_private=True)


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.org/a.txt", "http://", "javascript:alert(1)"])
def test_only_http_addresses_are_fetched(url):
    with pytest.raises(FetchError, match="only http and https|names no host"):
        fetch(url, accept=ARTICLE, max_bytes=1000)


def test_a_redirect_is_followed_and_the_page_stored_with_its_address(server, settings, tmp_path):
    path = add_url(tmp_path, f"{server}/redirect", settings)
    assert path.name.startswith("web-") and path.suffix == ".html"
    text = path.read_text(encoding="utf-8")
    assert text.startswith(f"---\nurl: {server}/wetland.html\nfetched: ")
    (article,) = read_corpus(tmp_path).articles
    assert article.document.url == f"{server}/wetland.html"
    assert article.document.title == "Wetland birds return to the estuary"
    assert "Avocets have nested" in article.document.text
    again = add_url(tmp_path, f"{server}/redirect", settings)  # the address names the file: replaced
    assert again == path and len(list(tmp_path.iterdir())) == 1


def test_a_page_in_another_charset_is_stored_as_utf8(server, settings, tmp_path):
    path = add_url(tmp_path, f"{server}/latin.html", settings)
    (article,) = read_corpus(tmp_path).articles
    assert "The café on the harbour front" in article.document.text
    assert path.read_bytes().decode("utf-8")


def test_plain_text_keeps_its_suffix_and_a_page_of_furniture_is_refused(server, settings, tmp_path):
    assert add_url(tmp_path, f"{server}/ferry.txt", settings).suffix == ".txt"
    with pytest.raises(ArticleError, match="cannot add"):
        add_url(tmp_path, f"{server}/empty.html", settings)
    assert len(list(tmp_path.glob("web-*"))) == 1


def test_a_feed_is_polled_once_per_item(server, settings, tmp_path):
    feeds = Feeds.of(tmp_path)
    assert feeds.add(f"{server}/feed.rss") and not feeds.add(f"{server}/feed.rss")
    assert Feeds.of(tmp_path).add(f"{server}/feed.atom")
    first = poll(tmp_path, settings)
    assert len(first.stored) == 3 and len(set(first.stored)) == 2  # the Atom entry is the RSS ferry: one file
    assert [url for url, _ in first.refused] == [f"{server}/image.png"]  # not an article: seen, not retried
    Fixtures.requests.clear()
    second = poll(tmp_path, settings)
    assert second.stored == [] and second.refused == [] and second.seen_before == 4
    assert Fixtures.requests == ["/feed.rss", "/feed.atom"]  # only the feeds themselves
    scan = read_corpus(tmp_path)  # the feed list is hidden: not an article, not a skipped file
    assert len(scan.articles) == 2 and scan.skipped == ()


@pytest.mark.parametrize(
    "path, message",
    [
        ("/broken.xml", "not well-formed XML"),
        ("/bomb.xml", "declares a document type or entities"),
        ("/missing-feed.xml", "answered 404"),
        ("/wetland.html", "is text/html, not one of"),
    ],
)
def test_a_broken_feed_is_reported_and_the_others_still_polled(server, settings, tmp_path, path, message):
    feeds = Feeds.of(tmp_path)
    feeds.add(f"{server}{path}")
    feeds.add(f"{server}/feed.atom")
    report = poll(tmp_path, settings)
    ((url, reason),) = report.failed
    assert url == f"{server}{path}" and message in reason
    assert len(report.stored) == 1


def test_an_item_that_timed_out_is_tried_again(server, tmp_path):
    Feeds.of(tmp_path).add(f"{server}/slow-feed.rss")
    impatient = Settings(allow_private=True, fetch_timeout=0.5)
    first = poll(tmp_path, impatient)
    assert first.stored == [] and "time limit" in first.failed[0][1]
    second = poll(tmp_path, replace(impatient, fetch_timeout=5.0))
    assert len(second.stored) == 1 and second.seen_before == 0


def test_parse_feed_reads_rss_and_atom_links():
    items = parse_feed(rss("/a", "/b").replace(b"{base}", b"http://news.example"))
    assert [(i.key, i.link) for i in items] == [
        ("story-0", "http://news.example/a"),
        ("story-1", "http://news.example/b"),
    ]
    (entry,) = parse_feed(ATOM.replace(b"{base}", b"http://news.example"))
    assert (entry.key, entry.link, entry.title) == (
        "tag:coast,2025:ferries",
        "http://news.example/ferry.txt",
        "Ferries",
    )
    with pytest.raises(FetchError, match="neither RSS nor Atom"):
        parse_feed(b"<html><body>hi</body></html>")


def assistant(*args: str, ok: bool = True) -> subprocess.CompletedProcess:
    done = subprocess.run(
        [sys.executable, "-m", "assistant.serve.cli", *args], capture_output=True, text=True, timeout=300
    )
    assert "Traceback" not in done.stderr, done.stderr
    assert (done.returncode == 0) == ok, done.stderr
    return done


def test_the_cli_adds_by_address_and_polls_feeds_into_a_searchable_index(server, tmp_path):
    folders = ["--corpus", str(tmp_path / "corpus"), "--index", str(tmp_path / "index")]
    refused = assistant("add", f"{server}/wetland.html", *folders, ok=False)
    assert "private, loopback or reserved" in refused.stderr and "--allow-private" in refused.stderr
    added = assistant("add", f"{server}/wetland.html", f"{server}/image.png", "--allow-private", *folders)
    assert "added" in added.stdout and "1 added" in added.stdout
    assert "cannot add" in added.stderr and "image/png" in added.stderr
    assistant("feeds", *folders, "add", f"{server}/feed.atom")
    assert "(0 items taken)" in assistant("feeds", *folders, "list").stdout
    polled = assistant("feeds", *folders, "poll", "--allow-private")
    assert "1 new articles stored" in polled.stdout and "1 added" in polled.stdout
    assert "(1 items taken)" in assistant("feeds", *folders, "list").stdout
    found = json.loads(assistant("search", "Which fares were frozen for islanders?", "--json", *folders).stdout)
    assert found[0]["title"] == "Ferry fares frozen for islanders"
    assert "not following" in assistant("feeds", *folders, "remove", "http://nowhere.example/", ok=False).stderr


def test_the_web_page_adds_by_address_and_follows_a_feed(server, browser, tmp_path):
    """The Corpus tab: an address fetched and indexed, a feed followed and polled; the chat then
    answers from both.  The app refuses loopback unless started with --allow-private."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "seed.txt").write_text(
        "Library extends its opening hours\n\nThe town library will open on Sundays from March, "
        "the council said, after a petition signed by 900 residents.\n",
        encoding="utf-8",
    )
    from playwright.sync_api import expect

    process, url = start_app(corpus, tmp_path / "index", "--allow-private", "--poll-minutes", "0")
    try:
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(url)
        page.get_by_role("tab", name="Corpus").click()
        page.locator("#nd-url input, #nd-url textarea").first.fill(f"{server}/wetland.html")
        page.locator("#nd-fetch").click()
        page.get_by_text("added", exact=False).first.wait_for(timeout=120_000)
        expect(page.locator("#nd-corpus")).to_contain_text("Wetland birds return to the estuary", timeout=60_000)
        page.locator("#nd-feed input, #nd-feed textarea").first.fill(f"{server}/feed.atom")
        page.locator("#nd-follow").click()
        page.get_by_text("following", exact=False).first.wait_for(timeout=30_000)
        feeds = page.locator("#nd-feeds")
        expect(feeds).to_contain_text(f"{server}/feed.atom (0 items taken)", timeout=30_000)
        page.locator("#nd-poll").click()
        page.get_by_text("1 new articles stored", exact=False).wait_for(timeout=120_000)
        expect(feeds).to_contain_text(f"{server}/feed.atom (1 items taken)", timeout=60_000)
        expect(page.locator("#nd-corpus")).to_contain_text("Ferry fares frozen for islanders", timeout=60_000)
        shots = Path(os.environ.get("NEWSDESK_SCREENSHOTS") or tmp_path)
        shots.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(shots / "live-sources.png"), full_page=True)
        page.locator("#nd-feed input, #nd-feed textarea").first.fill(f"{server}/feed.atom")
        page.locator("#nd-unfollow").click()
        expect(feeds).to_contain_text("No feeds followed yet", timeout=30_000)
        page.close()
        from gradio_client import Client

        answer = Client(url, verbose=False).predict("How many avocet pairs nested this spring?", api_name="/ask")
        assert not answer["abstained"] and "fourteen pairs" in answer["text"]
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_a_relative_item_link_is_read_against_the_feed_and_a_garbled_list_is_reported(server, settings, tmp_path):
    Feeds.of(tmp_path).add(f"{server}/relative.rss")
    (stored,) = poll(tmp_path, settings).stored
    assert f"url: {server}/ferry.txt" in stored.read_text(encoding="utf-8")
    (tmp_path / ".feeds.json").write_text('{"feeds": ["not", "a", "mapping"]}', encoding="utf-8")
    with pytest.raises(CorpusError, match="fix or delete it"):
        Feeds.of(tmp_path)


def test_https_is_verified_against_the_system_certificates(tmp_path):
    """A loopback HTTPS server with a self-signed certificate: the TLS connection to the checked
    address is made (with the host name for SNI) and its certificate refused, as a message."""
    import ssl

    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Fixtures)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        with pytest.raises(FetchError, match="CERTIFICATE_VERIFY_FAILED|certificate verify failed") as refused:
            fetch(f"https://127.0.0.1:{httpd.server_address[1]}/ferry.txt", accept=ARTICLE, max_bytes=10_000,
                  timeout=5.0, allow_private=True)  # fmt: skip
        assert not refused.value.transient  # a feed item behind it is not fetched at every poll
    finally:
        httpd.shutdown()
        httpd.server_close()
