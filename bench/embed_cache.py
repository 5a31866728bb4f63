"""An Embedder that remembers its vectors on disk, so a second benchmark run encodes nothing.

Building an index of 30k real articles means encoding a few hundred thousand
texts, which takes tens of minutes on this 2-core machine; the benchmarks care
about what happens *after* encoding (store, index, search), so they pay it once.

Vectors are keyed by the model's identity (``embedder.info``: a new export of the
weights is a new cache folder) and by the sha256 of ``document`` plus the text.
Queries are not cached: the benchmarks time their encoding, and the cache then
holds document vectors only, which ``scale.py`` compares index kinds on.  The
wrapped e5 model encodes one text per run (``embedding.ONNX_BATCH``), so a text's
vector does not depend on what it is encoded with: a cached vector is exactly the
one the model would return now.  Each batch of new vectors is written as one
``.npz`` shard (atomically: temporary file, then rename), so an interrupted build
keeps everything encoded up to its last batch.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING

from common import CACHE

if TYPE_CHECKING:
    import numpy as np

    from assistant.models.embedding import Embedder


class CachedEmbedder:
    """Same protocol as the wrapped embedder (``info``, ``count_tokens``, ``encode_*``)."""

    def __init__(self, inner: Embedder) -> None:
        self.inner = inner
        self.info = inner.info
        self.hits = 0
        self.misses = 0
        info = self.info
        self.folder = CACHE / "embeddings" / f"{info.name}-{info.backend}-{info.dim}-{info.fingerprint}"
        self.folder.mkdir(parents=True, exist_ok=True)
        self._rows: dict[bytes, np.ndarray] = {}
        self._shards: set[str] = set()
        self._refresh()

    def _refresh(self) -> None:
        """Load the shards not loaded yet, including those other processes wrote meanwhile
        (two builds of overlapping corpora can then share the encoding work)."""
        import numpy as np

        for shard in sorted(self.folder.glob("shard-*.npz")):
            if shard.name not in self._shards:
                with np.load(shard) as data:
                    self._rows.update(zip((k.tobytes() for k in data["keys"]), data["vectors"], strict=False))
                self._shards.add(shard.name)

    def count_tokens(self, text: str) -> int:
        return self.inner.count_tokens(text)

    def vectors(self) -> np.ndarray:
        """Every cached vector (all are documents': chunks and sentences, with their titles),
        including those other processes have written so far, in no particular order."""
        import numpy as np

        self._refresh()
        if not self._rows:
            return np.zeros((0, self.info.dim), dtype=np.float32)
        return np.vstack(list(self._rows.values()))

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self.inner.encode_queries(texts)

    def encode_documents(self, texts: Sequence[str]) -> np.ndarray:
        import numpy as np

        keys = [hashlib.sha256(f"document\0{t}".encode()).digest() for t in texts]
        if any(k not in self._rows for k in keys):
            self._refresh()
        missing = list({k: t for k, t in zip(keys, texts, strict=False) if k not in self._rows}.items())
        self.misses += len(missing)
        self.hits += len(keys) - len(missing)
        if missing:
            vectors = np.asarray(self.inner.encode_documents([t for _, t in missing]), dtype=np.float32)
            self._shards.add(self._save([k for k, _ in missing], vectors))
            self._rows.update(zip((k for k, _ in missing), vectors, strict=False))
        if not keys:
            return np.zeros((0, self.info.dim), dtype=np.float32)
        return np.vstack([self._rows[k] for k in keys])

    def _save(self, keys: list[bytes], vectors: np.ndarray) -> str:
        import numpy as np

        name = f"shard-{time.time_ns()}-{secrets.token_hex(3)}.npz"
        tmp = self.folder / f".tmp-{name}"
        with tmp.open("wb") as handle:
            np.savez(
                handle,
                keys=np.frombuffer(b"".join(keys), dtype=np.uint8).reshape(-1, 32),
                vectors=vectors,
            )
        os.replace(tmp, self.folder / name)
        return name
