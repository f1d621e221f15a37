"""Bad input, row by row: every mistake gets one line (exit status 2 from the CLI, GatedRNNError
from the library) and no file of an existing run changes.

The rows live in tests/helpers/bad_inputs/, one module per area (rows.py lists them in AREAS):
``cli`` (the command line and run directories), ``checkpoints`` (damaged, crafted and hostile
checkpoint files), ``api`` (the library's functions and classes), ``run`` (a training run at
every door: CLI, TrainingRun, Trainer, configs), ``interop`` (from_torch, export, import),
``data`` (text, lab, generate, toy, task data), ``seq`` (the task door) and ``layers``.
Each row is a :class:`Row`. A ``cli`` row runs ``gatedrnn ARGS`` in
this process; a ``call`` row calls ``action(context)``. Before each row a snapshot is taken of
a finished run's directory (``context.run``), and after it the snapshot must be unchanged.
"""

import hashlib

import pytest
from helpers.bad_inputs.rows import Context, all_rows, finished_run_directory

from gatedrnn import GatedRNNError
from gatedrnn.cli import main

ALL_ROWS = all_rows()


def snapshot(directory):
    """{relative path: sha256} of every file under ``directory``."""
    return {
        str(path.relative_to(directory)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(directory.rglob("*"))
        if path.is_file()
    }


@pytest.fixture(scope="module")
def finished_run(tmp_path_factory):
    return finished_run_directory(tmp_path_factory.mktemp("finished"))


def test_there_are_enough_rows():
    assert len(ALL_ROWS) >= 120, len(ALL_ROWS)


@pytest.mark.parametrize("row", ALL_ROWS, ids=[row.id for row in ALL_ROWS])
def test_bad_input(row, finished_run, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    context = Context(
        run=finished_run.run, corpus=finished_run.corpus, checkpoint=finished_run.run / "best.npz", tmp=tmp_path
    )
    before = snapshot(finished_run.run)
    if row.kind == "cli":
        args = row.args(context) if callable(row.args) else list(row.args)
        try:
            status = main(args)
        except SystemExit as stop:  # argparse's own usage errors
            status = stop.code
        err = capsys.readouterr().err
        assert status == row.status, f"exit {status}, expected {row.status}: {err}"
        if row.status == 2:
            lines = err.strip().splitlines()
            assert len(lines) == 1 and row.fragment in lines[0], err
    else:
        if row.status == 2:
            with pytest.raises(GatedRNNError) as info:
                row.action(context)
            message = str(info.value)
            assert "\n" not in message and row.fragment in message, message
        else:
            row.action(context)
    assert snapshot(finished_run.run) == before, "a file of the existing run changed"
