"""`gatedrnn --version` prints the one version (gatedrnn.__version__), and that version is the newest
release CHANGELOG.md records."""

import re
import subprocess
import sys

import pytest
from helpers.paths import REPO

import gatedrnn
from gatedrnn.cli import main

CHANGELOG = REPO / "CHANGELOG.md"


def test_version_prints_the_package_version_and_exits_0(capsys):
    with pytest.raises(SystemExit) as stopped:
        main(["--version"])
    assert stopped.value.code == 0
    assert capsys.readouterr().out == f"gatedrnn {gatedrnn.__version__}\n"


def test_version_from_a_fresh_process():
    done = subprocess.run(
        [sys.executable, "-m", "gatedrnn", "--version"], capture_output=True, text=True, timeout=60, check=False
    )
    assert (done.returncode, done.stdout, done.stderr) == (0, f"gatedrnn {gatedrnn.__version__}\n", "")


def test_the_version_is_the_newest_release_in_the_changelog():
    assert re.fullmatch(r"\d+\.\d+\.\d+", gatedrnn.__version__)
    releases = re.findall(r"^## \[(\d+\.\d+\.\d+)\] - \d{4}-\d{2}-\d{2}$", CHANGELOG.read_text(encoding="utf-8"), re.M)
    assert releases, "CHANGELOG.md lists no release"
    assert releases[0] == gatedrnn.__version__
