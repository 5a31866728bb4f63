"""Thread pools, configured once and deliberately.

On a 2-core machine the OpenMP pools of FAISS and BLAS and the pool of ONNX Runtime
each assume they own every core; when they meet in one query, spinning workers
fight and a search of milliseconds can stall for many times that.  So: OpenMP and
BLAS get one thread (a query's matrix work is tiny), and ONNX Runtime, which does
the real work, gets the cores with spinning disabled, running several inputs side
by side when it has them (see ``onnx.OnnxRuns``).  ``bench/threads.py`` compares
this with the libraries' defaults.
"""

from __future__ import annotations

import os

OPENMP_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def model_threads(setting: int) -> int:
    """Threads for ONNX Runtime / torch: the setting, or every core when it is 0."""
    return setting or os.cpu_count() or 1


def limit_openmp() -> None:
    """One OpenMP/BLAS thread, unless the user set these variables.

    Takes effect for libraries loaded afterwards; FAISS is told directly as well.
    """
    for name in OPENMP_VARS:
        os.environ.setdefault(name, "1")
    import faiss

    faiss.omp_set_num_threads(int(os.environ["OMP_NUM_THREADS"]))
