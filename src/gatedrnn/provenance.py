"""Which code wrote a result: gatedrnn's version, its commit, and the BLAS kernel under NumPy.

A results file is a claim that its command reproduces its numbers; the claim only holds for
the code that ran. Version numbers move slowly, so a run also records the commit, marked
``dirty`` when tracked files differed from it (uncommitted edits ran too): from git, for a run
from a checkout; from the record a wheel built from a checkout carries (setup.py writes
``_built_from.json`` beside this file), for an installed copy. A copy built without git (from
an sdist) records None.

The same code and seed still give other digits on a machine whose BLAS runs another matrix
kernel (OpenBLAS picks one per processor: Haswell, SkylakeX, Zen, …): a kernel fixes the
order in which a product's sums are added, and so its last bits. Over a long training run
those bits can grow into a different result, so results files name the kernel too.
"""

import json
import subprocess
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
BUILT_FROM = "_built_from.json"  # {"commit": ..., "dirty": ...}, written into a wheel by setup.py


def code_version():
    """{'gatedrnn': '0.1.0', 'commit': '<40 hex digits>' or None, 'dirty': bool or None}."""
    from . import __version__

    commit, dirty = _git_commit(PACKAGE_DIR)
    if commit is None:
        commit, dirty = _built_from(PACKAGE_DIR)
    return {"gatedrnn": __version__, "commit": commit, "dirty": dirty}


def blas_libraries():
    """The BLAS libraries loaded in this process (NumPy's; PyTorch's too once it is loaded):
    ``[{'library': 'openblas', 'version': '0.3.31.188.0', 'kernel': 'SkylakeX'}]``.

    ``kernel`` is the matrix kernel the library chose for this processor (or was told to use by
    ``OPENBLAS_CORETYPE``); None where the library does not say."""
    import numpy
    from threadpoolctl import threadpool_info

    assert numpy.dot  # threadpoolctl sees only the libraries already loaded: NumPy's BLAS must be
    return [
        dict(library=info.get("internal_api"), version=info.get("version"), kernel=info.get("architecture"))
        for info in threadpool_info()
        if info.get("user_api") == "blas"
    ]


def _git_commit(package_dir):
    """(HEAD's hash, whether tracked files differ) when package_dir is gatedrnn's own source
    in a git work tree (src/gatedrnn under its top level); (None, None) for an installed copy,
    a tree without git, or git missing."""
    top = _git(package_dir, "rev-parse", "--show-toplevel")
    if top is None or Path(top).resolve() / "src" / "gatedrnn" != package_dir:
        return None, None  # an installed copy that merely sits inside someone's repository
    commit = _git(package_dir, "rev-parse", "HEAD")
    changes = _git(package_dir, "status", "--porcelain", "--untracked-files=no")
    return commit, (None if changes is None else bool(changes))


def _built_from(package_dir):
    """(commit, dirty) as recorded when this installed copy was built from a checkout, or
    (None, None): built without git, or an unreadable record (which claims nothing)."""
    try:
        record = json.loads((package_dir / BUILT_FROM).read_text())
        commit, dirty = record["commit"], record["dirty"]
    except (OSError, ValueError, KeyError, TypeError):
        return None, None
    if not (isinstance(commit, str) and len(commit) == 40 and dirty in (True, False)):
        return None, None
    return commit, dirty


def _git(directory, *arguments):
    """git's one-line answer run in ``directory``, or None if git is missing or says no."""
    try:
        done = subprocess.run(
            ["git", "-C", str(directory), *arguments], capture_output=True, text=True, timeout=10, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() if done.returncode == 0 else None
