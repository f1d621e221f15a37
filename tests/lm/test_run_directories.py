"""Run directories: one run at a time, nothing of another run overwritten, nothing lost to a full disk.

gatedrnn.lm.run_directory.RunFiles holds a run's directory (run.lock, created with O_EXCL); the
`train` command checks its options, --out and --results before anything is written, and a
failed write during a run ends in one line saying what was saved and how to resume.
"""

import errno
import hashlib
import json
import os
import resource
import shlex
import signal
import subprocess
import sys
import tempfile
import time

import numpy as np
import pytest
from helpers.paths import REPO
from helpers.tiny_runs import tiny_word_train_args, write_corpus

import gatedrnn.files
from gatedrnn.checkpoint import load_checkpoint
from gatedrnn.cli import main
from gatedrnn.files import TEMPORARY_PREFIX
from gatedrnn.lm.run_directory import LOCK_NAME, RUN_FILE_NAMES, RunFiles

SRC = REPO / "src"
ENV = {**os.environ, "PYTHONPATH": str(SRC)}


def snapshot(directory):
    return {path.name: hashlib.sha256(path.read_bytes()).hexdigest() for path in sorted(directory.iterdir())}


def run_cli(args, capsys):
    code = main(args)
    captured = capsys.readouterr()
    return code, captured.err


def one_line(err):
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    return lines[0]


@pytest.fixture
def corpus(tmp_path):
    return write_corpus(tmp_path)


@pytest.fixture
def finished(corpus, tmp_path):
    out = tmp_path / "run"
    assert main(tiny_word_train_args(corpus, out)) == 0
    return out


