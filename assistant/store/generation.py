"""The index on disk: FAISS vectors, row-aligned JSONL records, and a manifest.

Layout of ``index_dir``::

    CURRENT               name of the generation being served (replaced atomically)
    gen-<ns>-<rand>/      one immutable generation
        documents.jsonl       one cleaned article per line (with its text)
        chunks.rows.npy       row i describes chunk vector i: document number, index, offsets
                              (text = doc.text[start:end]); four int32 columns (``rows.py``)
        sentences.rows.npy    row i describes sentence vector i, likewise
        chunks.faiss          FAISS indexes over the same rows (exact or HNSW: ``vectors.py``);
        sentences.faiss       both keep the exact vectors, read back for fusion and reuse
        chunks.bm25/          BM25 over the same rows' texts (``lexical.py``): numpy arrays,
        sentences.bm25/       memory-mapped on load, and JSON
        manifest.json         written last: format, models, chunking, FAISS index kinds,
                              counts, checksums
        hashed.json           when each checksum was taken (file status), so that loading
                              hashes again only the files changed since

A build writes a new generation beside the old one and only then points
``CURRENT`` at it, so a crash at any moment leaves the previous index served.
A generation is never written again once published, so loading memory-maps what it
can instead of reading it: the row columns, the BM25 arrays, and the vectors of both FAISS files
(FAISS's ``IO_FLAG_MMAP_IFC``; an HNSW graph's links are still read).  The pages are
the operating system's to share between processes and to drop under pressure, and an
HNSW search only touches the vectors along its path.
Loading checks every file against the manifest and raises a specific error
naming the fix; a mismatched index is never served.  A file whose status (size, inode,
modification and change times) is what it was when its checksum was taken is not read
again for the check: hashing every byte cost a large index most of its start.  No
pickle anywhere.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import shutil
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.errors import IndexCorruptError, IndexMismatchError, IndexMissingError, IndexOutdatedError
from assistant.ingest.split import Chunking, passage_text
from assistant.models.embedding import ModelInfo
from assistant.settings import Settings
from assistant.store.lexical import FILES as BM25_FILES
from assistant.store.lexical import Lexical
from assistant.store.rows import ByDocument, Rows, make_chunk, make_sentence
from assistant.store.vectors import (
    FILES,
    VectorIndex,
    build_faiss,
    choose_index,
    configure,
    extend,
    reconstruct,
    recorded_indexes,
)
from assistant.types import Chunk, Document, Progress, Sentence, no_progress

if TYPE_CHECKING:
    import numpy as np

FORMAT_VERSION = 5  # 4: BM25 indexes stored in each generation; 5: rows as columns
CURRENT = "CURRENT"
MANIFEST = "manifest.json"
#: Beside the manifest: each payload file's size, inode and times when its checksum was taken.
#: Loading hashes only the files whose status differs, so a large index opens without reading
#: every byte, yet an edited, replaced or copied file is hashed and checked as before.
HASHED = "hashed.json"
RECORDS = ("documents.jsonl", "chunks.rows.npy", "sentences.rows.npy")
LEXICAL = ("chunks.bm25", "sentences.bm25")
PAYLOAD = (*RECORDS, *FILES, *(f"{folder}/{name}" for folder in LEXICAL for name in BM25_FILES))
REBUILD = "run `assistant index --rebuild` to build it afresh"


@dataclass(frozen=True)
class Counts:
    documents: int
    chunks: int
    sentences: int


@dataclass(frozen=True)
class CorpusIdentity:
    """Which corpus folder a generation was built from, a digest of its documents' ids and hashes,
    and the fingerprint of the body model that cleaned its plain-text articles."""

    path: str = ""
    fingerprint: str = ""
    cleaning: str = ""


@dataclass(frozen=True)
class Manifest:
    """What a generation says about itself (``manifest.json``), checked on load."""

    format_version: int
    created: str
    model: ModelInfo
    chunking: Chunking
    faiss_index: dict[str, VectorIndex]
    counts: Counts
    files: dict[str, str]  # payload file -> sha256
    versions: dict[str, str]  # library -> version
    corpus: CorpusIdentity = CorpusIdentity()
    # The models that read text at answer time (the cross-encoder, the answerability
    # model); recorded, not checked: they read the text, not the vectors, so other
    # ones need no new index.
    readers: tuple[ModelInfo, ...] = ()

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Manifest:
        """Raises KeyError or TypeError when a field is missing or malformed."""
        readers = data.get("readers", [data["reranker"]] if data.get("reranker") else [])  # older manifests
        return cls(
            format_version=data["format_version"],
            created=data["created"],
            model=ModelInfo(**data["model"]),
            chunking=Chunking(**data["chunking"]),
            faiss_index=recorded_indexes(data["faiss_index"]),
            counts=Counts(**data["counts"]),
            files=dict(data["files"]),
            versions=dict(data.get("versions", {})),
            corpus=CorpusIdentity(**data.get("corpus", {})),
            readers=tuple(ModelInfo(**r) for r in readers),
        )


@dataclass(frozen=True)
class Contents:
    """What a new generation holds: its documents, in document-number order, and rows with
    their vectors, row-aligned.

    With a ``base`` (the generation served), the documents begin with the base's and the
    rows and vectors given are only those that follow the base's own: the new generation
    is the base with rows appended.  Its files are then extended rather than built
    (``build.py`` appends when articles were only added).
    """

    documents: Sequence[Document]
    chunks: Rows[Chunk]
    sentences: Rows[Sentence]
    chunk_vectors: np.ndarray
    sentence_vectors: np.ndarray
    base: Index | None = None


@dataclass(frozen=True)
class Index:
    """A loaded, verified index.  FAISS and BM25 rows align with ``chunks`` and ``sentence_rows``;
    ``documents`` is in document-number order (``rows.py``)."""

    path: Path
    manifest: Manifest
    documents: dict[str, Document]
    chunks: Rows[Chunk]
    sentence_rows: Rows[Sentence]
    chunk_index: Any
    sentence_index: Any
    chunk_lexical: Lexical
    sentence_lexical: Lexical

    @cached_property
    def sentences(self) -> ByDocument[Sentence]:
        """Each document's sentences, in order."""
        return ByDocument(self.sentence_rows)

    def chunk_vectors(self, rows: Sequence[int]) -> np.ndarray:
        """The stored vectors of these chunk rows (exact with either kind of index)."""
        return reconstruct(self.chunk_index, rows)

    def sentence_vectors(self, rows: Sequence[int]) -> np.ndarray:
        return reconstruct(self.sentence_index, rows)


