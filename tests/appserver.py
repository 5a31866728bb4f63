"""Start ``app.py`` as a real server on a free loopback port, and a browser to drive it (shared by
the app, crash and live-source tests)."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_app(corpus: Path, index: Path, *extra: str) -> tuple[subprocess.Popen, str]:
    """The running process and its URL, once the page answers; fails the test if it never does."""
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            str(ROOT / "app.py"),
            "--corpus",
            str(corpus),
            "--index",
            str(index),
            "--port",
            str(port),
            *extra,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"app exited: {process.stdout.read()}")
        try:
            urllib.request.urlopen(url, timeout=2)
            return process, url
        except OSError:
            time.sleep(0.5)
    process.kill()
    pytest.fail("app did not start within 180 s")
