"""docs/seq2seq.md quotes benchmarks/results/seq2seq.json as the benchmark prints it.

`python benchmarks/seq2seq.py --table benchmarks/results/seq2seq.json` prints one Markdown table
per task from the results file; the docs must hold that output unchanged, so that a re-run (or a
resumed one) cannot leave the page quoting figures the file no longer has. The same holds for
the table of the seed studies (`--study-table` over the study files).
"""

import json

from helpers.paths import REPO, load_script


def benchmark_module():
    return load_script(REPO / "benchmarks" / "seq2seq.py", "seq2seq_benchmark")


def test_the_docs_hold_the_tables_of_the_results_file():
    document = json.loads((REPO / "benchmarks" / "results" / "seq2seq.json").read_text(encoding="utf-8"))
    tables = benchmark_module().markdown_tables(document)
    docs = (REPO / "docs" / "seq2seq.md").read_text(encoding="utf-8")
    for table in tables.split("\n\n"):
        assert table in docs, table.splitlines()[0]


STUDY_FILES = ("init", "schedule", "clip", "data")


def test_the_docs_hold_the_table_of_the_studies():
    results = REPO / "benchmarks" / "results"
    documents = {
        f"seq2seq_study_{name}.json": json.loads((results / f"seq2seq_study_{name}.json").read_text(encoding="utf-8"))
        for name in STUDY_FILES
    }
    table = benchmark_module().study_table(documents)
    assert table in (REPO / "docs" / "seq2seq.md").read_text(encoding="utf-8"), (
        "docs/seq2seq.md's table of the studies differs from the files; paste the output of "
        "python benchmarks/seq2seq.py --study-table " + " ".join(f"benchmarks/results/{n}" for n in documents)
    )


def test_a_table_row_carries_mean_range_and_every_seed():
    summary = dict(
        task="dates",
        config="attention",
        test_exact_match=dict(mean=0.9, min=0.85, max=0.95),
        test_exact_match_by_seed={"0": 0.85, "1": 0.95},
        wall_seconds=dict(mean=120.4),
    )
    table = benchmark_module().markdown_tables(dict(addition=[], dates=[summary], copy=[]))
    assert table.splitlines()[-1] == "| attention | **90.00%** | 85.00–95.00% | 85.00, 95.00 | 120 s |"


def test_a_study_row_carries_each_seeds_course():
    runs = [
        dict(seed=1, exact_match_by_epoch=[0.1] * 9 + [0.5] + [0.9, 0.8, 0.95, 0.97, 0.96]),
        dict(seed=0, exact_match_by_epoch=[0.0] * 9 + [0.25] + [0.7, 0.9, 0.92, 0.9, 0.99]),
    ]
    summary = dict(
        config="reversed+peeky, book init",
        test_exact_match=dict(mean=0.975, min=0.96, max=0.99),
        test_exact_match_by_seed={"0": 0.99, "1": 0.96},
        runs=runs,
    )
    table = benchmark_module().study_table({"seq2seq_study_x.json": dict(addition=[summary])})
    assert table.splitlines()[-1] == (
        "| reversed+peeky, book init | **97.50%** | 96.00–99.00% | 0: 99.00, 1: 96.00 | 25.0, 50.0 | 70.0, 80.0 "
        "| seq2seq_study_x.json |"
    )
