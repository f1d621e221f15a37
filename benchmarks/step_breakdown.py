"""Where one training step's time goes: matrix products against everything else, per config.

    python benchmarks/step_breakdown.py          # about 1 minute on 2 cores

Times one gatedrnn training step (forward, loss, backward, clip, update) of each config at a
pinned thread count (1, then every core), with timers around the LSTM layer's parts: its
input projection (one product for all steps), its recurrent products h W_hhᵀ (one per step),
the whole forward time loop, the whole backward pass and, inside it, the weight and input
gradients (three large products). What the timers do not cover is the embedding, the output
layer, the loss, the norm and the update. The matrix products of the recurrent backward loop
(da W_hh, one per step) are estimated as equal to the forward's h W_hhᵀ (same shapes).

Written to ``benchmarks/results/step_breakdown.json``; docs/performance.md quotes it.
"""

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from blas_environment import KEEP_FLAG, KEEP_HELP, described, run_without_overrides  # noqa: E402

run_without_overrides()


from train_speed import GatedRNNRunner, model_and_training_config, windows_and_vocab  # noqa: E402

from gatedrnn import threads as gatedrnn_threads  # noqa: E402
from gatedrnn.files import machine_info, timestamp, write_json  # noqa: E402
from gatedrnn.layers import kernels  # noqa: E402
from gatedrnn.layers import lstm as lstm_module  # noqa: E402
from gatedrnn.threads import available_cores  # noqa: E402

RESULTS = Path(__file__).parent / "results" / "step_breakdown.json"
PARTS = {  # timer name: (owner, attribute)
    "input_projection": (lstm_module, "input_projection"),
    "recurrent_products_forward": (kernels.HiddenProjection, "project"),
    "lstm_forward_loop": (lstm_module.LSTM, "_layer_forward"),
    "weight_and_input_gradients": (lstm_module, "dxs_and_weight_grads"),
    "lstm_backward": (lstm_module.LSTM, "_layer_backward"),
}
STEPS = {"rnnlm": 30, "better-rnnlm": 6, "char-small": 20}


def install_timers(totals):
    """Wrap each part so that its wall time adds into ``totals[name]``."""
    for name, (owner, attribute) in PARTS.items():
        original = getattr(owner, attribute)

        def timed(*args, _original=original, _name=name, **kwargs):
            started = time.perf_counter()
            try:
                return _original(*args, **kwargs)
            finally:
                totals[_name] = totals.get(_name, 0.0) + time.perf_counter() - started

        setattr(owner, attribute, timed)


def measure(name, threads, data_dir, totals):
    model_cfg, train_cfg = model_and_training_config(name)
    windows, vocab, _ = windows_and_vocab(name, data_dir, train_cfg.batch_size, train_cfg.seq_len)
    with gatedrnn_threads.settings(num_threads=threads):
        runner = GatedRNNRunner(model_cfg, train_cfg, vocab)
        for inputs, targets in windows[:5]:
            runner.train_step(inputs, targets)
        totals.clear()
        started = time.perf_counter()
        for inputs, targets in windows[5 : 5 + STEPS[name]]:
            runner.train_step(inputs, targets)
        step = (time.perf_counter() - started) / STEPS[name]
    parts = {part: totals.get(part, 0.0) / STEPS[name] for part in PARTS}
    products = parts["input_projection"] + 2 * parts["recurrent_products_forward"] + parts["weight_and_input_gradients"]
    inside_lstm = parts["lstm_forward_loop"] + parts["lstm_backward"]
    return dict(
        config=name,
        threads=threads,
        step_ms=step * 1e3,
        tokens_per_s=train_cfg.batch_size * train_cfg.seq_len / step,
        parts_ms={part: value * 1e3 for part, value in parts.items()},
        lstm_products_ms=products * 1e3,
        lstm_other_ms=(inside_lstm - products) * 1e3,
        outside_lstm_ms=(step - inside_lstm) * 1e3,
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--configs", nargs="+", default=list(STEPS), choices=list(STEPS))
    parser.add_argument("--data-dir", default=os.environ.get("GATEDRNN_DATA"))
    parser.add_argument(KEEP_FLAG, action="store_true", help=KEEP_HELP)
    parser.add_argument("--out", default=str(RESULTS))
    args = parser.parse_args()
    totals = {}
    install_timers(totals)
    rows = []
    for name in args.configs:
        for threads in sorted({1, available_cores()}):
            row = measure(name, threads, args.data_dir, totals)
            rows.append(row)
            print(
                f"{name:<13} {threads} thread(s): step {row['step_ms']:6.1f} ms = LSTM products "
                f"{row['lstm_products_ms']:6.1f} + LSTM rest {row['lstm_other_ms']:5.1f} + outside the LSTM "
                f"{row['outside_lstm_ms']:5.1f}",
                flush=True,
            )
    write_json(
        args.out,
        dict(
            finished=timestamp(),
            command="python benchmarks/step_breakdown.py",
            blas_environment=described(),
            rows=rows,
            machine=machine_info(),
        ),
    )
    print(f"written to {args.out}")


if __name__ == "__main__":
    main()
