"""The README's and docs' speed tables, printed from a results file's ``across_sessions``.

    python benchmarks/speed_tables.py benchmarks/results/train_speed.json
    python benchmarks/speed_tables.py benchmarks/results/engines.json
    python benchmarks/speed_tables.py benchmarks/results/adaptive_softmax.json

A cell gives each session's median in the order the sessions ran, then the range over every
round of every session: ``1.70× · 1.25× (1.04–1.83)``. tests/docs/test_speed_tables.py keeps the
README, docs/scaling.md and docs/language-models.md equal to this output, so a re-run cannot
leave them quoting figures the file no longer has. No side effects on import (the benchmarks themselves restart without
the machine's OpenBLAS overrides), so tests can read it.
"""

import json
import sys
from pathlib import Path

CONFIG_NAMES = {
    "rnnlm": "`rnnlm` (LSTM 100, 10,000 words)",
    "better-rnnlm": "`better-rnnlm` (2 × LSTM 650, tied)",
    "char-small": "`char-small` (LSTM 256, characters)",
    "char-medium": "`char-medium` (2 × LSTM 512, characters)",
}
LOADS = ("idle", "busy")


def ratio_cell(figures):
    """Each session's median, then every round's range: '1.70× · 1.25× (1.04–1.83)'."""
    medians = " · ".join(f"{median:.2f}×" for median in figures["session_medians"].values())
    return f"{medians} ({figures['min']:.2f}–{figures['max']:.2f})"


def rate_cell(figures):
    """Tokens/s: each session's median, then every round's range."""
    medians = " · ".join(f"{median:,.0f}" for median in figures["session_medians"].values())
    return f"{medians} ({figures['min']:,.0f}–{figures['max']:,.0f})"


def present(across, loads=LOADS):
    """The configs of CONFIG_NAMES measured under every load, in that order."""
    return [name for name in CONFIG_NAMES if all(f"{name} {load}" in across for load in loads)]


def train_speed_table(document):
    """gatedrnn's training speed ÷ PyTorch's, per config, idle and with one core busy."""
    across = document["across_sessions"]
    lines = ["| config | idle | one core busy |", "|---|---|---|"]
    for name in present(across):
        cells = [ratio_cell(across[f"{name} {load}"]["train_ratio"]) for load in LOADS]
        lines.append(f"| {CONFIG_NAMES[name]} | {' | '.join(cells)} |")
    return "\n".join(lines)


def engines_table(document):
    """The NumPy engine's training tokens/s and the torch engine's ratio to it, per preset and load."""
    across = document["across_sessions"]
    lines = [
        "| preset | NumPy engine, idle (tokens/s) | torch engine ÷ NumPy, idle | torch engine ÷ NumPy, one core busy |",
        "|---|---|---|---|",
    ]
    for name in present(across):
        idle, busy = across[f"{name} idle"], across[f"{name} busy"]
        cells = [rate_cell(idle["numpy_tokens_per_s"]), ratio_cell(idle["torch_over_numpy"])]
        cells.append(ratio_cell(busy["torch_over_numpy"]))
        lines.append(f"| `{name}` | {' | '.join(cells)} |")
    return "\n".join(lines)


ADAPTIVE_COLUMNS = (
    ("gatedrnn-adaptive_tokens_per_s", rate_cell),
    ("adaptive_over_full", ratio_cell),
    ("adaptive_over_pytorch_adaptive", ratio_cell),
    ("full_over_pytorch_full", ratio_cell),
)


def adaptive_softmax_table(document):
    """Per preset and load: gatedrnn's tokens/s with the adaptive softmax, its ratio to gatedrnn's
    full softmax, to PyTorch's adaptive softmax, and the full softmaxes' ratio to each other."""
    across = document["across_sessions"]
    lines = [
        "| shape (untied), load | adaptive, tokens/s | adaptive ÷ full softmax | adaptive ÷ PyTorch adaptive "
        "| full ÷ PyTorch full |",
        "|---|---|---|---|---|",
    ]
    for name in CONFIG_NAMES:
        for load, label in (("idle", "idle"), ("busy", "one core busy")):
            if f"{name} {load}" in across:
                figures = across[f"{name} {load}"]
                cells = [cell(figures[column]) for column, cell in ADAPTIVE_COLUMNS]
                lines.append(f"| `{name}`, {label} | {' | '.join(cells)} |")
    return "\n".join(lines)


TABLES = {"engines": engines_table, "adaptive_softmax": adaptive_softmax_table}


def table_of(path):
    """The table of a results file: train_speed's, engines' or adaptive_softmax's."""
    document = json.loads(Path(path).read_text(encoding="utf-8"))
    return TABLES.get(Path(path).stem, train_speed_table)(document)


if __name__ == "__main__":
    for argument in sys.argv[1:]:
        print(table_of(argument))
        print()
