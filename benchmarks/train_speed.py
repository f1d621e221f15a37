"""Training speed: gatedrnn against PyTorch on the same CPU, and against the machine's GEMM speed.

    python benchmarks/train_speed.py                          # both configs, about 3 minutes on 2 cores
    python benchmarks/train_speed.py --configs rnnlm --rounds 3

For each config (the ``rnnlm`` and ``better-rnnlm`` presets: same sizes, tying and dropout in
both frameworks), the two implementations train on the same PTB windows (random ids when PTB
is not found) with SGD and clip_grad_norm, the recurrent state carried from window to window.
They run in alternating rounds after a warm-up, so a change in the machine's load hits both;
the figure reported for each is its median over the rounds, and the ratios are taken round
by round (each gatedrnn round against the PyTorch round beside it and against the GEMM speed
measured just before it) and reported as medians.

Reported per config: training tokens/s of each and their ratio; the FLOPs of one step counted
from its matrix products (forward, and the two products of each in the backward pass) and so
the achieved GFLOP/s; the "matmul limit", the tokens/s the step would reach if every product
ran at the float32 GEMM speed (a 2048³ product) measured in the same round; evaluation (forward only) and
generation (batch 1, one token at a time) tokens/s; and each framework's peak resident memory,
measured in a separate process so that the two do not mix. The JSON goes to
``benchmarks/results/train_speed.json``.
"""
import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

from gatedrnn.threads import let_blas_threads_sleep

let_blas_threads_sleep()  # before NumPy loads, as the gatedrnn command does (gatedrnn.threads)

import numpy as np  # noqa: E402

import gatedrnn  # noqa: E402
from gatedrnn.data import load_ptb  # noqa: E402
from gatedrnn.data.batching import TBPTTBatches
from gatedrnn.errors import GatedRNNError  # noqa: E402
from gatedrnn.files import machine_info, timestamp, write_json  # noqa: E402
from gatedrnn.layers import SoftmaxCrossEntropy  # noqa: E402
from gatedrnn.lm import LanguageModel, get_preset  # noqa: E402
from gatedrnn.optim import SGD  # noqa: E402
from gatedrnn.training import backward_and_step  # noqa: E402

RESULTS = Path(__file__).parent / "results" / "train_speed.json"
VOCAB = 10_000
CONFIGS = ("rnnlm", "better-rnnlm")
# Targets from the speed issue: gatedrnn tokens/s over PyTorch's, and of the matmul limit.
TARGET_RATIO = {"rnnlm": 1.5, "better-rnnlm": 1.05}
TARGET_LIMIT_FRACTION = {"better-rnnlm": 0.8}


# -- what a step costs --------------------------------------------------------------------
def step_flops(model_cfg, batch, steps, vocab=VOCAB):
    """FLOPs of the matrix products of one training step (2 per multiply-add).

    Forward, for N·T tokens: each layer's input projection (D → 4H) and recurrent product
    (H → 4H), and the output layer (H → V). Backward repeats each product twice (the gradient
    of its input and of its weight), so a step costs three forwards. Elementwise work and the
    embedding lookup are left out: they are not matrix products.
    """
    tokens = batch * steps
    hidden, embed = model_cfg.hidden_size, model_cfg.embedding_size
    gates = {"lstm": 4, "gru": 3, "rnn": 1}[model_cfg.cell]
    forward = 0
    for layer in range(model_cfg.num_layers):
        width_in = embed if layer == 0 else hidden
        forward += 2 * tokens * (width_in + hidden) * gates * hidden
    forward += 2 * tokens * hidden * vocab
    return 3 * forward


def gemm_gflops(size=2048, repeats=5):
    """The machine's float32 GEMM speed through NumPy: best of ``repeats`` size³ products."""
    rng = np.random.default_rng(0)
    a = rng.standard_normal((size, size), dtype=np.float32)
    b = rng.standard_normal((size, size), dtype=np.float32)
    out = np.empty_like(a)
    np.matmul(a, b, out=out)
    best = min(_timed(lambda: np.matmul(a, b, out=out)) for _ in range(repeats))
    return 2 * size ** 3 / best / 1e9


