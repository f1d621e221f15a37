"""How many CPU threads gatedrnn uses: chosen by timing, pinned, or deterministic.

Two kinds of threads do gatedrnn's work: the BLAS library under NumPy's matrix products
(OpenBLAS, MKL …) and gatedrnn's own row-block workers for large elementwise passes
(:mod:`gatedrnn.parallel`). Both follow one number, set here. Three modes:

* **chosen** (the default): the training loop, evaluation and generation time their own
  steps at 1 thread and at every core, keep the faster, and look again when the step time
  drifts or now and then (gatedrnn.thread_tuner). On an idle machine that is usually every
  core; when another program keeps a core busy it is usually one, because a product split
  over two threads waits for the one that shares its core (docs/performance.md).
* **pinned**: ``set_num_threads(n)``, as ``torch.set_num_threads``: always n, never retimed.
  A thread count set in the environment before Python started (``OPENBLAS_NUM_THREADS``,
  ``OMP_NUM_THREADS``, ``MKL_NUM_THREADS``) pins it too: a value you set yourself is kept.
* **deterministic**: ``use_deterministic(True)``: always 1 thread. OpenBLAS's products give
  different last bits with different thread counts, so a chosen count can change a run's
  digits with the load on the machine; one thread gives the same digits every time on this
  machine, and on any machine where OpenBLAS picks the same kernel (docs/performance.md).

Importing gatedrnn changes no environment variable and no thread setting. The one setting
that must be made before NumPy loads OpenBLAS, that its idle threads sleep at once rather
than spin (``OPENBLAS_THREAD_TIMEOUT``), is :func:`let_blas_threads_sleep`; the ``gatedrnn``
command calls it first thing, and a script can too, before it imports NumPy.
"""

import os
import sys
from contextlib import contextmanager

_pinned = None  # set_num_threads(n): n; None: not pinned
_deterministic = False  # use_deterministic(True)
_current = None  # the count last applied; None: nothing applied yet (every core)
_blas = None  # threadpoolctl's controllers of the BLAS libraries NumPy loaded


def available_cores():
    """The cores this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


ENVIRONMENT_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def environment_pin():
    """The thread count set in the environment (the first of ENVIRONMENT_VARIABLES that holds a
    whole number ≥ 1), or None."""
    found = _pinning_variable()
    return None if found is None else found[1]


def _pinning_variable():
    """(name, count) of the first of ENVIRONMENT_VARIABLES that holds a whole number ≥ 1, or None."""
    for name in ENVIRONMENT_VARIABLES:
        value = os.environ.get(name, "").strip()
        if value.isdigit() and int(value) >= 1:
            return name, int(value)
    return None


def get_num_threads():
    """The threads gatedrnn uses now: 1 when deterministic, the pinned or chosen count, else every core."""
    if _deterministic:
        return 1
    pinned = _pinned if _pinned is not None else environment_pin()
    if pinned is not None:
        return pinned
    return _current or available_cores()


# The most threads a count may ask for: BLAS libraries take it as a C int (a larger value wrapped
# round, or failed in ctypes), and no machine gatedrnn runs on has a thousand cores for one process.
MOST_THREADS = 1024


def set_num_threads(n):
    """Always use ``n`` threads for BLAS products and row-block passes, in this process, from now on.

    ``set_num_threads(None)`` returns to the default: the count is chosen by timing. Needs
    threadpoolctl (a dependency of gatedrnn) to reach the BLAS library NumPy loaded.
    """
    global _pinned
    _check_count("set_num_threads", n)
    _pinned = None if n is None else int(n)
    _apply(get_num_threads() if not is_chosen_by_timing() else available_cores())


def use_deterministic(flag=True):
    """Same digits whatever the load: always one thread (``False`` returns to the previous mode)."""
    global _deterministic
    from .errors import GatedRNNError

    if not isinstance(flag, bool):
        raise GatedRNNError(f"use_deterministic takes True or False, got {flag!r}")
    _deterministic = flag
    _apply(get_num_threads() if not is_chosen_by_timing() else available_cores())


@contextmanager
def settings(num_threads=None, deterministic=False):
    """Within the block: ``num_threads`` pinned (None: chosen by timing) or ``deterministic``;
    the previous mode afterwards. ``with threads.settings(deterministic=True): model.fit()``."""
    global _pinned, _deterministic
    previous = (_pinned, _deterministic)
    try:
        if deterministic:
            use_deterministic(True)
        elif num_threads is not None:
            set_num_threads(num_threads)
        yield
    finally:
        _pinned, _deterministic = previous
        _apply(get_num_threads() if not is_chosen_by_timing() else available_cores())


def is_deterministic():
    """True while :func:`use_deterministic` holds: one thread for every product, the same digits under any load."""
    return _deterministic


def is_chosen_by_timing():
    """True unless the count is pinned (here or in the environment) or deterministic: then
    the tuners leave it alone."""
    return why_not_chosen() is None


def why_not_chosen():
    """Why the count is fixed, for logs and results files ("deterministic", "pinned by --threads
    or set_num_threads", "pinned by OMP_NUM_THREADS=2"), or None while it is chosen by timing."""
    if _deterministic:
        return "deterministic"
    if _pinned is not None:
        return "pinned by --threads or set_num_threads"
    found = _pinning_variable()
    return None if found is None else f"pinned by {found[0]}={found[1]}"


def apply_chosen(n):
    """Use ``n`` threads now (for gatedrnn.thread_tuner); does nothing when pinned or deterministic."""
    if is_chosen_by_timing():
        _apply(n)


def _apply(n):
    """Set the BLAS libraries' thread count and the row-block count to ``n`` (cheap: a few µs)."""
    global _current, _blas
    if n == _current:
        return
    if _blas is None:
        from threadpoolctl import ThreadpoolController

        _blas = ThreadpoolController().select(user_api="blas").lib_controllers
    for library in _blas:
        library.set_num_threads(n)
    _current = n


def check_thread_count(n):
    """GatedRNNError unless ``n`` is a whole number from 1 to MOST_THREADS (what ``--threads`` and
    set_num_threads take), in the same line at both doors."""
    from .errors import GatedRNNError, is_whole_number, short_repr

    if not (is_whole_number(n, 1) and n <= MOST_THREADS):
        raise GatedRNNError(
            f"the thread count must be a whole number from 1 to {MOST_THREADS}, got {short_repr(n)}; "
            f"pass the number of cores to use, such as {available_cores()}"
        )


def _check_count(caller, n):
    if n is not None:
        check_thread_count(n)


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
