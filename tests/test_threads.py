"""set_num_threads pins BLAS and gatedrnn's own row-block threads; let_blas_threads_sleep acts before NumPy only."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

import gatedrnn
from gatedrnn import GatedRNNError, threads

SRC = Path(__file__).resolve().parents[1] / "src"


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


@pytest.mark.parametrize("bad", [0, -1, 1.5, "2", True])
def test_set_num_threads_refuses_nonsense(bad):
    with pytest.raises(GatedRNNError, match="whole number ≥ 1"):
        gatedrnn.set_num_threads(bad)


def test_blas_setting_only_before_numpy_and_never_over_yours():
    code = ("import os, sys; from gatedrnn.threads import let_blas_threads_sleep as f; "
            "first = f(); value = os.environ.get('OPENBLAS_THREAD_TIMEOUT'); import numpy; "
            "print(first, value, f())")
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_THREAD_TIMEOUT"}
    env["PYTHONPATH"] = str(SRC)
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout
    assert out.split() == ["True", "4", "False"]
    env["OPENBLAS_THREAD_TIMEOUT"] = "1"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout
    assert out.split() == ["True", "1", "False"]