def _timed(fn):
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


# -- the two implementations --------------------------------------------------------------
class GatedRNNRunner:
    """One training step of gatedrnn exactly as its Trainer takes it."""

    name = "gatedrnn"

    def __init__(self, model_cfg, lr, clip):
        gatedrnn.seed(0)
        self.model = LanguageModel(model_cfg.replace(vocab_size=VOCAB))
        self.optimizer = SGD(self.model.parameters(), lr=lr)
        self.criterion = SoftmaxCrossEntropy()
        self.clip = clip
        self.state = None

    def train_step(self, inputs, targets):
        logits, self.state = self.model(inputs, self.state)
        loss = self.criterion(logits, targets)
        backward_and_step(self.model, self.criterion, self.optimizer, loss, max_norm=self.clip)

    def eval_step(self, inputs, targets):
        self.model.eval()
        logits, self.state = self.model(inputs, self.state)
        self.criterion(logits, targets)
        self.model.train()

    def generate(self, length):
        from gatedrnn.lm import generate
        generate(self.model, [1], length, temperature=1.0, seed=0)


class TorchRunner:
    """The same model and step in PyTorch: nn.Embedding → nn.LSTM → nn.Linear, SGD, clip_grad_norm_."""

    name = "pytorch"

    def __init__(self, model_cfg, lr, clip):
        import torch
        torch.manual_seed(0)
        torch.set_num_threads(os.cpu_count())
        self.torch = torch
        self.model = _torch_language_model(torch, model_cfg)
        self.optimizer = torch.optim.SGD(self.model.parameters(), lr=lr)
        self.loss = torch.nn.CrossEntropyLoss()
        self.clip = clip
        self.state = None

    def _forward(self, inputs):
        ids = self.torch.from_numpy(inputs)
        logits, state = self.model(ids, self.state)
        self.state = tuple(s.detach() for s in state)  # truncated BPTT: values, not gradients
        return logits

    def train_step(self, inputs, targets):
        logits = self._forward(inputs)
        loss = self.loss(logits.reshape(-1, VOCAB), self.torch.from_numpy(targets).reshape(-1))
        self.optimizer.zero_grad()
        loss.backward()
        self.torch.nn.utils.clip_grad_norm_(self.model.parameters(), self.clip)
        self.optimizer.step()

    def eval_step(self, inputs, targets):
        self.model.eval()
        with self.torch.no_grad():
            logits = self._forward(inputs)
            self.loss(logits.reshape(-1, VOCAB), self.torch.from_numpy(targets).reshape(-1))
        self.model.train()

    def generate(self, length):
        torch = self.torch
        generator = torch.Generator().manual_seed(0)
        self.model.eval()
        with torch.no_grad():
            token, state = torch.tensor([[1]]), None
            for _ in range(length):
                logits, state = self.model(token, state)
                token = torch.multinomial(torch.softmax(logits[0, -1], -1), 1, generator=generator)[None]
        self.model.train()


def _torch_language_model(torch, cfg):
    nn = torch.nn

    class TorchLanguageModel(nn.Module):
        def __init__(self):
            super().__init__()
            self.embed = nn.Embedding(VOCAB, cfg.embedding_size)
            self.drop = nn.Dropout(cfg.dropout)
            self.rnn = nn.LSTM(cfg.embedding_size, cfg.hidden_size, cfg.num_layers, batch_first=True,
                               dropout=cfg.dropout if cfg.num_layers > 1 else 0.0)
            self.decoder = nn.Linear(cfg.hidden_size, VOCAB)
            if cfg.tie_weights:
                self.decoder.weight = self.embed.weight

        def forward(self, ids, state=None):
            hs, state = self.rnn(self.drop(self.embed(ids)), state)
            return self.decoder(self.drop(hs)), state

    return TorchLanguageModel()


RUNNERS = {"gatedrnn": GatedRNNRunner, "pytorch": TorchRunner}


