"""Training speed with an adaptive softmax: rnnlm's and better-rnnlm's shapes (untied), gatedrnn and PyTorch.

    python benchmarks/adaptive_softmax.py                       # both presets, 5 rounds, idle and busy (~20 min)
    python benchmarks/adaptive_softmax.py --presets rnnlm --rounds 3 --cutoffs 2000,6000
    python benchmarks/adaptive_softmax.py --quick --out /tmp/asm.json   # does it run? (seconds; random ids)

Four variants of each preset's model — ``rnnlm`` (1-layer LSTM 100, embedding 100, no dropout)
and ``better-rnnlm`` (2 × LSTM 650, dropout 0.5), both untied, SGD lr 20, clip 0.25, batch
20 × 35 — on a 10,000-word vocabulary numbered by frequency (PTB's training split when found,
else Zipf-distributed random ids):

    gatedrnn-full        the Linear read-out and softmax cross-entropy over all V words
    gatedrnn-adaptive    ModelConfig(adaptive_softmax=cutoffs): the module's (output, loss) and
                         its hand-written backward (gatedrnn.lm.adaptive_softmax_loss)
    pytorch-full         the same model in PyTorch: nn.Linear and F.cross_entropy
    pytorch-adaptive     nn.AdaptiveLogSoftmaxWithLoss with the same cutoffs (div_value 4)

How it measures, as benchmarks/train_speed.py does:

* **A fresh process per measurement** (``--worker``): it builds the model, takes WARMUP steps
  (gatedrnn's thread trial ends in them), then times STEPS steps and prints one JSON line.
* **Alternating rounds**: round r runs the variants in order, round r+1 in reverse, so a drift
  in the machine's speed hits them all. Ratios are taken within a round and reported as the
  median and the range over the rounds.
* **Idle and busy**: the rounds run once with nothing else started and once beside one
  CPU-bound competitor (train_speed.py's), as users' laptops and shared servers are.
* **Each framework as a user runs it**: gatedrnn's thread count chosen by timing, PyTorch's
  default threads. Start it on an otherwise idle machine; the load average before and after is
  recorded.
* **Every session kept**: the run is added to the results file's ``sessions`` beside the
  earlier ones, pooled in ``across_sessions`` (benchmarks/sessions.py; ``--replace`` starts
  the file again).

The cutoffs are ``auto``'s (gatedrnn.lm.adaptive_cutoffs: the ids covering 80% and 95% of the
training tokens; 1,072 and 4,754 on PTB) unless ``--cutoffs`` gives them. The targets (issue
29): gatedrnn-adaptive ≥ 2× gatedrnn-full, and ≥ 1.0× pytorch-adaptive. Test perplexity is not
measured here (it needs whole runs): compare ``gatedrnn train --preset rnnlm --deterministic``
with and without ``--adaptive-softmax auto``.

The JSON goes to ``benchmarks/results/adaptive_softmax.json`` (``--quick``: only to ``--out``).
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from blas_environment import KEEP_FLAG, KEEP_HELP, run_without_overrides

from gatedrnn.threads import let_blas_threads_sleep

run_without_overrides()  # as a machine without OPENBLAS_CORETYPE runs (benchmarks/blas_environment.py)
let_blas_threads_sleep()  # before NumPy loads, as the gatedrnn command does (gatedrnn.threads)

import numpy as np  # noqa: E402
from sessions import REPLACE_FLAG, REPLACE_HELP, pooled_by_key, write_sessions  # noqa: E402
from train_speed import LOADS, session_document, under_load  # noqa: E402

RESULTS = Path(__file__).parent / "results" / "adaptive_softmax.json"
VARIANTS = ("gatedrnn-full", "gatedrnn-adaptive", "pytorch-full", "pytorch-adaptive")
VOCAB = 10_000
# preset: (timed steps per measurement, steps before the clock starts); about 2-10 s of timing each
PRESETS = {"rnnlm": (40, 12), "better-rnnlm": (12, 4)}
QUICK = dict(steps=3, warmup=2, rounds=1, vocab=500, tokens=20_000)
TARGETS = {"adaptive_over_full": 2.0, "adaptive_over_pytorch_adaptive": 1.0}


# -- the data and the model ------------------------------------------------------------------
def training_ids(data_dir, vocab, tokens):
    """(ids numbered by frequency, vocabulary size, where they came from)."""
    from gatedrnn.data import load_ptb
    from gatedrnn.errors import GatedRNNError

    if vocab == VOCAB:
        try:
            return load_ptb(data_dir, download=False, order="frequency").train, VOCAB, "ptb (frequency order)"
        except GatedRNNError:
            pass
    # Zipf's law, rank r drawn ∝ 1/r: id r is the r-th most frequent, as a frequency-ordered vocabulary's.
    weights = 1.0 / np.arange(1, vocab + 1)
    ids = np.random.default_rng(0).choice(vocab, size=tokens, p=weights / weights.sum())
    return ids, vocab, f"random ids, Zipf over {vocab:,} words"


def model_config(preset_name, adaptive, cutoffs, vocab):
    """(ModelConfig, TrainingConfig) of the preset, untied, with or without the adaptive softmax."""
    from gatedrnn.lm import get_preset

    preset = get_preset(preset_name)
    model = preset.model.replace(vocab_size=vocab, tie_weights=False)
    return model.replace(adaptive_softmax=cutoffs if adaptive else None), preset.training


def chosen_cutoffs(text, ids, vocab, hidden_size):
    from gatedrnn.lm.adaptive_cutoffs import AUTO, auto_cutoffs, parse_adaptive_softmax

    value = parse_adaptive_softmax(text)
    return auto_cutoffs(ids, vocab, hidden_size) if value == AUTO else value


# -- one measurement, in a fresh process -------------------------------------------------------
class GatedRNNRunner:
    """gatedrnn's step as its NumPy engine takes it (model.criterion(), backward_and_step, the tuner)."""

    def __init__(self, config, training):
        import gatedrnn
        from gatedrnn.lm import LanguageModel
        from gatedrnn.lm.trainer import OPTIMIZERS
        from gatedrnn.thread_tuner import ThreadTuner

        gatedrnn.seed(0)
        self.model = LanguageModel(config)
        self.optimizer = OPTIMIZERS[training.optimizer](self.model.parameters(), lr=training.lr)
        self.criterion = self.model.criterion()
        self.clip, self.state, self.tuner = training.clip, None, ThreadTuner()

    def train_step(self, inputs, targets):
        from gatedrnn.training import backward_and_step

        with self.tuner.step(units=targets.size):
            scores, self.state = self.model(inputs, self.state)
            loss = self.criterion(scores, targets)
            backward_and_step(self.model, self.criterion, self.optimizer, loss, max_norm=self.clip)
        return loss

    def details(self):
        return dict(threads=self.tuner.describe())


