"""What the rows of tests/robustness/test_bad_inputs.py are made of, and the finished run they must not touch."""

import importlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from helpers.tiny_runs import tiny_word_train_args, write_corpus


@dataclass(frozen=True)
class Row:
    """One bad input.

    id: a short unique name (the test's id).
    kind: "cli" (run ``gatedrnn *args``) or "call" (call ``action(context)``).
    args: for "cli", the arguments, or a function of the Context that returns them.
    action: for "call", a function of the Context that should raise GatedRNNError.
    status: 2 for "one line and exit status 2" (or GatedRNNError for calls); 0 for a
        case that must simply work (the message fragment is then not checked).
    fragment: a piece of the expected one-line message.
    """

    id: str
    kind: str
    fragment: str = ""
    args: Sequence[str] | Callable | None = None
    action: Callable | None = None
    status: int = 2


@dataclass
class Context:
    """What a row may use: a finished run directory, its corpus file, its best checkpoint, a scratch folder."""

    run: Path
    corpus: Path
    checkpoint: Path
    tmp: Path


@dataclass
class FinishedRun:
    run: Path
    corpus: Path
    extra: dict = field(default_factory=dict)


def finished_run_directory(directory):
    """Train once into ``directory/run``: the run every row must leave exactly as it is."""
    from gatedrnn.cli import main

    corpus = write_corpus(directory)
    run = Path(directory) / "run"
    assert main(tiny_word_train_args(corpus, run)) == 0
    return FinishedRun(run=run, corpus=corpus)


AREAS = ("cli", "checkpoints", "api", "run", "interop", "data", "seq", "layers", "lab")


def all_rows():
    """Every area's rows; a module that fails to import fails the collection (no area is skipped silently).

    A function, not a module-level list: an area module imports Row from here, so collecting at
    import time would make the order of a test's imports matter."""
    rows = []
    for area in AREAS:
        rows.extend(importlib.import_module(f"helpers.bad_inputs.{area}").ROWS)
    ids = [row.id for row in rows]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    assert not duplicates, f"duplicate row ids: {duplicates}"
    return rows
