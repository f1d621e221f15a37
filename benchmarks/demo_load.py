"""The Quick start on a busy machine: `gatedrnn demo`'s wall time idle and beside a CPU-bound process.

    python benchmarks/demo_load.py            # 7-10 minutes on 2 cores (3 rounds)

Runs the demo exactly as the README's Quick start does, each time in a fresh process, in
``--rounds`` rounds; a round runs it once on the machine as it is and once with one CPU-bound
competitor process (a pure-Python loop, one core, not niced) beside it, the order swapped
every other round so that a slow spell of a shared host does not fall on one condition only.
It adds every round's wall times, their medians and ranges, the per-round busy ÷ idle
ratios and the validation scores to ``benchmarks/results/demo_load.json`` as one more session
beside the earlier ones (benchmarks/sessions.py), and pools them in ``across_sessions``. The idle round
with the median time also gives the figures and output the README quotes
(benchmarks/results/demo.json and, of what it printed, benchmarks/results/demo_output.txt).
The speed issue's target: busy within 2× of idle (the competitor takes half of a 2-core machine).

Like every benchmark it runs without a machine's OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE
overrides (blas_environment.py). When it removed some, each round also runs the demo idle with
them put back ("idle_as_set_up"): what the Quick start takes on that machine as it is set up.
"""

import argparse
import contextlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from blas_environment import KEEP_FLAG, KEEP_HELP, REMOVED, described  # noqa: E402
from sessions import REPLACE_FLAG, REPLACE_HELP, pooled, write_sessions  # noqa: E402
from train_speed import CONDITIONS, Competitor  # noqa: E402

RESULTS = Path(__file__).parent / "results"
AS_SET_UP = "nothing else started; the OpenBLAS overrides of this machine (blas_environment.removed_overrides) kept"


def run_demo(out_dir, results_path, environment=None):
    """One `gatedrnn demo` process: {'seconds', 'results' (what it wrote), 'results_path', 'printed'}."""
    command = [
        sys.executable,
        "-m",
        "gatedrnn",
        "demo",
        "--out",
        str(out_dir),
        "--results",
        str(results_path),
        "--no-progress",
    ]
    started = time.perf_counter()
    printed = subprocess.run(command, check=True, capture_output=True, text=True, env=environment).stdout
    seconds = time.perf_counter() - started
    return dict(
        seconds=seconds,
        results=json.loads(Path(results_path).read_text()),
        results_path=Path(results_path),
        printed=printed,
    )


def spread(values):
    """{'median', 'min', 'max', 'rounds'} of a list of figures."""
    return dict(median=statistics.median(values), min=min(values), max=max(values), rounds=list(values))


def as_set_up():
    """The environment with the OpenBLAS overrides this script removed put back; None if it removed none."""
    removed = json.loads(os.environ.get(REMOVED, "{}"))
    return {**os.environ, **removed} if removed else None


def alternating_rounds(rounds, scratch):
    """{condition: [run_demo(...) of each round]}: idle and busy (and idle_as_set_up) in every round,
    their order reversed every other round."""
    environments = {"idle": None, "busy": None}
    set_up = as_set_up()
    if set_up is not None:
        environments["idle_as_set_up"] = set_up
    runs = {condition: [] for condition in environments}
    for number in range(rounds):
        for condition in list(environments) if number % 2 == 0 else reversed(list(environments)):
            target = scratch / f"{condition}{number}"
            with Competitor() if condition == "busy" else contextlib.nullcontext():
                run = run_demo(target, target.with_suffix(".json"), environments[condition])
            runs[condition].append(run)
            print(
                f"round {number + 1}/{rounds} {condition}: {run['seconds']:.0f} s, "
                f"valid {run['results']['best_valid_bits_per_token']:.3f} bits/char",
                flush=True,
            )
    return runs


def median_run(runs):
    """The run whose wall time is the median (the lower middle one for an even count)."""
    return sorted(runs, key=lambda run: run["seconds"])[(len(runs) - 1) // 2]


def summary(runs):
    """Wall times (median, range, every round) and validation scores of one condition's runs."""
    return dict(
        wall_seconds=spread([run["seconds"] for run in runs]),
        valid_bits_per_char=[run["results"]["best_valid_bits_per_token"] for run in runs],
    )


def across_sessions(sessions):
    """Each condition's wall times and the busy ÷ idle ratios, round by round, pooled over the sessions."""
    figures = {}
    for session in sessions:
        for condition in ("idle", "busy", "idle_as_set_up"):
            if condition in session:
                rounds = session[condition]["wall_seconds"]["rounds"]
                figures.setdefault(f"{condition}_wall_seconds", []).append((session["finished"], rounds))
        figures.setdefault("busy_over_idle", []).append((session["finished"], session["busy_over_idle"]["rounds"]))
    return {name: pooled(per_session) for name, per_session in figures.items()}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(KEEP_FLAG, action="store_true", help=KEEP_HELP)
    parser.add_argument("--rounds", type=int, default=3, help="rounds of (idle, busy) runs (default 3)")
    parser.add_argument("--out", default=str(RESULTS / "demo_load.json"))
    parser.add_argument(REPLACE_FLAG, action="store_true", help=REPLACE_HELP)
    parser.add_argument(
        "--idle-results",
        default=str(RESULTS / "demo.json"),
        help="where the median idle run's own results go (the README's demo figures)",
    )
    parser.add_argument(
        "--idle-output",
        default=str(RESULTS / "demo_output.txt"),
        help="where what the median idle run printed goes (the README's demo output)",
    )
    args = parser.parse_args()
    if args.rounds < 1:
        parser.error(f"--rounds must be at least 1, got {args.rounds}")
    from gatedrnn.files import atomic_write_bytes, machine_info, timestamp

    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as scratch:
        runs = alternating_rounds(args.rounds, Path(scratch))
        quoted = median_run(runs["idle"])  # the README quotes a typical run, not the fastest
        atomic_write_bytes(args.idle_results, quoted["results_path"].read_bytes())
        atomic_write_bytes(args.idle_output, quoted["printed"].encode("utf-8"))
    ratios = spread([busy["seconds"] / idle["seconds"] for idle, busy in zip(runs["idle"], runs["busy"], strict=True)])
    summaries = {condition: summary(condition_runs) for condition, condition_runs in runs.items()}
    document = write_sessions(
        args.out,
        dict(
            finished=timestamp(),
            command="python benchmarks/demo_load.py " + " ".join(sys.argv[1:]),
            load_average_before=load_before,
            load_average_after=os.getloadavg(),
            conditions={**CONDITIONS, **({"idle_as_set_up": AS_SET_UP} if "idle_as_set_up" in runs else {})},
            blas_environment=described(),
            **summaries,
            busy_over_idle=ratios,
            target_busy_over_idle=2.0,
            machine=machine_info(),
        ),
        across_sessions,
        replace=args.replace,
    )
    medians = ", ".join(
        f"{condition} {figures['wall_seconds']['median']:.0f} s" for condition, figures in summaries.items()
    )
    print(
        f"medians: {medians}; busy / idle {ratios['median']:.2f} "
        f"({ratios['min']:.2f}–{ratios['max']:.2f}, target ≤ 2); "
        f"written to {args.out} ({len(document['sessions'])} sessions)"
    )


if __name__ == "__main__":
    main()
