"""Row blocks on every core: the large elementwise passes of a training step, run in threads.

NumPy runs a ufunc on one core, but it releases the GIL inside its loops, so threads that
each take a block of rows of the same large array run side by side. The passes that pay
for this are the ones over whole (N·T, V) logits and over every weight: softmax-cross-entropy,
the output layer's bias, the optimizer's update. Small work stays on the calling thread,
where handing it to a worker (32 µs measured, with nothing to do) would cost more than the
split saves.

The split only helps if the other cores are free. After each matrix product, OpenBLAS
keeps its worker threads spinning for a while in case another product follows; on a
machine with two cores that spinning takes the second core away from a NumPy thread (a
700 × 10,000 exp measured 3.5 ms split in two right after a product, against 2.0 ms once
OpenBLAS's threads go to sleep at once). ``OPENBLAS_THREAD_TIMEOUT`` sets how long they
spin; it is read when NumPy loads OpenBLAS, so the ``gatedrnn`` command sets it
(:func:`gatedrnn.threads.let_blas_threads_sleep`) before NumPy loads (docs/performance.md).
The number of blocks is :func:`gatedrnn.threads.get_num_threads`.
"""

import os
from concurrent.futures import ThreadPoolExecutor, wait

from .threads import get_num_threads

# Below this many elements a pass runs on the calling thread.
MIN_PARALLEL_ELEMENTS = 1 << 20

# Whether OpenBLAS's threads sleep between products (see above): only a value set before
# NumPy was loaded counts. Without it, splitting measured no faster, so the passes stay serial.
BLAS_THREADS_SLEEP = "OPENBLAS_THREAD_TIMEOUT" in os.environ

_pool, _pool_workers = None, 0


def _forget_pool_in_forked_child():
    # A forked child has none of the parent's threads, so the parent's pool would queue work
    # that no thread ever runs; the child makes a pool of its own on first use instead.
    global _pool, _pool_workers
    _pool, _pool_workers = None, 0


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_pool_in_forked_child)


def _executor(workers):
    """The pool of worker threads, made on first use (and again if the core count changed)."""
    global _pool, _pool_workers
    if _pool is None or _pool_workers != workers:
        if _pool is not None:
            _pool.shutdown(wait=True)
        _pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="gatedrnn-rows")
        _pool_workers = workers
    return _pool


def row_blocks(rows, parts):
    """[0, rows) cut into ``parts`` contiguous (start, stop) blocks of near-equal size."""
    bounds = [rows * k // parts for k in range(parts + 1)]
    return [(bounds[k], bounds[k + 1]) for k in range(parts) if bounds[k] < bounds[k + 1]]


def for_row_blocks(work, rows, elements):
    """Call ``work(start, stop)`` over blocks of rows [0, rows) that together cover it once.

    ``elements`` is the size of the pass (how many array elements it touches); below
    MIN_PARALLEL_ELEMENTS, with one core, or while OpenBLAS threads spin (BLAS_THREADS_SLEEP
    false), ``work(0, rows)`` runs here. Otherwise one block runs on this thread and the
    others on a pool of worker threads, and the call returns when all are done (re-raising
    the first exception). ``work`` must write only to its own rows.
    """
    # The two flag checks first: most calls are small and stop here without a syscall.
    parts = 1 if elements < MIN_PARALLEL_ELEMENTS or not BLAS_THREADS_SLEEP else min(get_num_threads(), rows)
    if parts < 2:
        work(0, rows)
        return
    blocks = row_blocks(rows, parts)
    futures = [_executor(parts - 1).submit(work, *block) for block in blocks[1:]]
    try:
        work(*blocks[0])
    finally:
        wait(futures)  # never return while a worker still writes, even on an error here
    for future in futures:
        future.result()
