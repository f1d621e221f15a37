"""Figures people would rather see than read, as PNG files written atomically."""
import io

from .checkpoint import atomic_write_bytes


def _pyplot():
    import matplotlib
    matplotlib.use("Agg")  # files only: no display needed
    import matplotlib.pyplot as plt
    return plt


def plot_perplexity(history, path, title=""):
    """Training and validation perplexity against epochs, log scale, from Trainer records."""
    plt = _pyplot()
    train = [(r["epoch"], r["ppl"]) for r in history if r.get("kind") == "train"]
    valid = [(r["epoch"], r["valid_ppl"]) for r in history if r.get("kind") == "valid"]
    figure, axes = plt.subplots(figsize=(7, 4.2), dpi=110)
    if train:
        axes.plot(*zip(*train), color="tab:blue", linewidth=1.2, label="train (mean over each log interval)")
    if valid:
        axes.plot(*zip(*valid), "o-", color="tab:orange", linewidth=1.8, label="validation")
    axes.set_yscale("log")
    axes.set_xlabel("epoch")
    axes.set_ylabel("perplexity")
    axes.set_title(f"{title} perplexity" if title else "perplexity")
    axes.grid(True, which="both", alpha=0.3)
    axes.legend()
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    plt.close(figure)
    atomic_write_bytes(path, buffer.getvalue())
