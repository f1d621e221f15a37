"""The numbers task (one-to-many) over five seeds, at its defaults, one thread: exact match on unseen numbers.

    python benchmarks/numbers_seeds.py          # about 4 minutes (one run at a time, one thread)

Each seed is ``gatedrnn task numbers --deterministic --seed S`` with the task's training
settings (gatedrnn.seq.transduction_tasks.TRAINING_DEFAULTS, given as flags so that the
command says what ran), in its own process, one after the other. Each seed draws its own
800 training and 200 test numbers; a test number is never in training.
``benchmarks/results/numbers_seeds.json`` gets the mean, min and max final exact match, each
seed's figure, curve and wall seconds, the load average before and after, and the commands.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from blas_environment import KEEP_FLAG, KEEP_HELP, described, run_without_overrides  # noqa: E402

run_without_overrides()

from gatedrnn.files import machine_info, timestamp, write_json  # noqa: E402
from gatedrnn.seq.transduction_tasks import TRAINING_DEFAULTS  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"
SEEDS = (0, 1, 2, 3, 4)


def command(seed, results):
    """The command line of one seed's run, writing its results JSON to ``results``."""
    flags = [f"--{name.replace('_', '-')}={value}" for name, value in TRAINING_DEFAULTS["numbers"].items()]
    return [sys.executable, "-m", "gatedrnn", "task", "numbers", "--deterministic", "--no-progress",
            f"--seed={seed}", *flags, f"--results={results}"]  # fmt: skip


def run_seed(seed, folder):
    """Train one seed in its own process; its final exact match, curve and wall seconds."""
    results = Path(folder) / f"seed{seed}.json"
    argv = command(seed, results)
    started = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)
    seconds = time.perf_counter() - started
    document = json.loads(results.read_text())
    return dict(
        seed=seed,
        test_exact_match=document["test_exact_match"],
        test_exact_match_by_epoch=[record["test_exact_match"] for record in document["history"]],
        training_seconds=sum(record["seconds"] for record in document["history"]),
        wall_seconds=seconds,
        command=" ".join(["python"] + argv[1:-1]),
        model=document["model"],
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=list(SEEDS), help="default: 0 1 2 3 4")
    parser.add_argument(KEEP_FLAG, action="store_true", help=KEEP_HELP)
    parser.add_argument("--out", default=str(RESULTS / "numbers_seeds.json"))
    args = parser.parse_args()
    started, load_before = time.perf_counter(), os.getloadavg()
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for seed in args.seeds:
            rows.append(run_seed(seed, folder))
            row = rows[-1]
            print(f"seed {seed}: {row['test_exact_match']:7.2%} in {row['wall_seconds']:.0f} s", flush=True)
    finals = [row["test_exact_match"] for row in rows]
    write_json(
        args.out,
        dict(
            finished=timestamp(),
            command=" ".join(["python", "benchmarks/numbers_seeds.py", *sys.argv[1:]]),
            run_command="gatedrnn task numbers --deterministic --seed S "
            + " ".join(f"--{k.replace('_', '-')} {v}" for k, v in TRAINING_DEFAULTS["numbers"].items()),
            training_settings=TRAINING_DEFAULTS["numbers"],
            seeds=args.seeds,
            test_exact_match=dict(mean=sum(finals) / len(finals), min=min(finals), max=max(finals)),
            wall_seconds=dict(
                mean=sum(row["wall_seconds"] for row in rows) / len(rows),
                min=min(row["wall_seconds"] for row in rows),
                max=max(row["wall_seconds"] for row in rows),
                total=time.perf_counter() - started,
            ),
            load_average_before=load_before,
            load_average_after=os.getloadavg(),
            runs=rows,
            blas_environment=described(),
            machine=machine_info(),
        ),
    )
    mean = sum(finals) / len(finals)
    print(f"mean {mean:.2%} [{min(finals):.2%}, {max(finals):.2%}]; written to {args.out}")


if __name__ == "__main__":
    main()