# ---------------------------------------------------------------- reading


def current_generation(index_dir: Path) -> Path:
    pointer = index_dir / CURRENT
    try:
        name = pointer.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        raise IndexMissingError(f"no index in {index_dir}; run `assistant index` to build one") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise IndexCorruptError(f"cannot read {pointer}: {exc}; {REBUILD}") from exc
    if not name.startswith("gen-") or "/" in name or not (index_dir / name).is_dir():
        raise IndexCorruptError(f"{pointer} names {name!r}, which is not an index generation; {REBUILD}")
    return index_dir / name


def read_manifest(gen: Path) -> Manifest:
    """A generation's manifest, with its format checked."""
    path = gen / MANIFEST
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise IndexCorruptError(f"{path} is missing; {REBUILD}") from None
    except (OSError, ValueError) as exc:
        raise IndexCorruptError(f"{path} is not valid JSON ({exc}); {REBUILD}") from exc
    version = data.get("format_version") if isinstance(data, dict) else None
    if isinstance(version, int) and version > FORMAT_VERSION:
        raise IndexMismatchError(
            f"index format {version} in {path} is newer than this program reads ({FORMAT_VERSION}); "
            f"upgrade newsdesk or {REBUILD}"
        )
    if version != FORMAT_VERSION:
        raise IndexOutdatedError(
            f"index format {version!r} in {path} is older than the current ({FORMAT_VERSION}); "
            "`assistant index` rebuilds it"
        )
    try:
        return Manifest.from_json(data)
    except (KeyError, TypeError, AttributeError) as exc:
        raise IndexCorruptError(f"{path} lacks or garbles a field ({exc!r}); {REBUILD}") from exc


def check_compatible(manifest: Manifest, model: ModelInfo, chunking: Chunking) -> None:
    """Raise IndexMismatchError unless the index was built with this model and chunking."""
    built = manifest.model
    for key in ("name", "backend", "dim", "fingerprint"):
        if getattr(built, key) != getattr(model, key):
            raise IndexMismatchError(
                f"the index was built with model {built.name!r} ({key}={getattr(built, key)!r}) "
                f"but {model.name!r} ({key}={getattr(model, key)!r}) is configured; {REBUILD}"
            )
    if manifest.chunking != chunking:
        raise IndexMismatchError(
            f"the index was chunked with {asdict(manifest.chunking)} but the settings say {asdict(chunking)}; {REBUILD}"
        )


def verified_manifest(gen: Path, model: ModelInfo, chunking: Chunking) -> Manifest:
    """A generation's manifest, once its format, model, chunking and every file's
    checksum are verified: what ``open_index`` checks before parsing anything.

    Callers resolve ``CURRENT`` once and pass the generation: a build may switch it
    meanwhile, and the manifest and the files must come from the same generation.
    """
    manifest = read_manifest(gen)
    check_compatible(manifest, model, chunking)
    hashed = _hashed_when_written(gen)
    for name in PAYLOAD:
        path = gen / name
        if not path.is_file():
            raise IndexCorruptError(f"{path} is missing; {REBUILD}")
        if hashed.get(name) == [*_stat(path), manifest.files.get(name)]:
            continue  # the very file its checksum was taken of, untouched since
        if _sha256(path) != manifest.files.get(name):
            raise IndexCorruptError(
                f"{path} does not match its checksum in the manifest (edited or truncated); {REBUILD}"
            )
    return manifest