class TorchRunner:
    """The same model in PyTorch (gatedrnn's TorchLanguageModel: nn.Embedding, nn.LSTM, and nn.Linear or
    nn.AdaptiveLogSoftmaxWithLoss), its loss, backward, clip_grad_norm_ and torch.optim.SGD."""

    def __init__(self, config, training):
        import torch

        from gatedrnn.interop import TorchLanguageModel

        torch.manual_seed(0)
        self.torch = torch
        self.module = TorchLanguageModel(config.to_dict()).train()
        self.optimizer = torch.optim.SGD(self.module.parameters(), lr=training.lr)
        self.clip, self.state = training.clip, None

    def train_step(self, inputs, targets):
        torch = self.torch
        scores, state = self.module(torch.from_numpy(inputs), self.state)
        self.state = tuple(part.detach() for part in state)  # truncated BPTT: values, not gradients
        loss = self.module.loss(scores, torch.from_numpy(targets))
        self.optimizer.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(self.module.parameters(), self.clip)
        self.optimizer.step()
        return float(loss)

    def details(self):
        return dict(torch=self.torch.__version__, threads=self.torch.get_num_threads())


def worker(variant, options):
    """Train ``variant`` for warm-up and timed steps in this (fresh) process; returns its figures."""
    from gatedrnn.data import TBPTTBatches

    ids, vocab, source = training_ids(options.data_dir, options.vocab, options.tokens)
    framework, readout = variant.split("-")
    cutoffs = tuple(json.loads(options.cutoffs_json))
    config, training = model_config(options.preset, readout == "adaptive", cutoffs, vocab)
    batch, steps = training.batch_size, training.seq_len
    windows = list(TBPTTBatches(ids[: batch * steps * (options.warmup + options.steps + 1) + 1], batch, steps))
    runner = (GatedRNNRunner if framework == "gatedrnn" else TorchRunner)(config, training)
    losses = [float(runner.train_step(*windows[i % len(windows)])) for i in range(options.warmup)]
    started = time.perf_counter()
    for i in range(options.warmup, options.warmup + options.steps):
        losses.append(float(runner.train_step(*windows[i % len(windows)])))
    seconds = time.perf_counter() - started
    return dict(
        variant=variant,
        preset=options.preset,
        train_tokens_per_s=options.steps * batch * steps / seconds,
        first_loss=losses[0],
        last_loss=losses[-1],
        cutoffs=list(config.adaptive_softmax) if config.adaptive_softmax else None,
        vocab=vocab,
        data=source,
        **runner.details(),
    )


