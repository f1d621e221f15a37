"""A --results copy that cannot be written when a run finishes: the run finished, and resuming writes it."""

import errno
import json

import pytest
from helpers.tiny_runs import tiny_word_train_args, write_corpus

import gatedrnn.lm.run as run_module
from gatedrnn.cli import main
from gatedrnn.errors import GatedRNNError
from gatedrnn.lm import DataSettings, ModelConfig, TrainConfig, TrainingRun


def _run(tmp_path, **options):
    text = tmp_path / "words.txt"
    if not text.exists():
        text.write_text("the cat sat on the mat and the dog sat on the log\n" * 20)
    return TrainingRun(
        tmp_path / "run",
        DataSettings(text=str(text)),
        ModelConfig(embedding_size=4, hidden_size=4, num_layers=1, dropout=0.0),
        TrainConfig(epochs=1, batch_size=2, seq_len=5, eval_batch_size=2),
        progress=False,
        echo=lambda line: None,
        **options,
    )


def test_a_failed_copy_says_the_run_finished_and_a_resume_writes_it(tmp_path, monkeypatch):
    copy = tmp_path / "copy.json"
    written = run_module.write_json

    def disk_full(path, document):
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    monkeypatch.setattr(run_module, "write_json", disk_full)
    with pytest.raises(GatedRNNError) as refusal:
        _run(tmp_path, results=copy).train()
    message = str(refusal.value)
    assert "the run finished" in message and str(copy) in message and "--resume" in message
    assert "\n" not in message
    assert (tmp_path / "run" / "results.json").exists() and not copy.exists()

    monkeypatch.setattr(run_module, "write_json", written)
    summary = _run(tmp_path, results=copy, resume=True).train()
    assert summary["already_finished"] and summary["results_copied_to"] == copy
    assert json.loads(copy.read_text()) == json.loads((tmp_path / "run" / "results.json").read_text())


def test_the_cli_resume_of_a_finished_run_writes_a_results_copy_and_says_so(tmp_path, capsys):
    corpus = write_corpus(tmp_path)
    assert main(tiny_word_train_args(corpus, tmp_path / "run")) == 0
    run_files = sorted(p.name for p in (tmp_path / "run").iterdir())
    again = tmp_path / "again.json"
    assert main(tiny_word_train_args(corpus, tmp_path / "run", "--resume", "--results", str(again))) == 0
    assert f"its results copied to {again}" in capsys.readouterr().out
    assert json.loads(again.read_text()) == json.loads((tmp_path / "run" / "results.json").read_text())
    assert sorted(p.name for p in (tmp_path / "run").iterdir()) == run_files