# -- measuring ----------------------------------------------------------------------------
def training_windows(data_dir, batch, steps):
    """An endless cycle of (inputs, targets) windows: PTB's training split, or random ids."""
    try:
        ids = load_ptb(data_dir, download=False).train
        source = "ptb"
    except GatedRNNError:
        ids = np.random.default_rng(0).integers(0, VOCAB, 200_000)
        source = "random ids (PTB not found)"
    windows = list(TBPTTBatches(ids[:batch * steps * 60 + 1], batch, steps))
    return windows, source


def model_and_training_config(name):
    preset = get_preset(name)
    return preset.model, preset.training


def measure_config(name, rounds, steps_per_round, warmup, data_dir):
    """Alternating timed rounds of both runners on config ``name``; returns the figures."""
    model_cfg, train_cfg = model_and_training_config(name)
    batch, steps = train_cfg.batch_size, train_cfg.seq_len
    windows, source = training_windows(data_dir, batch, steps)
    runners = [cls(model_cfg, lr=train_cfg.lr, clip=train_cfg.clip) for cls in RUNNERS.values()]
    position = {runner.name: 0 for runner in runners}

    def run_steps(runner, count, kind):
        started = time.perf_counter()
        for _ in range(count):
            inputs, targets = windows[position[runner.name] % len(windows)]
            position[runner.name] += 1
            getattr(runner, kind)(inputs, targets)
        return count * batch * steps / (time.perf_counter() - started)

    train_rates = {runner.name: [] for runner in runners}
    eval_rates = {runner.name: [] for runner in runners}
    gemm_rates = []
    for runner in runners:
        run_steps(runner, warmup, "train_step")
    for number in range(rounds):
        # The GEMM reference is measured in every round: on a shared machine its speed
        # drifts by 10-20% over a minute, and each round is compared with its own.
        gemm_rates.append(gemm_gflops(repeats=3))
        for runner in runners:
            train_rates[runner.name].append(run_steps(runner, steps_per_round, "train_step"))
            eval_rates[runner.name].append(run_steps(runner, steps_per_round, "eval_step"))
        print(f"  {name} round {number + 1}/{rounds}: GEMM {gemm_rates[-1]:.0f} GFLOP/s  " + "  ".join(
            f"{r}: {train_rates[r][-1]:,.0f} tok/s" for r in train_rates), flush=True)
    generate_rates = {}
    for runner in runners:
        length = 200 if name == "rnnlm" else 50
        runner.generate(5)  # warm-up
        generate_rates[runner.name] = length / _timed(lambda: runner.generate(length))
    return dict(model=model_cfg.to_dict(), batch_size=batch, seq_len=steps, data=source,
                train_tokens_per_s={k: statistics.median(v) for k, v in train_rates.items()},
                train_tokens_per_s_rounds=train_rates, gemm_gflops_rounds=gemm_rates,
                eval_tokens_per_s={k: statistics.median(v) for k, v in eval_rates.items()},
                generate_tokens_per_s=generate_rates,
                flops_per_step=step_flops(model_cfg, batch, steps))


def peak_rss_mb(runner_name, config, data_dir, steps=3):
    """Peak resident memory (MiB) of a fresh process that trains ``steps`` windows with one runner."""
    code = (f"import sys; sys.path.insert(0, {str(Path(__file__).parent)!r}); import train_speed as b; "
            f"b._train_only({runner_name!r}, {config!r}, {data_dir!r}, {steps})")
    output = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout
    return float(output.strip().splitlines()[-1])


def _train_only(runner_name, config, data_dir, steps):
    model_cfg, train_cfg = model_and_training_config(config)
    windows, _ = training_windows(data_dir, train_cfg.batch_size, train_cfg.seq_len)
    runner = RUNNERS[runner_name](model_cfg, lr=train_cfg.lr, clip=train_cfg.clip)
    for inputs, targets in windows[:steps]:
        runner.train_step(inputs, targets)
    print(_peak_resident_mib())


