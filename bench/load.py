"""Load: concurrent browser sessions with multi-turn chats against a local server.

Each client is a page of one headless Chromium (Debian's, driven by Playwright), so
every session is a real Gradio session: its conversation lives in the server's
per-session ``gr.State``, not in what the client sends.  A client asks its opening
question, then a follow-up that only makes sense with it ("How long did it last?"), and
clears the conversation; a follow-up whose "Searched for:" query lacks that client's
own topic (or carries another client's) counts as cross-talk, which a state shared
between sessions would cause.  Loopback only, bounded in clients and seconds.

    .venv/bin/python bench/load.py [--clients 20] [--seconds 60] [--url http://127.0.0.1:PORT/]
                                   [--quick] [--out PATH]

Without --url it starts `app.py` on a free loopback port over a copy of the bundled
corpus and index, reports the server's peak RSS after the load, and stops it.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from common import ROOT, parser, peak_rss_mib, percentiles, write_results

#: (opening question, follow-up, the topic word the follow-up's query must carry)
CHATS = (
    ("What did John Kerry's China trip produce?", "And who met him?", "Kerry"),
    (
        "Who represented China at the Anchorage talks?",
        "Did they issue a joint statement?",
        "Anchorage",
    ),
    (
        "Tell me about Biden's September call with Xi.",
        "How long did it last?",
        "September",
    ),
    (
        "What did Yang Jiechi demand from Blinken?",
        "And what did the American readout emphasize?",
        "Yang",
    ),
)
TOPICS = {topic for *_, topic in CHATS}


def start_server() -> tuple[subprocess.Popen, str, tempfile.TemporaryDirectory, float]:
    """``app.py`` over copies of the corpus and of its index, on a free loopback port.

    Returns the process, its URL, the folder holding the copies (it lives as long as
    this object) and the seconds from starting the process to its first HTTP 200.
    """
    work = tempfile.TemporaryDirectory(prefix="newsdesk-load-")
    corpus = Path(work.name) / "corpus"
    shutil.copytree(ROOT / "corpus", corpus)
    if (ROOT / "index" / "CURRENT").exists():
        shutil.copytree(
            ROOT / "index",
            Path(work.name) / "index",
            ignore=shutil.ignore_patterns(".lock"),
        )
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    started = time.perf_counter()
    process = subprocess.Popen(
        [
            sys.executable,
            str(ROOT / "app.py"),
            "--port",
            str(port),
            "--corpus",
            str(corpus),
            "--index",
            str(Path(work.name) / "index"),
            "--feedback",
            str(Path(work.name) / "feedback.jsonl"),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2).close()
            return process, url, work, time.perf_counter() - started
        except OSError:
            if process.poll() is not None:
                raise SystemExit("the app exited while starting") from None
            time.sleep(0.05)
    stop(process)
    raise SystemExit("the app did not start within 180 s")


def stop(process: subprocess.Popen) -> None:
    """Terminate the server, and kill it if it has not exited within 10 s."""
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


CHROMIUM = "/usr/bin/chromium"
BOT = "#nd-chat [data-testid=bot]"
TURN_TIMEOUT_MS = 180_000


def run(url: str, clients: int, seconds: float) -> dict:
    import asyncio

    return asyncio.run(_load(url, clients, seconds))


async def _load(url: str, clients: int, seconds: float) -> dict:
    import asyncio

    from playwright.async_api import async_playwright

    latencies: list[float] = []
    errors: list[str] = []
    crosstalk: list[str] = []
    until = time.monotonic() + seconds

    async def session(browser, number: int) -> None:
        context = await browser.new_context()
        page = await context.new_page()
        page.set_default_timeout(TURN_TIMEOUT_MS)  # 20 pages and the server share the cores
        chat = CHATS[number % len(CHATS)]
        rounds = 0
        try:
            await page.goto(url)
            while not rounds or time.monotonic() < until:  # at least one whole chat each
                rounds += 1
                for turn, question in enumerate(chat[:2]):
                    took, reply = await _ask(page, question)
                    latencies.append(took)
                    if turn:
                        query = next((line for line in reply.splitlines() if line.startswith("Searched for:")), "")
                        if chat[2] not in query or any(t in query for t in TOPICS - {chat[2]}):
                            crosstalk.append(f"client {number}: {query!r}")
                await page.locator("#nd-clear").click()
                await page.locator(BOT).first.wait_for(state="detached")
        except Exception as exc:  # noqa: BLE001  every failure is counted, whatever its kind
            errors.append(f"client {number}, round {rounds}: {exc!r}")
        finally:
            await context.close()

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        started = time.monotonic()
        await asyncio.gather(*(session(browser, n) for n in range(clients)))
        elapsed = time.monotonic() - started
        await browser.close()
    turn = percentiles(latencies) if latencies else {"p50_ms": None, "p95_ms": None}
    return {
        "clients": clients,
        "sessions": "Chromium pages (gr.State per session)",
        "seconds": round(elapsed, 1),
        "turns": len(latencies),
        "errors": len(errors),
        "crosstalk": len(crosstalk),
        "examples": (errors + crosstalk)[:5],
        "p50_ms": turn["p50_ms"],
        "p95_ms": turn["p95_ms"],
    }


async def _ask(page, question: str) -> tuple[float, str]:
    """Ask in the page; milliseconds from the click to the reply shown, and the reply's text."""
    answered = await page.locator(BOT).count()
    await page.locator("#nd-question textarea").fill(question)
    started = time.perf_counter()
    await page.locator("#nd-ask").click()
    reply = page.locator(BOT).nth(answered)
    await reply.wait_for()
    return (time.perf_counter() - started) * 1000, await reply.inner_text()


def main() -> None:
    arguments = parser(__doc__, "load", "2 clients for 5 s")
    arguments.add_argument("--clients", type=int, default=20)
    arguments.add_argument("--seconds", type=float, default=60)
    arguments.add_argument("--url", help="an already running local server")
    args = arguments.parse_args()
    if args.quick:
        args.clients, args.seconds = 2, 5
    if not 1 <= args.clients <= 50 or not 0 < args.seconds <= 600:
        raise SystemExit("clients must be 1-50 and seconds at most 600")
    server = None
    url = args.url
    if url is None:
        server, url, _work, _ = start_server()  # the folder lives as long as _work
    if not url.startswith(("http://127.", "http://localhost", "http://[::1]")):
        raise SystemExit("load is only sent to loopback addresses")
    try:
        results = run(url, args.clients, args.seconds)
        if server is not None:
            results["server_peak_rss_mib"] = peak_rss_mib(server.pid)
    finally:
        if server is not None:
            stop(server)
    print(results)
    write_results(args, results)


if __name__ == "__main__":
    main()
