"""What a run reports as it goes: metrics.jsonl records, the console lines and the plot.

Every record is a dict with a ``kind``: "train" (the mean loss over a log interval),
"valid" (the end of an epoch), "test" (the finished run) or "nonfinite" (a skipped update).
Records are appended to metrics.jsonl as they are made; on resume the file is rewritten
from the checkpoint's history, so it never holds lines from after the checkpoint.
"""

import json

from ..figures import pyplot, save_figure
from ..files import atomic_write_bytes
from .scores import bits, describe, perplexity


class RunLog:
    """The history of one run, mirrored into ``files.metrics`` and ``files.plot``."""

    def __init__(self, files, echo=print, title=""):
        self.files = files
        self.echo = echo
        self.title = title
        self.history = []

    def record(self, **fields):
        """Append one record (floats rounded to 6 decimals) to the history and to metrics.jsonl."""
        record = {key: (round(value, 6) if isinstance(value, float) else value) for key, value in fields.items()}
        self.history.append(record)
        self.files.out_dir.mkdir(parents=True, exist_ok=True)
        with open(self.files.metrics, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(record) + "\n")
        return record

    def restore(self, history):
        """Continue from a checkpoint's history: metrics.jsonl is rewritten to hold exactly it."""
        self.history = list(history)
        lines = "".join(json.dumps(record) + "\n" for record in self.history)
        atomic_write_bytes(self.files.metrics, lines.encode("utf-8"))

    def records(self, kind):
        return [record for record in self.history if record.get("kind") == kind]

    # -- console lines -------------------------------------------------------------------
    def epoch_line(self, epoch, lr, train_nll, valid_nll, improved):
        """'epoch   1 | lr       20 | train ppl   311.14 | valid ppl   197.25  (best)' (bpc for characters)."""
        if self.files.char_level:
            scores = f"train bpc {bits(train_nll):6.3f} | valid bpc {bits(valid_nll):6.3f}"
        else:
            scores = f"train ppl {perplexity(train_nll):8.2f} | valid ppl {perplexity(valid_nll):8.2f}"
        self.echo(f"epoch {epoch:3d} | lr {lr:8.4g} | {scores}{'  (best)' if improved else ''}")

    def final_line(self, valid_nll, test_nll):
        """'best model: valid ppl 138.94 | test ppl 135.44' (no test part when there is no test split)."""
        test_part = "" if test_nll is None else f" | test {describe(test_nll, self.files.char_level)}"
        self.echo(f"best model: valid {describe(valid_nll, self.files.char_level)}{test_part}")

    # -- the plot ------------------------------------------------------------------------
    def plot(self):
        """Training and validation curves against epochs: perplexity (log axis) or bits per character."""
        char_level = self.files.char_level
        train_key, valid_key = ("bits", "valid_bits") if char_level else ("ppl", "valid_ppl")
        train = [(r["epoch"], r[train_key]) for r in self.records("train") if train_key in r]
        valid = [(r["epoch"], r[valid_key]) for r in self.records("valid") if valid_key in r]
        plt = pyplot()
        figure, axes = plt.subplots(figsize=(7, 4.2), dpi=110)
        if train:
            axes.plot(
                *zip(*train, strict=True), color="tab:blue", linewidth=1.2, label="train (mean over each log interval)"
            )
        if valid:
            axes.plot(*zip(*valid, strict=True), "o-", color="tab:orange", linewidth=1.8, label="validation")
        label = "bits per character" if char_level else "perplexity"
        if not char_level:
            axes.set_yscale("log")
        axes.set_xlabel("epoch")
        axes.set_ylabel(label)
        axes.set_title(f"{self.title} {label}".strip())
        axes.grid(True, which="both", alpha=0.3)
        axes.legend()
        figure.tight_layout()
        save_figure(figure, self.files.plot)
