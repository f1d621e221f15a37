"""The seed notes' failed char-RNN exercise: all five faults, each one alone, and none.

    python benchmarks/char_rnn_exercise.py          # about 5 minutes on 2 cores

Trains the notes' tanh RNN (H = 35, Adam 0.01, one-hot inputs, teacher forcing) on an
871-character paragraph (gatedrnn.lm.char_rnn_exercise.PARAGRAPH) seven times: with all five
faults (the notes' run), with each fault left in alone while the other four are fixed, and
with none, each on one thread (deterministic). Training stops when the model has learnt the
paragraph (sound greedy generation recites it) or after --max-updates; then the variant's own
generation recites. Reports per variant whether and when the model learnt the paragraph,
whether its generation recites it, and how many characters it gets right from the start. The JSON goes to
``benchmarks/results/char_rnn_exercise.json``; docs/characters.md quotes it.
"""

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from blas_environment import KEEP_FLAG, KEEP_HELP, described, run_without_overrides  # noqa: E402

run_without_overrides()  # the processor's own OpenBLAS kernel, as every benchmark (blas_environment.py)

from gatedrnn import threads  # noqa: E402
from gatedrnn.files import machine_info, timestamp, write_json  # noqa: E402
from gatedrnn.lm.char_rnn_exercise import FAULTS, PARAGRAPH, run  # noqa: E402

RESULTS = Path(__file__).parent / "results" / "char_rnn_exercise.json"


def variants():
    """(label, faults left in): the notes' run, each fault alone, and the fixed run."""
    yield "all five faults (the notes' run)", tuple(FAULTS)
    for fault in FAULTS:
        yield f"only {fault}", (fault,)
    yield "no fault", ()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-updates", type=int, default=1500)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(KEEP_FLAG, action="store_true", help=KEEP_HELP)
    parser.add_argument("--out", default=str(RESULTS))
    args = parser.parse_args()
    rows = []
    for label, faults in variants():
        started = time.perf_counter()
        with threads.settings(deterministic=True):  # one thread: a re-run gives the same digits
            result = run(PARAGRAPH, faults=faults, max_updates=args.max_updates, seed=args.seed)
        seconds = time.perf_counter() - started
        rows.append(
            dict(
                variant=label,
                faults=result["faults"],
                exact=result["exact"],
                correct_prefix=result["correct_prefix"],
                updates=result["updates"],
                learnt_at=result["learnt_at"],
                final_loss=result["losses"][-1],
                recited=result["recited"],
                seconds=seconds,
            )
        )
        learnt = f"learnt at update {result['learnt_at']}" if result["learnt_at"] else "not learnt"
        print(
            f"{label:<34} {learnt:<24} recited exactly: {str(result['exact']):<5} first "
            f"{result['correct_prefix']:>3} chars right, {result['updates']:>4} updates ({seconds:.0f} s): "
            f"{result['recited'][:40]!r}",
            flush=True,
        )
    write_json(
        args.out,
        dict(
            finished=timestamp(),
            command="python benchmarks/char_rnn_exercise.py",
            paragraph_characters=len(PARAGRAPH),
            hidden_size=35,
            faults=FAULTS,
            max_updates=args.max_updates,
            seed=args.seed,
            variants=rows,
            blas_environment=described(),
            machine=machine_info(),
        ),
    )
    print(f"written to {args.out}")


if __name__ == "__main__":
    main()
