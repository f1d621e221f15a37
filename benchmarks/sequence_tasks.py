"""Accuracy of the sequence classifier and tagger on the generated tasks, written to JSON.

    python benchmarks/sequence_tasks.py            # about 2 minutes on 2 cores

* brackets (many-to-one): an LSTM reading the string left to right, last-state pooling, and a
  GRU with mean pooling; both should be near 100%.
* neighbours (many-to-many): the same LSTM tagger one-way and bidirectional. The tag needs
  the right neighbour, which a one-way model has not read yet, so it can only guess from the
  left one (~75%); the bidirectional one sees both sides (~100%).

The runs are deterministic (one thread, gatedrnn.threads): the accuracies it writes are the
ones a re-run gets, whatever else the machine is doing.
"""

import argparse
from pathlib import Path

from gatedrnn import threads
from gatedrnn.files import machine_info, timestamp, write_json
from gatedrnn.seq import run_task

RUNS = [
    dict(task="brackets", cell="lstm", bidirectional=False, pooling="last"),
    dict(task="brackets", cell="gru", bidirectional=False, pooling="mean"),
    dict(task="neighbours", cell="lstm", bidirectional=False),
    dict(task="neighbours", cell="lstm", bidirectional=True),
]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=6)
    parser.add_argument("--out", default=str(Path(__file__).parent / "results" / "sequence_tasks.json"))
    args = parser.parse_args()
    rows = []
    for run in RUNS:
        with threads.settings(deterministic=True):
            result = run_task(**run, epochs=args.epochs, progress=False)
        rows.append(
            dict(
                task=run["task"],
                cell=run["cell"],
                bidirectional=run["bidirectional"],
                pooling=run.get("pooling"),
                test_accuracy=result["test_accuracy"],
                valid_accuracy_by_epoch=[r["valid_accuracy"] for r in result["history"]],
                seconds=result["seconds"],
            )
        )
    print(f"\n{'task':<11} {'model':<24} {'test accuracy':>13}")
    for row in rows:
        model = f"{'bi-' if row['bidirectional'] else ''}{row['cell'].upper()}" + (
            f", {row['pooling']} pooling" if row["pooling"] else ""
        )
        print(f"{row['task']:<11} {model:<24} {row['test_accuracy']:>12.2%}")
    write_json(
        args.out,
        dict(
            finished=timestamp(),
            command="python benchmarks/sequence_tasks.py",
            epochs=args.epochs,
            deterministic=True,
            runs=rows,
            machine=machine_info(),
        ),
    )
    print(f"written to {args.out}")


if __name__ == "__main__":
    main()
