"""`gatedrnn train` on PTB with each engine: NumPy, torch (one process), torch under torchrun.

    python benchmarks/engines.py --data-dir DATA            # about 25 minutes on 2 cores
    python benchmarks/engines.py --data-dir DATA --quick    # one short round, to try the script

Each figure is the command a user types, in a fresh process, for a fixed number of steps of
a preset's recipe: ``gatedrnn train --preset P --max-steps S [--engine torch]``, and
``torchrun --nproc_per_node=2 -m gatedrnn train --engine torch`` (2 processes of 1 thread
each, gloo). The training rate is the median of the tokens/s that the run logs, its first
log interval (start-up, first touch of memory) left out. Rounds alternate the order of the
engines, idle and with one CPU-bound competitor (as benchmarks/train_speed.py), and the
ratio torch engine / NumPy engine is taken round by round. Writes
benchmarks/results/engines.json, quoted by docs/scaling.md.
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from blas_environment import KEEP_FLAG, KEEP_HELP, described, run_without_overrides  # noqa: E402

run_without_overrides()  # the processor's own OpenBLAS kernel, as every benchmark

from train_speed import CONDITIONS, under_load  # noqa: E402

RESULTS = Path(__file__).parent / "results" / "engines.json"
# preset: (steps, log interval) — about 10-20 s of training per run here
PRESETS = {"rnnlm": (400, 50), "better-rnnlm": (60, 10)}
ENGINES = {
    "numpy": [],
    "torch": ["--engine", "torch"],
    "torch-2-processes": ["--engine", "torch"],
}


def command(engine, preset, steps, interval, data_dir, out):
    train = [
        "train",
        "--preset",
        preset,
        "--max-steps",
        str(steps),
        "--log-interval",
        str(interval),
        "--out",
        str(out),
        "--no-progress",
        *ENGINES[engine],
    ]
    if data_dir:
        train += ["--data-dir", data_dir]
    if engine == "torch-2-processes":
        return [
            sys.executable,
            "-m",
            "torch.distributed.run",
            "--standalone",
            "--nproc_per_node=2",
            "-m",
            "gatedrnn",
            *train,
        ]
    return [sys.executable, "-m", "gatedrnn", *train]


def one_run(engine, preset, data_dir):
    """The median logged training rate (tokens/s) of one fresh run, its first interval left out."""
    steps, interval = PRESETS[preset]
    out = Path(tempfile.mkdtemp(prefix="gatedrnn-engines-")) / "run"
    try:
        environment = dict(os.environ, OMP_NUM_THREADS="1") if engine == "torch-2-processes" else None
        done = subprocess.run(
            command(engine, preset, steps, interval, data_dir, out), capture_output=True, text=True, env=environment
        )
        if done.returncode != 0:
            raise SystemExit(f"{engine} {preset} failed:\n{done.stderr[-3000:]}")
        records = [json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines()]
        rates = [r["tokens_per_s"] for r in records if r["kind"] == "train"][1:]
        return statistics.median(rates)
    finally:
        shutil.rmtree(out.parent, ignore_errors=True)


def measure(preset, load, rounds, data_dir):
    figures = {engine: [] for engine in ENGINES}
    with under_load(load):
        for number in range(rounds):
            order = list(ENGINES) if number % 2 == 0 else list(reversed(ENGINES))
            for engine in order:
                figures[engine].append(one_run(engine, preset, data_dir))
            print(
                f"  {preset} {load} round {number + 1}/{rounds}: "
                + "  ".join(f"{e}: {figures[e][-1]:,.0f} tok/s" for e in ENGINES),
                flush=True,
            )
    result = dict(
        preset=preset,
        load=load,
        rounds=rounds,
        steps=PRESETS[preset][0],
        tokens_per_s={e: statistics.median(v) for e, v in figures.items()},
        rounds_tokens_per_s=figures,
    )
    for engine in ("torch", "torch-2-processes"):
        ratios = [t / n for t, n in zip(figures[engine], figures["numpy"], strict=True)]
        result[f"{engine}_over_numpy"] = dict(median=statistics.median(ratios), min=min(ratios), max=max(ratios))
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=os.environ.get("GATEDRNN_DATA"))
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="one round of rnnlm, idle only")
    parser.add_argument(KEEP_FLAG, action="store_true", help=KEEP_HELP)
    parser.add_argument("--out", default=str(RESULTS))
    args = parser.parse_args()
    import torch

    from gatedrnn.files import machine_info, timestamp, write_json

    started, load_before = time.perf_counter(), os.getloadavg()
    plan = [("rnnlm", "idle")] if args.quick else [(p, load) for load in ("idle", "busy") for p in PRESETS]
    results = [measure(preset, load, 1 if args.quick else args.rounds, args.data_dir) for preset, load in plan]
    write_json(
        args.out,
        dict(
            finished=timestamp(),
            command="python benchmarks/engines.py " + " ".join(sys.argv[1:]),
            load_average_before=load_before,
            seconds=time.perf_counter() - started,
            conditions=CONDITIONS,
            torch_version=torch.__version__,
            torch_threads_one_process=torch.get_num_threads(),
            blas_environment=described(),
            results=results,
            machine=machine_info(),
        ),
    )
    print(f"written to {args.out}")


if __name__ == "__main__":
    main()
