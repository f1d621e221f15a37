"""PTB studies: the same recipe trained with one thing changed, run by run, resumable.

    python benchmarks/ptb_variants.py cells --data-dir DATA           # LSTM vs GRU vs tanh RNN, rnnlm size
    python benchmarks/ptb_variants.py dropout --data-dir DATA         # dropout along time, small preset
    python benchmarks/ptb_variants.py regularisers --table           # the docs' table of its results file

Each variant is a ``gatedrnn train`` process with ``--deterministic`` (one thread: a re-run
gives the same digits), in its own run directory under ``--run-dir`` (outside the
repository), stopped and resumed with ``--time-limit`` if needed: run the same command again
and it continues where it stopped, skipping finished variants. When every variant has
finished, their results go to ``benchmarks/results/ptb_STUDY.json``: per variant the options,
parameters, validation perplexity per epoch, test perplexity, wall time and tokens/s.

Studies:

* ``cells`` — the book's Rnnlm recipe (preset rnnlm: 1 layer of 100, SGD lr 20, clip 0.25,
  4 epochs) with ``--cell lstm``, ``gru`` and ``rnn`` (tanh), and the tanh RNN again with
  lr 1: is the GRU lighter and faster than the LSTM, and what does the plain RNN lose?
* ``dropout`` — Zaremba et al.'s small model (preset small, 13 epochs) as it is (no dropout),
  with locked dropout between layers, then also recurrent dropout on h_{t-1}, then also
  weight drop on W_hh.
* ``residual`` — the small model made deeper (4 layers of 200) for one epoch, without and with
  skip connections between layers (``--residual``), over seeds 0 … 4: does the skip help a
  deeper stack learn?
* ``activation`` — the book's Rnnlm recipe as it is and with AR and TAR at AWD-LSTM's
  weights (``--activation-reg 2 --temporal-activation-reg 1``), over seeds 0 … 4: what the
  penalties do to a model that is not regularised otherwise.
* ``regularisers`` — the book's BetterRnnlm (2 × LSTM 650, tied, dropout 0.5) for 3 of its 40
  epochs, as it is and with the dropout locked along time, then with embedding dropout or
  weight drop added: what to put in ``better-rnnlm-vd``.

A study with ``seeds`` runs every variant once per seed (``--seed``) and gives, per variant,
the mean, min and max of its perplexities beside each seed's figures.
"""

import argparse
import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from blas_environment import KEEP_FLAG, KEEP_HELP, described, run_without_overrides  # noqa: E402

run_without_overrides()  # the processor's own OpenBLAS kernel, as every benchmark (blas_environment.py)

from gatedrnn.files import machine_info, timestamp, write_json  # noqa: E402

RESULTS = Path(__file__).parent / "results"
STUDIES = {
    "cells": dict(
        preset="rnnlm",
        variants={
            "lstm": ["--cell", "lstm"],
            "gru": ["--cell", "gru"],
            "rnn-tanh": ["--cell", "rnn"],
            # lr 20 with clip 0.25 lets one update move the weights by up to 5: fine for the gated
            # cells, too much for a tanh RNN, which then diverges; the same with a 20× smaller rate.
            "rnn-tanh-lr1": ["--cell", "rnn", "--lr", "1"],
        },
    ),
    "dropout": dict(
        preset="small",
        variants={
            "baseline": [],
            "locked": ["--dropout", "0.25", "--locked-dropout"],
            "locked+recurrent": ["--dropout", "0.25", "--locked-dropout", "--recurrent-dropout", "0.2"],
            "locked+recurrent+weight-drop": [
                "--dropout",
                "0.25",
                "--locked-dropout",
                "--recurrent-dropout",
                "0.2",
                "--weight-drop",
                "0.3",
            ],
        },
    ),
    "residual": dict(
        preset="small",
        common=["--num-layers", "4", "--epochs", "1"],
        seeds=(0, 1, 2, 3, 4),
        variants={
            "4 layers": [],
            "4 layers, residual": ["--residual"],
        },
    ),
    # Issue 30's AR/TAR, measured where a run takes minutes, so over five seeds; AWD-LSTM's α and β.
    "activation": dict(
        preset="rnnlm",
        seeds=(0, 1, 2, 3, 4),
        variants={
            "book": [],
            "ar+tar": ["--activation-reg", "2", "--temporal-activation-reg", "1"],
        },
    ),
    # Issue 30: which of the regularisers past the book's to put in a preset at the book's size.
    # Three epochs each, two variants side by side on one thread each, two rounds: the study
    # fits in one working session (about 1.5 hours), as a run directory is not kept between
    # sessions. Weight drop stands for the recurrent path (AWD-LSTM's choice, one mask per
    # window); recurrent dropout on h_{t-1} cost more than it gave at the small size.
    "regularisers": dict(
        preset="better-rnnlm",
        common=["--epochs", "3"],
        variants={
            "book": [],
            "locked": ["--locked-dropout"],
            "locked+embedding": ["--locked-dropout", "--embedding-dropout", "0.1"],
            "locked+weight-drop": ["--locked-dropout", "--weight-drop", "0.2"],
        },
    ),
}


