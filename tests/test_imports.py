"""`import assistant` and `assistant --help` must stay light: heavy libraries load where used."""

import subprocess
import sys

HEAVY = [
    "torch",
    "sentence_transformers",
    "faiss",
    "onnxruntime",
    "gradio",
    "transformers",
    "langchain_text_splitters",
    "trafilatura",
    "bm25s",
    "tiktoken",
    "spacy",
]


def test_import_assistant_loads_no_heavy_library():
    code = (
        "import sys, pkgutil, importlib, assistant;"
        "[importlib.import_module(m.name) for m in pkgutil.walk_packages(assistant.__path__, 'assistant.')];"
        f"print(' '.join(m for m in {HEAVY!r} if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"heavy modules imported: {out.stdout.strip()}"


def test_cli_help_runs_without_heavy_imports():
    code = (
        "import sys, runpy; sys.argv=['assistant','--help'];\n"
        "try:\n    runpy.run_module('assistant.serve.cli', run_name='__main__')\n"
        "except SystemExit:\n    pass\n"
        f"print('HEAVY:' + ' '.join(m for m in {HEAVY!r} if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "index" in out.stdout and "search" in out.stdout
    assert out.stdout.rstrip().endswith("HEAVY:")


def test_answering_a_typed_question_imports_no_torch(built, index_copy):
    """A who / when / how-many question runs the NER model; spaCy's backend would import torch,
    which the default (ONNX) path never needs.  Nor does BM25 import bm25s or SciPy (they were
    most of a fresh process's start)."""
    code = (
        "import sys\n"
        "from assistant import Assistant\n"
        "assistant = Assistant.load(sys.argv[1], sys.argv[2])\n"
        "answer = assistant.ask('Who represented China at the Anchorage talks?')\n"
        "print(answer.text[:40].replace(chr(10), ' '))\n"
        "print('TORCH' if 'torch' in sys.modules else 'NO TORCH', 'spacy' in sys.modules,\n"
        "      [m for m in ('bm25s', 'scipy') if m in sys.modules])\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(built[0]), str(index_copy)], capture_output=True, text=True, timeout=300
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines()[-1] == "NO TORCH True []"
