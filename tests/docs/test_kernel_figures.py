"""Figures the docs give per BLAS kernel are the files the runs under each kernel wrote.

docs/sequences.md's table has a mean and range per kernel for each sequence task, and
docs/seq2seq.md and the README quote the numbers task under the second kernel. A re-run that moves a digit,
or a cell typed by hand, fails here until the page follows.
"""

import json
import re

import pytest
from helpers.paths import REPO

RESULTS = REPO / "benchmarks" / "results"
SEQUENCE_FILES = {"Haswell": "sequence_tasks.json", "SkylakeX": "sequence_tasks_skylakex.json"}
ROW_OF = {  # (task, cell, bidirectional): the row's first two cells in docs/sequences.md
    ("brackets", "lstm", False): "brackets | LSTM, last state",
    ("brackets", "gru", False): "brackets | GRU, mean over steps",
    ("neighbours", "lstm", False): "neighbours | LSTM, left to right",
    ("neighbours", "lstm", True): "neighbours | bidirectional LSTM",
}


def load(name):
    return json.loads((RESULTS / name).read_text(encoding="utf-8"))


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
    page = (REPO / "docs" / "sequences.md").read_text(encoding="utf-8")
    assert "| " + " | ".join(expected) + " |" in page


def test_the_grus_ten_runs_are_quoted_as_measured():
    seeds = [
        seed["test_accuracy"]
        for name in SEQUENCE_FILES.values()
        for run in load(name)["runs"]
        if run["cell"] == "gru"
        for seed in run["seeds"]
    ]
    quoted = f"{100 * sum(seeds) / len(seeds):.2f}% ({100 * min(seeds):.2f}–{100 * max(seeds):.2f}%)"
    page = " ".join((REPO / "docs" / "sequences.md").read_text(encoding="utf-8").split())  # lines joined
    assert len(seeds) == 10 and f"Over the ten runs it scores {quoted}" in page


@pytest.mark.parametrize(
    "page, quote",
    [
        ("docs/seq2seq.md", r"seeds give (\d+\.\d+)% \((\d+\.\d+)–(\d+\.\d+)%\)"),
        ("README.md", r"numbers gives (\d+\.\d+)% \((\d+\.\d+)–(\d+\.\d+)\)"),
    ],
)
def test_the_numbers_task_under_skylakex_is_its_file(page, quote):
    summary = load("numbers_seeds_skylakex.json")["test_exact_match"]
    found = re.search(quote, (REPO / page).read_text(encoding="utf-8"))
    assert found and [float(value) for value in found.groups()] == [
        round(100 * summary[key], 2) for key in ("mean", "min", "max")
    ]


LAB = REPO / "docs" / "figures" / "lab" / "skylakex"


def lab_run(path):
    return json.loads((LAB / path).read_text(encoding="utf-8"))


def first_step_below(losses, level):
    return next(step for step, loss in enumerate(losses, start=1) if loss is not None and loss < level)


def test_the_lab_reruns_under_skylakex_are_quoted_as_measured():
    """docs/gradients.md's sentences on the SkylakeX re-runs of gradient-flow, clipping and long-range."""
    page = " ".join((REPO / "docs" / "gradients.md").read_text(encoding="utf-8").split())
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
