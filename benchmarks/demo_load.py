"""The Quick start on a busy machine: `gatedrnn demo`'s wall time idle and beside a CPU-bound process.

    python benchmarks/demo_load.py            # about 4 minutes on 2 cores

Runs the demo exactly as the README's Quick start does, in a fresh process, first on the
machine as it is (it writes benchmarks/results/demo.json and, of what it printed,
benchmarks/results/demo_output.txt: the figures and the output the README quotes),
then with one CPU-bound competitor process (a pure-Python loop, one core, not niced) running
beside it, and writes both wall times, their ratio and both validation scores to
``benchmarks/results/demo_load.json``. The speed issue's target: busy within 2× of idle (the
competitor takes half of a 2-core machine).
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
from blas_environment import KEEP_FLAG, KEEP_HELP, described  # noqa: E402
from train_speed import CONDITIONS, Competitor  # noqa: E402

RESULTS = Path(__file__).parent / "results"


def run_demo(out_dir, results_path):
    """Wall seconds of one `gatedrnn demo` process, the results it wrote and what it printed."""
    command = [sys.executable, "-m", "gatedrnn", "demo", "--out", str(out_dir), "--results", str(results_path),
               "--no-progress"]
    started = time.perf_counter()
    printed = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    seconds = time.perf_counter() - started
    return seconds, json.loads(Path(results_path).read_text()), printed


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(KEEP_FLAG, action="store_true", help=KEEP_HELP)
    parser.add_argument("--out", default=str(RESULTS / "demo_load.json"))
    parser.add_argument("--idle-results", default=str(RESULTS / "demo.json"),
                        help="where the idle run writes its own results (the README's demo figures)")
    parser.add_argument("--idle-output", default=str(RESULTS / "demo_output.txt"),
                        help="where what the idle run printed goes (the README's demo output)")
    args = parser.parse_args()
    from gatedrnn.files import atomic_write_bytes, machine_info, timestamp, write_json
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        idle_seconds, idle, printed = run_demo(scratch / "demo", args.idle_results)
        atomic_write_bytes(args.idle_output, printed.encode("utf-8"))
        print(f"idle: {idle_seconds:.0f} s, valid {idle['valid_bits_per_char']:.3f} bits/char", flush=True)
        with Competitor():
            busy_seconds, busy, _ = run_demo(scratch / "busy", scratch / "busy.json")
        print(f"busy: {busy_seconds:.0f} s, valid {busy['valid_bits_per_char']:.3f} bits/char", flush=True)
    write_json(args.out, dict(
        finished=timestamp(), command="python benchmarks/demo_load.py " + " ".join(sys.argv[1:]),
        load_average_before=load_before,
        conditions=CONDITIONS, blas_environment=described(),
        idle=dict(wall_seconds=idle_seconds, valid_bits_per_char=idle["valid_bits_per_char"]),
        busy=dict(wall_seconds=busy_seconds, valid_bits_per_char=busy["valid_bits_per_char"]),
        busy_over_idle=busy_seconds / idle_seconds, target_busy_over_idle=2.0, machine=machine_info()))
    print(f"busy / idle: {busy_seconds / idle_seconds:.2f} (target ≤ 2); written to {args.out}")


if __name__ == "__main__":
    main()
