"""Figures the docs give per BLAS kernel are the files the runs under each kernel wrote.

docs/gradients.md's Tom-and-Mary table gives each run's test accuracy by model, kernel and
distance, and its sentences quote the SkylakeX re-runs of other lab figures; docs/sequences.md's
table has a mean and range per kernel for each sequence task; docs/seq2seq.md and the README
quote the numbers task under the second kernel. A re-run that moves a digit (new code, another
kernel), or a cell typed by hand, fails here until the page follows.
"""

import json
import re

import pytest
from helpers.paths import REPO

RESULTS = REPO / "benchmarks" / "results"
LAB = REPO / "docs" / "figures" / "lab"
TOM_MARY_FILES = {"SkylakeX": "tom-mary.json", "Haswell": "haswell/tom-mary.json"}  # under LAB, by kernel
TOM_MARY_MODELS = {"rnn-tanh": "tanh RNN", "lstm": "LSTM"}
SEQUENCE_FILES = {"Haswell": "sequence_tasks.json", "SkylakeX": "sequence_tasks_skylakex.json"}
ROW_OF = {  # (task, cell, bidirectional): the row's first two cells in docs/sequences.md
    ("brackets", "lstm", False): "brackets | LSTM, last state",
    ("brackets", "gru", False): "brackets | GRU, mean over steps",
    ("neighbours", "lstm", False): "neighbours | LSTM, left to right",
    ("neighbours", "lstm", True): "neighbours | bidirectional LSTM",
}


def load(name, folder=RESULTS):
    return json.loads((folder / name).read_text(encoding="utf-8"))


def page_text(name, joined=False):
    """A page of the repository; ``joined``: its lines joined by single spaces, for sentences that wrap."""
    text = (REPO / name).read_text(encoding="utf-8")
    return " ".join(text.split()) if joined else text


def kernels_of(document):
    return [library["kernel"] for library in document["machine"]["blas"]]


def mean_and_range(summary):
    percent = {key: f"{100 * summary[key]:.2f}" for key in ("mean", "min", "max")}
    return [f"{percent['mean']}%", f"{percent['min']}–{percent['max']}%"]


def test_the_second_kernels_files_name_it():
    assert kernels_of(load("sequence_tasks_skylakex.json")) == ["SkylakeX"]
    assert kernels_of(load("numbers_seeds_skylakex.json")) == ["SkylakeX"]


@pytest.mark.parametrize("key", sorted(ROW_OF))
def test_the_sequence_table_row_is_both_files(key):
    expected = [ROW_OF[key]]
    for kernel in ("Haswell", "SkylakeX"):
        runs = load(SEQUENCE_FILES[kernel])["runs"]
        run = next(run for run in runs if (run["task"], run["cell"], run["bidirectional"]) == key)
        expected += mean_and_range(run["test_accuracy"])
    assert "| " + " | ".join(expected) + " |" in page_text("docs/sequences.md")


def test_the_grus_ten_runs_are_quoted_as_measured():
    seeds = [
        seed["test_accuracy"]
        for name in SEQUENCE_FILES.values()
        for run in load(name)["runs"]
        if run["cell"] == "gru"
        for seed in run["seeds"]
    ]
    quoted = f"{100 * sum(seeds) / len(seeds):.2f}% ({100 * min(seeds):.2f}–{100 * max(seeds):.2f}%)"
    assert len(seeds) == 10 and f"Over the ten runs it scores {quoted}" in page_text("docs/sequences.md", joined=True)


@pytest.mark.parametrize(
    "page, quote",
    [
        ("docs/seq2seq.md", r"seeds give (\d+\.\d+)% \((\d+\.\d+)–(\d+\.\d+)%\)"),
        ("README.md", r"numbers gives (\d+\.\d+)% \((\d+\.\d+)–(\d+\.\d+)\)"),
    ],
)
def test_the_numbers_task_under_skylakex_is_its_file(page, quote):
    summary = load("numbers_seeds_skylakex.json")["test_exact_match"]
    found = re.search(quote, page_text(page))
    assert found and [float(value) for value in found.groups()] == [
        round(100 * summary[key], 2) for key in ("mean", "min", "max")
    ]


