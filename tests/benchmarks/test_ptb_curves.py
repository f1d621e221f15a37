"""benchmarks/ptb_curves.py: one line per results file, the scored model's test perplexity marked."""

import json

import pytest
from helpers.paths import REPO, load_script

RESULTS = REPO / "benchmarks" / "results"


@pytest.fixture(scope="module")
def curves():
    return load_script(REPO / "benchmarks" / "ptb_curves.py", "ptb_curves")


def test_a_run_is_its_files_curve_and_scored_model(curves):
    run = curves.run_of(RESULTS / "ptb_better_rnnlm.json")
    document = json.loads((RESULTS / "ptb_better_rnnlm.json").read_text())
    assert run["valid"] == document["valid_ppl_by_epoch"]
    assert run["test"] == document["test_ppl"]
    assert run["best_epoch"] == document["valid_ppl_by_epoch"].index(min(run["valid"])) + 1
    assert run["label"] == "better-rnnlm, seed 0"


def test_the_figure_is_written_as_a_png(curves, tmp_path):
    out = tmp_path / "curves.png"
    runs = [curves.run_of(RESULTS / name) for name in ("ptb_better_rnnlm.json", "ptb_rnnlm.json")]
    curves.plot(runs, out, "test")
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
