"""Add an uploaded article to the corpus folder, refusing up front what indexing would skip.

The upload's bytes decide everything: the file is written as
``upload-<first 12 hex of sha256(bytes)><suffix>``, so the original name (which a
browser or a user controls: ``../../evil.txt``, ``a/b\\c.md``) contributes only its
suffix and never a path.  Validation reuses ``parse_article``, so the reason given
for a refused upload is the one ``read_corpus`` would give for the same file.
Corpus-wide steps (boilerplate learned across articles, near-duplicates) are left
to indexing; an exact byte copy of a file already in the folder is refused here.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from pathlib import Path, PurePosixPath

from assistant.errors import ArticleError, CorpusError
from assistant.ingest.corpus import SUFFIXES, parse_article, walk

__all__ = ["store_upload", "upload_name", "write_atomic"]

_HASH_CHARS = 12  # 48 bits of the content hash: unique within any corpus a person keeps


def upload_name(filename: str, data: bytes) -> str:
    """The name ``store_upload`` gives these bytes: a content hash and the lower-cased suffix.

    Raises ``ArticleError`` when the suffix of ``filename`` is not one of ``SUFFIXES``.
    """
    suffix = _suffix(filename)
    if suffix not in SUFFIXES:
        kind = f"type {suffix!r}" if suffix else "a file without suffix"
        raise ArticleError(
            f"cannot add {_shown(filename)}: unsupported file {kind}; articles must end in {', '.join(SUFFIXES)}"
        )
    return f"upload-{hashlib.sha256(data).hexdigest()[:_HASH_CHARS]}{suffix}"


def store_upload(corpus_dir: Path, filename: str, data: bytes, *, max_bytes: int) -> Path:
    """Validate an uploaded article and write it into ``corpus_dir``; return the path written.

    Checks, in order: supported suffix, not empty, at most ``max_bytes``, readable
    as an article exactly as indexing reads it (text, not binary; something left
    after cleaning), and not a byte-for-byte copy of a file already in the folder.
    Each failure raises ``ArticleError`` with a message meant for the user.  The
    write is atomic (a hidden temp file in ``corpus_dir``, then ``os.replace``), so
    an indexer never sees half a file; ``corpus_dir`` is created when missing.
    Raises ``CorpusError`` when the folder cannot be created or written.
    """
    name = upload_name(filename, data)
    shown = _shown(filename)
    if not data:
        raise ArticleError(f"cannot add {shown}: the file is empty (0 bytes)")
    if len(data) > max_bytes:
        raise ArticleError(
            f"cannot add {shown}: too large: {len(data):,} bytes, the limit is {max_bytes:,}; "
            "split the article or raise max_article_bytes"
        )
    try:
        parse_article(name, data, PurePosixPath(name).suffix)
    except ArticleError as error:
        raise ArticleError(f"cannot add {shown}: {error}") from None

    root = Path(corpus_dir)
    existing = _same_bytes(root, data)
    if existing:
        raise ArticleError(f"cannot add {shown}: it is already in the corpus as {existing}")
    try:
        root.mkdir(parents=True, exist_ok=True)
        return write_atomic(root / name, data)
    except OSError as error:
        raise CorpusError(
            f"cannot write the upload into {root}: {error.strerror or error}; check that the corpus folder is writable"
        ) from None


def _suffix(filename: str) -> str:
    """The lower-cased suffix of the last component of ``filename``, whatever the separator."""
    base = filename.replace("\\", "/").rsplit("/", 1)[-1]
    return PurePosixPath(base).suffix.lower() if base not in ("", ".", "..") else ""


def _shown(filename: str) -> str:
    """The upload's base name, quoted, for messages (never the path it claims)."""
    base = filename.replace("\\", "/").rsplit("/", 1)[-1]
    return repr(base[:120]) if base else "the upload"


def _same_bytes(root: Path, data: bytes) -> str:
    """The corpus-relative name of a candidate article with exactly ``data``, or ``""``.

    Walks the folder as ``read_corpus`` does; only files of the same size are hashed.
    """
    if not root.is_dir():
        return ""
    digest = hashlib.sha256(data).digest()
    for relative, entry in walk(root):
        if Path(entry.name).suffix.lower() not in SUFFIXES:
            continue
        try:
            if not entry.is_file() or entry.stat().st_size != len(data):
                continue
            with open(entry.path, "rb") as handle:
                if hashlib.file_digest(handle, "sha256").digest() == digest:
                    return relative
        except OSError:
            continue  # unreadable files are read_corpus's to report
    return ""


def write_atomic(target: Path, data: bytes) -> Path:
    """Write ``data`` to ``target`` through a hidden temporary file and a rename, so no reader
    (an indexer, a second process) ever sees half a file."""
    # The temp name is hidden so a concurrent read_corpus ignores it.
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return target
