"""Dependencies point one way: a stage imports only the stages below it.

The layers, lowest first (a module may import its own layer's shared modules and
anything lower; ``ingest`` and ``models`` are peers that never import each other):

    types, errors  <-  settings, prompts  <-  ingest | models  <-  store  <-  retrieve
        <-  answer  <-  pipeline  <-  serve  <-  the package itself (its public API)

Every import counts, at module level or inside a function, under TYPE_CHECKING too.
Beyond the layers: retrieval never imports the index build; nothing in the
product imports ``evals`` except the CLI's ``eval`` and ``external`` commands,
lazily; ``app.py`` and the CLI reach the index only through ``Assistant``.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "assistant"

LAYERS = {
    "assistant.types": 0,
    "assistant.errors": 0,
    "assistant.settings": 1,
    "assistant.prompts": 1,
    "assistant.ingest": 2,
    "assistant.models": 2,
    "assistant.store": 3,
    "assistant.retrieve": 4,
    "assistant.answer": 5,
    "assistant.pipeline": 6,
    "assistant.serve": 7,
    "assistant": 8,
}
#: Rules that layers alone do not say: (importing module prefix, forbidden import prefix).
FORBIDDEN = [
    ("assistant.retrieve", "assistant.store.build"),
    ("assistant.answer", "assistant.store.build"),
]
#: The only product modules that may import the evaluation package (inside a function).
EVALS_ALLOWED = {"assistant.serve.cli"}
#: What app.py and the CLI may import of the product: the public API (the package's names and
#: these modules) and the serving edge.
EDGE_MODULES = {
    "assistant",
    "assistant.errors",
    "assistant.pipeline",
    "assistant.prompts",
    "assistant.settings",
    "assistant.types",
    "assistant.serve",
}


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(tree: ast.AST) -> list[tuple[str, bool]]:
    """Every module a tree imports, absolute, and whether the import is at module level."""
    top = {id(node) for node in getattr(tree, "body", [])}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name, id(node) in top) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            assert node.level == 0, "relative imports are not used (ruff TID252)"
            found.append((node.module, id(node) in top))
            # "from assistant import prompts" imports the module assistant.prompts
            found += [(f"{node.module}.{alias.name}", id(node) in top) for alias in node.names]
    return found


def layer(module: str) -> tuple[int, str] | None:
    """(layer, stage) of a product module, by its longest known prefix; None outside the product."""
    for prefix in sorted(LAYERS, key=len, reverse=True):
        if module == prefix or module.startswith(prefix + "."):
            return LAYERS[prefix], prefix
    return None


def violations(module: str, tree: ast.AST) -> list[str]:
    own = layer(module)
    found = []
    for target, at_top in imports(tree):
        if target.split(".")[0] == "evals":
            if module not in EVALS_ALLOWED or at_top:
                found.append(f"{module} imports {target}: the evaluation is not part of the product")
            continue
        theirs = layer(target)
        if own is None or theirs is None or theirs[1] == own[1] or target == "assistant":
            continue
        if theirs[0] > own[0]:
            found.append(f"{module} (layer {own[0]}) imports {target} (layer {theirs[0]})")
        elif theirs[0] == own[0]:
            found.append(f"{module} imports its peer stage {target}")
    found += [
        f"{module} imports {target}"
        for prefix, banned in FORBIDDEN
        if module.startswith(prefix)
        for target, _ in imports(tree)
        if target.startswith(banned)
    ]
    return found


def beyond_the_api(tree: ast.AST, allowed: set[str]) -> list[str]:
    """The product modules and names an edge imports that are not in ``allowed`` (nor serving modules)."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module == "assistant":
            found += [f"assistant.{alias.name}" for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.append(node.module)
    product = [t for t in found if t.split(".")[0] == "assistant"]
    return [t for t in product if t not in allowed and not t.startswith("assistant.serve.")]


def product_modules() -> list[tuple[str, ast.AST]]:
    return [(module_name(p), ast.parse(p.read_text(encoding="utf-8"))) for p in sorted(PACKAGE.rglob("*.py"))]


def test_every_module_belongs_to_a_layer():
    assert all(layer(name) for name, _ in product_modules())


def test_no_module_imports_a_higher_stage():
    found = [v for name, tree in product_modules() for v in violations(name, tree)]
    assert found == []


@pytest.mark.parametrize(
    "module, source, problem",
    [
        ("assistant.ingest.corpus", "from assistant.store.generation import open_index", "layer 3"),
        ("assistant.ingest.corpus", "def f():\n    from assistant.models.embedding import Embedder", "peer stage"),
        ("assistant.retrieve.search", "from assistant.store.build import passage_text", "store.build"),
        ("assistant.answer.compose", "from assistant import pipeline", "layer 6"),
        ("assistant.pipeline", "from evals.report import run_eval", "evaluation"),
        ("assistant.serve.cli", "from evals.report import run_eval", "evaluation"),
    ],
)
def test_the_checker_catches_an_upward_import(module, source, problem):
    """The rule can fail: each of these imports breaks it and is reported."""
    assert any(problem in v for v in violations(module, ast.parse(source)))


def test_the_checker_allows_the_cli_its_lazy_evaluation_import():
    assert violations("assistant.serve.cli", ast.parse("def f():\n    from evals.report import run_eval")) == []


@pytest.mark.parametrize("path", [ROOT / "app.py", PACKAGE / "serve" / "cli.py"], ids=lambda p: p.name)
def test_the_edges_use_the_assistant_api_only(path):
    """app.py and the CLI import the public API and the serving modules, and never touch the
    retriever or the index behind an Assistant."""
    import assistant

    tree = ast.parse(path.read_text(encoding="utf-8"))
    assert beyond_the_api(tree, EDGE_MODULES | {f"assistant.{name}" for name in assistant.__all__}) == []
    reached = {node.attr for node in ast.walk(tree) if isinstance(node, ast.Attribute)}
    assert not reached & {"retriever", "chunk_index", "sentence_index", "sentence_rows", "chunks"}


def test_the_edge_check_can_fail():
    import assistant

    allowed = EDGE_MODULES | {f"assistant.{name}" for name in assistant.__all__}
    assert beyond_the_api(ast.parse("from assistant.store.generation import open_index"), allowed)
    assert beyond_the_api(ast.parse("from assistant import retrieve"), allowed)
