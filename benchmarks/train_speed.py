"""Training speed: gatedrnn against PyTorch on the same CPU, idle and with a busy core.

    python benchmarks/train_speed.py                                   # all configs, idle and busy (~15 min)
    python benchmarks/train_speed.py --configs rnnlm --load idle --rounds 3

How it measures, so that a re-run reproduces it:

* **A fresh process per measurement.** Each round runs each framework in a new Python process
  (``--worker``) that builds the model, warms up, times its steps and prints one JSON line.
  Nothing one framework leaves behind (threads, caches, allocator state, a spinning BLAS
  pool) reaches the other.
* **Alternating rounds.** Round r runs gatedrnn then PyTorch, round r+1 PyTorch then
  gatedrnn, so a drift in the machine's speed hits both. The ratio is taken round by round
  (each gatedrnn figure against the PyTorch figure of the same round) and reported as the
  median and the range over the rounds.
* **Idle and busy.** ``busy`` starts one CPU-bound competitor process (a pure-Python loop,
  one core) for the whole condition, as a user's other program would.
* **The processor's own matrix kernel.** A machine-wide ``OPENBLAS_CORETYPE`` (set on some
  machines for old OpenBLAS builds) would make NumPy run an older, slower kernel than PyTorch,
  which ignores it: the script restarts itself without it (benchmarks/blas_environment.py;
  ``--keep-blas-env`` keeps it) and records the kernel each worker ran.
* **The book's code too**, with ``--book DIR`` (a checkout of deep-learning-from-scratch-2):
  its Rnnlm and BetterRnnlm, timed by the same worker in their own processes.
* **Each framework as a user runs it.** gatedrnn with its defaults (the thread count chosen
  by timing, gatedrnn.thread_tuner); PyTorch with its default threads (every core).

Per config and load: training tokens/s of each, their ratio (median, min–max), the step's
FLOPs (from its matrix products) and so the achieved GFLOP/s and the fraction of the
"matmul limit" (the tokens/s if every product ran at the float32 GEMM speed measured in the
gatedrnn process of the same round), evaluation (forward only) and generation (batch 1)
tokens/s and ratios, and each framework's peak resident memory. Also what else was running:
the load average before the run and the condition. The JSON goes to
``benchmarks/results/train_speed.json``.
"""

import argparse
import contextlib
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

from blas_environment import KEEP_FLAG, KEEP_HELP, described, run_without_overrides
from sessions import REPLACE_FLAG, REPLACE_HELP, pooled_by_key, write_sessions

from gatedrnn.threads import let_blas_threads_sleep

run_without_overrides()  # as a machine without OPENBLAS_CORETYPE runs (benchmarks/blas_environment.py)
let_blas_threads_sleep()  # before NumPy loads, as the gatedrnn command does (gatedrnn.threads)

import numpy as np  # noqa: E402

RESULTS = Path(__file__).parent / "results" / "train_speed.json"
VOCAB = 10_000
CONFIGS = ("rnnlm", "better-rnnlm", "char-small")
WORD_CONFIGS = ("rnnlm", "better-rnnlm")
LOADS = ("idle", "busy")
# Steps timed per round, and warm-up steps before them (enough for gatedrnn's first thread
# trial, 3 + 3 × 2 steps, to end before the clock starts: it is paid once per run).
STEPS = {"rnnlm": 30, "better-rnnlm": 6, "char-small": 20, "char-medium": 4}
WARMUP = 10
GENERATE_TOKENS = {"rnnlm": 200, "better-rnnlm": 50, "char-small": 200, "char-medium": 100}
# Targets from the speed issue: gatedrnn tokens/s over PyTorch's.
TARGET_RATIO = {
    ("rnnlm", "idle"): 1.25,
    ("rnnlm", "busy"): 1.5,
    ("better-rnnlm", "idle"): 1.0,
    ("better-rnnlm", "busy"): 1.5,
    ("char-small", "idle"): 1.0,
}


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
    return 2 * size**3 / best / 1e9


def _timed(fn):
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def model_and_training_config(name):
    from gatedrnn.lm import get_preset

    preset = get_preset(name)
    return preset.model, preset.training


