"""The CLI in logs and scripts: no progress bar off a terminal but plain progress lines with
the run's time left, --dry-run, and generate's seed and unknown-word warning."""

import re
import subprocess
import sys

import pytest
from helpers.tiny_runs import tiny_train_args, write_text

from gatedrnn.cli import main
from gatedrnn.progress import bar_wanted, duration


def text_file(tmp_path):
    return write_text(tmp_path)


def train_args(text, out, *extra):
    return tiny_train_args(text, out, "--log-interval", "10", *extra, epochs=2)


def test_redirected_output_gets_lines_not_a_bar(tmp_path):
    """stderr to a file: no carriage-return bar; stdout has a line per log interval with the rate
    and the time left for the whole run."""
    result = subprocess.run(
        [sys.executable, "-m", "gatedrnn", *train_args(text_file(tmp_path), tmp_path / "run")],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert "\r" not in result.stderr and "win/s" not in result.stderr
    lines = [line for line in result.stdout.splitlines() if line.startswith("epoch 1/2 | window")]
    assert lines, result.stdout
    assert re.search(r"tokens/s \| run \d+ s left$", lines[-1]), lines[-1]


def test_no_progress_means_quiet(tmp_path, capsys):
    assert main(train_args(text_file(tmp_path), tmp_path / "run", "--no-progress")) == 0
    assert "| window" not in capsys.readouterr().out


def test_bar_only_on_a_terminal(monkeypatch):
    monkeypatch.setattr(sys.stderr, "isatty", lambda: False)
    assert not bar_wanted(True)
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    assert bar_wanted(True) and not bar_wanted(False)


@pytest.mark.parametrize("seconds, shown", [(3, "3 s"), (600, "10 min"), (3 * 3600 + 5 * 60, "3 h 05 min")])
def test_durations_read_as_a_person_would(seconds, shown):
    assert duration(seconds) == shown


def test_dry_run_prints_every_setting_with_its_source_and_writes_nothing(tmp_path, capsys):
    out = tmp_path / "run"
    assert (
        main(
            [
                "train",
                "--preset",
                "better-rnnlm",
                "--hidden-size",
                "200",
                "--embedding-size",
                "200",
                "--out",
                str(out),
                "--dry-run",
            ]
        )
        == 0
    )
    printed = capsys.readouterr().out
    assert "model.hidden_size = 200  (flag)" in printed
    assert "training.epochs = 40  (preset better-rnnlm)" in printed
    assert "training.batch_size = 20  (default, kept by preset better-rnnlm)" in printed
    assert not out.exists()


def test_dry_run_still_checks_the_settings(capsys):
    assert main(["train", "--dropout", "1.5", "--dry-run"]) == 2
    assert "dropout" in capsys.readouterr().err


@pytest.mark.parametrize(
    "options, problem",
    [
        (["--time-limit", "nan"], "--time-limit must be a positive number of minutes"),
        (["--max-steps", "0"], "--max-steps must be a whole number ≥ 1"),
        (["--checkpoint-interval", "-1"], "--checkpoint-interval must be a whole number ≥ 1"),
        (["--device", "cuda"], "--device needs --engine torch"),
        (["--results", "{run}/x.json"], "is inside the run directory"),
        (["--out", "{run}/sub"], "is inside the run directory"),
        (["--out", "{run}"], "already holds a run"),
        (["--resume", "--out", "{tmp}/nothing"], "nothing to resume"),
        (["--text", "{tmp}/missing.txt"], "missing.txt does not exist"),
    ],
)
def test_dry_run_refuses_what_the_run_would_refuse(options, problem, tmp_path, capsys):
    """The same checks as the run itself, before any data would load: a dry run that passes
    promises the real one gets past them."""
    run = tmp_path / "finished"
    run.mkdir()
    (run / "last.npz").write_bytes(b"")  # a run directory, by its marker
    text = tmp_path / "text.txt"
    text.write_text("a b c\n" * 20)
    filled = [option.format(run=run, tmp=tmp_path) for option in options]
    arguments = ["train", "--text", str(text), "--out", str(tmp_path / "new"), *filled, "--dry-run"]
    assert main(arguments) == 2
    err = capsys.readouterr().err.strip()
    assert problem in err and len(err.splitlines()) == 1
    assert not (tmp_path / "new").exists()


@pytest.fixture(scope="module")
def word_checkpoint(tmp_path_factory):
    from helpers.ptb_data import DATA_DIR, skip_without_ptb

    skip_without_ptb()
    out = tmp_path_factory.mktemp("word") / "run"
    assert (
        main(
            [
                "train",
                "--preset",
                "rnnlm",
                "--data-dir",
                str(DATA_DIR),
                "--train-tokens",
                "6000",
                "--epochs",
                "1",
                "--hidden-size",
                "8",
                "--embedding-size",
                "8",
                "--out",
                str(out),
                "--no-progress",
            ]
        )
        == 0
    )
    return out / "best.npz"


def test_generate_draws_and_prints_a_seed_that_repeats_the_sample(word_checkpoint, capsys):
    assert main(["generate", str(word_checkpoint), "--length", "8"]) == 0
    first = capsys.readouterr()
    seed = re.search(r"seed (\d+) \(repeat this sample with --seed \1\)", first.err).group(1)
    assert main(["generate", str(word_checkpoint), "--length", "8", "--seed", seed]) == 0
    again = capsys.readouterr()
    assert again.out == first.out and "seed" not in again.err


def test_generate_warns_once_about_unknown_words(word_checkpoint, capsys):
    assert (
        main(["generate", str(word_checkpoint), "--prompt", "The market zzqx zzqx", "--length", "3", "--seed", "1"])
        == 0
    )
    err = capsys.readouterr().err
    assert err.count("warning") == 1
    assert "'The', 'zzqx'" in err and "<unk>" in err and "lowercase" in err


@pytest.fixture(scope="module")
def stopped_run(tmp_path_factory):
    """A tiny character run stopped after 2 steps (its last.npz to resume), and its arguments."""
    directory = tmp_path_factory.mktemp("stopped")
    arguments = tiny_train_args(write_text(directory), directory / "run", "--no-progress", epochs=2)
    assert main([*arguments, "--max-steps", "2"]) == 0
    return arguments


@pytest.mark.parametrize(
    "changed, problem",
    [
        (["--hidden-size", "16", "--embedding-size", "16"], "other model settings: embedding_size=8 (now 16)"),
        (["--lr", "0.5"], "other training settings: lr=0.002 (now 0.5)"),
        (["--lowercase"], "other data: lowercase=False (now True)"),
    ],
)
def test_dry_run_resume_refuses_settings_the_resume_would_refuse(stopped_run, changed, problem, capsys):
    # it checked only that last.npz was there; the real resume then refused, after loading the data
    capsys.readouterr()
    for dry in (["--dry-run"], []):
        assert main([*stopped_run, *changed, "--resume", *dry]) == 2
        err = capsys.readouterr().err
        assert problem in err and err.count("\n") == 1, err
        assert "resume with the" in err


def test_dry_run_resume_with_the_run_s_own_settings_passes(stopped_run, capsys):
    assert main([*stopped_run, "--resume", "--dry-run"]) == 0
    assert "preset" in capsys.readouterr().out