def tom_mary_row(document, model):
    """The row the page should show: seeds in order within each distance, * after a solved run."""
    runs = [run for run in document["runs"] if run["model"] == model]
    cells = []
    for distance in sorted({run["distance"] for run in runs}):
        at_distance = sorted((run for run in runs if run["distance"] == distance), key=lambda run: run["seed"])
        cells.append(", ".join(f"{run['accuracy']:.3f}" + ("\\*" if run["solved"] else "") for run in at_distance))
    return cells


def page_row(label):
    """The cells after the label of docs/gradients.md's row that starts with ``label``, bold marks dropped."""
    for line in page_text("docs/gradients.md").splitlines():
        if line.startswith(f"| {label} |"):
            return [cell.strip().replace("**", "") for cell in line.strip().strip("|").split("|")[1:]]
    raise AssertionError(f"docs/gradients.md has no row '{label}'")


@pytest.mark.parametrize("kernel", sorted(TOM_MARY_FILES))
def test_each_tom_mary_file_ran_the_kernel_its_rows_name(kernel):
    document = load(TOM_MARY_FILES[kernel], LAB)
    assert kernels_of(document) == [kernel]
    assert document["repeats"] == 5 and document["gaps"] == [0, 40, 80]


@pytest.mark.parametrize("kernel", sorted(TOM_MARY_FILES))
@pytest.mark.parametrize("model", sorted(TOM_MARY_MODELS))
def test_the_tom_mary_table_row_is_the_results_file(kernel, model):
    document = load(TOM_MARY_FILES[kernel], LAB)
    assert page_row(f"{TOM_MARY_MODELS[model]}, {kernel} kernel") == tom_mary_row(document, model)


def lab_run(path):
    return load(path, LAB / "skylakex")


def first_step_below(losses, level):
    return next(step for step, loss in enumerate(losses, start=1) if loss is not None and loss < level)


def test_the_lab_reruns_under_skylakex_are_quoted_as_measured():
    """docs/gradients.md's sentences on the SkylakeX re-runs of gradient-flow, clipping and long-range."""
    page = page_text("docs/gradients.md", joined=True)
    lstm = lab_run("gradient-flow.json")["models"]["lstm"]
    reach = lstm["trained"]["h"][-1] / lstm["trained"]["h"][0]  # by distance back: ‖∂L/∂h_1‖ / ‖∂L/∂h_50‖
    assert f"the trained LSTM, ×{lstm['decay_per_step']['trained']:.3f} and {reach * 100:.1f} × 10⁻²" in page
    unclipped, clipped = (lab_run("clipping.json")["runs"][name] for name in ("no clip", "clip"))
    assert unclipped["spikes"] == [93, 387] and f"largest update of {unclipped['max_update_norm']:.2f};" in page
    assert clipped["spikes"] == [93, 100] and f"loss {clipped['mean_loss_last_50'] * 1e5:.1f} × 10⁻⁵" in page
    runs = lab_run("per-tensor/clipping.json")["runs"]
    per_tensor = runs["clip per tensor"]
    assert per_tensor["spikes"] == [] and f"same largest update ({per_tensor['max_update_norm']:.3f})" in page
    steps = [first_step_below(runs[name]["losses"], 0.01) for name in ("clip per tensor", "clip")]
    assert f"at step {steps[0]} (the global clip at {steps[1]};" in page
    scores = {
        (r["task"], r["clipping"], r["length"], r["model"]): r["score"] for r in lab_run("long-range.json")["runs"]
    }
    assert f"recall T = 200 unclipped ({scores['recall', 'no clip', 200, 'lstm']:.3f})" in page
    assert f"adding T = 100 clipped ({scores['adding', 'clip', 100, 'lstm']:.3f})" in page
