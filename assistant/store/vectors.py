"""The FAISS side of the store: which kind of index a file gets, building it, searching it.

Each FAISS file (chunks, sentences) is exact (``IndexFlatIP``) up to the
``approximate_above`` setting and HNSW above it.  Both kinds keep the vectors
themselves (HNSW*Flat* stores them beside the graph), so ``reconstruct`` returns
them exactly whichever was chosen: fusion and incremental builds read them back.
Why the threshold and the HNSW parameters are what they are: ``bench/scale.py``
compares both kinds on real vectors (``bench/results/scale.json``).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from assistant.settings import Settings

if TYPE_CHECKING:
    import numpy as np

FLAT = "IndexFlatIP"
HNSW = "IndexHNSWFlat"
FILES = ("chunks.faiss", "sentences.faiss")


@dataclass(frozen=True)
class VectorIndex:
    """How one FAISS file was built and is searched, as recorded in the manifest."""

    type: str = FLAT
    hnsw_m: int = 0  # graph degree (HNSW only)
    ef_construction: int = 0  # beam width while building the graph
    ef_search: int = 0  # beam width while searching, set on load (FAISS does not store it)


def choose_index(rows: int, settings: Settings) -> VectorIndex:
    """Exact up to ``settings.approximate_above`` vectors, HNSW with the settings' parameters above."""
    if rows <= settings.approximate_above:
        return VectorIndex()
    return VectorIndex(HNSW, settings.hnsw_m, settings.hnsw_ef_construction, settings.hnsw_ef_search)


def build_faiss(spec: VectorIndex, vectors: np.ndarray) -> Any:
    """A FAISS inner-product index of ``spec`` holding ``vectors`` (unit rows, so cosine).

    The HNSW graph is built with every core, as builds are (``models/threads.py``),
    then OpenMP goes back to its single query thread.
    """
    import faiss

    dim = vectors.shape[1]
    if spec.type == FLAT:
        return extend(faiss.IndexFlatIP(dim), vectors)
    index = faiss.IndexHNSWFlat(dim, spec.hnsw_m, faiss.METRIC_INNER_PRODUCT)
    index.hnsw.efConstruction = spec.ef_construction
    return configure(extend(index, vectors), spec)


def extend(index: Any, vectors: np.ndarray) -> Any:
    """``index`` with ``vectors`` added as its next rows: an HNSW graph links them in (with
    every core, as builds run), an exact index appends them."""
    import faiss
    import numpy as np

    threads = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(os.cpu_count() or 1)
    try:
        index.add(np.ascontiguousarray(vectors, dtype=np.float32))
    finally:
        faiss.omp_set_num_threads(threads)
    return index


def configure(index: Any, spec: VectorIndex) -> Any:
    """Check a loaded FAISS index is the kind the manifest says, and set its search parameters."""
    if type(index).__name__ != spec.type:
        raise ValueError(f"FAISS index is {type(index).__name__}, the manifest says {spec.type}")
    if spec.type == HNSW:
        index.hnsw.efSearch = spec.ef_search
    return index


def search_parameters(index: Any, k: int, selector: Any = None) -> Any:
    """FAISS search parameters for ``k`` results: the row filter, if any, and for HNSW a
    beam at least ``k`` wide.  FAISS does not widen it itself: a beam narrower than ``k``
    returns fewer than ``k`` rows (padded with -1), and fewer of the true nearest."""
    import faiss

    if type(index).__name__ == HNSW:
        return faiss.SearchParametersHNSW(sel=selector, efSearch=max(index.hnsw.efSearch, k))
    return None if selector is None else faiss.SearchParameters(sel=selector)


def recorded_indexes(recorded: Any) -> dict[str, VectorIndex]:
    """The manifest's ``faiss_index`` value as one ``VectorIndex`` per file; indexes written
    before HNSW existed record the bare string "IndexFlatIP"."""
    if recorded == FLAT:
        return {name: VectorIndex() for name in FILES}
    return {name: VectorIndex(**recorded[name]) for name in FILES}


def reconstruct(index: Any, rows: Sequence[int]) -> np.ndarray:
    """The stored vectors of these rows of a FAISS index (exact with either kind)."""
    import numpy as np

    if len(rows) == 0:
        return np.zeros((0, index.d), dtype=np.float32)
    return index.reconstruct_batch(np.asarray(rows, dtype=np.int64))
