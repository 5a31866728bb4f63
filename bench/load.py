"""Load: concurrent gradio_client sessions with multi-turn chats against a local server.

Each client holds its own conversation and sends it with every follow-up; a reply
whose searched query lacks that client's own topic (or carries another client's)
counts as cross-talk.  Loopback only, bounded in clients and seconds.

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
import threading
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


def run(url: str, clients: int, seconds: float) -> dict:
    from gradio_client import Client

    latencies: list[float] = []
    errors: list[str] = []
    crosstalk: list[str] = []
    lock = threading.Lock()
    until = time.monotonic() + seconds

    def session(number: int) -> None:
        client = Client(url, verbose=False)
        chat = CHATS[number % len(CHATS)]
        while time.monotonic() < until:
            history: list[str] = []
            for question in chat[:2]:
                started = time.perf_counter()
                try:
                    answer = client.predict(question, history, api_name="/ask")
                except Exception as exc:  # noqa: BLE001  every failure is counted, whatever its kind
                    with lock:
                        errors.append(f"client {number}: {exc!r}")
                    continue
                with lock:
                    latencies.append((time.perf_counter() - started) * 1000)
                    if history:
                        others = TOPICS - {chat[2]}
                        if chat[2] not in answer["query"] or any(t in answer["query"] for t in others):
                            crosstalk.append(f"client {number}: {answer['query']!r}")
                history.append(question)

    threads = [threading.Thread(target=session, args=(n,)) for n in range(clients)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 300)
    turn = percentiles(latencies) if latencies else {"p50_ms": None, "p95_ms": None}
    return {
        "clients": clients,
        "seconds": round(time.monotonic() - started, 1),
        "turns": len(latencies),
        "errors": len(errors),
        "crosstalk": len(crosstalk),
        "examples": (errors + crosstalk)[:5],
        "p50_ms": turn["p50_ms"],
        "p95_ms": turn["p95_ms"],
    }


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
