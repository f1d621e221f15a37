"""docs/gradients.md's Tom-and-Mary table is the two results files the lab wrote, one per BLAS kernel.

The table gives each run's test accuracy by model, kernel and distance; a re-run that changes a
digit (new code, another kernel), or a row typed by hand, fails here until the page follows.
"""

import json

import pytest
from helpers.paths import REPO

PAGE = REPO / "docs" / "gradients.md"
RESULTS = {  # kernel named in the table: the file its run wrote
    "SkylakeX": REPO / "docs" / "figures" / "lab" / "tom-mary.json",
    "Haswell": REPO / "docs" / "figures" / "lab" / "haswell" / "tom-mary.json",
}
MODELS = {"rnn-tanh": "tanh RNN", "lstm": "LSTM"}


def table_row(document, model):
    """The row the page should show: seeds in order within each distance, * after a solved run."""
    runs = [run for run in document["runs"] if run["model"] == model]
    cells = []
    for distance in sorted({run["distance"] for run in runs}):
        at_distance = sorted((run for run in runs if run["distance"] == distance), key=lambda run: run["seed"])
        cells.append(", ".join(f"{run['accuracy']:.3f}" + ("\\*" if run["solved"] else "") for run in at_distance))
    return cells


def page_row(label):
    """The cells after the label of the page's row that starts with ``label``, bold marks dropped."""
    for line in PAGE.read_text(encoding="utf-8").splitlines():
        if line.startswith(f"| {label} |"):
            return [cell.strip().replace("**", "") for cell in line.strip().strip("|").split("|")[1:]]
    raise AssertionError(f"docs/gradients.md has no row '{label}'")


@pytest.mark.parametrize("kernel", sorted(RESULTS))
def test_each_results_file_ran_the_kernel_its_rows_name(kernel):
    document = json.loads(RESULTS[kernel].read_text(encoding="utf-8"))
    assert [library["kernel"] for library in document["machine"]["blas"]] == [kernel]
    assert document["repeats"] == 5 and document["gaps"] == [0, 40, 80]


@pytest.mark.parametrize("kernel", sorted(RESULTS))
@pytest.mark.parametrize("model", sorted(MODELS))
def test_the_table_row_is_the_results_file(kernel, model):
    document = json.loads(RESULTS[kernel].read_text(encoding="utf-8"))
    assert page_row(f"{MODELS[model]}, {kernel} kernel") == table_row(document, model)
