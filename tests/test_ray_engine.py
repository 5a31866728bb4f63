"""``assistant index --engine ray`` writes exactly the index ``--engine local`` writes: the same
records, the same vectors bit for bit.  A real local Ray of 2 CPUs (two one-CPU model
actors, so batches finish out of order), its object store capped and its files kept in the
test's folder, which is checked empty of Ray afterwards."""

from __future__ import annotations

import filecmp
import os
import secrets
import shutil
from pathlib import Path

import numpy as np
import pytest

from assistant.ingest.split import Chunking
from assistant.pipeline import build_index
from assistant.store import build
from assistant.store.generation import LEXICAL, RECORDS, current_generation, open_index
from assistant.store.lexical import FILES as BM25_FILES
from assistant.store.ray_engine import RayEngine

CORPORA = Path(__file__).parent / "corpora"
STEP = 4  # texts per batch: several batches, finishing out of order on two actors


@pytest.fixture(scope="module")
def both(tmp_path_factory, settings, embedder):
    """The fixture corpora indexed by each engine, with batches small enough that the two
    actors share the work; Ray's token is the test's own."""
    folder = tmp_path_factory.mktemp("ray")
    corpus = folder / "corpus"
    corpus.mkdir()
    for article in CORPORA.glob("*/*.txt"):
        shutil.copy(article, corpus / article.name)
    ray_files = folder / "r"  # Ray's own files (sockets: the path must stay short)
    step = build.ENCODE_STEP
    build.ENCODE_STEP = STEP
    # Ray 2.60 authenticates local clusters with a token, written to ~/.ray unless one is given.
    os.environ["RAY_AUTH_TOKEN"] = secrets.token_hex(32)
    home_ray = (Path.home() / ".ray").exists()
    try:
        build_index(corpus, folder / "local", settings, embedder=embedder)
        engine = RayEngine(
            settings.model,
            actors=2,
            init={"num_cpus": 2, "object_store_memory": 80 * 2**20, "_temp_dir": str(ray_files)},
        )
        build.update_index(corpus, folder / "ray", embedder, settings, engine=engine)
    finally:
        build.ENCODE_STEP = step
        del os.environ["RAY_AUTH_TOKEN"]
    survivors = _processes_using(ray_files)
    shutil.rmtree(ray_files, ignore_errors=True)
    return {
        "local": folder / "local",
        "ray": folder / "ray",
        "survivors": survivors,
        "home_unchanged": (Path.home() / ".ray").exists() == home_ray,
    }


def _processes_using(folder: Path) -> list[str]:
    """Command lines of running processes that name ``folder`` (Ray's raylet, GCS, workers)."""
    found = []
    for proc in Path("/proc").iterdir():
        try:
            command = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if proc.name.isdigit() and int(proc.name) != os.getpid() and str(folder) in command:
            found.append(command)
    return found


def test_ray_writes_the_same_records_and_bm25(both):
    local, ray = both["local"], both["ray"]
    for name in [*RECORDS, *(f"{folder}/{file}" for folder in LEXICAL for file in BM25_FILES)]:
        assert filecmp.cmp(current_generation(local) / name, current_generation(ray) / name, shallow=False), name


def test_ray_writes_the_same_vectors_bit_for_bit(both, settings, embedder):
    local, ray = (open_index(both[kind], embedder.info, Chunking.of(settings)) for kind in ("local", "ray"))
    assert len(local.chunks) + len(local.sentence_rows) > 4 * STEP
    for kind in ("chunk_vectors", "sentence_vectors"):
        rows = range(len(local.chunks) if kind == "chunk_vectors" else len(local.sentence_rows))
        assert np.array_equal(getattr(local, kind)(rows), getattr(ray, kind)(rows)), kind


def test_ray_stops_everything_it_started(both):
    import ray

    assert not ray.is_initialized()
    assert both["survivors"] == []
    assert both["home_unchanged"]
