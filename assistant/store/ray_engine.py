"""A build's model runs on a Ray cluster: the driver plans, model actors embed, the driver reassembles.

The driver (``build.update_index``) reads, cleans, chunks and cuts the texts into batches
exactly as a local build does (``build._encode``).  Here Ray Data hands each batch to a pool of
model actors, each with one ONNX session of as many intra-op threads as the actor has CPUs
(onnxruntime ignores ``OMP_NUM_THREADS`` in an actor, so the count is passed), and each
result comes back tagged with its batch number: the driver yields them in plan order
whatever order the actors finish in, and writes the same atomic generation as a local
build.  Every text is run alone (``models/onnx.py``), so no vector depends on its actor
or its batch-mates; ``tests/test_ray_engine.py`` checks records and vectors equal the
local engine's.

``RAY_ADDRESS`` names a cluster to join (the README's "Scale" section gives the head and
worker commands); without it a local Ray is started with this machine's CPUs and stopped
after the build.  Ray is the ``[ray]`` extra, imported only here.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Sequence
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from assistant.errors import ModelError

if TYPE_CHECKING:
    import numpy as np

    from assistant.models.embedding import Embedder
    from assistant.store.build import Batch


class RayEngine:
    """``build.Engine`` on Ray: ``actors`` model actors of ``cpus`` CPUs each (default: as many
    one-CPU actors as the cluster has CPUs), ``init`` passed to ``ray.init`` when this engine
    starts Ray itself (tests cap the object store and keep Ray's files in their folder)."""

    def __init__(self, model: str, actors: int | None = None, cpus: int = 1, init: dict[str, Any] | None = None):
        self.model = model
        self.actors = actors
        self.cpus = cpus
        self.init = init or {}

    def __call__(self, embedder: Embedder, batches: Sequence[Batch]) -> Iterator[np.ndarray]:
        try:
            import ray
        except ImportError:
            raise ModelError("--engine ray needs Ray: pip install 'newsdesk[ray]'") from None
        started = not ray.is_initialized()
        if started:
            ray.init(address=os.environ.get("RAY_ADDRESS"), log_to_driver=False, **self.init)
        try:
            yield from self._run(ray, embedder, batches)
        finally:
            if started:
                ray.shutdown()

    def _run(self, ray, embedder: Embedder, batches: Sequence[Batch]) -> Iterator[np.ndarray]:
        import numpy as np

        if not batches:
            return
        actors = self.actors or max(1, int(ray.cluster_resources().get("CPU", 1)) // self.cpus)
        items = [{"batch": n, "texts": json.dumps(texts)} for n, texts in enumerate(batches)]
        results = ray.data.from_items(items, override_num_blocks=len(items)).map_batches(
            ModelActor,
            fn_constructor_kwargs={"model": self.model, "threads": self.cpus, "expected": asdict(embedder.info)},
            batch_size=1,
            batch_format="numpy",
            concurrency=min(actors, len(items)),
            num_cpus=self.cpus,
        )
        waiting: dict[int, np.ndarray] = {}
        following = 0
        for row in results.iter_rows():
            waiting[int(row["batch"])] = np.frombuffer(row["vectors"], dtype=np.float32).reshape(-1, embedder.info.dim)
            while following in waiting:
                yield waiting.pop(following)
                following += 1


class ModelActor:
    """One model per actor, loaded once; checks it is the driver's model (same weights),
    since another model's vectors would be silently wrong."""

    def __init__(self, model: str, threads: int, expected: dict[str, Any]) -> None:
        from assistant.models.embedding import load_embedder

        self.embedder = load_embedder(model, threads)
        if asdict(self.embedder.info) != expected:
            raise ModelError(f"a Ray worker loads {asdict(self.embedder.info)}, the driver {expected}")

    def __call__(self, batch: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        import numpy as np

        (number,), (texts,) = batch["batch"], batch["texts"]
        vectors = self.embedder.encode_documents(json.loads(texts)).astype(np.float32)
        return {"batch": np.array([number]), "vectors": np.array([vectors.tobytes()], dtype=object)}
