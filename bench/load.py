"""Load: concurrent gradio_client sessions with multi-turn chats against a local server.

Each client holds its own conversation and sends it with every follow-up; a reply
whose searched query lacks that client's own topic (or carries another client's)
counts as cross-talk.  Loopback only, bounded in clients and seconds.

    .venv/bin/python bench/load.py [--clients 20] [--seconds 60] [--url http://127.0.0.1:PORT/]
                                   [--out bench/results/load.json]

Without --url it starts `app.py` on a free loopback port over a copy of the bundled
corpus and index, and stops it afterwards.
"""

from __future__ import annotations

import argparse
import json
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: (opening question, follow-up, the topic word the follow-up's query must carry)
CHATS = (
    ("What did John Kerry's China trip produce?", "And who met him?", "Kerry"),
    ("Who represented China at the Anchorage talks?", "Did they issue a joint statement?", "Anchorage"),
    ("Tell me about Biden's September call with Xi.", "How long did it last?", "September"),
    ("What did Yang Jiechi demand from Blinken?", "And what did the American readout emphasize?", "Yang"),
)
TOPICS = {topic for *_, topic in CHATS}


def start_server() -> tuple[subprocess.Popen, str, tempfile.TemporaryDirectory]:
    work = tempfile.TemporaryDirectory(prefix="newsdesk-load-")
    corpus = Path(work.name) / "corpus"
    shutil.copytree(ROOT / "corpus", corpus)
    if (ROOT / "index" / "CURRENT").exists():
        shutil.copytree(ROOT / "index", Path(work.name) / "index", ignore=shutil.ignore_patterns(".lock"))
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    process = subprocess.Popen([sys.executable, str(ROOT / "app.py"), "--port", str(port), "--corpus", str(corpus),
                                "--index", str(Path(work.name) / "index"), "--feedback",
                                str(Path(work.name) / "feedback.jsonl")],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)
            return process, url, work
        except OSError:
            if process.poll() is not None:
                raise SystemExit("the app exited while starting")
            time.sleep(0.5)
    process.kill()
    raise SystemExit("the app did not start within 180 s")


def run(url: str, clients: int, seconds: float) -> dict:
    from gradio_client import Client

    latencies: list[float] = []
    errors: list[str] = []
    crosstalk: list[str] = []
    turns = [0]
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def session(number: int) -> None:
        client = Client(url, verbose=False)
        chat = CHATS[number % len(CHATS)]
        while time.monotonic() < stop:
            history: list[str] = []
            for question in chat[:2]:
                started = time.perf_counter()
                try:
                    answer = client.predict(question, history, api_name="/ask")
                except Exception as exc:  # every failure is counted, whatever its kind
                    with lock:
                        errors.append(f"client {number}: {exc!r}")
                    continue
                with lock:
                    latencies.append((time.perf_counter() - started) * 1000)
                    turns[0] += 1
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
    ordered = sorted(latencies)
    return {
        "clients": clients, "seconds": round(time.monotonic() - started, 1), "turns": turns[0],
        "errors": len(errors), "crosstalk": len(crosstalk), "examples": (errors + crosstalk)[:5],
        "p50_ms": statistics.median(ordered) if ordered else None,
        "p95_ms": ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))] if ordered else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--url", help="an already running local server")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "load.json")
    args = parser.parse_args()
    if not 1 <= args.clients <= 50 or not 0 < args.seconds <= 600:
        raise SystemExit("clients must be 1-50 and seconds at most 600")
    server = None
    url = args.url
    if url is None:
        server, url, _work = start_server()  # the folder lives as long as _work
    if not url.startswith(("http://127.", "http://localhost", "http://[::1]")):
        raise SystemExit("load is only sent to loopback addresses")
    try:
        results = run(url, args.clients, args.seconds)
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2), encoding="utf-8")
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
