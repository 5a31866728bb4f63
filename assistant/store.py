"""The index on disk: FAISS vectors, row-aligned JSONL records, and a manifest.

Layout of ``index_dir``::

    CURRENT               name of the generation being served (replaced atomically)
    gen-<ns>-<rand>/      one immutable generation
        documents.jsonl       one cleaned article per line (with its text)
        chunks.jsonl          row i describes chunk vector i: doc id, offsets (text = doc.text[start:end])
        sentences.jsonl       row i describes sentence vector i, likewise
        chunks.faiss          FAISS indexes over the same rows (exact, or HNSW above the
        sentences.faiss       ``approximate_above`` setting); both keep the exact vectors, which
                              are read back for fusion and for incremental reuse
        manifest.json         written last: format, model, chunking, FAISS index kind and
                              parameters, counts, checksums

A build writes a new generation beside the old one and only then points
``CURRENT`` at it, so a crash at any moment leaves the previous index served.
Loading checks every file against the manifest and raises a specific error
naming the fix; a mismatched index is never served.  No pickle anywhere.
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

from .embedding import ModelInfo
from .errors import (
    IndexCorruptError,
    IndexMismatchError,
    IndexMissingError,
    IndexOutdatedError,
)
from .settings import Settings
from .types import Chunk, Document, Sentence

if TYPE_CHECKING:
    import numpy as np

FORMAT_VERSION = 3  # 3: sentence vectors embed the title too, like chunk vectors
CURRENT = "CURRENT"
MANIFEST = "manifest.json"
PAYLOAD = (
    "documents.jsonl",
    "chunks.jsonl",
    "sentences.jsonl",
    "chunks.faiss",
    "sentences.faiss",
)
REBUILD = "run `assistant index --rebuild` to build it afresh"

#: An index file holding more vectors than this is HNSW (approximate) instead of flat (exact):
#: below it an exact search is already fast enough and an HNSW graph would only cost build
#: time and recall.  The default of the ``approximate_above`` setting (see settings.py).
APPROXIMATE_ABOVE = Settings.approximate_above
#: HNSW graph degree, build-time and search-time beam widths, compared by ``bench/scale.py``.
#: On 35k cached e5 vectors, recall@10 against exact was 0.90 (0.24 ms a query) with M=32,
#: efConstruction=80, efSearch=64, and 0.98 (0.42 ms) with these; exact search took 3-5 ms
#: and grows linearly, the graph's time logarithmically.
HNSW_M = 48
HNSW_EF_CONSTRUCTION = 200
HNSW_EF_SEARCH = 128
FLAT = "IndexFlatIP"
HNSW = "IndexHNSWFlat"


@dataclass(frozen=True)
class Chunking:
    """The chunking settings an index was built with (a change means re-chunking)."""

    chunk_tokens: int
    overlap_tokens: int
    tokenizer: str = "cl100k_base"


@dataclass(frozen=True)
class VectorIndex:
    """How one FAISS file was built and is searched, as recorded in the manifest.

    Both kinds store the vectors themselves (HNSW*Flat* keeps them beside the
    graph), so ``reconstruct`` returns them exactly whichever was chosen.
    """

    type: str = FLAT
    hnsw_m: int = 0  # graph degree (HNSW only)
    ef_construction: int = 0  # beam width while building the graph
    # Beam width while searching, set on load (FAISS does not store it).
    ef_search: int = 0


def choose_index(rows: int, approximate_above: int = APPROXIMATE_ABOVE) -> VectorIndex:
    """Exact up to ``approximate_above`` vectors, HNSW above (see APPROXIMATE_ABOVE)."""
    if rows <= approximate_above:
        return VectorIndex()
    return VectorIndex(HNSW, HNSW_M, HNSW_EF_CONSTRUCTION, HNSW_EF_SEARCH)


def build_faiss(spec: VectorIndex, vectors: np.ndarray) -> Any:
    """A FAISS inner-product index of ``spec`` holding ``vectors`` (unit rows, so cosine).

    The HNSW graph is built with every core, as builds are (``threads.py``), then
    OpenMP goes back to its single query thread.
    """
    import faiss
    import numpy as np

    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    if spec.type == FLAT:
        index = faiss.IndexFlatIP(vectors.shape[1])
        index.add(vectors)
        return index
    index = faiss.IndexHNSWFlat(
        vectors.shape[1], spec.hnsw_m, faiss.METRIC_INNER_PRODUCT
    )
    index.hnsw.efConstruction = spec.ef_construction
    threads = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(os.cpu_count() or 1)
    try:
        index.add(vectors)
    finally:
        faiss.omp_set_num_threads(threads)
    return configure(index, spec)


def configure(index: Any, spec: VectorIndex) -> Any:
    """Check a loaded FAISS index is the kind the manifest says, and set its search parameters."""
    if type(index).__name__ != spec.type:
        raise ValueError(
            f"FAISS index is {type(index).__name__}, the manifest says {spec.type}"
        )
    if spec.type == HNSW:
        index.hnsw.efSearch = spec.ef_search
    return index


def search_parameters(index: Any, k: int, selector: Any = None) -> Any:
    """FAISS search parameters for ``k`` results: the row filter, if any, and for HNSW a
    beam at least ``k`` wide.  FAISS does not widen it itself: a beam narrower than ``k``
    returns fewer than ``k`` rows (padded with -1), and fewer of the true nearest."""
    import faiss

    if type(index).__name__ == HNSW:
        return faiss.SearchParametersHNSW(
            sel=selector, efSearch=max(index.hnsw.efSearch, k)
        )
    return None if selector is None else faiss.SearchParameters(sel=selector)


def recorded_indexes(manifest: dict[str, Any]) -> dict[str, VectorIndex]:
    """The manifest's FAISS index per file; indexes written before HNSW record the string "IndexFlatIP"."""
    recorded = manifest.get("faiss_index")
    if recorded == FLAT:
        return {"chunks.faiss": VectorIndex(), "sentences.faiss": VectorIndex()}
    return {
        name: VectorIndex(**recorded[name])
        for name in ("chunks.faiss", "sentences.faiss")
    }


