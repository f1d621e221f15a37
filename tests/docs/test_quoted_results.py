"""The README's PTB table quotes its results files: each perplexity is the file's own, rounded.

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
