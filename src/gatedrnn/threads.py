"""How many CPU threads gatedrnn uses: one explicit switch, as ``torch.set_num_threads``.

Two kinds of threads do gatedrnn's work: the BLAS library under NumPy's matrix products
(OpenBLAS, MKL …) and gatedrnn's own row-block workers for large elementwise passes
(:mod:`gatedrnn.parallel`). By default both use every core this process may run on.
:func:`set_num_threads` pins both to ``n``: on a machine that other work shares, fewer
threads than cores can be much faster, because a product split over two threads waits for
the slower one (docs/performance.md).

Importing gatedrnn changes no environment variable and no thread setting. The one setting
that must be made before NumPy loads OpenBLAS, that its idle threads sleep at once rather
than spin (``OPENBLAS_THREAD_TIMEOUT``), is :func:`let_blas_threads_sleep`; the ``gatedrnn``
command calls it first thing, and a script can too, before it imports NumPy.
"""
import os
import sys

_num_threads = None   # None: every available core


def available_cores():
    """The cores this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def get_num_threads():
    """The threads gatedrnn uses: the pinned number, else the available cores."""
    return _num_threads or available_cores()


def set_num_threads(n):
    """Use ``n`` threads for BLAS products and row-block passes, in this process, from now on.

    ``set_num_threads(None)`` returns to the default (every available core). Needs
    threadpoolctl (a dependency of gatedrnn) to reach the BLAS library NumPy loaded.
    """
    from .errors import GatedRNNError, is_whole_number
    global _num_threads
    if n is not None and not is_whole_number(n, 1):
        raise GatedRNNError(f"set_num_threads needs a whole number ≥ 1 or None, got {n!r}")
    from threadpoolctl import threadpool_limits
    threadpool_limits(limits=n or available_cores(), user_api="blas")
    _num_threads = None if n is None else int(n)


def let_blas_threads_sleep(timeout="4"):
    """Before NumPy is imported: let OpenBLAS's idle threads sleep at once instead of spinning.

    After each product OpenBLAS keeps its threads spinning for a while in case another
    follows; on a 2-core machine that spinning takes the second core away from gatedrnn's
    row-block threads (docs/performance.md). The setting is read once, when NumPy loads
    OpenBLAS, so this returns False (and changes nothing) once NumPy is loaded, and never
    overrides a value you set yourself.
    """
    if "numpy" in sys.modules:
        return False
    os.environ.setdefault("OPENBLAS_THREAD_TIMEOUT", str(timeout))
    return True
