"""The bad-input matrix (issue #6), shared by the CLI, API and web tests: questions and files.

``REFUSED`` and ``ODD`` are the questions every surface is given.  A corpus made
by ``write_corpus`` holds the five bundled articles, two new good ones (one of
them UTF-16 with a byte-order mark) and one file per bad row.  Every surface
must warn about each bad file with its own reason and still index and answer every
good article, which ``GOOD`` lists with a question and a phrase of its answer.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUNDLED = "000_2925cdf53f121f79.txt"
LINKED = "003_d5f9d1e1d44d55fb.txt"
STORY = (
    "Harbour Pilots Return\n\nPilots in the port of Elin returned to work on Monday after a two-week strike "
    "over night shifts.\n\nThe harbour master said ferries would run on the normal timetable by Friday.\n"
)
GENEVA = (
    "Envoys Meet in Geneva\n\nNegotiators from both delegations met in Geneva on Monday to discuss shipping "
    "lanes.\n\nThe talks lasted four hours and ended with an agreement to meet again in May.\n"
)
YELLEN = (
    "---\ntitle: Yellen meets He on soybeans\npublication: Test Wire\ndate: 2021-10-09\n---\n"
    "Treasury Secretary Janet Yellen held a video call with Vice Premier Liu He about soybean "
    "purchases under the phase one trade deal.\n\nThe two agreed to meet again before December.\n"
)
#: Questions refused with their own message: {id: (question, message)}.
REFUSED = {
    "empty": ("", "the query is empty; type a question"),
    "whitespace": (" \n\t ", "the query is empty; type a question"),
    "1 MB": ("x" * 1_000_000, "the query is 1,000,000 characters; the limit is 2,000"),
}
#: Questions answered (or abstained on) like any other: {id: question}.
ODD = {
    "control characters": "What did Kerry\x00's China\x07 trip produce?",
    "lone surrogate": "What did Kerry's China trip produce? \ud800",
    "other scripts": "¿Qué produjo el viaje de Kerry a China? 中国",
}
HUGE_BYTES = 50_000_000
LIMIT = 5_000_000  # Settings.max_article_bytes

#: (file, contents, question, phrase of the answer): articles every surface must index.
GOOD = [
    ("wide.txt", GENEVA.encode("utf-16"), "What did the negotiators discuss in Geneva?", "shipping lanes"),
    ("yellen.md", YELLEN.encode("utf-8"), "What did Janet Yellen discuss with Liu He?", "soybean"),
    (BUNDLED, None, "How long did the Biden Xi call last?", "90 minutes"),
]


@dataclass(frozen=True)
class Bad:
    """One bad row: its file, its bytes (None: made specially), the indexing warning and the
    upload refusal ("" when an upload cannot be such a file)."""

    row: str
    name: str
    data: bytes | None
    reason: str
    upload: str = ""


BAD = [
    Bad(
        "non-UTF-8 (latin-1)",
        "latin1.txt",
        "Caf\xe9 owners protest\n\nThey said so.".encode("latin-1"),
        "not UTF-8 (invalid byte 0xe9 at offset 3); save it as UTF-8",
        "not UTF-8 (invalid byte 0xe9 at offset 3); save it as UTF-8",
    ),
    Bad(
        "UTF-16 without byte-order mark",
        "narrow.txt",
        GENEVA.replace("Geneva", "Bern").encode("utf-16-le"),
        "UTF-16 without a byte-order mark; save it as UTF-8",
        "UTF-16 without a byte-order mark",
    ),
    Bad(
        "binary",
        "binary.txt",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64),
        "binary file (NUL byte at offset 8)",
        "binary file (NUL byte at offset 8)",
    ),
    Bad("empty file", "empty.txt", b"", "empty file (0 bytes)", "the file is empty (0 bytes)"),
    Bad(
        "malformed front matter",
        "front.txt",
        ("---\ntitle: A\ntags: x\n---\n" + STORY).encode(),
        "malformed front matter",
        "malformed front matter",
    ),
    Bad(
        "only boilerplate",
        "furniture.txt",
        "Share on twitter\nRead More »\nLeave a Comment\n".encode(),
        "only boilerplate",
        "only boilerplate",
    ),
    Bad(
        "same article under two names",
        "copy.txt",
        (ROOT / "corpus" / BUNDLED).read_bytes(),
        f"duplicate of {BUNDLED} (similarity 1.00)",
        f"already in the corpus as {BUNDLED}",
    ),
    Bad("unsupported type", "notes.pdf", b"%PDF-1.4\n", "unsupported file type '.pdf'"),  # Gradio refuses it first
    Bad(
        "50 MB file",
        "huge.txt",
        None,
        f"too large: {HUGE_BYTES:,} bytes, the limit is {LIMIT:,}; split the file or raise the "
        "max_article_bytes setting",
    ),
    Bad("symlink outside the corpus", "outside-link.txt", None, "outside the corpus folder; copy the file in instead"),
    Bad("symlink inside the corpus", "inside-link.txt", None, f"duplicate of {LINKED} (similarity 1.00)"),
    Bad("unreadable (chmod 000)", "locked.txt", None, "unreadable: permission denied; check the file's permissions"),
]


def unprivileged() -> list[str] | None:
    """A command prefix under which ``chmod 000`` denies reading, as it does for a user.

    Root reads any file through CAP_DAC_OVERRIDE; ``setpriv`` drops it (and
    CAP_DAC_READ_SEARCH) from the bounding set of the child, which then reads the
    tests' own files as their owner.  None when root has no ``setpriv``: the
    unreadable row is then left out (``write_corpus(locked=False)``) and skipped.
    """
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    return [setpriv, "--bounding-set=-dac_override,-dac_read_search"] if setpriv else None


def write_corpus(corpus: Path, *, locked: bool) -> None:
    """The bundled articles, the good new ones and every bad file, in ``corpus`` (created)."""
    shutil.copytree(ROOT / "corpus", corpus)
    for name, data, _, _ in GOOD:
        if data is not None:
            (corpus / name).write_bytes(data)
    for bad in BAD:
        if bad.data is not None:
            (corpus / bad.name).write_bytes(bad.data)
    with (corpus / "huge.txt").open("wb") as handle:
        handle.truncate(HUGE_BYTES)  # sparse: costs no disk and no time
    outside = corpus.parent / "outside.txt"
    outside.write_text(STORY.replace("Elin", "Varna"), encoding="utf-8")
    (corpus / "outside-link.txt").symlink_to(outside)
    (corpus / "inside-link.txt").symlink_to(corpus / LINKED)
    if locked:
        (corpus / "locked.txt").write_text(STORY, encoding="utf-8")
        (corpus / "locked.txt").chmod(0)


#: Edits of the manifest that make an index stale or mismatched: how -> (keys, value).
MANIFEST_EDITS = {
    "other model": (("model", "name"), "all-MiniLM-L6-v2"),
    "other dimension": (("model", "dim"), 768),
    "changed weights": (("model", "fingerprint"), "123-abc"),
    "newer format": (("format_version",), 99),
    "older format": (("format_version",), 1),
    "other chunking": (("chunking", "chunk_tokens"), 999),
    "other index kind": (
        ("faiss_index", "chunks.faiss"),
        {"type": "IndexHNSWFlat", "hnsw_m": 32, "ef_construction": 80, "ef_search": 64},
    ),
}


def break_index(index_dir: Path, how: str) -> None:
    """Break the served generation of ``index_dir`` in one way: a corrupt file or a stale manifest."""
    import json

    from assistant.store.generation import current_generation

    gen = current_generation(index_dir)
    manifest_path = gen / "manifest.json"
    if how in MANIFEST_EDITS:
        keys, value = MANIFEST_EDITS[how]
        manifest = json.loads(manifest_path.read_text())
        edited = manifest
        for key in keys[:-1]:
            edited = edited[key]
        edited[keys[-1]] = value
        manifest_path.write_text(json.dumps(manifest))
    elif how == "truncated faiss":
        data = (gen / "chunks.faiss").read_bytes()
        (gen / "chunks.faiss").write_bytes(data[: len(data) // 2])
    elif how == "edited jsonl":
        text = (gen / "documents.jsonl").read_text()
        (gen / "documents.jsonl").write_text(text.replace("Kerry", "Kerri", 1))
    elif how == "truncated rows":
        data = (gen / "chunks.rows.npy").read_bytes()
        (gen / "chunks.rows.npy").write_bytes(data[:-16])
    elif how == "missing file":
        (gen / "sentences.rows.npy").unlink()
    elif how == "edited bm25":
        vocab = gen / "sentences.bm25" / "vocabulary.json"
        vocab.write_text(vocab.read_text().replace('"kerri"', '"kerry"', 1))
    elif how == "missing bm25":
        (gen / "chunks.bm25" / "counts.npy").unlink()
    elif how == "missing manifest":
        manifest_path.unlink()
    elif how == "garbled manifest":
        manifest_path.write_text("{not json")
    elif how == "pointer to nothing":
        (index_dir / "CURRENT").write_text("gen-does-not-exist\n")
    else:
        raise ValueError(f"no way to break an index called {how!r}")
