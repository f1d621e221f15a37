"""The README quotes its results files: each PTB perplexity and each task figure is the file's own, rounded.

A number in the README is a claim; this keeps the table and the files the runs wrote from drifting
apart when a run is redone or a row is typed by hand.
"""

import json
import re

from helpers.paths import REPO

ROOT = REPO
README = ROOT / "README.md"


def ptb_table_rows():
    """(valid cell, test cell, results path) for each row of the table under 'Results on the full PTB'."""
    text = README.read_text(encoding="utf-8")
    table = text.split("Results on the full PTB", 1)[1].split("\n\n", 2)[1]
    rows = []
    for line in table.splitlines()[2:]:  # past the header and the |---| line
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        link = re.search(r"\]\((benchmarks/results/[^)]+\.json)\)", cells[-1])
        rows.append((cells[1], cells[2], ROOT / link.group(1)))
    return rows


def numbers(cell):
    return [float(n) for n in re.findall(r"\d+\.\d+", cell)]


def is_in_order_within(quoted, values, places):
    """Each quoted number is the next matching value, rounded to ``places``: a subsequence, in order."""
    remaining = iter(round(v, places) for v in values)
    return all(any(q == v for v in remaining) for q in quoted)


def test_the_table_has_its_rows():
    assert len(ptb_table_rows()) >= 5


def test_each_test_perplexity_is_its_files():
    for _, test_cell, path in ptb_table_rows():
        quoted = numbers(test_cell)
        assert len(quoted) == 1, test_cell
        assert quoted[0] == round(json.loads(path.read_text())["test_ppl"], 2), path.name


def test_each_validation_curve_is_its_files():
    for valid_cell, _, path in ptb_table_rows():
        quoted = numbers(valid_cell)
        assert quoted, valid_cell
        assert is_in_order_within(quoted, json.loads(path.read_text())["valid_ppl_by_epoch"], 1), path.name


def test_the_check_catches_a_wrong_digit():
    assert is_in_order_within([197.1, 145.0], [197.099, 159.7, 144.954], 1)
    assert not is_in_order_within([197.1, 145.1], [197.099, 159.7, 144.954], 1)
    assert not is_in_order_within([145.0, 197.1], [197.099, 159.7, 144.954], 1)


def task_figures():
    """{command: (mean, (min, max) or None)} of the README's `gatedrnn task` lines that quote a figure."""
    figures = {}
    for line in README.read_text(encoding="utf-8").splitlines():
        found = re.match(r"gatedrnn task (\w+).*?(\d+(?:\.\d+)?)%(?: \((\d+\.\d+)–(\d+\.\d+)\))?", line)
        if found:
            spread = (float(found.group(3)), float(found.group(4))) if found.group(3) else None
            figures[found.group(1)] = (float(found.group(2)), spread)
    return figures


def percent(summary):
    return tuple(round(100 * summary[key], 2) for key in ("mean", "min", "max"))


def test_the_task_lines_quote_their_files():
    results = ROOT / "benchmarks" / "results"
    tasks = {
        row["task"] + ("-bi" if row["bidirectional"] else ""): row
        for row in json.loads((results / "sequence_tasks.json").read_text())["runs"]
        if row["cell"] == "lstm"
    }
    seq2seq = json.loads((results / "seq2seq.json").read_text())
    encoder_decoders = {(row["task"], row["config"]): row for task in ("addition", "dates") for row in seq2seq[task]}
    expected = {
        "brackets": percent(tasks["brackets"]["test_accuracy"]),
        "neighbours": percent(tasks["neighbours-bi"]["test_accuracy"]),
        "addition": percent(encoder_decoders["addition", "reversed+peeky"]["test_exact_match"]),
        "dates": percent(encoder_decoders["dates", "attention"]["test_exact_match"]),
        "numbers": percent(json.loads((results / "numbers_seeds.json").read_text())["test_exact_match"]),
    }
    figures = task_figures()
    assert set(figures) == set(expected)
    for task, (mean, spread) in figures.items():
        assert mean == expected[task][0], task
        if spread:
            assert spread == expected[task][1:], task