def open_index(index_dir: Path, model: ModelInfo, chunking: Chunking) -> Index:
    """Load the served generation, verifying format, model, checksums and counts."""
    import faiss

    gen = current_generation(index_dir)
    manifest = verified_manifest(gen, model, chunking)
    try:
        docs = [Document(**row) for row in _read_jsonl(gen / "documents.jsonl")]
        documents = {d.doc_id: d for d in docs}
        chunks = Rows.read(gen / RECORDS[1], docs, make_chunk)
        sentences = Rows.read(gen / RECORDS[2], docs, make_sentence)
        chunk_index, sentence_index = (
            configure(faiss.read_index(str(gen / name), faiss.IO_FLAG_MMAP_IFC), manifest.faiss_index[name])
            for name in FILES
        )
        chunk_lexical, sentence_lexical = (
            Lexical.read(gen / folder, len(rows)) for folder, rows in zip(LEXICAL, (chunks, sentences), strict=True)
        )
    except (ValueError, TypeError, KeyError, RuntimeError, OSError) as exc:
        raise IndexCorruptError(f"cannot read the index in {gen}: {exc!r}; {REBUILD}") from exc
    counts = Counts(len(docs), len(chunks), len(sentences))
    found = (chunk_index.ntotal, sentence_index.ntotal, chunk_index.d, sentence_index.d)
    if counts != manifest.counts or found != (len(chunks), len(sentences), model.dim, model.dim):
        raise IndexCorruptError(
            f"the index in {gen} holds {asdict(counts)}, and FAISS rows/dimensions {found}, "
            f"but its manifest says {asdict(manifest.counts)} of dimension {model.dim}; {REBUILD}"
        )
    return Index(
        gen, manifest, documents, chunks, sentences, chunk_index, sentence_index, chunk_lexical, sentence_lexical
    )


def _stat(path: Path) -> list[int]:
    """What changes when a file is written, replaced or touched: size, inode, modification and
    change times (the change time cannot be set back by hand, as the modification time can)."""
    status = path.stat()
    return [status.st_size, status.st_ino, status.st_mtime_ns, status.st_ctime_ns]


