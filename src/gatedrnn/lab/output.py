"""Where every lab experiment's results go: a PNG figure and a JSON file, both written atomically.

NaN and infinity are not JSON, and a diverged run produces them, so numbers pass through
:func:`jsonable` first, which turns a non-finite float into ``null``.
"""
import io
import json
import math

import numpy as np

from ..checkpoint import atomic_write_bytes


def pyplot():
    """matplotlib.pyplot on the Agg backend: the lab writes files and never needs a display."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    return plt


def save_figure(figure, path):
    """Render ``figure`` to PNG bytes, write them to ``path`` atomically and close the figure."""
    plt = pyplot()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    plt.close(figure)
    atomic_write_bytes(path, buffer.getvalue())


def jsonable(value):
    """``value`` with NumPy scalars and arrays turned into Python ones and nan/±inf into None."""
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