def planned_runs(study):
    """(run name, options) of every run of ``study``: one per variant, or one per variant and seed."""
    spec = STUDIES[study]
    common = spec.get("common", [])
    if "seeds" not in spec:
        return [(name, common + options) for name, options in spec["variants"].items()]
    # Seed by seed, so that runs side by side (--jobs) and a study stopped part-way compare the
    # variants over the same seeds.
    return [
        (f"{name}/seed{seed}", common + options + ["--seed", str(seed)])
        for seed in spec["seeds"]
        for name, options in spec["variants"].items()
    ]


def run_variant(study, name, options, args):
    """Train (or continue) one variant; returns its results dict, or None if it stopped early."""
    out = Path(args.run_dir) / study / name
    results = out / "results.json"
    if results.exists():
        return json.loads(results.read_text())
    command = [
        sys.executable,
        "-m",
        "gatedrnn",
        "train",
        "--preset",
        STUDIES[study]["preset"],
        *options,
        "--out",
        str(out),
        "--no-progress",
        "--deterministic",
    ]
    if args.data_dir:
        command += ["--data-dir", args.data_dir]
    if args.time_limit:
        command += ["--time-limit", str(args.time_limit)]
    if (out / "last.npz").exists():
        command.append("--resume")
    print(" ".join(command), flush=True)
    status = subprocess.run(command).returncode
    if status not in (0, 130):  # 130: stopped by Ctrl-C or SIGTERM, saved; run again to continue
        raise SystemExit(f"{name}: gatedrnn train exited with status {status}")
    return json.loads(results.read_text()) if results.exists() else None


def summary(name, options, result):
    return dict(
        variant=name,
        options=options,
        model=result["model"],
        parameters=result["parameters"],
        valid_ppl_by_epoch=result["valid_ppl_by_epoch"],
        best_valid_ppl=result["best_valid_ppl"],
        test_ppl=result["test_ppl"],
        wall_seconds=result.get("wall_seconds"),
        median_train_tokens_per_s=result["median_train_tokens_per_s"],
        threads=result["threads"],
    )


def over_seeds(rows, study):
    """Per-seed rows → one row per variant: its seeds' rows and the mean, min and max of each perplexity."""
    grouped = []
    for name, options in study["variants"].items():
        mine = [row for row in rows if row["variant"].split("/seed")[0] == name]
        spread = {}
        for key in ("test_ppl", "best_valid_ppl"):
            values = [row[key] for row in mine]
            spread[key] = dict(mean=sum(values) / len(values), min=min(values), max=max(values))
        grouped.append(
            dict(
                variant=name,
                options=study.get("common", []) + options,
                seeds=list(study["seeds"]),
                **spread,
                runs=mine,
            )
        )
    return grouped


