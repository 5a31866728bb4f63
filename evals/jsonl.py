"""Reading the JSON Lines files the evaluation keeps (question sets, hand labels): one object per
line, blank lines allowed, every error naming the file and line."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from assistant.errors import AssistantError


def rows(path: Path) -> Iterator[tuple[str, dict]]:
    """Each non-blank line of ``path`` parsed, with where it is ("path:3") for the caller's own
    checks; a file that cannot be read, or a line that is not a JSON object, raises AssistantError."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise AssistantError(f"cannot read {path}: {exc}") from exc
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        where = f"{path}:{number}"
        try:
            row = json.loads(line)
        except ValueError as exc:
            raise AssistantError(f"{where}: not valid JSON ({exc}); see eval/README.md") from exc
        if not isinstance(row, dict):
            raise AssistantError(f"{where}: a line must be one JSON object; see eval/README.md")
        yield where, row
