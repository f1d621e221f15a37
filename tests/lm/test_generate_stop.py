"""`gatedrnn generate --stop TEXT`: the sample ends where TEXT is first written, and --length still caps it."""

import pytest
from helpers.tiny_runs import tiny_train_args, write_text

from gatedrnn.cli import main


@pytest.fixture(scope="module")
def checkpoint(tmp_path_factory):
    directory = tmp_path_factory.mktemp("stop")
    assert main(tiny_train_args(write_text(directory), directory / "run", "--no-progress")) == 0
    return str(directory / "run" / "best.npz")


def sample(capsys, checkpoint, *options):
    capsys.readouterr()
    code = main(["generate", checkpoint, "--prompt", "the ", "--seed", "2", "--top-k", "6", *options])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_the_sample_ends_with_the_first_stop_and_length_still_caps_it(checkpoint, capsys):
    code, free, _ = sample(capsys, checkpoint, "--length", "120")
    assert code == 0 and free.startswith("the ") and free.endswith("\n")
    continuation = free[len("the ") : -1]
    stop = continuation[5:7]
    end = continuation.index(stop) + len(stop)
    code, stopped, _ = sample(capsys, checkpoint, "--length", "120", "--stop", stop)
    assert code == 0 and stopped == "the " + continuation[:end] + "\n"
    code, capped, _ = sample(capsys, checkpoint, "--length", str(end - 1), "--stop", stop)
    assert code == 0 and capped == "the " + continuation[: end - 1] + "\n"


@pytest.mark.parametrize(
    "stop, message",
    [
        ("", "--stop '' is empty; give the text that ends a sample"),
        ("Z", "--stop 'Z' has character(s) the model never writes: 'Z'; make the stop of characters"),
    ],
)
def test_a_stop_the_model_cannot_write_is_refused_in_one_line(checkpoint, capsys, stop, message):
    code, out, err = sample(capsys, checkpoint, "--stop", stop)
    assert code == 2 and out == "" and message in err and err.count("\n") == 1