def windows_and_vocab(name, data_dir, batch, steps):
    """(inputs, targets) windows to cycle through, the vocabulary size, and where they came from."""
    from gatedrnn.data import TBPTTBatches, load_ptb
    from gatedrnn.errors import GatedRNNError

    if name in WORD_CONFIGS:
        try:
            ids, vocab, source = load_ptb(data_dir, download=False).train, VOCAB, "ptb"
        except GatedRNNError:
            ids, vocab, source = np.random.default_rng(0).integers(0, VOCAB, 200_000), VOCAB, "random ids"
    else:
        from gatedrnn.lm.demo import held_out_corpus, stdlib_source

        corpus = held_out_corpus(stdlib_source(400_000))
        ids, vocab, source = corpus.train, len(corpus.vocab), "python-stdlib characters"
    return list(TBPTTBatches(ids[: batch * steps * 40 + 1], batch, steps)), vocab, source


# -- the two implementations, each run in a worker process ---------------------------------
class GatedRNNRunner:
    """One training step of gatedrnn as its Trainer takes it, thread count chosen by timing."""

    def __init__(self, model_cfg, train_cfg, vocab):
        import gatedrnn
        from gatedrnn.layers import SoftmaxCrossEntropy
        from gatedrnn.lm import LanguageModel
        from gatedrnn.lm.trainer import OPTIMIZERS
        from gatedrnn.thread_tuner import ThreadTuner

        gatedrnn.seed(0)
        self.model = LanguageModel(model_cfg.replace(vocab_size=vocab))
        self.optimizer = OPTIMIZERS[train_cfg.optimizer](self.model.parameters(), lr=train_cfg.lr)
        self.criterion = SoftmaxCrossEntropy()
        self.clip = train_cfg.clip
        self.state = None
        self.train_tuner, self.eval_tuner = ThreadTuner(), ThreadTuner()

    def train_step(self, inputs, targets):
        from gatedrnn.training import backward_and_step

        with self.train_tuner.step(units=targets.size):
            logits, self.state = self.model(inputs, self.state)
            loss = self.criterion(logits, targets)
            backward_and_step(self.model, self.criterion, self.optimizer, loss, max_norm=self.clip)

    def eval_step(self, inputs, targets):
        self.model.eval()
        with self.eval_tuner.step(units=targets.size):
            logits, self.state = self.model(inputs, self.state)
            self.criterion(logits, targets)
        self.model.train()

    def generate(self, length):
        from gatedrnn.lm import generate

        generate(self.model, [1], length, temperature=1.0, seed=0)

    def details(self):
        return dict(train_threads=self.train_tuner.describe(), eval_threads=self.eval_tuner.describe())


class TorchRunner:
    """The same model and step in PyTorch: nn.Embedding → nn.LSTM → nn.Linear, clip_grad_norm_."""

    def __init__(self, model_cfg, train_cfg, vocab):
        import torch

        torch.manual_seed(0)
        self.torch, self.vocab = torch, vocab
        self.model = _torch_language_model(torch, model_cfg, vocab)
        optimizer = {"sgd": torch.optim.SGD, "adam": torch.optim.Adam}[train_cfg.optimizer]
        self.optimizer = optimizer(self.model.parameters(), lr=train_cfg.lr)
        self.loss = torch.nn.CrossEntropyLoss()
        self.clip = train_cfg.clip
        self.state = None

    def _forward(self, inputs):
        logits, state = self.model(self.torch.from_numpy(inputs), self.state)
        self.state = tuple(s.detach() for s in state)  # truncated BPTT: values, not gradients
        return logits

    def train_step(self, inputs, targets):
        logits = self._forward(inputs)
        loss = self.loss(logits.reshape(-1, self.vocab), self.torch.from_numpy(targets).reshape(-1))
        self.optimizer.zero_grad()
        loss.backward()
        self.torch.nn.utils.clip_grad_norm_(self.model.parameters(), self.clip)
        self.optimizer.step()

    def eval_step(self, inputs, targets):
        self.model.eval()
        with self.torch.no_grad():
            logits = self._forward(inputs)
            self.loss(logits.reshape(-1, self.vocab), self.torch.from_numpy(targets).reshape(-1))
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

    def details(self):
        return dict(torch=self.torch.__version__, torch_threads=self.torch.get_num_threads())


def _torch_language_model(torch, cfg, vocab):
    nn = torch.nn

    class TorchLanguageModel(nn.Module):
        def __init__(self):
            super().__init__()
            self.embed = nn.Embedding(vocab, cfg.embedding_size)
            self.drop = nn.Dropout(cfg.dropout)
            self.rnn = nn.LSTM(
                cfg.embedding_size,
                cfg.hidden_size,
                cfg.num_layers,
                batch_first=True,
                dropout=cfg.dropout if cfg.num_layers > 1 else 0.0,
            )
            self.decoder = nn.Linear(cfg.hidden_size, vocab)
            if cfg.tie_weights:
                self.decoder.weight = self.embed.weight

        def forward(self, ids, state=None):
            hs, state = self.rnn(self.drop(self.embed(ids)), state)
            return self.decoder(self.drop(hs)), state

    return TorchLanguageModel()


