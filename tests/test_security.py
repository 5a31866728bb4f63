"""No pickle is ever loaded: an unpickled file can run code, and index files, models and
uploads are all files someone else may have written.  (Binding, upload limits and
escaping are tested against the real server in test_app.py; the index folder's
permissions in test_store.py; pickled model weights are refused in test_startup.py.)
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCES = sorted((ROOT / "assistant").rglob("*.py")) + sorted((ROOT / "evals").rglob("*.py")) + [ROOT / "app.py"]
UNSAFE_MODULES = {"pickle", "cPickle", "_pickle", "cloudpickle", "dill", "joblib", "shelve", "marshal"}
UNSAFE_LOADS = {("torch", "load"), ("np", "load"), ("numpy", "load")}
RUN = """
import sys
events = []
sys.addaudithook(lambda event, args: events.append(args) if event == "pickle.find_class" else None)
from assistant import Assistant
assistant = Assistant.load(sys.argv[1], sys.argv[2])
assistant.ask("What did Kerry's China trip produce?")
assistant.search("Who represented China in Anchorage?", 3, mode="rerank")
print(events)
"""


def _unsafe(tree: ast.AST) -> list[str]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [a.name for a in node.names if a.name.split(".")[0] in UNSAFE_MODULES]
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in UNSAFE_MODULES:
            found.append(node.module)
        elif (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and (node.value.id, node.attr) in UNSAFE_LOADS
        ):
            found.append(f"{node.value.id}.{node.attr}")
        elif isinstance(node, ast.keyword) and node.arg == "allow_pickle":
            found.append("allow_pickle=")
    return found


def test_the_code_has_no_unpickling_call():
    found = {str(path.relative_to(ROOT)): _unsafe(ast.parse(path.read_text(encoding="utf-8"))) for path in SOURCES}
    assert not {name: calls for name, calls in found.items() if calls}


def test_loading_and_answering_unpickle_nothing(built, index_copy):
    """The audit hook sees every global an unpickler resolves, in any library, C or Python."""
    done = subprocess.run(
        [sys.executable, "-c", RUN, str(built[0]), str(index_copy)], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
