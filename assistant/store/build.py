"""Corpus folder -> index, incrementally: only new or changed articles are embedded.

An article is unchanged when its cleaned text hashes the same as in the served
index; its sentences, chunks and vectors are then copied over.  Deleted
articles simply do not appear in the new generation.  Cleaning depends on the
whole corpus (boilerplate is learned across articles), which is why the hash is
taken of the *cleaned* text: if a new article changes how an old one cleans,
the old one is re-embedded too, and never served stale.  Reading remembers what
each file's cleaning gave (``ingest.memo``, a file beside the generations), so that
only files whose bytes, or whose share of the learned boilerplate, changed are
cleaned again.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.errors import CorpusError, IndexBusyError, IndexMissingError, IndexOutdatedError
from assistant.ingest.body import bundled_model
from assistant.ingest.corpus import Duplicate, Skipped, corpus_state, read_corpus
from assistant.ingest.memo import MEMO, Memo
from assistant.ingest.split import Chunking, passage_text, split_document
from assistant.models.embedding import Embedder, ModelInfo
from assistant.settings import Settings
from assistant.store.generation import (
    Contents,
    CorpusIdentity,
    Index,
    current_generation,
    open_index,
    verified_manifest,
    write_index,
)
from assistant.store.rows import Rows, make_chunk, make_sentence
from assistant.types import Chunk, Document, Progress, Sentence, no_progress

if TYPE_CHECKING:
    import numpy as np

ENCODE_STEP = 256  # texts per batch: the unit of progress, and of work for a Ray model actor

#: Beside the generations: the corpus state the last build read (``corpus.corpus_state``),
#: the generation it serves, and its skipped files and duplicates, so an unchanged
#: corpus is not read again.
CORPUS_STATE = "corpus-state.json"


#: One batch of a build's texts (``ENCODE_STEP`` of them, the last one fewer).
Batch = tuple[str, ...]

#: Runs the model over a build's batches, yielding each batch's vectors in batch order:
#: ``local`` here, ``store.ray_engine.RayEngine`` on a Ray cluster.
Engine = Callable[["Embedder", Sequence[Batch]], Iterator["np.ndarray"]]


def local(embedder: Embedder, batches: Sequence[Batch]) -> Iterator[np.ndarray]:
    """Every batch in this process, in order."""
    for texts in batches:
        yield embedder.encode_documents(texts)


@dataclass(frozen=True)
class BuildReport:
    added: tuple[str, ...]
    changed: tuple[str, ...]
    removed: tuple[str, ...]
    unchanged: tuple[str, ...]
    skipped: tuple[Skipped, ...]
    duplicates: tuple[Duplicate, ...]
    texts_embedded: int = 0  # chunks and sentences of new or changed articles
    seconds: float = 0.0
    appended: bool = False  # the new generation is the served one with rows appended

    @property
    def up_to_date(self) -> bool:
        return not (self.added or self.changed or self.removed)


@contextmanager
def build_lock(index_dir: Path) -> Iterator[None]:
    """One build at a time per index folder; a second one fails at once, saying who holds it."""
    index_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    with open(index_dir / ".lock", "a+", encoding="utf-8") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            raise IndexBusyError(
                f"the index in {index_dir} is being built by {holder}; wait for it to finish and retry"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()}")
        handle.flush()
        try:
            yield
        finally:
            handle.truncate(0)
            fcntl.flock(handle, fcntl.LOCK_UN)


def update_index(
    corpus_dir: Path,
    index_dir: Path,
    embedder: Embedder,
    settings: Settings,
    *,
    rebuild: bool = False,
    progress: Progress = no_progress,
    readers: tuple[ModelInfo, ...] = (),
    engine: Engine = local,
) -> BuildReport:
    """Bring the index of ``corpus_dir`` up to date; write a new generation only if something changed.

    ``progress`` hears of each phase: reading and cleaning files, splitting articles into
    sentences and chunks, embedding texts (chunks, then sentences), indexing (the FAISS files);
    ``readers`` (the models reading text at answer time) are recorded in the manifest;
    ``engine`` runs the model (default ``local``: in this process).
    Raises CorpusError when no article is usable, IndexMismatchError / IndexCorruptError when the served index cannot be
    reused and ``rebuild`` is not set.
    """
    started = time.perf_counter()
    chunking = Chunking.of(settings)
    with build_lock(index_dir):
        # The state is taken before reading: a file changed meanwhile is read next time.
        state = corpus_state(corpus_dir, settings.max_article_bytes)
        known = None if rebuild or state is None else _known_unchanged(index_dir, state, embedder, chunking)
        if known:
            return replace(known, seconds=time.perf_counter() - started)
        if rebuild:  # everything afresh, cleaning too
            (index_dir / MEMO).unlink(missing_ok=True)
        scan = read_corpus(
            corpus_dir,
            max_bytes=settings.max_article_bytes,
            duplicate_similarity=settings.duplicate_similarity,
            progress=progress,
            memo=Memo(index_dir / MEMO),
        )
        if not scan.articles:
            reasons = "; ".join(f"{s.path}: {s.reason}" for s in scan.skipped) or "it holds no .txt, .md or .html file"
            raise CorpusError(f"no usable article in {corpus_dir} ({reasons})")
        old = None if rebuild else _served(index_dir, embedder, chunking)
        documents = [a.document for a in scan.articles]
        report = _compare(old.documents if old else {}, documents, scan.skipped, scan.duplicates)
        cleaning = bundled_model().fingerprint  # an index cleaned by another body model records this one
        retitled = old is not None and _metadata_changed(old, documents)
        if old is not None and report.up_to_date and not retitled and old.manifest.corpus.cleaning == cleaning:
            _remember(index_dir, state, report)
            return replace(report, seconds=time.perf_counter() - started)
        # Only additions: the served generation is extended rather than written afresh.
        append = old is not None and not (report.changed or report.removed or retitled)
        contents, embedded = _contents(documents, report, old, append, embedder, engine, chunking, progress)
        corpus = CorpusIdentity(str(corpus_dir.resolve()), _fingerprint(documents), cleaning)
        write_index(index_dir, contents, embedder.info, settings, corpus=corpus, readers=readers, progress=progress)
        _remember(index_dir, state, report)
        return replace(
            report, texts_embedded=embedded, seconds=time.perf_counter() - started, appended=contents.base is not None
        )


def _compare(
    old: dict[str, Document],
    documents: Sequence[Document],
    skipped: tuple[Skipped, ...],
    duplicates: tuple[Duplicate, ...],
) -> BuildReport:
    """What changed between the served documents and the corpus just read."""
    unchanged = {d.doc_id for d in documents if d.doc_id in old and old[d.doc_id].content_hash == d.content_hash}
    fresh = [d.doc_id for d in documents if d.doc_id not in unchanged]
    return BuildReport(
        added=tuple(d for d in fresh if d not in old),
        changed=tuple(d for d in fresh if d in old),
        removed=tuple(sorted(set(old) - {d.doc_id for d in documents})),
        unchanged=tuple(sorted(unchanged)),
        skipped=skipped,
        duplicates=duplicates,
    )


def _metadata_changed(old: Index, documents: Sequence[Document]) -> bool:
    """An unchanged text whose title, publication, author or date changed still needs a new generation."""
    return any(d.doc_id in old.documents and old.documents[d.doc_id] != d for d in documents)


def _contents(
    documents: Sequence[Document],
    report: BuildReport,
    old: Index | None,
    append: bool,
    embedder: Embedder,
    engine: Engine,
    chunking: Chunking,
    progress: Progress,
) -> tuple[Contents, int]:
    """The new generation: fresh documents split and embedded, the others' rows and vectors
    reused from ``old``.  With ``append`` (articles were only added), it is ``old`` with their
    rows appended; otherwise all rows in corpus order.  Also returns how many texts were embedded."""
    unchanged = set(report.unchanged)
    fresh = [d for d in documents if d.doc_id not in unchanged]
    split = {}
    for done, doc in enumerate(fresh, 1):
        split[doc.doc_id] = split_document(doc, chunking, embedder.count_tokens, embedder.info.max_tokens)
        progress("splitting", done, len(fresh))
    texts = [passage_text(d, c.text) for d in fresh for c in split[d.doc_id][1]]
    texts += [passage_text(d, s.text) for d in fresh for s in split[d.doc_id][0]]
    vectors = _encode(embedder, engine, texts, progress)
    count = sum(len(split[d.doc_id][1]) for d in fresh)
    fresh_chunks = [c for d in fresh for c in split[d.doc_id][1]]
    fresh_sentences = [s for d in fresh for s in split[d.doc_id][0]]
    if append:
        order = [*old.documents.values(), *fresh]
        contents = Contents(
            order,
            Rows.of(fresh_chunks, order, make_chunk),
            Rows.of(fresh_sentences, order, make_sentence),
            vectors[:count],
            vectors[count:],
            base=old,
        )
        return contents, len(texts)
    chunks = _assembled(
        documents, {d: split[d][1] for d in split}, vectors[:count], old and old.chunks, old and old.chunk_vectors
    )
    sentences = _assembled(
        documents,
        {d: split[d][0] for d in split},
        vectors[count:],
        old and old.sentence_rows,
        old and old.sentence_vectors,
    )
    contents = Contents(
        documents,
        Rows(chunks[0], documents, make_chunk),
        Rows(sentences[0], documents, make_sentence),
        chunks[1],
        sentences[1],
    )
    return contents, len(texts)


def _assembled(
    documents: Sequence[Document],
    fresh: dict[str, Sequence[Chunk | Sentence]],
    fresh_vectors: np.ndarray,
    old_rows: Rows | None,
    old_vectors: Callable[[Sequence[int]], np.ndarray] | None,
) -> tuple[np.ndarray, np.ndarray]:
    """One kind of row of every document, in ``documents`` order, as columns, with its vectors: the
    ``fresh`` documents' records (in ``documents`` order) with ``fresh_vectors``, and for every
    other document its ``old_rows`` and their stored vectors (``old_vectors``)."""
    import numpy as np

    tables, sources, taken = [], [], 0
    for number, doc in enumerate(documents):
        if doc.doc_id in fresh:
            rows = fresh[doc.doc_id]
            tables.append(np.array([(number, r.index, r.start, r.end) for r in rows], dtype=np.int32).reshape(-1, 4))
            sources.append(np.arange(taken, taken + len(rows)))  # fresh vector rows
            taken += len(rows)
        else:
            span = old_rows.of_document(doc.doc_id)
            piece = np.array(old_rows.table[span.start : span.stop], dtype=np.int32)
            piece[:, 0] = number
            tables.append(piece)
            sources.append(-1 - np.arange(span.start, span.stop))  # stored vector rows, as -1 - row
    table = np.concatenate(tables) if tables else np.zeros((0, 4), np.int32)
    source = np.concatenate(sources) if sources else np.zeros(0, np.int64)
    vectors = np.empty((len(table), fresh_vectors.shape[1]), dtype=np.float32)
    stored = source < 0
    vectors[~stored] = fresh_vectors[source[~stored]]
    if stored.any():
        vectors[stored] = old_vectors(-1 - source[stored])
    return table.reshape(-1, 4), vectors


def _known_unchanged(index_dir: Path, state: str, embedder: Embedder, chunking: Chunking) -> BuildReport | None:
    """The last build's report, as unchanged, when the corpus is in the state it was read in
    and that build is the generation served; None to read the corpus.

    The served files are still verified (checksums, model, chunking), so a broken index
    is reported exactly as a full read would report it.
    """
    try:
        known = json.loads((index_dir / CORPUS_STATE).read_text(encoding="utf-8"))
        gen = current_generation(index_dir)
        if known["state"] != state or known["generation"] != gen.name:
            return None
        report = BuildReport(
            added=(),
            changed=(),
            removed=(),
            unchanged=tuple(known["unchanged"]),
            skipped=tuple(Skipped(**row) for row in known["skipped"]),
            duplicates=tuple(Duplicate(**row) for row in known["duplicates"]),
        )
    except (OSError, ValueError, KeyError, TypeError, IndexMissingError):
        return None  # no record, or a garbled one: read the corpus
    try:
        verified_manifest(gen, embedder.info, chunking)
    except IndexOutdatedError:
        return None  # an older format is rebuilt from the corpus, as ``_served`` decides
    return report


def _remember(index_dir: Path, state: str | None, report: BuildReport) -> None:
    """Record the corpus state this build read and what it found, beside the generation it
    serves (atomically: temporary file, then rename); no state, no record."""
    record = index_dir / CORPUS_STATE
    if state is None:
        record.unlink(missing_ok=True)
        return
    known = {
        "state": state,
        "generation": current_generation(index_dir).name,
        "unchanged": sorted({*report.unchanged, *report.added, *report.changed}),
        "skipped": [asdict(s) for s in report.skipped],
        "duplicates": [asdict(d) for d in report.duplicates],
    }
    temporary = index_dir / f".{CORPUS_STATE}.{os.getpid()}"
    temporary.write_text(json.dumps(known, ensure_ascii=False), encoding="utf-8")
    os.replace(temporary, record)


def _served(index_dir: Path, embedder: Embedder, chunking: Chunking) -> Index | None:
    """The index to update, or None to build afresh: when there is none, or it is in an
    older format (rebuilding loses nothing: the corpus folder is the source)."""
    try:
        return open_index(index_dir, embedder.info, chunking)
    except (IndexMissingError, IndexOutdatedError):
        return None


def _encode(embedder: Embedder, engine: Engine, texts: list[str], progress: Progress) -> np.ndarray:
    """``texts`` embedded by ``engine`` in batches of ``ENCODE_STEP``, rows in input order."""
    import numpy as np

    batches = [tuple(texts[begin : begin + ENCODE_STEP]) for begin in range(0, len(texts), ENCODE_STEP)]
    if texts:
        progress("embedding", 0, len(texts))  # the phase's clock starts before its first batch
    parts = []
    for part in engine(embedder, batches):
        parts.append(part)
        progress("embedding", min(len(parts) * ENCODE_STEP, len(texts)), len(texts))
    if len(parts) != len(batches):
        raise RuntimeError(f"the build engine returned {len(parts)} of {len(batches)} batches")
    return np.vstack(parts) if parts else np.zeros((0, embedder.info.dim), np.float32)


def _fingerprint(documents: Sequence[Document]) -> str:
    digest = hashlib.sha256()
    for doc in sorted(documents, key=lambda d: d.doc_id):
        digest.update(f"{doc.doc_id}\0{doc.content_hash}\n".encode())
    return digest.hexdigest()