class BookRunner:
    """The book's own NumPy code (Deep Learning from Scratch 2, ch06) from a checkout given by --book.

    Its step as its RnnlmTrainer takes it: forward with the loss, backward, the tied weights'
    gradients summed (remove_duplicate), clip_grads, SGD. Word-level configs only; the book
    has no character model and generates one sequence at a time, so generation is not timed.
    """

    MODELS = {"rnnlm": ("rnnlm", "Rnnlm"), "better-rnnlm": ("better_rnnlm", "BetterRnnlm")}

    def __init__(self, model_cfg, train_cfg, vocab, book_dir, name):
        import importlib

        sys.path[:0] = [str(Path(book_dir)), str(Path(book_dir) / "ch06")]
        np.random.seed(0)
        module, class_name = self.MODELS[name]
        model_class = getattr(importlib.import_module(module), class_name)
        sizes = dict(vocab_size=vocab, wordvec_size=model_cfg.embedding_size, hidden_size=model_cfg.hidden_size)
        self.model = model_class(**sizes)
        from common.optimizer import SGD
        from common.trainer import remove_duplicate
        from common.util import clip_grads

        self.optimizer, self.remove_duplicate, self.clip_grads = SGD(lr=train_cfg.lr), remove_duplicate, clip_grads
        self.clip = train_cfg.clip

    def train_step(self, inputs, targets):
        self.model.forward(inputs, targets)
        self.model.backward()
        params, grads = self.remove_duplicate(self.model.params, self.model.grads)
        self.clip_grads(grads, self.clip)
        self.optimizer.update(params, grads)

    def eval_step(self, inputs, targets):
        arguments = dict(train_flg=False) if "train_flg" in self.model.forward.__code__.co_varnames else {}
        self.model.forward(inputs, targets, **arguments)

    def generate(self, length):
        return None

    def details(self):
        return {}


RUNNERS = {"gatedrnn": GatedRNNRunner, "pytorch": TorchRunner}
# gatedrnn with its thread count pinned (benchmarks/thread_choice.py): "gatedrnn-1", "gatedrnn-2" …
PINNED_PREFIX = "gatedrnn-"


def worker(framework, name, data_dir, book_dir=None):
    """Measure one framework on config ``name`` in this (fresh) process; returns the figures."""
    if framework.startswith(PINNED_PREFIX):
        import gatedrnn

        gatedrnn.set_num_threads(int(framework[len(PINNED_PREFIX) :]))
    model_cfg, train_cfg = model_and_training_config(name)
    batch, steps = train_cfg.batch_size, train_cfg.seq_len
    windows, vocab, source = windows_and_vocab(name, data_dir, batch, steps)
    gflops = gemm_gflops(repeats=3) if framework.startswith("gatedrnn") else None
    if framework == "book":
        runner = BookRunner(model_cfg, train_cfg, vocab, book_dir, name)
    else:
        runner = RUNNERS[framework.split("-")[0]](model_cfg, train_cfg, vocab)
    position = [0]

    def rate(kind, count):
        started = time.perf_counter()
        for _ in range(count):
            inputs, targets = windows[position[0] % len(windows)]
            position[0] += 1
            getattr(runner, kind)(inputs, targets)
        return count * batch * steps / (time.perf_counter() - started)

    rate("train_step", WARMUP)
    train = rate("train_step", STEPS[name])
    rate("eval_step", WARMUP)
    evaluate = rate("eval_step", STEPS[name])
    length = GENERATE_TOKENS[name]
    generate = None if framework == "book" else length / _timed(lambda: runner.generate(length))
    return dict(
        framework=framework,
        train_tokens_per_s=train,
        eval_tokens_per_s=evaluate,
        generate_tokens_per_s=generate,
        gemm_gflops=gflops,
        peak_rss_mib=_peak_resident_mib(),
        vocab=vocab,
        data=source,
        blas=described()["numpy_blas"],
        **runner.details(),
    )


def _peak_resident_mib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / (1024 if sys.platform != "darwin" else 1024**2)


