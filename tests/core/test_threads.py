"""set_num_threads pins BLAS and gatedrnn's own row-block threads; let_blas_threads_sleep acts before NumPy only."""

import os
import subprocess
import sys

import pytest
from helpers.paths import REPO

import gatedrnn
from gatedrnn import GatedRNNError, threads

SRC = REPO / "src"


def blas_threads():
    from threadpoolctl import threadpool_info

    return {entry["num_threads"] for entry in threadpool_info() if entry["user_api"] == "blas"}


def test_set_num_threads_pins_blas_and_row_blocks():
    try:
        gatedrnn.set_num_threads(1)
        assert gatedrnn.get_num_threads() == 1 and blas_threads() == {1}
    finally:
        gatedrnn.set_num_threads(None)
    assert gatedrnn.get_num_threads() == threads.available_cores()
    assert blas_threads() == {threads.available_cores()}


@pytest.mark.parametrize("bad", [0, -1, 1.5, "2", True, 2**32 + 1, 10**20])
def test_set_num_threads_refuses_nonsense(bad):
    # 2**32 + 1 wrapped round to one BLAS thread, 10**20 failed in ctypes with a traceback
    with pytest.raises(GatedRNNError, match="the thread count must be a whole number from 1 to 1024"):
        gatedrnn.set_num_threads(bad)


def test_blas_setting_only_before_numpy_and_never_over_yours():
    code = (
        "import os, sys; from gatedrnn.threads import let_blas_threads_sleep as f; "
        "first = f(); value = os.environ.get('OPENBLAS_THREAD_TIMEOUT'); import numpy; "
        "print(first, value, f())"
    )
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_THREAD_TIMEOUT"}
    env["PYTHONPATH"] = str(SRC)
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout
    assert out.split() == ["True", "4", "False"]
    env["OPENBLAS_THREAD_TIMEOUT"] = "1"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout
    assert out.split() == ["True", "1", "False"]


def test_settings_apply_for_the_block_and_restore_the_mode():
    with threads.settings(deterministic=True):
        assert threads.is_deterministic() and gatedrnn.get_num_threads() == 1
        assert blas_threads() == {1}
    assert not threads.is_deterministic()
    with threads.settings(num_threads=1):
        assert not threads.is_chosen_by_timing() and blas_threads() == {1}
    assert threads.is_chosen_by_timing() or threads.environment_pin() is not None


@pytest.mark.parametrize("option", [["--deterministic"], ["--threads", "1"]])
def test_the_command_line_options_hold_for_the_command_only(option, capsys):
    from gatedrnn.cli import main

    assert main(["toy", "--steps", "2", "--report-every", "1", *option]) == 0
    assert not threads.is_deterministic() and threads._pinned is None


@pytest.mark.parametrize("count", ["0", "1025", "99999999999999999999"])
def test_a_bad_thread_count_is_one_line_as_from_python(count, capsys):
    from gatedrnn.cli import main

    assert main(["toy", "--threads", count]) == 2
    err = capsys.readouterr().err
    with pytest.raises(GatedRNNError) as raised:
        gatedrnn.set_num_threads(int(count))
    assert err == f"gatedrnn: error: {raised.value}\n"
    assert f"must be a whole number from 1 to 1024, got {count}; pass the number of cores to use" in err


def test_deterministic_training_gives_the_same_digits_at_any_thread_count(tmp_path):
    """The same seed under --deterministic, once with OpenBLAS at every core in the environment
    and once at one: the same weights to the bit."""
    text = tmp_path / "t.txt"
    text.write_text("the quick brown fox jumps over the lazy dog\n" * 400, encoding="utf-8")
    weights = []
    for blas in ("1", str(threads.available_cores())):
        out = tmp_path / f"run{blas}"
        env = {**os.environ, "PYTHONPATH": str(SRC), "OPENBLAS_NUM_THREADS": blas}
        command = [
            sys.executable,
            "-m",
            "gatedrnn",
            "train",
            "--text",
            str(text),
            "--level",
            "char",
            "--hidden-size",
            "96",
            "--embedding-size",
            "96",
            "--num-layers",
            "1",
            "--epochs",
            "1",
            "--batch-size",
            "16",
            "--seq-len",
            "32",
            "--no-progress",
            "--deterministic",
            "--out",
            str(out),
        ]
        subprocess.run(command, env=env, check=True, capture_output=True)
        import numpy as np

        with np.load(out / "last.npz") as archive:
            weights.append({k: archive[k] for k in archive.files if k.startswith("model/")})
    assert all(np.array_equal(weights[0][k], weights[1][k]) for k in weights[0])