# -- the orchestrator ---------------------------------------------------------------------------
def run_worker(variant, preset, options, cutoffs):
    steps, warmup = (options.steps, options.warmup) if options.quick else PRESETS[preset]
    command = [sys.executable, __file__, "--worker", variant, "--cutoffs-json", json.dumps(list(cutoffs))]
    command += ["--preset", preset, "--steps", str(steps), "--warmup", str(warmup), "--vocab", str(options.vocab)]
    command += ["--tokens", str(options.tokens)] + (["--data-dir", options.data_dir] if options.data_dir else [])
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def alternating_rounds(variants, preset, options, cutoffs, load):
    """{variant: [figures per round]}: fresh-process rounds under ``load``, the order reversed every other round."""
    figures = {variant: [] for variant in variants}
    with under_load(load):
        for number in range(options.rounds):
            for variant in variants if number % 2 == 0 else list(reversed(variants)):
                figures[variant].append(run_worker(variant, preset, options, cutoffs))
            line = "  ".join(f"{v}: {figures[v][-1]['train_tokens_per_s']:,.0f}" for v in variants)
            print(f"{preset} {load} round {number + 1}/{options.rounds} (training tokens/s)  {line}", flush=True)
    return figures


def ratio_over_rounds(figures, numerator, denominator):
    """Median and range of numerator / denominator tokens/s, taken round by round."""
    ratios = [
        a["train_tokens_per_s"] / b["train_tokens_per_s"]
        for a, b in zip(figures[numerator], figures[denominator], strict=True)
    ]
    return dict(median=statistics.median(ratios), low=min(ratios), high=max(ratios), by_round=ratios)


RATIOS = dict(
    adaptive_over_full=("gatedrnn-adaptive", "gatedrnn-full"),
    adaptive_over_pytorch_adaptive=("gatedrnn-adaptive", "pytorch-adaptive"),
    pytorch_adaptive_over_pytorch_full=("pytorch-adaptive", "pytorch-full"),
    full_over_pytorch_full=("gatedrnn-full", "pytorch-full"),
)


def summarise(preset, load, figures):
    """One preset's and load's rates and ratios (median, range, every round) and whether the targets are met."""
    rates = {
        variant: dict(
            median=statistics.median(r["train_tokens_per_s"] for r in rounds),
            by_round=[r["train_tokens_per_s"] for r in rounds],
        )
        for variant, rounds in figures.items()
    }
    ratios = {name: ratio_over_rounds(figures, *pair) for name, pair in RATIOS.items()}
    met = {name: ratios[name]["median"] >= target for name, target in TARGETS.items()}
    return dict(
        preset=preset,
        load=load,
        train_tokens_per_s=rates,
        ratios=ratios,
        targets=TARGETS,
        targets_met=met,
        rounds=figures,
    )