# -- the orchestrator -----------------------------------------------------------------------
def run_worker(framework, name, data_dir, book_dir=None):
    command = [sys.executable, __file__, "--worker", framework, "--configs", name]
    if data_dir:
        command += ["--data-dir", data_dir]
    if book_dir:
        command += ["--book", book_dir]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return json.loads(output.strip().splitlines()[-1])


CONDITIONS = dict(
    idle="nothing else started by the benchmark",
    busy="one CPU-bound Python loop (one core), not niced, running for the whole condition",
)


class Competitor:
    """One CPU-bound process (a pure-Python loop) for as long as the ``with`` block lasts."""

    def __enter__(self):
        self.process = subprocess.Popen([sys.executable, "-c", "while True: pass"])
        time.sleep(1.0)  # let the scheduler see it
        return self

    def __exit__(self, *exc):
        self.process.kill()
        self.process.wait()


def alternating_rounds(frameworks, name, load, rounds, data_dir, book_dir=None):
    """{framework: [figures per round]}: fresh-process rounds, the order reversed every other round."""
    figures = {framework: [] for framework in frameworks}
    for number in range(rounds):
        order = list(frameworks) if number % 2 == 0 else list(reversed(frameworks))
        for framework in order:
            figures[framework].append(run_worker(framework, name, data_dir, book_dir))
        print(
            f"  {name} {load} round {number + 1}/{rounds}: "
            + "  ".join(f"{f}: {figures[f][-1]['train_tokens_per_s']:,.0f} tok/s" for f in frameworks),
            flush=True,
        )
    return figures


def under_load(load):
    """The ``with`` context of a condition: a Competitor when ``load`` is "busy", else nothing."""
    return Competitor() if load == "busy" else contextlib.nullcontext()


def session_document(script, results, started, load_before):
    """One run's results document: what ran, for how long, what the machine was doing, the figures."""
    from gatedrnn.files import machine_info, timestamp

    return dict(
        finished=timestamp(),
        command=f"python benchmarks/{script} " + " ".join(sys.argv[1:]),
        load_average_before=load_before,
        load_average_after=os.getloadavg(),
        seconds=time.perf_counter() - started,
        conditions=CONDITIONS,
        blas_environment=described(),
        results=results,
        machine=machine_info(),
    )


def write_results(path, results, started, load_before, replace=False):
    """Add this run to train_speed's results file as one more session (benchmarks/sessions.py)."""
    session = session_document("train_speed.py", results, started, load_before)
    document = write_sessions(path, session, across_sessions, replace=replace)
    print(f"written to {path} ({len(document['sessions'])} sessions)")


def across_sessions(sessions):
    """Per config and load: gatedrnn's ratio to PyTorch (training, evaluation) round by round,
    pooled over the sessions, and gatedrnn's training tokens/s likewise."""
    rounds = {}
    for session in sessions:
        for result in session["results"]:
            key = f"{result['config']} {result['load']}"
            for kind in ("train", "eval"):
                figures = result[kind]
                ratios = [g / p for g, p in zip(figures["gatedrnn_rounds"], figures["pytorch_rounds"], strict=True)]
                rounds.setdefault((key, f"{kind}_ratio"), []).append((session["finished"], ratios))
            rounds.setdefault((key, "train_tokens_per_s"), []).append(
                (session["finished"], result["train"]["gatedrnn_rounds"])
            )
    return pooled_by_key(rounds)


def measure(name, load, rounds, data_dir, book_dir=None):
    """Alternating fresh-process rounds of each framework on config ``name`` under ``load``
    (the book's code too when its checkout is given and it has the model)."""
    frameworks = list(RUNNERS) + (["book"] if book_dir and name in BookRunner.MODELS else [])
    return summarise(name, load, alternating_rounds(frameworks, name, load, rounds, data_dir, book_dir))


