"""The BLAS setting every benchmark runs under, and the matrix kernel NumPy's OpenBLAS then uses.

Some machines set ``OPENBLAS_CORETYPE`` (and ``OPENBLAS_L2_SIZE``) for all programs, because
old OpenBLAS builds compute wrong results or crash on their processor. A current NumPy's
OpenBLAS does neither, and the override makes it run an older kernel: on an AVX-512
processor forced to "Haswell" (AVX2), large float32 products run at about half speed.
PyTorch does its products in oneDNN and MKL, which never read these variables, so a
comparison under the override measures the override.

Each benchmark therefore calls :func:`run_without_overrides` first: if either variable is
set, the script starts again (``os.execve``, same arguments) without both, so that it and every
worker process it starts run the kernel OpenBLAS picks for the processor, as on a machine
that sets neither. ``--keep-blas-env`` keeps them. :func:`described` says in the results
file which variables were removed and which kernel ran.
"""

import json
import os
import sys

OVERRIDES = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
REMOVED = "GATEDRNN_BENCHMARK_REMOVED_BLAS_OVERRIDES"  # what the restart took away, for the record
KEEP = "GATEDRNN_BENCHMARK_KEEP_BLAS_OVERRIDES"  # --keep-blas-env, passed on to worker processes
KEEP_FLAG = "--keep-blas-env"
KEEP_HELP = "keep OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE if set (default: run without them; see blas_environment.py)"


def run_without_overrides():
    """Restart this script without the OpenBLAS overrides, unless none is set or --keep-blas-env is given."""
    present = {name: os.environ[name] for name in OVERRIDES if name in os.environ}
    if KEEP_FLAG in sys.argv:
        os.environ[KEEP] = "1"
    if not present or os.environ.get(KEEP):
        return
    environment = {name: value for name, value in os.environ.items() if name not in OVERRIDES}
    environment[REMOVED] = json.dumps(present)
    sys.stdout.flush()
    os.execve(sys.executable, [sys.executable] + sys.argv, environment)


def described():
    """For the results file: the overrides removed (or kept) and the kernel NumPy's OpenBLAS runs."""
    from gatedrnn.provenance import blas_libraries

    kept = {name: os.environ[name] for name in OVERRIDES if name in os.environ}
    removed = json.loads(os.environ.get(REMOVED, "{}"))
    return dict(removed_overrides=removed, kept_overrides=kept, numpy_blas=blas_libraries())
