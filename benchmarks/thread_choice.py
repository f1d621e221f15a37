"""Does choosing the thread count by timing pay? gatedrnn chosen vs pinned to 1 and to every core.

    python benchmarks/thread_choice.py                      # rnnlm, better-rnnlm, char-small; idle and busy

Fresh-process, alternating rounds as in benchmarks/train_speed.py (which this reuses): the
same config trained by gatedrnn with the count chosen by timing (the default,
gatedrnn.thread_tuner), pinned to 1 thread (what ``--deterministic`` uses) and pinned to every
core (NumPy's default), idle and with one CPU-bound competitor process. Reports each one's
median tokens/s and the chosen one's ratio to the better fixed choice, round by round. The
JSON goes to ``benchmarks/results/thread_choice.json``.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from blas_environment import KEEP_FLAG, KEEP_HELP  # noqa: E402
from train_speed import CONFIGS, LOADS, alternating_rounds, session_document, under_load  # noqa: E402

from gatedrnn.files import write_json  # noqa: E402
from gatedrnn.threads import available_cores  # noqa: E402

RESULTS = Path(__file__).parent / "results" / "thread_choice.json"


def summarise(name, load, figures, all_cores):
    chosen = figures["gatedrnn"]
    one, every = figures["gatedrnn-1"], figures[f"gatedrnn-{all_cores}"]
    rate = "train_tokens_per_s"
    better_fixed = [max(a[rate], b[rate]) for a, b in zip(one, every, strict=True)]
    ratios = [c[rate] / best for c, best in zip(chosen, better_fixed, strict=True)]
    return dict(
        config=name,
        load=load,
        rounds=len(chosen),
        tokens_per_s=dict(
            chosen=statistics.median(r[rate] for r in chosen),
            one_thread=statistics.median(r[rate] for r in one),
            every_core=statistics.median(r[rate] for r in every),
        ),
        chosen_over_better_fixed=dict(median=statistics.median(ratios), min=min(ratios), max=max(ratios)),
        one_thread_over_every_core=statistics.median(a[rate] / b[rate] for a, b in zip(one, every, strict=True)),
        chosen_threads=[r["train_threads"] for r in chosen],
        rounds_tokens_per_s={f: [r[rate] for r in rows] for f, rows in figures.items()},
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--configs", nargs="+", default=list(CONFIGS), choices=CONFIGS)
    parser.add_argument("--load", nargs="+", default=list(LOADS), choices=LOADS)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--data-dir", default=os.environ.get("GATEDRNN_DATA"))
    parser.add_argument(KEEP_FLAG, action="store_true", help=KEEP_HELP)
    parser.add_argument("--out", default=str(RESULTS))
    args = parser.parse_args()
    cores = available_cores()
    frameworks = ["gatedrnn", "gatedrnn-1", f"gatedrnn-{cores}"]
    started, load_before = time.perf_counter(), os.getloadavg()
    results = []
    for load in args.load:
        for name in args.configs:
            with under_load(load):
                figures = alternating_rounds(frameworks, name, load, args.rounds, args.data_dir)
            results.append(summarise(name, load, figures, cores))
    print(f"\n{'config':<13} {'load':<5} {'chosen':>9} {'1 thread':>9} {'all cores':>9} {'chosen / better fixed':>24}")
    for r in results:
        t, c = r["tokens_per_s"], r["chosen_over_better_fixed"]
        print(
            f"{r['config']:<13} {r['load']:<5} {t['chosen']:>9,.0f} {t['one_thread']:>9,.0f} {t['every_core']:>9,.0f} "
            f"{c['median']:>10.2f} ({c['min']:.2f}–{c['max']:.2f})"
        )
    write_json(args.out, session_document("thread_choice.py", results, started, load_before))
    print(f"written to {args.out}")


if __name__ == "__main__":
    main()
