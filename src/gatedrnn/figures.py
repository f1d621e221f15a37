"""Figures people would rather see than read, as PNG files written atomically (matplotlib, Agg)."""
import io

from .files import atomic_write_bytes


def pyplot():
    """matplotlib.pyplot on the Agg backend: gatedrnn writes figure files and never needs a display."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    return plt


def save_figure(figure, path):
    """Render ``figure`` to PNG bytes, write them to ``path`` atomically and close the figure."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    pyplot().close(figure)
    atomic_write_bytes(path, buffer.getvalue())
