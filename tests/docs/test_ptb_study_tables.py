"""docs/language-models.md quotes the PTB studies' results files as benchmarks/ptb_variants.py prints them.

`python benchmarks/ptb_variants.py STUDY --table` prints the table of benchmarks/results/ptb_STUDY.json;
the page must hold that output unchanged, so that a re-run cannot leave it quoting other figures.
"""

import json

import pytest
from helpers.paths import REPO, load_script

# The studies whose table the page prints with --table (the older ones show hand-picked epochs).
QUOTED_STUDIES = ("regularisers", "residual", "activation")


def variants_module():
    return load_script(REPO / "benchmarks" / "ptb_variants.py", "ptb_variants_benchmark")


@pytest.mark.parametrize("study", QUOTED_STUDIES)
def test_the_docs_hold_the_table_of_the_study(study):
    document = json.loads((REPO / "benchmarks" / "results" / f"ptb_{study}.json").read_text(encoding="utf-8"))
    table = variants_module().markdown_table(document)
    assert table in (REPO / "docs" / "language-models.md").read_text(encoding="utf-8"), (
        f"docs/language-models.md's table of the {study} study differs from its file; paste the output of "
        f"python benchmarks/ptb_variants.py {study} --table"
    )


def test_a_row_carries_every_epoch_and_the_options_given():
    row = dict(
        variant="locked",
        options=["--epochs", "3", "--locked-dropout"],
        valid_ppl_by_epoch=[196.44, 144.81, 111.249],
        test_ppl=107.123,
        wall_seconds=3725.0,
        median_train_tokens_per_s=771.4,
    )
    bare = dict(row, variant="book", options=[])
    table = variants_module().markdown_table(dict(preset="better-rnnlm", variants=[row, bare]))
    lines = table.splitlines()
    assert lines[0].startswith("| variant | options given to `--preset better-rnnlm` |")
    assert lines[2] == "| locked | `--epochs 3 --locked-dropout` | 196.4, 144.8, 111.2 | 107.12 | 62 min | 771 |"
    assert lines[3].startswith("| book | (none) |")


def test_a_study_over_seeds_gives_each_variant_its_mean_range_and_seeds():
    run = dict(test_ppl=101.0, best_valid_ppl=105.0, median_train_tokens_per_s=1000.0)
    row = dict(
        variant="ar+tar",
        options=["--activation-reg", "2"],
        seeds=[0, 1],
        best_valid_ppl=dict(mean=105.5, min=105.0, max=106.0),
        test_ppl=dict(mean=101.5, min=101.0, max=102.0),
        runs=[run, dict(run, test_ppl=102.0, best_valid_ppl=106.0, median_train_tokens_per_s=1200.0)],
    )
    lines = variants_module().markdown_table(dict(preset="rnnlm", variants=[row])).splitlines()
    assert lines[0].startswith("| variant | options given to `--preset rnnlm` | best valid ppl, mean (range) |")
    assert "test ppl of seeds 0, 1" in lines[0]
    assert lines[2] == (
        "| ar+tar | `--activation-reg 2` | 105.50 (105.00–106.00) | 101.50 (101.00–102.00) | 101.00, 102.00 "
        "| 1,000–1,200 |"
    )
