"""--engine: NumPy by default; the torch engine explains how to install what it needs."""

import sys

from helpers.tiny_runs import tiny_train_args, write_text

from gatedrnn.cli import main


def test_without_torch_the_torch_engine_says_how_to_install_it(tmp_path, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)  # import torch now fails, as where it is missing
    text = write_text(tmp_path)
    assert main(tiny_train_args(text, tmp_path / "run", "--engine", "torch")) == 2
    error = capsys.readouterr().err.strip()
    assert "PyTorch is not installed" in error and "pip install gatedrnn[torch]" in error and "\n" not in error
    assert not (tmp_path / "run").exists()


def test_the_dry_run_names_the_engine(tmp_path, capsys):
    text = write_text(tmp_path)
    assert main(tiny_train_args(text, tmp_path / "run", "--dry-run")) == 0
    lines = capsys.readouterr().out.splitlines()
    assert "run.engine = numpy" in lines and "run.device = -" in lines
    assert main(tiny_train_args(text, tmp_path / "run", "--dry-run", "--engine", "torch")) == 0
    assert "run.device = cpu" in capsys.readouterr().out.splitlines()
