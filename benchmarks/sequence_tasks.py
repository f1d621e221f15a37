"""Accuracy of the sequence classifier and tagger on the generated tasks, written to JSON.

    python benchmarks/sequence_tasks.py            # every configuration over seeds 0 … 4, about 3 minutes

* brackets (many-to-one): an LSTM reading the string left to right, last-state pooling, and a
  GRU with mean pooling; both should be near 100%.
* neighbours (many-to-many): the same LSTM tagger one-way and bidirectional. The tag needs
  the right neighbour, which a one-way model has not read yet, so it can only guess from the
  left one (~75%); the bidirectional one sees both sides (~100%).

Each configuration runs once per seed (``--seeds``; the seed draws the data, the weights and
the batch order), and its row gives the mean, min and max test accuracy beside each seed's.
The runs are deterministic (one thread, gatedrnn.threads): the accuracies it writes are the
ones a re-run gets, whatever else the machine is doing, on a machine whose BLAS runs the same
matrix kernel (the file names it under machine.blas). Another kernel changes the products'
last bits, and the GRU's figures with them (docs/sequences.md has both kernels').
"""

import argparse
from pathlib import Path

import numpy as np

from gatedrnn import threads
from gatedrnn.files import machine_info, timestamp, write_json
from gatedrnn.seq import run_task

RUNS = [
    dict(task="brackets", cell="lstm", bidirectional=False, pooling="last"),
    dict(task="brackets", cell="gru", bidirectional=False, pooling="mean"),
    dict(task="neighbours", cell="lstm", bidirectional=False),
    dict(task="neighbours", cell="lstm", bidirectional=True),
]


def train_seed(run, epochs, seed):
    """One configuration at one seed, on one thread: its test accuracy, curve and seconds."""
    with threads.settings(deterministic=True):
        result = run_task(**run, epochs=epochs, seed=seed, progress=False)
    return dict(
        seed=seed,
        test_accuracy=result["test_accuracy"],
        valid_accuracy_by_epoch=[r["valid_accuracy"] for r in result["history"]],
        seconds=result["seconds"],
    )


def model_name(run):
    pooling = f", {run['pooling']} pooling" if run.get("pooling") else ""
    return f"{'bi-' if run['bidirectional'] else ''}{run['cell'].upper()}{pooling}"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=6)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    parser.add_argument("--out", default=str(Path(__file__).parent / "results" / "sequence_tasks.json"))
    args = parser.parse_args()
    rows = []
    for run in RUNS:
        by_seed = [train_seed(run, args.epochs, seed) for seed in args.seeds]
        accuracies = [row["test_accuracy"] for row in by_seed]
        rows.append(
            dict(
                task=run["task"],
                cell=run["cell"],
                bidirectional=run["bidirectional"],
                pooling=run.get("pooling"),
                test_accuracy=dict(
                    mean=float(np.mean(accuracies)), min=float(np.min(accuracies)), max=float(np.max(accuracies))
                ),
                seeds=by_seed,
            )
        )
        print(f"{run['task']} {model_name(run)}: " + " ".join(f"{a:.2%}" for a in accuracies), flush=True)
    print(f"\n{'task':<11} {'model':<24} {'mean':>8}  range")
    for row in rows:
        accuracy = row["test_accuracy"]
        print(
            f"{row['task']:<11} {model_name(row):<24} {accuracy['mean']:>8.2%}  "
            f"{accuracy['min']:.2%} – {accuracy['max']:.2%}"
        )
    write_json(
        args.out,
        dict(
            finished=timestamp(),
            command="python benchmarks/sequence_tasks.py "
            + " ".join(f"--seeds {' '.join(map(str, args.seeds))}".split())
            if args.seeds != [0, 1, 2, 3, 4]
            else "python benchmarks/sequence_tasks.py",
            epochs=args.epochs,
            seeds=args.seeds,
            deterministic=True,
            runs=rows,
            machine=machine_info(),
        ),
    )
    print(f"written to {args.out}")


if __name__ == "__main__":
    main()