def markdown_table(document):
    """The docs' table of a study's results document. docs/language-models.md quotes this output
    as it is (tests/docs/test_ptb_study_tables.py checks it).

    Without seeds: per variant the options given to its preset, the validation perplexity of
    every epoch, the test perplexity, the wall time and the median training tokens/s. With
    seeds: per variant the best validation and the test perplexity as mean (min–max) over the
    seeds, each seed's test perplexity, and the range of the runs' tokens/s.
    """
    if "seeds" in document["variants"][0]:
        return seeds_table(document)
    lines = [
        f"| variant | options given to `--preset {document['preset']}` | valid ppl by epoch | test ppl "
        "| wall time | tokens/s |",
        "|---" * 6 + "|",
    ]
    for row in document["variants"]:
        valid = ", ".join(f"{value:.1f}" for value in row["valid_ppl_by_epoch"])
        lines.append(
            f"| {row['variant']} | {options_cell(row)} | {valid} | {row['test_ppl']:.2f} | "
            f"{row['wall_seconds'] / 60:.0f} min | {row['median_train_tokens_per_s']:,.0f} |"
        )
    return "\n".join(lines)


def options_cell(row):
    """A variant's options as the tables show them: `--locked-dropout --weight-drop 0.2`, or (none)."""
    return f"`{' '.join(row['options'])}`" if row["options"] else "(none)"


def seeds_table(document):
    """markdown_table of a study run over seeds: one row per variant, its figures over the seeds."""
    seeds = document["variants"][0]["seeds"]
    lines = [
        f"| variant | options given to `--preset {document['preset']}` | best valid ppl, mean (range) "
        f"| test ppl, mean (range) | test ppl of seeds {', '.join(map(str, seeds))} | tokens/s |",
        "|---" * 6 + "|",
    ]
    for row in document["variants"]:
        cells = [f"{s['mean']:.2f} ({s['min']:.2f}–{s['max']:.2f})" for s in (row["best_valid_ppl"], row["test_ppl"])]
        by_seed = ", ".join(f"{run['test_ppl']:.2f}" for run in row["runs"])
        rates = [run["median_train_tokens_per_s"] for run in row["runs"]]
        rate = f"{min(rates):,.0f}–{max(rates):,.0f}"
        lines.append(f"| {row['variant']} | {options_cell(row)} | {cells[0]} | {cells[1]} | {by_seed} | {rate} |")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("study", choices=list(STUDIES))
    parser.add_argument("--data-dir", default=os.environ.get("GATEDRNN_DATA"))
    parser.add_argument("--run-dir", default="/tmp/gatedrnn-runs", help="where the runs live (outside the repo)")
    parser.add_argument("--time-limit", type=float, help="minutes per training process before it saves and stops")
    parser.add_argument(
        "--jobs",
        type=int,
        default=1,
        help="variants trained side by side, each on one thread (at most the number of cores)",
    )
    parser.add_argument(KEEP_FLAG, action="store_true", help=KEEP_HELP)
    parser.add_argument("--out", help="results JSON (default: benchmarks/results/ptb_STUDY.json)")
    parser.add_argument("--table", action="store_true", help="print the docs' table of the results file, train nothing")
    args = parser.parse_args()
    study = STUDIES[args.study]
    out = args.out or str(RESULTS / f"ptb_{args.study}.json")
    if args.table:
        print(markdown_table(json.loads(Path(out).read_text(encoding="utf-8"))))
        return
    load_before = os.getloadavg()
    variants = planned_runs(args.study)
    # Each variant trains on one thread (--deterministic), so on a machine with N cores N of
    # them can run side by side; each result still records its own wall time and tokens/s.
    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        results = list(pool.map(lambda item: run_variant(args.study, *item, args), variants))
    rows = []
    for (name, options), result in zip(variants, results, strict=True):
        if result is None:
            print(f"{name} stopped before the end; run the same command again to continue")
            return
        rows.append(summary(name, options, result))
        print(f"{name}: test ppl {result['test_ppl']:.2f}, {result['parameters']:,} parameters", flush=True)
    if "seeds" in study:
        rows = over_seeds(rows, study)
    write_json(
        out,
        dict(
            finished=timestamp(),
            command=f"python benchmarks/ptb_variants.py {args.study} --jobs {args.jobs}",
            preset=study["preset"],
            deterministic=True,
            jobs=args.jobs,
            load_average_before_last_piece=load_before,
            variants=rows,
            blas_environment=described(),
            machine=machine_info(),
        ),
    )
    print(f"written to {out}")


if __name__ == "__main__":
    main()
