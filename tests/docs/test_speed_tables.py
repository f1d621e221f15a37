"""The README's and docs/scaling.md's speed tables are the results files' own, printed by
benchmarks/speed_tables.py from every session the benchmarks kept (benchmarks/sessions.py)."""

import json

import pytest
from helpers.paths import REPO, load_script

RESULTS = REPO / "benchmarks" / "results"


@pytest.fixture(scope="module")
def speed_tables():
    return load_script(REPO / "benchmarks" / "speed_tables.py", "speed_tables")


def test_the_readme_holds_the_training_speed_table(speed_tables):
    table = speed_tables.table_of(RESULTS / "train_speed.json")
    assert table in (REPO / "README.md").read_text(encoding="utf-8")


def test_the_readme_and_the_scaling_page_hold_the_engines_table(speed_tables):
    table = speed_tables.table_of(RESULTS / "engines.json")
    assert table in (REPO / "README.md").read_text(encoding="utf-8")
    assert table in (REPO / "docs" / "scaling.md").read_text(encoding="utf-8")


def test_the_language_models_page_holds_the_adaptive_softmax_table(speed_tables):
    table = speed_tables.table_of(RESULTS / "adaptive_softmax.json")
    assert "`rnnlm`, idle" in table and "`rnnlm`, one core busy" in table
    assert table in (REPO / "docs" / "language-models.md").read_text(encoding="utf-8")


def test_the_readme_quotes_more_than_one_session(speed_tables):
    document = json.loads((RESULTS / "train_speed.json").read_text(encoding="utf-8"))
    assert len(document["sessions"]) >= 2


def test_a_cell_gives_each_sessions_median_then_every_rounds_range(speed_tables):
    figures = dict(min=1.04, max=1.83, session_medians={"2026-11-23": 1.698, "2026-12-03": 1.251})
    assert speed_tables.ratio_cell(figures) == "1.70× · 1.25× (1.04–1.83)"
