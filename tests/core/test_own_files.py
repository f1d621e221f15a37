"""gatedrnn.own_files: a command replaces only the results, figures and pages it wrote itself."""

import io
import json

import pytest

from gatedrnn.errors import GatedRNNError
from gatedrnn.figures import pyplot, save_figure
from gatedrnn.own_files import (
    HTML_GENERATOR_TAG,
    check_replaceable,
    is_own_figure,
    is_own_page,
    is_results_document,
)


def _figure():
    figure, axes = pyplot().subplots(figsize=(1, 1))
    axes.plot([0, 1], [1, 0])
    return figure


def test_a_figure_gatedrnn_saved_is_its_own(tmp_path):
    path = tmp_path / "f.png"
    save_figure(_figure(), path)
    assert is_own_figure(path)
    check_replaceable(path, "--plot", "figure")


def test_a_matplotlib_figure_saved_by_someone_else_is_not(tmp_path):
    buffer = io.BytesIO()
    figure = _figure()
    figure.savefig(buffer, format="png")  # matplotlib's own Software chunk
    pyplot().close(figure)
    path = tmp_path / "theirs.png"
    path.write_bytes(buffer.getvalue())
    assert not is_own_figure(path)
    with pytest.raises(GatedRNNError, match="theirs.png exists and is not a figure gatedrnn drew; choose another"):
        check_replaceable(path, "--plot", "figure")


@pytest.mark.parametrize("content", [b"", b"not a png at all", b"\x89PNG\r\n\x1a\n\x00\x00"])
def test_other_bytes_are_not_a_figure(tmp_path, content):
    path = tmp_path / "x.png"
    path.write_bytes(content)
    assert not is_own_figure(path)


def test_a_results_document_needs_finished_and_machine(tmp_path):
    ours, other, broken = tmp_path / "ours.json", tmp_path / "other.json", tmp_path / "broken.json"
    ours.write_text(json.dumps({"finished": "2026-12-04", "machine": {}, "test": 1.0}))
    other.write_text(json.dumps({"finished": "2026-12-04"}))
    broken.write_text("{")
    assert is_results_document(ours)
    assert not is_results_document(other) and not is_results_document(broken)
    with pytest.raises(GatedRNNError, match="is not a gatedrnn results file"):
        check_replaceable(other, "--results", "results")


def test_a_page_is_known_by_its_generator_tag(tmp_path):
    ours, theirs = tmp_path / "ours.html", tmp_path / "theirs.html"
    ours.write_text(f"<!DOCTYPE html><html><head>{HTML_GENERATOR_TAG}</head></html>")
    theirs.write_text("<!DOCTYPE html><html><head></head></html>")
    assert is_own_page(ours) and not is_own_page(theirs)


def test_a_missing_path_may_be_written(tmp_path):
    check_replaceable(tmp_path / "new.json", "--results", "results")


def test_a_directory_in_the_way_is_refused(tmp_path):
    (tmp_path / "d.json").mkdir()
    with pytest.raises(GatedRNNError, match="is a directory"):
        check_replaceable(tmp_path / "d.json", "--results", "results")
