"""The README and the library tour: their Python examples run as written (on small stand-ins for the
files they name), every relative link points at a file, and the README fits on a page or two."""

import re

import pytest
from helpers.paths import REPO

README = REPO / "README.md"
LIBRARY_TOUR = REPO / "docs" / "library.md"
LINK = re.compile(r"\]\(([^)\s]+)\)")


def python_blocks():
    pages = (README, LIBRARY_TOUR)
    return [block for page in pages for block in re.findall(r"```python\n(.*?)```", page.read_text("utf-8"), re.S)]


def test_the_library_example_runs():
    block = next(code for code in python_blocks() if "from gatedrnn import LSTM" in code)
    namespace = {}
    exec(compile(block, "README.md or docs/library.md", "exec"), namespace)
    assert namespace["loss"] > 0 and namespace["state"][0].shape == (2, 20, 650)


def test_the_trainer_example_runs(tmp_path, monkeypatch):
    block = next(code for code in python_blocks() if "Trainer(" in code)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "my_text.txt").write_text("the quick brown fox jumps over the lazy dog\n" * 300, encoding="utf-8")
    # The example's sizes, shrunk so the test takes a second: the code path is the same.
    block = block.replace("epochs=2", "epochs=1").replace("hidden_size=256", "hidden_size=16")
    block = block.replace("embedding_size=64", "embedding_size=8")
    namespace = {}
    exec(compile(block, "README.md or docs/library.md", "exec"), namespace)
    assert namespace["summary"]["valid_ppl"] > 0
    assert (tmp_path / "runs" / "mine" / "best.npz").exists()


def pages_with_links():
    """The README, CONTRIBUTING, CHANGELOG and every page under docs/ (the API reference is built, not kept)."""
    pages = [REPO / name for name in ("README.md", "CONTRIBUTING.md", "CHANGELOG.md")]
    return pages + sorted((REPO / "docs").rglob("*.md"))


def broken_links(page):
    """Relative link targets of ``page`` (anchors dropped) that name no file or folder."""
    targets = [target.split("#", 1)[0] for target in LINK.findall(page.read_text(encoding="utf-8"))]
    relative = [t for t in targets if t and not re.match(r"[a-z]+:", t) and not t.startswith("api/")]
    return [t for t in relative if not (page.parent / t).exists()]


@pytest.mark.parametrize("page", pages_with_links(), ids=lambda page: str(page.relative_to(REPO)))
def test_every_relative_link_points_at_a_file(page):
    assert not broken_links(page), f"{page.relative_to(REPO)} links to missing files"


def test_the_link_check_catches_a_missing_file(tmp_path):
    page = tmp_path / "page.md"
    page.write_text("[here](here.md) and [gone](gone.md#part) and [web](https://example.org)", encoding="utf-8")
    (tmp_path / "here.md").write_text("", encoding="utf-8")
    assert broken_links(page) == ["gone.md"]


def test_the_readme_fits_on_a_page_or_two():
    """What moved out of it lives in docs/ (issue 28): the README says what gatedrnn is and how to start."""
    assert len(README.read_text(encoding="utf-8").splitlines()) <= 200
