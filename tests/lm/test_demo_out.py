"""gatedrnn demo numbers a used --out: also '.', '..' and '/', which name no directory of their own."""

from pathlib import Path

import pytest

from gatedrnn.errors import GatedRNNError
from gatedrnn.lm.demo import next_free_directory


def _used(directory):
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "someone's file").write_text("x")
    return directory


def test_a_used_current_directory_is_numbered_beside_itself(tmp_path, monkeypatch):
    monkeypatch.chdir(_used(tmp_path / "work"))
    assert next_free_directory(".") == tmp_path / "work-2"
    assert next_free_directory("./") == tmp_path / "work-2"


def test_a_used_parent_directory_is_numbered_beside_itself(tmp_path, monkeypatch):
    _used(tmp_path / "top")
    monkeypatch.chdir(_used(tmp_path / "top" / "inner"))
    assert next_free_directory("..") == tmp_path / "top-2"


def test_an_empty_current_directory_is_used_as_it_is(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert next_free_directory(".") == Path(".")


@pytest.mark.parametrize("out", ["", "/"])
def test_no_path_and_the_root_are_refused_in_one_line(out):
    with pytest.raises(GatedRNNError, match="^out "):
        next_free_directory(out)
