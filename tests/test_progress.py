"""A build reports its progress phase by phase: a bar with rate and time left on a
terminal, one line per phase elsewhere, the web upload's progress indicator."""

from __future__ import annotations

import io
from pathlib import Path

from assistant.pipeline import build_index
from assistant.serve.cli import PhaseProgress

CORPORA = Path(__file__).parent / "corpora"


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_build_reports_each_phase_to_the_end(tmp_path, settings, embedder):
    heard: list[tuple[str, int, int]] = []
    build_index(CORPORA, tmp_path / "index", settings, embedder=embedder, progress=lambda *a: heard.append(a))
    phases = list(dict.fromkeys(phase for phase, _, _ in heard))
    assert phases == ["reading", "cleaning", "splitting", "embedding", "indexing"]
    for phase in phases:
        steps = [(done, total) for p, done, total in heard if p == phase]
        assert steps[-1][0] == steps[-1][1] > 0
        assert [d for d, _ in steps] == sorted(d for d, _ in steps)


def test_progress_off_a_terminal_is_one_line_per_phase():
    stream = io.StringIO()
    progress = PhaseProgress(stream)
    for done in range(1, 4):
        progress("reading", done, 3)
    progress("embedding", 256, 300)
    progress("embedding", 300, 300)
    lines = stream.getvalue().splitlines()
    assert [line.split(":")[0] for line in lines] == ["reading", "embedding"]
    assert lines[1].startswith("embedding: 300 texts in ") and "texts/s" in lines[1]


def test_progress_on_a_terminal_is_a_bar_with_rate_and_time_left():
    stream = _Terminal()
    progress = PhaseProgress(stream)
    for done in (100, 200, 300):
        progress("embedding", done, 300)
    drawn = stream.getvalue()
    assert "embedding: 100%" in drawn and "300/300" in drawn and "text/s" in drawn and "<00:00" in drawn