def _hashed_when_written(gen: Path) -> dict[str, list]:
    """``HASHED``: each payload file's ``_stat`` when the writer took its checksum, and the
    checksum; empty when missing or unreadable, so every file is hashed again."""
    try:
        hashed = json.loads((gen / HASHED).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return hashed if isinstance(hashed, dict) else {}


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _read_jsonl(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]


# ---------------------------------------------------------------- writing


def write_index(
    index_dir: Path,
    contents: Contents,
    model: ModelInfo,
    settings: Settings,
    *,
    corpus: CorpusIdentity = CorpusIdentity(),
    readers: tuple[ModelInfo, ...] = (),
    progress: Progress = no_progress,
) -> Path:
    """Write a new generation and make it current, atomically.  Returns its folder.

    Each FAISS file is exact or HNSW by its own row count (``vectors.choose_index``):
    a corpus can pass the threshold in sentences long before it does in chunks.
    Appending to a base, a FAISS file of the kind the base's already is gets the new
    vectors added (an HNSW graph is not built again); the BM25 indexes get the new rows'
    postings.  The caller holds the build lock (see ``build.build_lock``).
    """
    base = contents.base
    for rows, vectors in ((contents.chunks, contents.chunk_vectors), (contents.sentences, contents.sentence_vectors)):
        if vectors.shape != (len(rows), model.dim):
            raise ValueError(f"{vectors.shape} vectors for {len(rows)} rows of dimension {model.dim}")
    index_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    name = f"gen-{time.time_ns()}-{secrets.token_hex(3)}"  # sorts by age
    tmp = index_dir / f".tmp-{name}"
    tmp.mkdir(mode=0o700)
    chunks, sentences = _write_records(tmp, contents)
    steps = len(FILES) + len(LEXICAL)  # one FAISS file or BM25 folder each
    progress("indexing", 0, steps)
    kinds = {}
    for file, vectors in zip(FILES, (contents.chunk_vectors, contents.sentence_vectors), strict=True):
        kinds[file] = _write_vectors(tmp, file, vectors, settings, base)
        progress("indexing", len(kinds), steps)
    for done, (folder, rows, before) in enumerate(
        zip(
            LEXICAL,
            (contents.chunks, contents.sentences),
            (base.chunk_lexical, base.sentence_lexical) if base else (None, None),
            strict=True,
        ),
        1,
    ):
        _write_lexical(tmp / folder, rows, before)
        progress("indexing", len(FILES) + done, steps)
    manifest = Manifest(
        format_version=FORMAT_VERSION,
        created=time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        model=model,
        chunking=Chunking.of(settings),
        faiss_index=kinds,
        counts=Counts(len(contents.documents), len(chunks), len(sentences)),
        files={p: _sha256(tmp / p) for p in PAYLOAD},
        versions=_library_versions(),
        corpus=corpus,
        readers=readers,
    )
    (tmp / MANIFEST).write_text(json.dumps(asdict(manifest), indent=2, ensure_ascii=False), encoding="utf-8")
    _fsynced(tmp / MANIFEST)
    hashed = {p: [*_stat(tmp / p), manifest.files[p]] for p in PAYLOAD}
    (tmp / HASHED).write_text(json.dumps(hashed), encoding="utf-8")
    _fsynced(tmp / HASHED)
    return _publish(index_dir, tmp, name)


def _write_records(folder: Path, contents: Contents) -> tuple[Rows[Chunk], Rows[Sentence]]:
    """Documents whole (JSON lines; a base's file copied, the new ones after it), chunks and
    sentences as columns of offsets into them.  Returns all the generation's rows."""
    base = contents.base
    documents = contents.documents
    if base:
        shutil.copyfile(base.path / RECORDS[0], folder / RECORDS[0])
        documents = documents[len(base.documents) :]
    _append_jsonl(folder / RECORDS[0], [asdict(d) for d in documents])
    written = []
    for name, rows, before in zip(
        RECORDS[1:],
        (contents.chunks, contents.sentences),
        (base.chunks, base.sentence_rows) if base else (None, None),
        strict=True,
    ):
        written.append(before.followed_by(rows) if before else rows)
        written[-1].write(folder / name)
    for name in RECORDS:
        _fsynced(folder / name)
    return written[0], written[1]


def _write_vectors(folder: Path, file: str, vectors: np.ndarray, settings: Settings, base: Index | None) -> VectorIndex:
    """One FAISS file, of the kind its row count calls for, holding the ``base``'s rows (when
    there is a base) and then ``vectors``; returns the kind chosen."""
    import faiss
    import numpy as np

    before = None if base is None else (base.chunk_index, base.sentence_index)[FILES.index(file)]
    kind = choose_index((before.ntotal if before is not None else 0) + len(vectors), settings)
    if base is not None and base.manifest.faiss_index[file] == kind:
        # Read again, into memory: the served index maps its file, which FAISS cannot extend.
        index = extend(configure(faiss.read_index(str(base.path / file)), kind), vectors)
    else:
        stored = [reconstruct(before, range(before.ntotal))] if before is not None else []
        index = build_faiss(kind, np.vstack([*stored, vectors]))
    faiss.write_index(index, str(folder / file))
    _fsynced(folder / file)
    return kind


def _write_lexical(folder: Path, rows: Rows, base: Lexical | None) -> None:
    """One BM25 index of the rows' texts, each after its article's title (``passage_text``, as
    they are embedded); with a base, the base's postings and then these rows'."""
    texts = [passage_text(doc, doc.text[start:end]) for doc, start, end in rows.spans()]
    (base.appended(texts) if base else Lexical.of(texts)).write(folder)
    for file in BM25_FILES:
        _fsynced(folder / file)


def _publish(index_dir: Path, tmp: Path, name: str) -> Path:
    """Rename the finished generation into place, point ``CURRENT`` at it, prune old ones."""
    gen = index_dir / name
    tmp.rename(gen)
    pointer = index_dir / f".{CURRENT}.tmp"
    pointer.write_text(name + "\n", encoding="utf-8")
    _fsynced(pointer)
    os.replace(pointer, index_dir / CURRENT)
    _prune(index_dir, keep={name})
    return gen


def _append_jsonl(path: Path, rows: list[dict[str, Any]]) -> None:
    with path.open("a", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")


def _fsynced(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _prune(index_dir: Path, keep: set[str]) -> None:
    """Remove crashed temporaries and all but the newest old generation.

    One previous generation stays so that a reader that resolved ``CURRENT``
    just before the swap can still finish loading it.
    """
    gens = sorted(p for p in index_dir.glob("gen-*") if p.is_dir() and p.name not in keep)
    for stale in [*index_dir.glob(".tmp-gen-*"), *gens[:-1]]:
        shutil.rmtree(stale, ignore_errors=True)


def _library_versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    found = {}
    for package in (
        "newsdesk",
        "faiss-cpu",
        "numpy",
        "onnxruntime",
        "tokenizers",
        "tiktoken",
        "langchain-text-splitters",
        "PyStemmer",
    ):
        try:
            found[package] = version(package)
        except PackageNotFoundError:
            continue
    return found
