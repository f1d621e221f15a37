"""Results files name the code that wrote them: gatedrnn's version, and the commit in a checkout."""

import shutil
import subprocess

import pytest

import gatedrnn
from gatedrnn.files import machine_info
from gatedrnn.provenance import _git_commit, code_version

needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def git(directory, *arguments):
    subprocess.run(["git", "-C", str(directory), *arguments], check=True, capture_output=True)


def repository_with(tmp_path, package_path):
    """A git repository in tmp_path with one committed file in ``package_path``; returns that folder."""
    package = tmp_path / package_path
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("x = 1\n")
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", ".")
    git(tmp_path, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "one")
    return package


def test_results_carry_the_version():
    info = machine_info()
    assert info["code"]["gatedrnn"] == gatedrnn.__version__
    assert set(info["code"]) == {"gatedrnn", "commit", "dirty"}


def test_a_copy_outside_git_has_no_commit(tmp_path):
    assert _git_commit(tmp_path.resolve()) == (None, None)


@needs_git
def test_a_checkout_gives_its_commit_and_whether_it_was_edited(tmp_path):
    package = repository_with(tmp_path, "src/gatedrnn").resolve()
    commit, dirty = _git_commit(package)
    assert len(commit) == 40 and int(commit, 16) >= 0 and dirty is False
    (package / "__init__.py").write_text("x = 2\n")
    assert _git_commit(package) == (commit, True)


@needs_git
def test_a_copy_inside_another_repository_claims_no_commit(tmp_path):
    package = repository_with(tmp_path, "venv/site-packages/gatedrnn").resolve()
    assert _git_commit(package) == (None, None)


def test_the_answer_is_json_ready():
    version = code_version()
    assert version["commit"] is None or len(version["commit"]) == 40
    assert version["dirty"] in (None, True, False)