def _peak_resident_mib():
    """This process's peak resident set. /proc's VmHWM starts afresh at exec; getrusage's
    ru_maxrss would report the forking parent's peak for a child smaller than it."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / (1024 if sys.platform != "darwin" else 1024 ** 2)


def summarise(name, figures):
    """Ratios and the matmul limit. Both are taken round by round, each round's gatedrnn
    tokens/s against PyTorch's and against the GEMM speed measured just before it, and
    reported as medians over the rounds."""
    rates = figures["train_tokens_per_s_rounds"]
    tokens_per_step = figures["batch_size"] * figures["seq_len"]
    limits = [gflops * 1e9 / figures["flops_per_step"] * tokens_per_step for gflops in figures["gemm_gflops_rounds"]]
    ours = figures["train_tokens_per_s"]["gatedrnn"]
    figures.update(ratio_to_pytorch=statistics.median(g / p for g, p in zip(rates["gatedrnn"], rates["pytorch"])),
                   achieved_gflops=figures["flops_per_step"] * ours / tokens_per_step / 1e9,
                   gemm_gflops=statistics.median(figures["gemm_gflops_rounds"]),
                   matmul_limit_tokens_per_s=statistics.median(limits),
                   fraction_of_matmul_limit=statistics.median(g / limit for g, limit in zip(rates["gatedrnn"], limits)),
                   target_ratio_to_pytorch=TARGET_RATIO.get(name),
                   target_fraction_of_matmul_limit=TARGET_LIMIT_FRACTION.get(name))
    return figures


def print_table(results):
    header = (f"{'config':<13} {'gatedrnn tok/s':>14} {'pytorch tok/s':>13} {'ratio':>6} {'GFLOP/s':>8} "
              f"{'of limit':>8} {'eval ratio':>10} {'gen ratio':>9} {'RSS MiB (g/pt)':>15}")
    print(header)
    for name, f in results.items():
        rss = f.get("peak_rss_mib", {})
        print(f"{name:<13} {f['train_tokens_per_s']['gatedrnn']:>14,.0f} {f['train_tokens_per_s']['pytorch']:>13,.0f} "
              f"{f['ratio_to_pytorch']:>6.2f} {f['achieved_gflops']:>8.1f} {f['fraction_of_matmul_limit']:>8.0%} "
              f"{f['eval_tokens_per_s']['gatedrnn'] / f['eval_tokens_per_s']['pytorch']:>10.2f} "
              f"{f['generate_tokens_per_s']['gatedrnn'] / f['generate_tokens_per_s']['pytorch']:>9.2f} "
              f"{rss.get('gatedrnn', 0):>7.0f}/{rss.get('pytorch', 0):<7.0f}")


def main():
    parser = argparse.ArgumentParser(description="gatedrnn training speed against PyTorch and the GEMM limit")
    parser.add_argument("--configs", nargs="+", default=list(CONFIGS), choices=CONFIGS)
    parser.add_argument("--rounds", type=int, default=9, help="alternating timed rounds (default: 9)")
    parser.add_argument("--steps", type=int, help="steps per round (default: 20 for rnnlm, 4 for better-rnnlm)")
    parser.add_argument("--data-dir", default=os.environ.get("GATEDRNN_DATA"))
    parser.add_argument("--no-memory", action="store_true", help="skip the peak-memory processes")
    parser.add_argument("--out", default=str(RESULTS))
    args = parser.parse_args()

    results = {}
    for name in args.configs:
        steps = args.steps or (20 if name == "rnnlm" else 4)
        figures = measure_config(name, args.rounds, steps, warmup=3, data_dir=args.data_dir)
        if not args.no_memory:
            figures["peak_rss_mib"] = {runner: peak_rss_mb(runner, name, args.data_dir) for runner in RUNNERS}
        results[name] = summarise(name, figures)
    print()
    print_table(results)
    import torch
    write_json(args.out, dict(finished=timestamp(), command="python benchmarks/train_speed.py " + " ".join(sys.argv[1:]),
                              torch=torch.__version__, torch_threads=torch.get_num_threads(),
                              configs=results, machine=machine_info()))
    print(f"written to {args.out}")


if __name__ == "__main__":
    main()
