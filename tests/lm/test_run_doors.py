"""One run, one record: what a run records about its data is enough for eval, and no door hangs.

- a lock that is a FIFO or /dev/zero is refused in one line, within a timeout (it used to
  block for ever, or read until MemoryError);
- eval scores the test split from its own file alone, any new text with --text, and finds
  the Penn Treebank where the run found it (--data-dir, not $GATEDRNN_DATA);
- a Trainer used from Python claims its directory, and one that fails before its first
  checkpoint leaves nothing that blocks the same call again.
"""

import os
import subprocess
import sys

import pytest
from helpers.bad_inputs.rows import finished_run_directory
from helpers.ptb_data import needs_ptb, ptb_path
from helpers.tiny_runs import tiny_word_train_args, write_corpus

from gatedrnn import GatedRNNError
from gatedrnn.cli import main
from gatedrnn.lm import DataSettings, LanguageModel, ModelConfig, TrainConfig, Trainer, load_corpus

TIMEOUT = 120  # seconds; the cases below take about one when they do not hang


def run_gatedrnn(*args):
    """``gatedrnn ARGS`` in a fresh process, killed after TIMEOUT seconds: (status, stderr)."""
    done = subprocess.run(
        [sys.executable, "-m", "gatedrnn", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        env=dict(os.environ, MPLBACKEND="Agg"),
    )
    return done.returncode, done.stderr


@pytest.fixture(scope="module")
def finished(tmp_path_factory):
    return finished_run_directory(tmp_path_factory.mktemp("doors"))


@pytest.mark.parametrize("kind", ["fifo", "dev_zero"])
def test_a_lock_that_is_not_a_file_is_refused_without_hanging(tmp_path, finished, kind):
    import shutil

    run = tmp_path / "run"
    shutil.copytree(finished.run, run)
    (run / "results.json").unlink()  # an unfinished run, so that --resume really resumes
    if kind == "fifo":
        os.mkfifo(run / "run.lock")
    else:
        os.symlink("/dev/zero", run / "run.lock")
    status, err = run_gatedrnn(*tiny_word_train_args(finished.corpus, run, "--resume"))
    assert status == 2 and len(err.strip().splitlines()) == 1, err
    assert "is locked, but" in err and "delete" in err


def test_eval_scores_the_test_split_without_the_training_files(tmp_path, capsys):
    data = tmp_path / "data"
    data.mkdir()
    for name, lines in (("train.txt", 200), ("valid.txt", 30), ("test.txt", 30)):
        write_corpus(data, lines).rename(data / name)
    out = tmp_path / "run"
    args = tiny_word_train_args(data / "train.txt", out)
    args[args.index("--text") : args.index("--text") + 2] = ["--data", str(data)]
    assert main([*args, "--eval-batch-size", "2"]) == 0
    printed = capsys.readouterr().out
    test_ppl = printed.split("test ppl")[1].split()[0]
    (data / "train.txt").unlink()
    (data / "valid.txt").unlink()
    assert main(["eval", str(out / "best.npz")]) == 0
    assert f"perplexity {test_ppl}" in capsys.readouterr().out
    assert main(["eval", str(out / "best.npz"), "--split", "valid"]) == 2
    assert "valid.txt, which is not there any more; give its place with --valid-text FILE" in capsys.readouterr().err
    # the two other places one might try name the option that relocates the valid file (they said --text)
    assert main(["eval", str(out / "best.npz"), "--split", "valid", "--data-dir", str(tmp_path)]) == 2
    assert "say where that file is now with --valid-text FILE (or drop --data-dir)" in capsys.readouterr().err
    assert main(["eval", str(out / "best.npz"), "--split", "valid", "--text", str(data / "test.txt")]) == 2
    err = capsys.readouterr().err
    assert f"--split valid reads {data / 'valid.txt'}; say where that file is now with --valid-text FILE" in err


def test_eval_scores_any_text_with_the_stored_vocabulary(tmp_path, finished, capsys):
    other = tmp_path / "other.txt"
    other.write_text("w1 w2 w3 never-seen w4\n" * 20)
    assert main(["eval", str(finished.run / "best.npz"), "--text", str(other)]) == 0
    out = capsys.readouterr().out
    # 5 words and <eos> a line, never-seen as <unk>: 120 ids, of which the run's 10 evaluation
    # streams score 10 × 11 (the first id is never a target, the last 9 do not fill a column)
    assert out.startswith(f"{other}: loss") and "| 110 tokens scored" in out
    assert main(["eval", str(finished.run / "best.npz"), "--text", str(tmp_path / "missing.txt")]) == 2
    assert "does not exist" in capsys.readouterr().err


@needs_ptb
def test_eval_finds_the_penn_treebank_where_the_run_found_it(tmp_path, monkeypatch, capsys):
    data_dir = tmp_path / "elsewhere"
    (data_dir / "ptb").mkdir(parents=True)
    for split in ("train", "valid", "test"):
        os.symlink(ptb_path(split), data_dir / "ptb" / f"ptb.{split}.txt")
    monkeypatch.setenv("GATEDRNN_DATA", str(tmp_path / "nothing-here"))
    monkeypatch.setattr("gatedrnn.data.ptb._download", _no_download)
    out = tmp_path / "run"
    assert (
        main(
            [
                "train",
                "--data-dir",
                str(data_dir),
                "--train-tokens",
                "3000",
                "--epochs",
                "1",
                "--hidden-size",
                "8",
                "--embedding-size",
                "8",
                "--num-layers",
                "1",
                "--no-progress",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    test_ppl = capsys.readouterr().out.split("test ppl")[1].split()[0]
    assert main(["eval", str(out / "best.npz")]) == 0  # no --data-dir: the checkpoint says where
    assert f"perplexity {test_ppl}" in capsys.readouterr().out


def _no_download(split, target):
    raise OSError("no network in this test")


def test_a_python_trainer_claims_its_directory_and_leaves_nothing_when_it_fails(tmp_path):
    corpus = load_corpus(text=str(write_corpus(tmp_path)))
    model = LanguageModel(
        ModelConfig(vocab_size=len(corpus.vocab), embedding_size=8, hidden_size=8, num_layers=1, dropout=0.0)
    )
    config = TrainConfig(epochs=1, batch_size=4, seq_len=8, eval_batch_size=2)
    out = tmp_path / "run"
    trainer = Trainer(model, corpus, config, out, progress=False, echo=lambda *a: None)
    trainer.save = _fails_to_save
    with pytest.raises(OSError):
        trainer.fit()
    assert not out.exists()  # nothing left: the same call can simply be made again
    summary = Trainer(model, corpus, config, out, progress=False, echo=lambda *a: None).fit()
    assert summary["finished"] and (out / "best.npz").exists()
    recorded = load_run_record(out / "best.npz")
    assert recorded == DataSettings.from_record(corpus.source)


def _fails_to_save(path):
    raise OSError(28, "No space left on device", str(path))


def load_run_record(path):
    from gatedrnn.lm.run_checkpoint import load_run_checkpoint

    return DataSettings.from_record(load_run_checkpoint(path).metadata["run"]["data"])


def test_use_deterministic_is_a_top_level_name():
    import gatedrnn
    from gatedrnn import threads

    assert gatedrnn.use_deterministic is threads.use_deterministic


def _tiny_trainer(corpus, out):
    model = LanguageModel(
        ModelConfig(vocab_size=len(corpus.vocab), embedding_size=8, hidden_size=8, num_layers=1, dropout=0.0)
    )
    config = TrainConfig(epochs=2, batch_size=4, seq_len=8, eval_batch_size=2)
    return Trainer(model, corpus, config, out, progress=False, echo=lambda *a: None)


def test_a_python_trainer_refuses_to_continue_a_run_on_other_data(tmp_path):
    # Trainer.load compared the vocabulary, settings and position but not the data, so a run
    # went on over another text with the same words (the CLI and TrainingRun refused it).
    original = write_corpus(tmp_path)
    lines = original.read_text().splitlines()
    shuffled = tmp_path / "shuffled.txt"
    shuffled.write_text("\n".join(lines[:60] + lines[60:][::-1]) + "\n")
    first, other = load_corpus(text=str(original)), load_corpus(text=str(shuffled))
    assert first.vocab.id_to_token == other.vocab.id_to_token  # the same words: only the data tells them apart
    _tiny_trainer(first, tmp_path / "run").fit(max_steps=5)
    last = tmp_path / "run" / "last.npz"
    before = last.read_bytes()
    for check in ("load", "check_continues"):
        with pytest.raises(GatedRNNError, match="was trained on other data"):
            getattr(_tiny_trainer(other, tmp_path / "run"), check)(last)
    assert last.read_bytes() == before
    _tiny_trainer(other, tmp_path / "fine-tune").load(last, weights_only=True)  # weights alone may move on
    resumed = _tiny_trainer(first, tmp_path / "run")
    resumed.load(last)
    assert resumed.step == 5


@pytest.mark.parametrize("what", ["generate", "train"])
def test_a_reader_that_goes_away_ends_the_command_quietly(finished, tmp_path, what):
    # `gatedrnn generate … | head -c 20` said "error: Broken pipe; check the path and try again", exit 2
    command = [sys.executable, "-m", "gatedrnn"]
    if what == "generate":
        command += ["generate", finished.run / "best.npz", "--length", "50000"]
    else:  # a line per step: the pipe's buffer fills within the run
        command += tiny_word_train_args(finished.corpus, tmp_path / "run", "--epochs", "200", "--log-interval", "1")
    process = subprocess.Popen(
        list(map(str, command)),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=dict(os.environ, MPLBACKEND="Agg"),
    )
    assert process.stdout.read(20)
    process.stdout.close()  # as head does, with more than a pipe's buffer still to come
    status = process.wait(timeout=TIMEOUT)
    err = process.stderr.read().decode()
    assert status == 141 and "error" not in err and "Traceback" not in err, err