def across_sessions(sessions):
    """Per preset and load ("rnnlm idle"): every ratio of RATIOS and each variant's tokens/s, round
    by round, pooled over the sessions that measured them."""
    figures = {}
    for session in sessions:
        for result in session["results"]:
            key = f"{result['preset']} {result['load']}"
            for name, ratio in result["ratios"].items():
                figures.setdefault((key, name), []).append((session["finished"], ratio["by_round"]))
            for variant, rate in result["train_tokens_per_s"].items():
                figures.setdefault((key, f"{variant}_tokens_per_s"), []).append((session["finished"], rate["by_round"]))
    return pooled_by_key(figures)


def write_results(path, options, cutoffs, results, started, load_before):
    """Add this run to the results file as one more session (benchmarks/sessions.py)."""
    session = session_document("adaptive_softmax.py", results, started, load_before)
    session.update(
        models="the presets untied, batch 20 × 35, SGD, clip 0.25",
        cutoffs=list(cutoffs),
        steps_and_warmup={preset: PRESETS[preset] for preset in options.presets},
    )
    document = write_sessions(path, session, across_sessions, replace=options.replace)
    print(f"written to {path} ({len(document['sessions'])} sessions)")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--presets", nargs="+", choices=list(PRESETS), default=list(PRESETS), help="default: both")
    parser.add_argument("--rounds", type=int, default=5, help="alternating rounds (default 5)")
    parser.add_argument(
        "--cutoffs", default="auto", help="the adaptive softmax's cutoffs, e.g. 2000,6000 (default auto)"
    )
    parser.add_argument("--data-dir", help="where the Penn Treebank is (default: as gatedrnn finds it)")
    parser.add_argument("--quick", action="store_true", help="a few steps on 500 random words: does it run?")
    parser.add_argument("--out", type=Path, help=f"the results file (default {RESULTS}; --quick: none)")
    parser.add_argument(
        "--loads", nargs="+", choices=LOADS, default=list(LOADS), help="idle, busy (one CPU-bound competitor) or both"
    )
    parser.add_argument(KEEP_FLAG, action="store_true", help=KEEP_HELP)
    parser.add_argument(REPLACE_FLAG, action="store_true", help=REPLACE_HELP)
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--cutoffs-json", help=argparse.SUPPRESS)
    parser.add_argument("--preset", default="rnnlm", help=argparse.SUPPRESS)
    parser.add_argument("--steps", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--warmup", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--vocab", type=int, default=VOCAB, help=argparse.SUPPRESS)
    parser.add_argument("--tokens", type=int, default=200_000, help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.worker:
        print(json.dumps(worker(options.worker, options)))
        return
    if options.quick:
        options.steps, options.warmup, options.rounds = QUICK["steps"], QUICK["warmup"], QUICK["rounds"]
        options.vocab, options.tokens, options.presets = QUICK["vocab"], QUICK["tokens"], ["rnnlm"]
    out = options.out or (None if options.quick else RESULTS)
    load_before = os.getloadavg()
    started = time.perf_counter()
    ids, vocab, source = training_ids(options.data_dir, options.vocab, options.tokens)
    hidden = min(model_config(preset, False, None, vocab)[0].hidden_size for preset in options.presets)
    cutoffs = chosen_cutoffs(options.cutoffs, ids, vocab, hidden)
    for preset in options.presets:
        model_config(preset, True, cutoffs, vocab)  # the config's one-line refusal of cutoffs that cannot work
    print(f"untied, on {source}: cutoffs {list(cutoffs)}; load average before {load_before[0]:.2f}", flush=True)
    loads = ["idle"] if options.quick else options.loads
    results = [
        summarise(preset, load, alternating_rounds(list(VARIANTS), preset, options, cutoffs, load))
        for preset in options.presets
        for load in loads
    ]
    for result in results:
        for name, ratio in result["ratios"].items():
            figure = f"{ratio['median']:.2f}× ({ratio['low']:.2f}–{ratio['high']:.2f})"
            print(f"{result['preset']} {result['load']} {name}: {figure}")
    if out is not None:
        write_results(out, options, cutoffs, results, started, load_before)


if __name__ == "__main__":
    main()