def dead_pid():
    """The pid of a process that has ended (and been reaped)."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def write_lock(directory, pid, host=None):
    import socket

    (directory / LOCK_NAME).write_text(
        json.dumps(dict(pid=pid, host=host or socket.gethostname(), started="2024-01-01T00:00:00"))
    )


# -- a new run never takes over a directory holding a run ---------------------------------
@pytest.mark.parametrize("name", [name for name in RUN_FILE_NAMES if name != LOCK_NAME])
def test_any_run_file_refuses_a_new_run(corpus, tmp_path, capsys, name):
    out = tmp_path / "used"
    out.mkdir()
    (out / name).write_bytes(b"kept")
    code, err = run_cli(tiny_word_train_args(corpus, out), capsys)
    assert code == 2 and "already holds a run" in one_line(err) and name in err
    assert snapshot(out) == {name: hashlib.sha256(b"kept").hexdigest()}


def test_best_and_results_without_last_are_not_overwritten(finished, corpus, capsys):
    (finished / "last.npz").unlink()  # the severe case: best.npz and results.json, no last.npz
    before = snapshot(finished)
    code, err = run_cli(tiny_word_train_args(corpus, finished), capsys)
    assert code == 2 and "already holds a run" in one_line(err) and "it finished" in err and "--resume" not in err
    assert snapshot(finished) == before


def test_a_stopped_run_is_answered_with_resume(finished, corpus, capsys):
    (finished / "results.json").unlink()  # as a run stopped before its end leaves it
    before = snapshot(finished)
    code, err = run_cli(tiny_word_train_args(corpus, finished), capsys)
    assert code == 2 and "pass --resume to continue it" in one_line(err)
    assert snapshot(finished) == before


def test_an_empty_existing_directory_is_fine(corpus, tmp_path):
    out = tmp_path / "empty"
    out.mkdir()
    assert main(tiny_word_train_args(corpus, out)) == 0
    assert (out / "last.npz").exists() and not (out / LOCK_NAME).exists()


@pytest.mark.parametrize(
    "extra",
    [
        ["--seed", "-1"],
        ["--embedding-size", "-3"],
        ["--log-interval", "0"],
        ["--checkpoint-interval", "-1"],
        ["--eval-batch-size", "100000"],
        ["--results", "."],
        ["--train-tokens", "1"],
    ],
)
def test_a_refused_run_leaves_no_directory(corpus, tmp_path, capsys, extra):
    out = tmp_path / "deep" / "new"
    code, err = run_cli(tiny_word_train_args(corpus, out, *extra), capsys)
    assert code == 2 and one_line(err).startswith("gatedrnn: error:")
    assert not (tmp_path / "deep").exists()


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes through chmod 0o500")
def test_an_unwritable_directory_is_refused_before_training(corpus, tmp_path, capsys):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        code, err = run_cli(tiny_word_train_args(corpus, locked / "run"), capsys)
        assert code == 2 and "permission denied" in one_line(err)
        code, err = run_cli(tiny_word_train_args(corpus, tmp_path / "ok", "--results", str(locked / "r.json")), capsys)
        assert code == 2 and "permission denied" in one_line(err) and not (tmp_path / "ok").exists()
    finally:
        locked.chmod(0o700)


def test_a_read_only_filesystem_is_refused_before_training(corpus, tmp_path, monkeypatch, capsys):
    # Root cannot be stopped by permissions, and mounting needs privileges: ask os.access instead.
    monkeypatch.setattr(gatedrnn.files.os, "access", lambda path, mode: False)
    monkeypatch.setattr(gatedrnn.files, "_read_only", lambda directory: True)
    code, err = run_cli(tiny_word_train_args(corpus, tmp_path / "ro" / "run"), capsys)
    assert code == 2 and f"cannot write in {tmp_path} (the filesystem is read-only)" in one_line(err)
    assert not (tmp_path / "ro").exists()


# -- the lock --------------------------------------------------------------------------------
@pytest.mark.slow
def test_two_runs_started_at_once_one_proceeds(corpus, tmp_path):
    out = tmp_path / "shared"
    command = [sys.executable, "-m", "gatedrnn", *tiny_word_train_args(corpus, out, "--epochs", "30")]
    runs = [
        subprocess.Popen(command, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)
    ]
    outputs = [run.communicate(timeout=300) for run in runs]
    codes = sorted(run.returncode for run in runs)
    assert codes == [0, 2], outputs
    refused = next(err for run, (_, err) in zip(runs, outputs, strict=True) if run.returncode == 2)
    assert "is in use by another run" in one_line(refused) and "pid" in refused
    records = [json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines()]
    assert [r["kind"] for r in records].count("test") == 1
    assert [r["epoch"] for r in records if r["kind"] == "valid"] == list(range(1, 31))
    steps = [r["step"] for r in records if r["kind"] == "train"]
    assert steps == sorted(set(steps))
    assert not (out / LOCK_NAME).exists()


def test_a_live_lock_refuses_new_and_resumed_runs(finished, corpus, capsys):
    write_lock(finished, os.getppid())
    before = snapshot(finished)
    for extra in ([], ["--resume"]):
        code, err = run_cli(tiny_word_train_args(corpus, finished, *extra), capsys)
        assert code == 2 and "in use by another run" in one_line(err) and f"pid {os.getppid()}" in err
    assert snapshot(finished) == before


def test_a_lock_from_another_host_is_not_judged(finished, corpus, capsys):
    write_lock(finished, 12345, host="elsewhere.example")
    code, err = run_cli(tiny_word_train_args(corpus, finished, "--resume"), capsys)
    assert code == 2 and "on host elsewhere.example" in one_line(err) and f"delete {finished / LOCK_NAME}" in err


def test_a_stale_lock_is_reported_with_how_to_clear_it(finished, corpus, capsys):
    write_lock(finished, dead_pid())
    before = snapshot(finished)
    code, err = run_cli(tiny_word_train_args(corpus, finished, "--resume"), capsys)
    line = one_line(err)
    assert code == 2 and "stale lock" in line and f"delete {finished / LOCK_NAME} if no run is using it" in line
    assert snapshot(finished) == before  # not silently taken over
    (finished / LOCK_NAME).unlink()
    assert main(tiny_word_train_args(corpus, finished, "--resume")) == 0
    assert not (finished / LOCK_NAME).exists()


def test_an_unreadable_lock_is_reported(finished, corpus, capsys):
    (finished / LOCK_NAME).write_bytes(b"")
    os.utime(finished / LOCK_NAME, (time.time() - 60, time.time() - 60))  # old: nobody is writing it
    code, err = run_cli(tiny_word_train_args(corpus, finished, "--resume"), capsys)
    assert code == 2 and "does not say by which run" in one_line(err)


def test_the_lock_is_removed_on_ctrl_c_and_a_new_run_leaves_nothing(corpus, tmp_path, monkeypatch, capsys):
    from gatedrnn.lm import Trainer

    original = Trainer._train_step

    def interrupted(self, inputs, targets):
        if self.step == 3:
            raise KeyboardInterrupt
        return original(self, inputs, targets)

    monkeypatch.setattr(Trainer, "_train_step", interrupted)
    out = tmp_path / "stopped"
    assert main(tiny_word_train_args(corpus, out)) == 130
    assert not out.exists()  # no checkpoint yet: nothing to resume, nothing left in the way
    monkeypatch.setattr(Trainer, "_train_step", original)
    assert main(tiny_word_train_args(corpus, out)) == 0


@pytest.mark.slow
def test_sigterm_removes_the_lock(corpus, tmp_path):
    out = tmp_path / "terminated"
    run = subprocess.Popen(
        [sys.executable, "-m", "gatedrnn", *tiny_word_train_args(corpus, out, "--epochs", "200")],
        env=ENV,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    while not (out / "last.npz").exists() and time.monotonic() < deadline:
        time.sleep(0.02)
    run.send_signal(signal.SIGTERM)
    _, err = run.communicate(timeout=60)
    assert run.returncode == 130 and "stopping after this step" in err  # it finishes the step and saves
    assert (out / "last.npz").exists() and not (out / LOCK_NAME).exists()


def test_kill_ends_a_demo_as_ctrl_c_does_leaving_no_lock(tmp_path, monkeypatch, capsys):
    # only train handled SIGTERM: a demo killed with `kill` or `timeout` left run.lock behind,
    # and the next train into the directory was refused for the stale lock
    from gatedrnn.lm import Trainer

    original = Trainer._train_step

    def killed(self, inputs, targets):
        if self.step == 3:
            os.kill(os.getpid(), signal.SIGTERM)
        return original(self, inputs, targets)

    monkeypatch.setattr(Trainer, "_train_step", killed)
    out = tmp_path / "demo"
    assert main(["demo", "--chars", "20000", "--epochs", "1", "--no-progress", "--out", str(out)]) == 143
    assert capsys.readouterr().err.endswith("gatedrnn: terminated\n")
    assert not out.exists()  # no checkpoint yet: nothing to resume, nothing left in the way
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL  # the command's handler is gone with it


# -- temporary files ---------------------------------------------------------------------------
def test_stale_temporary_files_are_removed_from_the_run_directory_only(finished, corpus, tmp_path, capsys):
    stale = [finished / f"{TEMPORARY_PREFIX}last.npz.k1ll3d", finished / f"{TEMPORARY_PREFIX}metrics.jsonl.x"]
    for path in stale:
        path.write_bytes(b"half a checkpoint")
    kept = [finished / "notes.txt", finished / ".gatedrnn-other", tmp_path / f"{TEMPORARY_PREFIX}beside.npz"]
    (finished / "sub").mkdir()
    kept.append(finished / "sub" / f"{TEMPORARY_PREFIX}nested")
    for path in kept:
        path.write_bytes(b"not ours")
    assert main(tiny_word_train_args(corpus, finished, "--resume")) == 0
    assert "removed 2 temporary file(s)" in capsys.readouterr().out
    assert not any(path.exists() for path in stale) and all(path.read_bytes() == b"not ours" for path in kept)


def test_a_new_run_clears_temporary_files_from_an_empty_directory(corpus, tmp_path):
    out = tmp_path / "fresh"
    out.mkdir()
    (out / f"{TEMPORARY_PREFIX}best.npz.abc").write_bytes(b"x")
    assert main(tiny_word_train_args(corpus, out)) == 0
    assert not list(out.glob(f"{TEMPORARY_PREFIX}*"))


# -- a full disk mid-run -------------------------------------------------------------------------
def fail_saves(monkeypatch, name, failing):
    """Make the saves of ``name`` numbered in ``failing`` (1-based) hit a full disk, as /dev/full does."""
    if not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full")
    real = tempfile.mkstemp
    count = {"n": 0}

    def mkstemp(*args, prefix=None, **kwargs):
        handle, path = real(*args, prefix=prefix, **kwargs)
        if prefix and prefix.startswith(f"{TEMPORARY_PREFIX}{name}."):
            count["n"] += 1
            if count["n"] in failing:
                os.close(handle)
                handle = os.open("/dev/full", os.O_WRONLY)
        return handle, path

    monkeypatch.setattr(gatedrnn.files.tempfile, "mkstemp", mkstemp)


def test_a_full_disk_mid_run_says_what_was_saved_and_resume_works(corpus, tmp_path, monkeypatch, capsys):
    straight = tmp_path / "straight"
    # --deterministic: a bit-for-bit comparison needs one thread count throughout (gatedrnn.threads)
    assert (
        main(tiny_word_train_args(corpus, straight, "--epochs", "2", "--checkpoint-interval", "5", "--deterministic"))
        == 0
    )
    out = tmp_path / "full"
    args = tiny_word_train_args(corpus, out, "--epochs", "2", "--checkpoint-interval", "5", "--deterministic")
    fail_saves(monkeypatch, "last.npz", {3})
    capsys.readouterr()
    code, err = run_cli(args, capsys)
    line = one_line(err)
    assert code == 2 and line.startswith(f"gatedrnn: error: {out / 'last.npz'}: the disk is full; the run stopped")
    assert f"{out / 'last.npz'} holds step 10 (0 epochs and 10 windows done)" in line
    assert line.endswith(f"free some space, then resume with: gatedrnn {shlex.join(args)} --resume")
    assert not (out / LOCK_NAME).exists() and not list(out.glob(f"{TEMPORARY_PREFIX}*"))
    monkeypatch.undo()
    assert main(args + ["--resume"]) == 0
    a, b = load_checkpoint(straight / "last.npz")[0]["model"], load_checkpoint(out / "last.npz")[0]["model"]
    assert all(np.array_equal(a[key], b[key]) for key in a)


def test_a_full_disk_before_the_first_checkpoint_leaves_nothing(corpus, tmp_path, monkeypatch, capsys):
    out = tmp_path / "full"
    fail_saves(monkeypatch, "best.npz", {1})
    code, err = run_cli(tiny_word_train_args(corpus, out), capsys)
    line = one_line(err)
    assert code == 2 and "no checkpoint had been saved yet" in line and "start again with: gatedrnn train" in line
    assert not out.exists()
    monkeypatch.undo()
    assert main(tiny_word_train_args(corpus, out)) == 0


def test_a_read_only_filesystem_mid_run_is_one_line(corpus, tmp_path, monkeypatch, capsys):
    import gatedrnn.lm.run_log as run_log

    def read_only(*args, **kwargs):
        raise OSError(errno.EROFS, "Read-only file system", str(tmp_path / "ro" / "perplexity.png"))

    monkeypatch.setattr(run_log, "save_figure", read_only)
    code, err = run_cli(tiny_word_train_args(corpus, tmp_path / "ro"), capsys)
    line = one_line(err)
    assert code == 2 and "the filesystem is read-only" in line and "make it writable, then resume with:" in line


@pytest.mark.slow
def test_the_file_size_limit_is_one_line_and_resume_works(corpus, tmp_path):
    out = tmp_path / "limited"
    command = [sys.executable, "-m", "gatedrnn", *tiny_word_train_args(corpus, out, "--epochs", "2")]

    def limit_file_size():  # checkpoints (~10 kB) fit, the plot (~20 kB) does not
        resource.setrlimit(resource.RLIMIT_FSIZE, (15_000, 15_000))

    limited = subprocess.run(command, env=ENV, capture_output=True, text=True, preexec_fn=limit_file_size)
    line = one_line(limited.stderr)
    assert limited.returncode == 2 and "file size limit (ulimit -f)" in line and "resume with:" in line
    resumed = subprocess.run(command + ["--resume"], env=ENV, capture_output=True, text=True)
    assert resumed.returncode == 0, resumed.stderr


# -- resuming on other data --------------------------------------------------------------------
def test_resume_with_other_train_tokens_is_refused(finished, corpus, capsys):
    before = snapshot(finished)
    code, err = run_cli(tiny_word_train_args(corpus, finished, "--resume", "--train-tokens", "500"), capsys)
    assert code == 2 and "trained on other data" in one_line(err) and "train_tokens=None (now 500)" in err
    assert snapshot(finished) == before


def test_resume_on_an_edited_text_is_refused(finished, corpus, capsys):
    lines = corpus.read_text().splitlines()
    corpus.write_text("\n".join(reversed(lines)) + "\n")  # the same words, in another order
    before = snapshot(finished)
    code, err = run_cli(tiny_word_train_args(corpus, finished, "--resume"), capsys)
    assert code == 2 and "changed since the run started" in one_line(err)
    assert snapshot(finished) == before


def test_resume_on_a_moved_but_identical_text_works(finished, corpus, tmp_path):
    moved = tmp_path / "elsewhere.txt"
    moved.write_bytes(corpus.read_bytes())
    assert main(tiny_word_train_args(moved, finished, "--resume")) == 0


def test_the_data_identity_is_recorded(finished, corpus):
    from gatedrnn.lm.run_checkpoint import load_run_checkpoint

    data = load_run_checkpoint(finished / "last.npz").metadata["run"]["data"]
    assert data["text"] == str(corpus.resolve()) and data["level"] == "word" and data["train_tokens"] is None
    assert data["fingerprint"].startswith("sha256:") and len(data["fingerprint"]) == 7 + 64


def test_run_files_claim_in_the_library(tmp_path):
    files = RunFiles(tmp_path / "lib")
    with files.claim():
        assert (tmp_path / "lib" / LOCK_NAME).exists()
        other = RunFiles(tmp_path / "lib")
        with pytest.raises(gatedrnn.GatedRNNError, match="in use by another run"):
            with other.claim():
                pass
        assert (tmp_path / "lib" / LOCK_NAME).exists()  # the refused claim left the lock alone
    assert not (tmp_path / "lib").exists()  # nothing was written: the new directory is gone
