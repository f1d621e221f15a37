"""The row counts docs/checkpoints-and-errors.md gives for the bad-input tables are the tables'."""

import re

import pytest
from helpers.bad_inputs import api, checkpoints
from helpers.paths import REPO

PAGE = (REPO / "docs" / "checkpoints-and-errors.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("module", [api, checkpoints], ids=["api", "checkpoints"])
def test_the_page_counts_the_rows_of_each_table(module):
    name = module.__name__.rsplit(".", 1)[-1]
    said = re.search(rf"`tests/helpers/bad_inputs/{name}\.py` holds (\d+) rows", PAGE.replace("\n", " "))
    assert said, f"the page no longer counts the rows of {name}.py"
    assert int(said.group(1)) == len(module.ROWS)


def test_the_page_splits_the_api_rows_into_mistakes_and_edge_cases():
    said = re.search(r"(\d+) mistakes that must each raise .*?and (\d+) edge cases", PAGE.replace("\n", " "))
    assert said
    refused = sum(row.status == 2 for row in api.ROWS)
    assert (int(said.group(1)), int(said.group(2))) == (refused, len(api.ROWS) - refused)
