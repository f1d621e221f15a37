"""No lost work, no hidden code, clear errors: hard kills, non-finite steps and bad input."""

import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
from helpers.paths import REPO
from helpers.ptb_data import ptb_path, skip_without_ptb
from helpers.tiny_runs import tiny_word_train_args, write_corpus

import gatedrnn
from gatedrnn import GatedRNNError
from gatedrnn.checkpoint import load_checkpoint
from gatedrnn.cli import main
from gatedrnn.data import load_text
from gatedrnn.lm import LanguageModel, ModelConfig, Trainer, get_preset

SRC = REPO / "src"


def train_command(corpus, out, *extra):
    return [
        sys.executable,
        "-m",
        "gatedrnn",
        "train",
        "--text",
        str(corpus),
        "--hidden-size",
        "24",
        "--embedding-size",
        "24",
        "--num-layers",
        "2",
        "--dropout",
        "0.3",
        "--epochs",
        "3",
        "--batch-size",
        "4",
        "--seq-len",
        "8",
        "--lr",
        "5",
        "--checkpoint-interval",
        "7",
        "--no-progress",
        "--deterministic",
        "--out",
        str(out),
        *extra,
    ]


def model_arrays(path):
    sections, _ = load_checkpoint(path)
    return sections["model"]


@pytest.mark.slow
def test_sigkill_then_resume_ends_bit_identical(tmp_path):
    corpus = write_corpus(tmp_path, lines=400, words=60)
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    straight = subprocess.run(train_command(corpus, tmp_path / "straight"), env=env, capture_output=True, text=True)
    assert straight.returncode == 0, straight.stderr

    out = tmp_path / "killed"
    victim = subprocess.Popen(train_command(corpus, out), env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while not (out / "last.npz").exists() and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(float(np.random.default_rng().uniform(0.0, 0.5)))  # an arbitrary step, maybe mid-save
    victim.send_signal(signal.SIGKILL)
    victim.wait()
    assert victim.returncode == -signal.SIGKILL, "the run finished before it could be killed; make it longer"

    # The killed run could not remove its lock: the resume is refused until a person says so.
    refused = subprocess.run(train_command(corpus, out, "--resume"), env=env, capture_output=True, text=True)
    assert refused.returncode == 2 and "stale lock" in refused.stderr, refused.stderr
    (out / "run.lock").unlink()
    resumed = subprocess.run(train_command(corpus, out, "--resume"), env=env, capture_output=True, text=True)
    assert resumed.returncode == 0, resumed.stderr
    for name in ("last.npz", "best.npz"):
        a, b = model_arrays(tmp_path / "straight" / name), model_arrays(out / name)
        assert a.keys() == b.keys()
        for key in a:
            assert np.array_equal(a[key], b[key]), f"{name}:{key} differs after kill and resume"


def make_trainer(tmp_path, **changes):
    corpus = load_text(write_corpus(tmp_path, lines=100, words=60))
    config = get_preset("rnnlm").training.replace(**{**dict(epochs=1, batch_size=4, seq_len=8, lr=1.0), **changes})
    gatedrnn.seed(0)
    model = LanguageModel(
        ModelConfig(
            vocab_size=len(corpus.vocab), embedding_size=8, hidden_size=8, num_layers=1, dropout=0.0, tie_weights=False
        )
    )
    messages = []
    trainer = Trainer(model, corpus, config, tmp_path / "run", progress=False, echo=messages.append)
    return trainer, messages


def poison_gradient_at(trainer, steps):
    """Make the gradient non-finite on the given (1-based) steps, as an overflow would."""
    original = trainer.model.backward
    count = {"n": 0}

    def backward(dlogits):
        count["n"] += 1
        result = original(dlogits)
        if count["n"] in steps:
            trainer.model.decoder.weight.grad[0, 0] = np.nan
        return result

    trainer.model.backward = backward


def test_nonfinite_gradient_stops_with_a_clear_error_by_default(tmp_path):
    trainer, _ = make_trainer(tmp_path)
    poison_gradient_at(trainer, {3})
    before = {name: p.data.copy() for name, p in trainer.model.named_parameters()}
    with pytest.raises(GatedRNNError, match="non-finite at step 3 .*--on-nonfinite skip"):
        trainer.fit()
    # The poisoned update was not applied: every weight is still finite.
    assert all(np.all(np.isfinite(p.data)) for p in trainer.model.parameters())
    assert any(not np.array_equal(before[n], p.data) for n, p in trainer.model.named_parameters())


def test_nonfinite_gradient_can_be_skipped_and_is_reported(tmp_path):
    trainer, messages = make_trainer(tmp_path, on_nonfinite="skip")
    poison_gradient_at(trainer, {2, 5})
    trainer.fit()
    assert trainer.skipped_updates == 2
    assert sum("update skipped" in m for m in messages) == 2
    assert [r["step"] for r in trainer.history if r["kind"] == "nonfinite"] == [2, 5]
    assert all(np.all(np.isfinite(p.data)) for p in trainer.model.parameters())


def test_a_run_that_never_recovers_is_stopped(tmp_path):
    trainer, _ = make_trainer(tmp_path, on_nonfinite="skip")
    poison_gradient_at(trainer, set(range(1, 1000)))
    with pytest.raises(GatedRNNError, match="10 updates in a row"):
        trainer.fit()


# -- the CLI on bad input: one line, exit status 2, nothing overwritten ----------------------
@pytest.fixture
def finished_run(tmp_path):
    corpus = write_corpus(tmp_path, lines=60, words=60)
    out = tmp_path / "run"
    assert main(tiny_word_train_args(corpus, out)) == 0
    return corpus, out


def snapshot(directory):
    return {path.name: path.read_bytes() for path in sorted(directory.iterdir())}


def run_cli(args, capsys):
    code = main(args)
    err = capsys.readouterr().err
    return code, err


@pytest.mark.parametrize(
    "extra, problem",
    [
        (["--lr", "0"], "lr must be a finite number > 0"),
        (["--lr", "-1"], "lr must be a finite number > 0"),
        (["--dropout", "1.0"], r"dropout must be in \[0, 1\)"),
        (["--dropout", "-0.1"], r"dropout must be in \[0, 1\)"),
        (["--seq-len", "0"], "seq_len"),
        (["--batch-size", "0"], "batch"),
        (["--epochs", "0"], "epochs"),
    ],
)
def test_nonsensical_hyperparameters(tmp_path, capsys, extra, problem):
    corpus = write_corpus(tmp_path, lines=60, words=60)
    out = tmp_path / "fresh"
    code, err = run_cli(
        [
            "train",
            "--text",
            str(corpus),
            "--hidden-size",
            "8",
            "--embedding-size",
            "8",
            "--no-progress",
            "--out",
            str(out),
            *extra,
        ],
        capsys,
    )
    assert code == 2 and len(err.strip().splitlines()) == 1
    assert __import__("re").search(problem, err), err
    assert not (out / "last.npz").exists()


@pytest.mark.parametrize("content, problem", [(b"", "empty"), ("caf\xe9 ".encode("latin-1") * 50, "not UTF-8")])
def test_bad_corpus_files(tmp_path, capsys, content, problem):
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    code, err = run_cli(["train", "--text", str(path), "--out", str(tmp_path / "r"), "--no-progress"], capsys)
    assert code == 2 and problem in err and len(err.strip().splitlines()) == 1


def test_data_directory_missing_a_split(tmp_path, capsys, monkeypatch):
    import gatedrnn.data.ptb as ptb

    skip_without_ptb()
    (tmp_path / "ptb").mkdir()
    for split in ("train", "test"):
        (tmp_path / "ptb" / f"ptb.{split}.txt").write_bytes(ptb_path(split).read_bytes())
    monkeypatch.setattr(ptb, "_download", lambda *a, **k: (_ for _ in ()).throw(OSError("offline")))
    code, err = run_cli(["train", "--data-dir", str(tmp_path), "--out", str(tmp_path / "r"), "--no-progress"], capsys)
    assert code == 2 and "ptb.valid.txt" in err and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize(
    "args",
    [["train", "--preset", "enormous"], ["train", "--cell", "transformer"], ["generate"], ["train", "--lr", "fast"]],
)
def test_usage_mistakes_are_one_line(capsys, args):
    with pytest.raises(SystemExit) as info:
        main(args)
    err = capsys.readouterr().err
    assert info.value.code == 2 and len(err.strip().splitlines()) == 1 and "--help" in err


def test_existing_run_is_not_overwritten(finished_run, capsys):
    corpus, out = finished_run
    before = snapshot(out)
    code, err = run_cli(["train", "--text", str(corpus), "--out", str(out), "--no-progress"], capsys)
    assert code == 2 and "already holds a run" in err
    assert snapshot(out) == before


def test_resume_with_other_settings_is_refused(finished_run, capsys):
    corpus, out = finished_run
    before = snapshot(out)
    code, err = run_cli(
        [
            "train",
            "--text",
            str(corpus),
            "--hidden-size",
            "16",
            "--embedding-size",
            "16",
            "--epochs",
            "2",
            "--batch-size",
            "4",
            "--seq-len",
            "8",
            "--no-progress",
            "--out",
            str(out),
            "--resume",
        ],
        capsys,
    )
    assert code == 2 and "other model settings" in err and "hidden_size=8" in err
    assert snapshot(out) == before


def test_another_text_in_place_of_the_training_text_is_refused(finished_run, tmp_path, capsys):
    """--text FILE --split S says where the run's own text is now; another text is refused
    (it used to fail on the vocabulary; now the stored vocabulary scores any text)."""
    _, out = finished_run
    other = tmp_path / "other.txt"
    other.write_text("completely different words here\n" * 80, encoding="utf-8")
    code, err = run_cli(["eval", str(out / "best.npz"), "--text", str(other), "--split", "test"], capsys)
    assert code == 2 and "is not the text this model was trained on" in err and len(err.strip().splitlines()) == 1
    code, err = run_cli(["eval", str(out / "best.npz"), "--text", str(other)], capsys)  # as a new text: scored
    assert code == 0


@pytest.mark.parametrize("damage", ["truncate", "flip", "pickle", "foreign"])
def test_cli_refuses_damaged_checkpoints(finished_run, capsys, damage):
    import pickle

    _, out = finished_run
    path = out / "best.npz"
    data = path.read_bytes()
    if damage == "truncate":
        path.write_bytes(data[: len(data) // 3])
    elif damage == "flip":
        sections, _ = load_checkpoint(path)
        needle = sections["model"]["embed.weight"].tobytes()[:16]  # stored uncompressed: find and flip it
        at = data.find(needle)
        path.write_bytes(data[:at] + bytes([data[at] ^ 0xFF]) + data[at + 1 :])
    elif damage == "pickle":
        path.write_bytes(pickle.dumps({"model": "not really"}))
    else:
        np.savez(path, weights=np.ones(3))
    for command in (["eval", str(path)], ["generate", str(path)]):
        code, err = run_cli(command, capsys)
        assert code == 2 and err.startswith("gatedrnn: error:") and len(err.strip().splitlines()) == 1, err


def test_token_ids_outside_the_vocabulary():
    model = LanguageModel(ModelConfig(vocab_size=12, embedding_size=4, hidden_size=4, num_layers=1))
    with pytest.raises(GatedRNNError, match="token id 12 is outside the vocabulary of 12"):
        model(np.array([[1, 12]]))
