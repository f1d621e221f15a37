"""The GEMM floor: how close to the matmul limit a training step's matrix products alone get.

    python benchmarks/gemm_floor.py            # both configs, about 30 seconds on 2 cores

For the ``rnnlm`` and ``better-rnnlm`` presets this runs exactly the matrix products of one
gatedrnn training step — same shapes, same orientations, the recurrent ones one step at a
time as the time loop runs them — and nothing else: no elementwise work, no loss, no
update. Its time is a floor under any step built on NumPy's BLAS, so its fraction of the
matmul limit (see train_speed.py) is the most a full step could reach. Each round measures
the 2048³ GEMM reference just before; the JSON goes to ``benchmarks/results/gemm_floor.json``.
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

from gatedrnn.threads import let_blas_threads_sleep

let_blas_threads_sleep()  # before NumPy loads, as the gatedrnn command does (gatedrnn.threads)

import numpy as np  # noqa: E402

from gatedrnn.files import machine_info, timestamp, write_json  # noqa: E402
from gatedrnn.layers.kernels import HiddenProjection  # noqa: E402

sys.path.insert(0, str(Path(__file__).parent))
from blas_environment import KEEP_FLAG, KEEP_HELP, described  # noqa: E402
from train_speed import VOCAB, WORD_CONFIGS, gemm_gflops, model_and_training_config, step_flops  # noqa: E402

RESULTS = Path(__file__).parent / "results" / "gemm_floor.json"


def step_products(model_cfg, batch, steps, vocab=VOCAB):
    """A function running the matrix products of one training step of an LSTM language model."""
    rng = np.random.default_rng(0)
    hidden, embed, layers = model_cfg.hidden_size, model_cfg.embedding_size, model_cfg.num_layers
    rows = batch * steps

    def array(*shape):
        return (rng.standard_normal(shape) * 0.05).astype(np.float32)

    inputs = [array(rows, embed if k == 0 else hidden) for k in range(layers)]
    w_ih = [array(4 * hidden, x.shape[1]) for x in inputs]
    w_hh = [array(4 * hidden, hidden) for _ in range(layers)]
    h, dgates = array(batch, hidden), array(rows, 4 * hidden)
    outputs, decoder, dlogits = array(rows, hidden), array(vocab, hidden), array(rows, vocab)

    def run():
        for k in range(layers):  # forward: input projection, then the time loop's products
            inputs[k] @ w_ih[k].T
            projection = HiddenProjection(w_hh[k], batch=batch, steps=steps)
            for _ in range(steps):
                projection.project(h)
        outputs @ decoder.T  # output layer, forward and its two gradients
        dlogits.T @ outputs
        dlogits @ decoder
        for k in reversed(range(layers)):  # backward: the time loop, then dx, dW_ih, dW_hh
            for t in range(steps):
                dgates[t * batch : (t + 1) * batch] @ w_hh[k]
            dgates @ w_ih[k]
            dgates.T @ inputs[k]
            dgates.T @ outputs

    return run


def measure(name, rounds, repeats):
    model_cfg, train_cfg = model_and_training_config(name)
    batch, steps = train_cfg.batch_size, train_cfg.seq_len
    run = step_products(model_cfg, batch, steps)
    run()  # warm-up
    flops = step_flops(model_cfg, batch, steps)
    seconds, gemm, fractions = [], [], []
    for _ in range(rounds):
        gemm.append(gemm_gflops(repeats=3))
        started = time.perf_counter()
        for _ in range(repeats):
            run()
        seconds.append((time.perf_counter() - started) / repeats)
        fractions.append(flops / gemm[-1] / 1e9 / seconds[-1])
    return dict(
        model=model_cfg.to_dict(),
        batch_size=batch,
        seq_len=steps,
        flops_per_step=flops,
        products_seconds_rounds=seconds,
        gemm_gflops_rounds=gemm,
        products_seconds=statistics.median(seconds),
        products_fraction_of_matmul_limit=statistics.median(fractions),
        products_fraction_rounds=fractions,
    )


def main():
    parser = argparse.ArgumentParser(description="time only the matrix products of a training step")
    parser.add_argument("--configs", nargs="+", default=list(WORD_CONFIGS), choices=WORD_CONFIGS)
    parser.add_argument("--rounds", type=int, default=7, help="rounds, each with its own GEMM reference (default: 7)")
    parser.add_argument(KEEP_FLAG, action="store_true", help=KEEP_HELP)
    parser.add_argument("--out", default=str(RESULTS))
    args = parser.parse_args()
    results = {}
    for name in args.configs:
        figures = measure(name, args.rounds, repeats=10 if name == "rnnlm" else 2)
        results[name] = figures
        print(
            f"{name:<13} products alone {figures['products_seconds'] * 1e3:6.1f} ms a step = "
            f"{figures['products_fraction_of_matmul_limit']:.0%} of the matmul limit "
            f"(rounds {min(figures['products_fraction_rounds']):.0%}-{max(figures['products_fraction_rounds']):.0%})",
            flush=True,
        )
    write_json(
        args.out,
        dict(
            finished=timestamp(),
            command="python benchmarks/gemm_floor.py " + " ".join(sys.argv[1:]),
            blas_environment=described(),
            configs=results,
            machine=machine_info(),
        ),
    )
    print(f"written to {args.out}")


if __name__ == "__main__":
    main()
