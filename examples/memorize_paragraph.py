"""The seed notes' exercise done right: a tanh RNN with 35 units recites an 871-character paragraph.

    python examples/memorize_paragraph.py

The notes tried this in PyTorch and got 'eeeera  a tia…'. Same model (one-hot characters in,
h_t = tanh(x_t W_ihᵀ + h_{t-1} W_hhᵀ + b), scores out, Adam 0.01), with the six faults of
their code fixed: cross-entropy instead of a squared error on raw scores, training until the
text comes back instead of 10 updates, generation started from the start token instead of a
zero vector, fed the chosen character's one-hot instead of the raw scores, and stopped by an
end token of its own instead of running on past the notes' shared "@@", and the gradient
clipped. No LSTM is needed. gatedrnn/lm/char_rnn_exercise.py has the details;
benchmarks/char_rnn_exercise.py measures each fault over five seeds (docs/characters.md
quotes its success rates: the fixed exercise does not succeed from every seed).
It takes from seconds to a few minutes, with the machine's load.
"""

import time

import gatedrnn
from gatedrnn.lm.char_rnn_exercise import PARAGRAPH, run

# Whether ~1,000 updates of full backpropagation through 872 steps end in a recital depends
# on the seed and on every rounding on the way: the same seed on two threads sums the
# products in another order and ends somewhere else (on 2 cores this example once failed
# within 3,000 updates where one thread succeeds). One thread and a fixed seed make the run
# the same whatever the load, so it does what the docs say (a processor whose BLAS picks
# another kernel may still round differently; these figures are OpenBLAS's Haswell kernel's).
# Seed 1 recites after 775 updates; over seeds 0-4 the fixed exercise recites this paragraph
# 4 times in 5 within 2,000 updates (seed 0 needs 2,275): benchmarks/results/char_rnn_exercise.json.
SEED = 1
gatedrnn.use_deterministic(True)


def main():
    print(f"paragraph: {len(PARAGRAPH)} characters, {len(set(PARAGRAPH))} distinct; tanh RNN with 35 units")
    started = time.perf_counter()
    result = run(PARAGRAPH, faults=(), hidden_size=35, max_updates=2000, seed=SEED)
    if not result["exact"]:
        raise SystemExit(
            f"not recited within {result['updates']} updates "
            f"({result['correct_prefix']} characters right from the start)"
        )
    print(
        f"recited after {result['learnt_at']} updates ({time.perf_counter() - started:.0f} s); greedy generation "
        "from the start token, stopped by the end token:\n"
    )
    print(result["recited"])


if __name__ == "__main__":
    main()
