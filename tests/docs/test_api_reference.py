"""docs/build_api.py: a pdoc warning fails the build and keeps the last reference; a clean build
replaces it whole; a directory that is not a build is never emptied."""

import importlib.util
import sys

import pytest
from helpers.paths import REPO

BUILD_API = REPO / "docs" / "build_api.py"


def load_build_api():
    spec = importlib.util.spec_from_file_location("build_api", BUILD_API)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def write_package(root, name, body):
    package = root / name
    package.mkdir()
    (package / "__init__.py").write_text(body)


def earlier_build(directory):
    directory.mkdir()
    (directory / "index.html").write_text("the last good reference")
    (directory / "search.js").write_text("")
    (directory / "stale_module.html").write_text("a module that no longer exists")


@pytest.fixture
def packages(tmp_path, monkeypatch):
    root = tmp_path / "packages"
    root.mkdir()
    monkeypatch.syspath_prepend(str(root))
    return root


def test_a_warning_fails_the_build_and_keeps_the_last_reference(tmp_path, packages):
    write_package(packages, "api_ref_broken", '"""A package."""\n__all__ = ["nowhere"]\n')
    output = tmp_path / "api"
    earlier_build(output)
    caught = load_build_api().build(output, modules=("api_ref_broken",), lazy_packages=())
    assert any("nowhere" in str(warning.message) for warning in caught)
    assert (output / "index.html").read_text() == "the last good reference"
    assert not output.with_name("api.building").exists()


def test_a_clean_build_replaces_the_output_whole(tmp_path, packages):
    body = '"""A package."""\n\n\ndef double(x):\n    """Twice ``x``."""\n    return 2 * x\n'
    write_package(packages, "api_ref_clean", body)
    output = tmp_path / "api"
    earlier_build(output)
    assert load_build_api().build(output, modules=("api_ref_clean",), lazy_packages=()) == []
    assert "Twice" in (output / "api_ref_clean.html").read_text()
    assert not (output / "stale_module.html").exists()


def test_lazy_names_are_resolved_before_pdoc_reads_the_namespace(packages):
    body = (
        '__all__ = ["late"]\n\n\n'
        "def __getattr__(name):\n"
        '    if name == "late":\n'
        "        return 42\n"
        "    raise AttributeError(name)\n"
    )
    write_package(packages, "api_ref_lazy", body)
    load_build_api().resolve_lazy_names("api_ref_lazy")
    assert vars(sys.modules["api_ref_lazy"])["late"] == 42


def test_an_output_that_is_not_a_build_is_refused_untouched(tmp_path, capsys):
    output = tmp_path / "mine"
    output.mkdir()
    (output / "notes.txt").write_text("keep me")
    assert load_build_api().main(["--output", str(output)]) == 2
    assert (output / "notes.txt").read_text() == "keep me"
    assert "not an API build" in capsys.readouterr().err


@pytest.mark.slow
def test_the_reference_builds_without_a_warning(tmp_path):
    pytest.importorskip("torch")
    output = tmp_path / "api"
    assert load_build_api().main(["--output", str(output)]) == 0
    for page in ("index.html", "gatedrnn.html", "gatedrnn/layers.html", "gatedrnn/lm.html", "gatedrnn/interop.html"):
        assert (output / page).is_file(), page
    assert 'id="TorchLanguageModel"' in (output / "gatedrnn" / "interop.html").read_text()