@dataclass(frozen=True)
class Index:
    """A loaded, verified index.  FAISS rows align with ``chunks`` and ``sentence_rows``."""

    path: Path
    manifest: dict[str, Any]
    documents: dict[str, Document]
    chunks: tuple[Chunk, ...]
    sentence_rows: tuple[Sentence, ...]
    chunk_index: Any
    sentence_index: Any

    @cached_property
    def sentences(self) -> dict[str, tuple[Sentence, ...]]:
        """Each document's sentences, in order."""
        grouped: dict[str, list[Sentence]] = {d: [] for d in self.documents}
        for sentence in self.sentence_rows:
            grouped[sentence.doc_id].append(sentence)
        return {d: tuple(s) for d, s in grouped.items()}

    def chunk_vectors(self, rows: Sequence[int]) -> np.ndarray:
        """The stored vectors of these chunk rows (exact with either kind of index)."""
        return reconstruct(self.chunk_index, rows)

    def sentence_vectors(self, rows: Sequence[int]) -> np.ndarray:
        return reconstruct(self.sentence_index, rows)


def reconstruct(index: Any, rows: Sequence[int]) -> np.ndarray:
    """The stored vectors of these rows of a FAISS index (exact with either kind)."""
    import numpy as np

    if len(rows) == 0:
        return np.zeros((0, index.d), dtype=np.float32)
    return index.reconstruct_batch(np.asarray(rows, dtype=np.int64))


