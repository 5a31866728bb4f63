"""The web page: a real Gradio server on a free loopback port, driven with gradio_client."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PAYLOAD = "The envoy wrote <script>alert('x')</script> and <img src=x onerror=alert(1)> in his memo about tariffs."


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory, built):
    base = tmp_path_factory.mktemp("app")
    corpus = base / "corpus"
    shutil.copytree(built[0], corpus)
    (corpus / "payload.txt").write_text("Hostile markup test\n\n" + PAYLOAD + "\n", encoding="utf-8")
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "app.py"), "--corpus", str(corpus), "--index", str(base / "index"),
         "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 120
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
        pytest.fail("app did not start within 120 s")
    yield url
    process.terminate()
    process.wait(timeout=20)


def test_search_through_the_gradio_api(server):
    from gradio_client import Client

    html = Client(server, verbose=False).predict("How long did the Biden Xi call last?", api_name="/search")
    assert "90 minutes" in html
    assert "[1]" in html and "chars" in html  # every passage is cited with its offsets


def test_article_markup_is_escaped(server):
    from gradio_client import Client

    html = Client(server, verbose=False).predict("envoy memo about tariffs script", api_name="/search")
    assert "&lt;script&gt;" in html and "&lt;img src=x onerror" in html
    assert "<script>" not in html and "<img" not in html


def test_empty_question_gets_a_message(server):
    from gradio_client import Client

    html = Client(server, verbose=False).predict("   ", api_name="/search")
    assert "the query is empty" in html


def test_refuses_to_listen_beyond_loopback_without_auth():
    done = subprocess.run([sys.executable, str(ROOT / "app.py"), "--host", "0.0.0.0", "--port", str(free_port())],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode != 0
    assert "refusing to listen on 0.0.0.0 without --auth" in done.stderr
