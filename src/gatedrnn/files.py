"""Writing files so that nothing is half-written: atomic writes, and JSON result documents.

Every file gatedrnn writes (checkpoints, metrics, figures, results) goes through
:func:`atomic_write_bytes`: the bytes go to a temporary file beside the target, which is
fsync'ed and renamed over the target. A crash, a kill or a full disk mid-write leaves the
previous file as it was. The temporary file has an unpredictable name and is created with
O_EXCL (``tempfile.mkstemp``), so a file or link planted beside the target is never written
through.
"""
import json
import math
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

TEMPORARY_PREFIX = ".gatedrnn-tmp-"


def atomic_write_bytes(path, data):
    """Write ``data`` to ``path`` via a fresh temporary file, fsync and rename (all or nothing)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f"{TEMPORARY_PREFIX}{path.name}.")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
    _sync_directory(path.parent)


def _sync_directory(directory):
    """Make a rename in ``directory`` durable; some filesystems refuse fsync on a directory."""
    try:
        descriptor = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)


def jsonable(value):
    """``value`` with NumPy scalars and arrays turned into Python ones and nan/±inf into None.

    NaN and infinity are not JSON, and a diverged run produces them.
    """
    if isinstance(value, dict):
        return {str(key): jsonable(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(item) for item in value]
    if isinstance(value, np.ndarray):
        return jsonable(value.tolist())
    if isinstance(value, (np.bool_, bool)):
        return bool(value)
    if isinstance(value, (np.integer, int)):
        return int(value)
    if isinstance(value, (np.floating, float)):
        return float(value) if math.isfinite(value) else None
    return value


def write_json(path, document):
    """Write ``document`` as indented JSON (non-finite numbers as null), atomically."""
    text = json.dumps(jsonable(document), indent=2, allow_nan=False) + "\n"
    atomic_write_bytes(path, text.encode("utf-8"))


def timestamp():
    """The local time as ``YYYY-MM-DDTHH:MM:SS``, for result files."""
    return time.strftime("%Y-%m-%dT%H:%M:%S")


def machine_info():
    """Where a result was measured, for result files."""
    return dict(python=sys.version.split()[0], numpy=np.__version__, platform=platform.platform(),
                processor=platform.machine(), cpu_count=os.cpu_count())
