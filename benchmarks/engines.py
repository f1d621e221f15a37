"""`gatedrnn train` with each engine: NumPy, torch (one process), torch under torchrun.

    python benchmarks/engines.py --data-dir DATA            # about 50 minutes on 2 cores
    python benchmarks/engines.py --data-dir DATA --quick    # one short round, to try the script
    python benchmarks/engines.py --presets char-small char-medium --engines numpy torch

The word presets train on PTB; the character presets on the standard library's Python source
(400,000 characters, as benchmarks/train_speed.py and the demo), written to a temporary file
and given as ``--text``.

Each figure is the command a user types, in a fresh process, for a fixed number of steps of
a preset's recipe: ``gatedrnn train --preset P --max-steps S [--engine torch]``, and
``torchrun --nproc_per_node=2 -m gatedrnn train --engine torch`` (2 processes of 1 thread
each, gloo). The training rate is the median of the tokens/s that the run logs, its first
log interval (start-up, first touch of memory) left out. Rounds alternate the order of the
engines, idle and with one CPU-bound competitor (as benchmarks/train_speed.py), and the
ratio torch engine / NumPy engine is taken round by round. Adds the run to
benchmarks/results/engines.json as one more session beside the earlier ones
(benchmarks/sessions.py), quoted by docs/scaling.md and the README.
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
from blas_environment import KEEP_FLAG, KEEP_HELP, run_without_overrides  # noqa: E402

run_without_overrides()  # the processor's own OpenBLAS kernel, as every benchmark

from sessions import REPLACE_FLAG, REPLACE_HELP, pooled_by_key, write_sessions  # noqa: E402
from train_speed import session_document, under_load  # noqa: E402

RESULTS = Path(__file__).parent / "results" / "engines.json"
# preset: (steps, log interval) — about 10-30 s of training per run here, within the first
# epoch (an evaluation inside a log interval would count in its rate)
PRESETS = {"rnnlm": (400, 50), "better-rnnlm": (60, 10), "char-small": (150, 15), "char-medium": (60, 6)}
CHARACTER_PRESETS = ("char-small", "char-medium")
CHARACTERS = 400_000
ENGINES = {
    "numpy": [],
    "torch": ["--engine", "torch"],
    "torch-2-processes": ["--engine", "torch"],
}


def data_arguments(preset, data_dir, text_file):
    """The options that give ``preset`` its data: PTB from ``data_dir``, or the character text file."""
    if preset in CHARACTER_PRESETS:
        return ["--text", str(text_file)]
    return ["--data-dir", data_dir] if data_dir else []


def write_character_text(directory):
    """The character presets' training text, as a file in ``directory``; its path."""
    from gatedrnn.lm.demo import stdlib_source

    path = Path(directory) / "stdlib.txt"
    path.write_text(stdlib_source(CHARACTERS), encoding="utf-8")
    return path


def command(engine, preset, steps, interval, data, out):
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
        *data,
    ]
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


def one_run(engine, preset, data):
    """The median logged training rate (tokens/s) of one fresh run, its first interval left out."""
    steps, interval = PRESETS[preset]
    out = Path(tempfile.mkdtemp(prefix="gatedrnn-engines-")) / "run"
    try:
        environment = dict(os.environ, OMP_NUM_THREADS="1") if engine == "torch-2-processes" else None
        done = subprocess.run(
            command(engine, preset, steps, interval, data, out), capture_output=True, text=True, env=environment
        )
        if done.returncode != 0:
            raise SystemExit(f"{engine} {preset} failed:\n{done.stderr[-3000:]}")
        records = [json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines()]
        rates = [r["tokens_per_s"] for r in records if r["kind"] == "train"][1:]
        return statistics.median(rates)
    finally:
        shutil.rmtree(out.parent, ignore_errors=True)


def measure(preset, load, rounds, data, engines):
    figures = {engine: [] for engine in engines}
    with under_load(load):
        for number in range(rounds):
            order = list(engines) if number % 2 == 0 else list(reversed(engines))
            for engine in order:
                figures[engine].append(one_run(engine, preset, data))
            print(
                f"  {preset} {load} round {number + 1}/{rounds}: "
                + "  ".join(f"{e}: {figures[e][-1]:,.0f} tok/s" for e in engines),
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
    for engine in engines[1:]:
        ratios = [t / n for t, n in zip(figures[engine], figures["numpy"], strict=True)]
        result[f"{engine}_over_numpy"] = dict(median=statistics.median(ratios), min=min(ratios), max=max(ratios))
    return result


def across_sessions(sessions):
    """Per preset and load: each engine's tokens/s and the torch engines' ratios to NumPy, round
    by round, pooled over the sessions that measured them."""
    figures = {}
    for session in sessions:
        for result in session["results"]:
            key = f"{result['preset']} {result['load']}"
            rounds = result["rounds_tokens_per_s"]
            for engine, rates in rounds.items():
                figures.setdefault((key, f"{engine}_tokens_per_s"), []).append((session["finished"], rates))
                if engine != "numpy":
                    ratios = [t / n for t, n in zip(rates, rounds["numpy"], strict=True)]
                    figures.setdefault((key, f"{engine}_over_numpy"), []).append((session["finished"], ratios))
    return pooled_by_key(figures)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=os.environ.get("GATEDRNN_DATA"))
    parser.add_argument("--presets", nargs="+", default=list(PRESETS), choices=list(PRESETS))
    parser.add_argument(
        "--engines", nargs="+", default=list(ENGINES), choices=list(ENGINES), help="numpy always runs (the reference)"
    )
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="one round of rnnlm, idle only")
    parser.add_argument(KEEP_FLAG, action="store_true", help=KEEP_HELP)
    parser.add_argument("--out", default=str(RESULTS))
    parser.add_argument(REPLACE_FLAG, action="store_true", help=REPLACE_HELP)
    args = parser.parse_args()
    import torch

    engines = ["numpy"] + [engine for engine in args.engines if engine != "numpy"]
    started, load_before = time.perf_counter(), os.getloadavg()
    plan = [("rnnlm", "idle")] if args.quick else [(p, load) for load in ("idle", "busy") for p in args.presets]
    with tempfile.TemporaryDirectory(prefix="gatedrnn-engines-text-") as scratch:
        text_file = write_character_text(scratch) if any(p in CHARACTER_PRESETS for p, _ in plan) else None
        rounds = 1 if args.quick else args.rounds
        results = [
            measure(preset, load, rounds, data_arguments(preset, args.data_dir, text_file), engines)
            for preset, load in plan
        ]
    session = session_document("engines.py", results, started, load_before)
    session.update(torch_version=torch.__version__, torch_threads_one_process=torch.get_num_threads())
    document = write_sessions(args.out, session, across_sessions, replace=args.replace)
    print(f"written to {args.out} ({len(document['sessions'])} sessions)")


if __name__ == "__main__":
    main()
