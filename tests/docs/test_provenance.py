"""Results files name the code that wrote them: gatedrnn's version, and the commit in a checkout."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import gatedrnn
from gatedrnn.files import machine_info
from gatedrnn.provenance import BUILT_FROM, _built_from, _git_commit, code_version

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


def test_an_installed_copy_reads_the_commit_its_build_recorded(tmp_path):
    (tmp_path / BUILT_FROM).write_text(json.dumps({"commit": "a" * 40, "dirty": False}))
    assert _built_from(tmp_path) == ("a" * 40, False)


@pytest.mark.parametrize(
    "text", ["", "{", "[]", '{"commit": "abc", "dirty": false}', '{"commit": null, "dirty": null}']
)
def test_a_broken_build_record_claims_no_commit(tmp_path, text):
    (tmp_path / BUILT_FROM).write_text(text)
    assert _built_from(tmp_path) == (None, None)


@pytest.mark.slow
@needs_git
def test_a_wheel_built_from_a_checkout_names_its_commit_once_installed(tmp_path):
    """setup.py's build step writes the commit into the wheel; the installed copy, in no git
    work tree, reports it. (pip builds the wheel as `pip install .` does.)"""
    source = Path(gatedrnn.__file__).resolve().parents[2]  # the folder with pyproject.toml and setup.py
    if not (source / "pyproject.toml").is_file():
        pytest.skip("gatedrnn here is an installed copy, not a source tree")
    checkout = tmp_path / "checkout"
    checkout.mkdir()
    for name in ("pyproject.toml", "setup.py", "README.md"):
        shutil.copy(source / name, checkout)
    shutil.copytree(
        source / "src" / "gatedrnn", checkout / "src" / "gatedrnn", ignore=shutil.ignore_patterns("__pycache__")
    )
    git(checkout, "init", "-q")
    git(checkout, "add", ".")
    git(checkout, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "one")
    head = subprocess.run(["git", "-C", str(checkout), "rev-parse", "HEAD"], capture_output=True, text=True).stdout
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check"]
    subprocess.run([*pip, "wheel", "-q", "--no-deps", "-w", str(tmp_path / "dist"), str(checkout)], check=True)
    site = tmp_path / "site"
    shutil.unpack_archive(next((tmp_path / "dist").glob("gatedrnn-*.whl")), site, format="zip")
    code = "import json; from gatedrnn.provenance import code_version; print(json.dumps(code_version()))"
    done = subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, "PYTHONPATH": str(site)},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(done.stdout) == {"gatedrnn": gatedrnn.__version__, "commit": head.strip(), "dirty": False}


def test_the_answer_is_json_ready():
    version = code_version()
    assert version["commit"] is None or len(version["commit"]) == 40
    assert version["dirty"] in (None, True, False)


def test_results_name_the_blas_kernel_the_products_ran_in():
    libraries = machine_info()["blas"]
    assert libraries, "NumPy's BLAS should be listed"
    assert all(set(library) == {"library", "version", "kernel"} for library in libraries)


def test_the_kernel_recorded_is_the_one_openblas_was_told_to_run():
    """OPENBLAS_CORETYPE picks another kernel (and other last bits): the record must follow it."""
    if not any(library["library"] == "openblas" for library in machine_info()["blas"]):
        pytest.skip("NumPy here does not use OpenBLAS")
    code = "import json; from gatedrnn.files import machine_info; print(json.dumps(machine_info()['blas']))"
    source = str(Path(gatedrnn.__file__).parents[1])  # this gatedrnn, installed or not
    environment = {**os.environ, "OPENBLAS_CORETYPE": "Haswell", "PYTHONPATH": source}
    done = subprocess.run([sys.executable, "-c", code], env=environment, capture_output=True, text=True, check=True)
    kernels = [library["kernel"] for library in json.loads(done.stdout) if library["library"] == "openblas"]
    assert kernels == ["Haswell"]