def current_generation(index_dir: Path) -> Path:
    pointer = index_dir / CURRENT
    try:
        name = pointer.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        raise IndexMissingError(
            f"no index in {index_dir}; run `assistant index` to build one"
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise IndexCorruptError(f"cannot read {pointer}: {exc}; {REBUILD}") from exc
    if not name.startswith("gen-") or "/" in name or not (index_dir / name).is_dir():
        raise IndexCorruptError(
            f"{pointer} names {name!r}, which is not an index generation; {REBUILD}"
        )
    return index_dir / name


def read_manifest(gen: Path) -> dict[str, Any]:
    """A generation's manifest, with its format checked."""
    path = gen / MANIFEST
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise IndexCorruptError(f"{path} is missing; {REBUILD}") from None
    except (OSError, ValueError) as exc:
        raise IndexCorruptError(f"{path} is not valid JSON ({exc}); {REBUILD}") from exc
    version = manifest.get("format_version") if isinstance(manifest, dict) else None
    if isinstance(version, int) and version > FORMAT_VERSION:
        raise IndexMismatchError(
            f"index format {version} in {path} is newer than this program reads ({FORMAT_VERSION}); "
            f"upgrade newsdesk or {REBUILD}"
        )
    if version != FORMAT_VERSION:
        raise IndexOutdatedError(
            f"index format {version!r} in {path} is older than the current ({FORMAT_VERSION}); "
            f"`assistant index` rebuilds it"
        )
    return manifest


def check_compatible(
    manifest: dict[str, Any], model: ModelInfo, chunking: Chunking
) -> None:
    """Raise IndexMismatchError unless the index was built with this model and chunking."""
    built = manifest.get("model", {})
    wanted = asdict(model)
    for key in ("name", "backend", "dim", "fingerprint"):
        if built.get(key) != wanted[key]:
            raise IndexMismatchError(
                f"the index was built with model {built.get('name')!r} ({key}={built.get(key)!r}) "
                f"but {model.name!r} ({key}={wanted[key]!r}) is configured; {REBUILD}"
            )
    if manifest.get("chunking") != asdict(chunking):
        raise IndexMismatchError(
            f"the index was chunked with {manifest.get('chunking')} but the settings say "
            f"{asdict(chunking)}; {REBUILD}"
        )


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _read_jsonl(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]


def verified_manifest(gen: Path, model: ModelInfo, chunking: Chunking) -> dict[str, Any]:
    """A generation's manifest, once its format, model, chunking and every file's
    checksum are verified: what ``open_index`` checks before parsing anything.

    Callers resolve ``CURRENT`` once and pass the generation: a build may switch it
    meanwhile, and the manifest and the files must come from the same generation.
    """
    manifest = read_manifest(gen)
    check_compatible(manifest, model, chunking)
    for name in PAYLOAD:
        path = gen / name
        if not path.is_file():
            raise IndexCorruptError(f"{path} is missing; {REBUILD}")
        if _sha256(path) != manifest["files"].get(name):
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
        chunks = tuple(
            Chunk(text=documents[r["doc_id"]].text[r["start"] : r["end"]], **r)
            for r in _read_jsonl(gen / "chunks.jsonl")
        )
        sentences = tuple(
            Sentence(text=documents[r["doc_id"]].text[r["start"] : r["end"]], **r)
            for r in _read_jsonl(gen / "sentences.jsonl")
        )
        kinds = recorded_indexes(manifest)
        chunk_index = configure(
            faiss.read_index(str(gen / "chunks.faiss")), kinds["chunks.faiss"]
        )
        sentence_index = configure(
            faiss.read_index(str(gen / "sentences.faiss")), kinds["sentences.faiss"]
        )
    except (ValueError, TypeError, KeyError, RuntimeError) as exc:
        raise IndexCorruptError(
            f"cannot read the index in {gen}: {exc!r}; {REBUILD}"
        ) from exc
    counts = {
        "documents": len(documents),
        "chunks": len(chunks),
        "sentences": len(sentences),
    }
    found = (chunk_index.ntotal, sentence_index.ntotal, chunk_index.d, sentence_index.d)
    if counts != manifest.get("counts") or found != (
        len(chunks),
        len(sentences),
        model.dim,
        model.dim,
    ):
        raise IndexCorruptError(
            f"the index in {gen} holds {counts}, and FAISS rows/dimensions {found}, "
            f"but its manifest says {manifest.get('counts')} of dimension {model.dim}; {REBUILD}"
        )
    return Index(
        gen, manifest, documents, chunks, sentences, chunk_index, sentence_index
    )


def _write_jsonl(path: Path, rows: list[dict[str, Any]]) -> None:
    with path.open("w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")


def _fsynced(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_index(
    index_dir: Path,
    documents: list[Document],
    chunks: list[Chunk],
    sentences: list[Sentence],
    chunk_vectors: np.ndarray,
    sentence_vectors: np.ndarray,
    model: ModelInfo,
    chunking: Chunking,
    extra: dict[str, Any],
    *,
    approximate_above: int = APPROXIMATE_ABOVE,
) -> Path:
    """Write a new generation and make it current, atomically.  Returns its folder.

    Each FAISS file is exact or HNSW by its own row count (``choose_index``): a
    corpus can pass the threshold in sentences long before it does in chunks.
    The caller holds the build lock (see ``indexing.build_lock``).
    """
    import faiss

    for rows, vectors in ((chunks, chunk_vectors), (sentences, sentence_vectors)):
        if vectors.shape != (len(rows), model.dim):
            raise ValueError(
                f"{vectors.shape} vectors for {len(rows)} rows of dimension {model.dim}"
            )
    index_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    name = f"gen-{time.time_ns()}-{secrets.token_hex(3)}"  # sorts by age
    tmp = index_dir / f".tmp-{name}"
    tmp.mkdir(mode=0o700)
    _write_jsonl(tmp / "documents.jsonl", [asdict(d) for d in documents])
    _write_jsonl(
        tmp / "chunks.jsonl",
        [
            {
                "chunk_id": c.chunk_id,
                "doc_id": c.doc_id,
                "index": c.index,
                "start": c.start,
                "end": c.end,
            }
            for c in chunks
        ],
    )
    _write_jsonl(
        tmp / "sentences.jsonl",
        [
            {"doc_id": s.doc_id, "index": s.index, "start": s.start, "end": s.end}
            for s in sentences
        ],
    )
    kinds = {}
    for filename, vectors in (
        ("chunks.faiss", chunk_vectors),
        ("sentences.faiss", sentence_vectors),
    ):
        kinds[filename] = choose_index(len(vectors), approximate_above)
        faiss.write_index(build_faiss(kinds[filename], vectors), str(tmp / filename))
    for payload in PAYLOAD:
        _fsynced(tmp / payload)
    manifest = {
        "format_version": FORMAT_VERSION,
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "model": asdict(model),
        "chunking": asdict(chunking),
        "faiss_index": {name: asdict(kind) for name, kind in kinds.items()},
        "counts": {
            "documents": len(documents),
            "chunks": len(chunks),
            "sentences": len(sentences),
        },
        "files": {p: _sha256(tmp / p) for p in PAYLOAD},
        "versions": _library_versions(),
        **extra,
    }
    (tmp / MANIFEST).write_text(
        json.dumps(manifest, indent=2, ensure_ascii=False), encoding="utf-8"
    )
    _fsynced(tmp / MANIFEST)
    gen = index_dir / name
    tmp.rename(gen)
    pointer = index_dir / f".{CURRENT}.tmp"
    pointer.write_text(name + "\n", encoding="utf-8")
    _fsynced(pointer)
    os.replace(pointer, index_dir / CURRENT)
    _prune(index_dir, keep={name})
    return gen


def _prune(index_dir: Path, keep: set[str]) -> None:
    """Remove crashed temporaries and all but the newest old generation.

    One previous generation stays so that a reader that resolved ``CURRENT``
    just before the swap can still finish loading it.
    """
    gens = sorted(
        p for p in index_dir.glob("gen-*") if p.is_dir() and p.name not in keep
    )
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
        "bm25s",
    ):
        try:
            found[package] = version(package)
        except PackageNotFoundError:
            continue
    return found
