"""An OSError that reaches the command line (a path the system refuses) is one line with a fix."""

import errno

import pytest

from gatedrnn.cli import main


@pytest.mark.parametrize(
    "number, words, fix",
    [
        (errno.ENOENT, "no such file or directory", "check the path"),
        (errno.ENOSPC, "the disk is full", "free some space"),
        (errno.EIO, "Input/output error", "check the path and try again"),
    ],
)
def test_an_os_error_is_one_line_naming_the_path_and_a_fix(number, words, fix, monkeypatch, capsys, tmp_path):
    import gatedrnn.lab

    def refuse(*args, **kwargs):
        raise OSError(number, __import__("os").strerror(number), "/somewhere/scalar.json")

    monkeypatch.setattr(gatedrnn.lab, "run_experiment", refuse)
    assert main(["lab", "scalar", "--out", str(tmp_path / "lab")]) == 2
    err = capsys.readouterr().err.strip()
    assert err == f"gatedrnn: error: /somewhere/scalar.json: {words}; {fix}"
