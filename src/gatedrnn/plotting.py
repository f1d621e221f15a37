"""Figures people would rather see than read, as PNG files written atomically."""
import io

from .checkpoint import atomic_write_bytes


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


def plot_training_curves(history, path, unit="ppl", title=""):
    """Training and validation curves against epochs, from Trainer records.

    ``unit="ppl"`` plots perplexity on a log scale (word-level models); ``unit="bits"`` plots
    bits per token, i.e. bits per character for character-level models.
    """
    plt = pyplot()
    train_key, valid_key = ("ppl", "valid_ppl") if unit == "ppl" else ("bits", "valid_bits")
    train = [(r["epoch"], r[train_key]) for r in history if r.get("kind") == "train" and train_key in r]
    valid = [(r["epoch"], r[valid_key]) for r in history if r.get("kind") == "valid" and valid_key in r]
    figure, axes = plt.subplots(figsize=(7, 4.2), dpi=110)
    if train:
        axes.plot(*zip(*train), color="tab:blue", linewidth=1.2, label="train (mean over each log interval)")
    if valid:
        axes.plot(*zip(*valid), "o-", color="tab:orange", linewidth=1.8, label="validation")
    label = "perplexity" if unit == "ppl" else "bits per character"
    if unit == "ppl":
        axes.set_yscale("log")
    axes.set_xlabel("epoch")
    axes.set_ylabel(label)
    axes.set_title(f"{title} {label}".strip())
    axes.grid(True, which="both", alpha=0.3)
    axes.legend()
    figure.tight_layout()
    save_figure(figure, path)