def summarise(name, load, figures):
    """Medians of each framework's figures, and the round-by-round ratios' median and range."""
    model_cfg, train_cfg = model_and_training_config(name)
    ours, theirs = figures["gatedrnn"], figures["pytorch"]
    tokens_per_step = train_cfg.batch_size * train_cfg.seq_len
    flops = step_flops(model_cfg, train_cfg.batch_size, train_cfg.seq_len, vocab=ours[0]["vocab"])
    result = dict(
        config=name,
        load=load,
        rounds=len(ours),
        data=ours[0]["data"],
        flops_per_step=flops,
        model=model_cfg.to_dict(),
        batch_size=train_cfg.batch_size,
        seq_len=train_cfg.seq_len,
        target_ratio_to_pytorch=TARGET_RATIO.get((name, load)),
        gatedrnn_threads=[r["train_threads"] for r in ours],
        pytorch_threads=theirs[0]["torch_threads"],
    )
    for kind in ("train", "eval", "generate"):
        key = f"{kind}_tokens_per_s"
        ratios = [g[key] / p[key] for g, p in zip(ours, theirs, strict=True)]
        result[kind] = dict(
            gatedrnn=statistics.median(r[key] for r in ours),
            pytorch=statistics.median(r[key] for r in theirs),
            ratio_median=statistics.median(ratios),
            ratio_min=min(ratios),
            ratio_max=max(ratios),
            gatedrnn_rounds=[r[key] for r in ours],
            pytorch_rounds=[r[key] for r in theirs],
        )
    if "book" in figures:
        book = figures["book"]
        for kind in ("train", "eval"):
            key = f"{kind}_tokens_per_s"
            ratios = [g[key] / b[key] for g, b in zip(ours, book, strict=True)]
            result[kind].update(
                book=statistics.median(r[key] for r in book),
                book_rounds=[r[key] for r in book],
                ratio_to_book_median=statistics.median(ratios),
                ratio_to_book_min=min(ratios),
                ratio_to_book_max=max(ratios),
            )
    limits = [r["gemm_gflops"] * 1e9 / flops * tokens_per_step for r in ours]
    result.update(
        gemm_gflops=statistics.median(r["gemm_gflops"] for r in ours),
        fraction_of_matmul_limit=statistics.median(
            r["train_tokens_per_s"] / limit for r, limit in zip(ours, limits, strict=True)
        ),
        achieved_gflops=flops * result["train"]["gatedrnn"] / tokens_per_step / 1e9,
        peak_rss_mib=dict(
            gatedrnn=max(r["peak_rss_mib"] for r in ours), pytorch=max(r["peak_rss_mib"] for r in theirs)
        ),
    )
    return result


def print_table(results):
    print(
        f"{'config':<13} {'load':<5} {'gatedrnn tok/s':>14} {'pytorch tok/s':>13} {'ratio (min–max)':>18} "
        f"{'of limit':>8} {'eval ratio':>10} {'gen ratio':>9} {'RSS MiB g/pt':>13} {'vs book':>8}"
    )
    for r in results:
        t = r["train"]
        print(
            f"{r['config']:<13} {r['load']:<5} {t['gatedrnn']:>14,.0f} {t['pytorch']:>13,.0f} "
            f"{t['ratio_median']:>6.2f} ({t['ratio_min']:.2f}–{t['ratio_max']:.2f}) "
            f"{r['fraction_of_matmul_limit']:>8.0%} {r['eval']['ratio_median']:>10.2f} "
            f"{r['generate']['ratio_median']:>9.2f} {r['peak_rss_mib']['gatedrnn']:>6.0f}/"
            f"{r['peak_rss_mib']['pytorch']:<6.0f} "
            + (f"{t['ratio_to_book_median']:>8.2f}" if "ratio_to_book_median" in t else f"{'-':>8}")
        )


def main():
    parser = argparse.ArgumentParser(description="gatedrnn training speed against PyTorch, idle and with a busy core")
    parser.add_argument("--configs", nargs="+", default=list(CONFIGS), choices=list(STEPS))
    parser.add_argument("--load", nargs="+", default=list(LOADS), choices=LOADS)
    parser.add_argument("--rounds", type=int, default=5, help="alternating fresh-process rounds (default: 5)")
    parser.add_argument("--data-dir", default=os.environ.get("GATEDRNN_DATA"))
    parser.add_argument(
        "--book",
        metavar="DIR",
        help="a checkout of the book's repository (deep-learning-from-scratch-2): time its code too",
    )
    parser.add_argument("--out", default=str(RESULTS))
    parser.add_argument(REPLACE_FLAG, action="store_true", help=REPLACE_HELP)
    parser.add_argument(KEEP_FLAG, action="store_true", help=KEEP_HELP)
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker, args.configs[0], args.data_dir, args.book)))
        return

    started, load_before = time.perf_counter(), os.getloadavg()
    results = []
    for load in args.load:
        for name in args.configs:
            with under_load(load):
                results.append(measure(name, load, args.rounds, args.data_dir, args.book))
    print()
    print_table(results)
    write_results(args.out, results, started, load_before, replace=args.replace)


if __name__ == "__main__":
    main()
