"""The ``gatedrnn`` command: train, eval, generate, task, demo, toy, lab.

Every subcommand turns a GatedRNNError into one line on stderr and exit status 2, so a user
sees what went wrong and how to fix it, never a traceback.
"""
import argparse
import math
import shlex
import sys
from pathlib import Path

from . import __version__
from .errors import GatedRNNError

MODEL_OPTIONS = ("embedding_size", "hidden_size", "num_layers", "cell", "dropout", "locked_dropout", "tie_weights")
TRAINING_OPTIONS = ("batch_size", "seq_len", "epochs", "optimizer", "lr", "clip", "schedule", "lr_decay", "decay_start",
                    "eval_batch_size", "seed", "on_nonfinite")


# -- train ---------------------------------------------------------------------------------
def _train(args):
    import numpy as np
    from . import rng
    from .presets import get_preset
    from .runs import build_model, load_corpus, machine_info, timestamp, write_json
    from .train import Trainer

    preset = get_preset(args.preset)
    model_config = {**preset["model"], **_overrides(args, MODEL_OPTIONS)}
    training = {**preset["training"], **_overrides(args, TRAINING_OPTIONS)}
    out_dir = Path(args.out or f"runs/{args.preset}")
    last = out_dir / "last.npz"
    if last.exists() and not args.resume:
        raise GatedRNNError(f"{out_dir} already holds a run; pass --resume to continue it or --out DIR for a new one")
    if args.resume and not last.exists():
        raise GatedRNNError(f"nothing to resume: {last} does not exist; drop --resume to start a new run")

    level = args.level or preset["data"]["level"]
    if level == "char" and not args.text:
        raise GatedRNNError(f"preset {args.preset} is character-level: give it a text file with --text FILE")
    corpus = load_corpus(args.corpus, args.data_dir, args.text, level, args.train_tokens)
    rng.seed(training["seed"])
    model = build_model({**model_config, "vocab_size": len(corpus.vocab)})
    command = "gatedrnn " + " ".join(shlex.quote(a) for a in args.command_line)
    run_info = dict(preset=args.preset, corpus=corpus.name, command=command)
    trainer = Trainer(model, corpus, training, out_dir, run_info=run_info, progress=not args.no_progress,
                      log_interval=args.log_interval, checkpoint_interval=args.checkpoint_interval)
    if args.resume:
        trainer.load(last)
        print(f"resuming {out_dir} at epoch {trainer.epoch + 1}, window {trainer.window}, step {trainer.step}")
    else:
        out_dir.mkdir(parents=True, exist_ok=True)
    print(f"{args.preset}: {preset['about']}")
    print(f"model: {model.num_parameters():,} parameters | corpus {corpus.name}: {corpus.train.size:,} training tokens, "
          f"vocabulary {len(corpus.vocab):,} | out: {out_dir}")
    summary = trainer.fit()
    valid_by_epoch = [r["valid_ppl"] for r in trainer.history if r["kind"] == "valid"]
    train_rates = [r["tokens_per_s"] for r in trainer.history if r["kind"] == "train"]
    result = dict(
        preset=args.preset, about=preset["about"], command=command, finished=timestamp(),
        model=model.config, training=training, corpus=corpus.name, train_tokens=int(corpus.train.size),
        parameters=model.num_parameters(), valid_ppl_by_epoch=valid_by_epoch,
        best_valid_ppl=summary["valid_ppl"], test_ppl=summary["test_ppl"],
        best_valid_bits_per_token=summary["valid_bits"], test_bits_per_token=summary["test_bits"],
        wall_seconds_this_session=summary["seconds"], steps=summary["steps"],
        median_train_tokens_per_s=float(np.median(train_rates)) if train_rates else None,
        checkpoint=str(out_dir / "best.npz"), machine=machine_info(),
    )
    write_json(out_dir / "results.json", result)
    if args.results:
        write_json(args.results, result)
        print(f"results written to {args.results}")


def _overrides(args, names):
    return {name: getattr(args, name) for name in names if getattr(args, name, None) is not None}


# -- eval ----------------------------------------------------------------------------------
def _eval(args):
    from .runs import load_corpus, model_from_checkpoint
    from .train import evaluate

    model, vocab, metadata = model_from_checkpoint(args.checkpoint)
    corpus = load_corpus("ptb", args.data_dir, args.text, vocab.level)
    if corpus.vocab.to_dict()["tokens"] != vocab.to_dict()["tokens"]:
        raise GatedRNNError(f"the corpus vocabulary does not match the checkpoint's ({len(corpus.vocab)} vs {len(vocab)} "
                            "tokens); evaluate on the corpus the model was trained on (--text FILE for text models)")
    ids = getattr(corpus, args.split)
    training = metadata.get("training", {})
    nll = evaluate(model, ids, args.batch_size or training.get("eval_batch_size", 10), training.get("seq_len", 35))
    bits = nll / math.log(2)
    print(f"{args.split}: loss {nll:.4f} nats/token | perplexity {math.exp(nll):.2f} | {bits:.4f} bits/token | "
          f"{ids.size:,} tokens")


# -- generate ------------------------------------------------------------------------------
def _generate(args):
    from .generate import generate
    from .runs import model_from_checkpoint

    model, vocab, _ = model_from_checkpoint(args.checkpoint)
    char_level = vocab.level == "char"
    prompt_tokens = list(args.prompt) if char_level else args.prompt.split()
    if not char_level:
        prompt_tokens = [t if t in vocab else vocab.unk_token or t for t in prompt_tokens]
    prompt_ids = vocab.encode(prompt_tokens)
    print(args.prompt, end="", flush=True)

    at_line_start = [False]

    def stream(token_id):
        token = vocab.decode([token_id])[0]
        if char_level:
            text = token
        elif token == "<eos>":  # the end of a sentence in PTB: start a new line
            text = "\n"
        else:
            text = token if at_line_start[0] else " " + token
        at_line_start[0] = text == "\n"
        print(text, end="", flush=True)

    generate(model, prompt_ids, args.length, temperature=args.temperature, top_k=args.top_k, top_p=args.top_p,
             greedy=args.greedy, seed=args.seed, on_token=stream)
    print()


# -- task ----------------------------------------------------------------------------------
def _task(args):
    from .runs import machine_info, timestamp, write_json
    from .sequence_training import run_task
    result = run_task(args.task, cell=args.cell, bidirectional=args.bidirectional, pooling=args.pooling,
                      hidden_size=args.hidden_size, epochs=args.epochs, lr=args.lr, batch_size=args.batch_size,
                      train_count=args.train_count, seed=args.seed, progress=not args.no_progress)
    if args.results:
        write_json(args.results, {**result, "finished": timestamp(), "machine": machine_info()})


# -- demo ----------------------------------------------------------------------------------
def _demo(args):
    from . import demo
    demo.run(out=args.out, max_chars=args.chars, epochs=args.epochs, seed=args.seed, results=args.results,
             progress=not args.no_progress)


# -- toy -----------------------------------------------------------------------------------
def _toy(args):
    from . import toy
    toy.run(steps=args.steps, hidden_size=args.hidden_size, lr=args.lr, seed=args.seed)


# -- lab -----------------------------------------------------------------------------------
LAB_OPTIONS = {
    "matmul-norms": ("steps", "hidden_size", "batch_size", "scales", "seed"),
    "activations": ("steps", "seed"),
    "gradient-flow": ("models", "length", "hidden_size", "train_steps", "lr", "clip", "gate_init", "seed", "progress"),
    "long-range": ("tasks", "models", "lengths", "steps", "hidden_size", "batch_size", "lr", "clip", "gate_init",
                   "test_count", "seed", "progress"),
    "clipping": ("model", "task", "length", "steps", "hidden_size", "batch_size", "lr", "clip", "seed", "progress"),
    "cells": ("checkpoint", "text_path", "chars", "feature", "state", "unit", "layer"),
}


def _lab(args):
    from .lab import run_experiment, summary

    seed = getattr(args, "seed", None)   # cells has no --seed
    if seed is not None and seed < 0:
        raise GatedRNNError(f"--seed must be a non-negative integer, got {seed}")
    args.progress = not args.no_progress
    options = {name: getattr(args, name) for name in LAB_OPTIONS[args.experiment]}
    for name in ("scales", "models", "tasks", "lengths"):
        if name in options:
            options[name] = tuple(options[name])
    command = "gatedrnn " + " ".join(shlex.quote(a) for a in args.command_line)
    results, paths = run_experiment(args.experiment, args.out, command=command, **options)
    print(summary(args.experiment, results))
    print("wrote " + ", ".join(str(path) for path in paths.values()))


# -- parser --------------------------------------------------------------------------------
def _add_train_parser(commands):
    from .presets import PRESETS
    train = commands.add_parser(
        "train", help="train a language model (Penn Treebank or a text file)",
        description="Train a recurrent language model with truncated BPTT. Preset values are the defaults; "
                    "any option given overrides them.")
    train.add_argument("--preset", default="rnnlm", choices=list(PRESETS), help="recipe to start from (default: rnnlm)")
    data = train.add_argument_group("data")
    data.add_argument("--corpus", default="ptb", help="ptb (default); ignored when --text is given")
    data.add_argument("--data-dir", help="directory holding ptb/ (default: $GATEDRNN_DATA, else ~/.cache/gatedrnn)")
    data.add_argument("--text", help="train on this UTF-8 text file instead of PTB")
    data.add_argument("--level", choices=["word", "char"],
                      help="tokens of --text (default: the preset's; word for PTB presets, char for char-*)")
    data.add_argument("--train-tokens", type=int, help="use only the first N training tokens (quick trials)")
    model = train.add_argument_group("model (overrides the preset)")
    model.add_argument("--cell", choices=["lstm", "gru", "rnn"])
    model.add_argument("--embedding-size", type=int)
    model.add_argument("--hidden-size", type=int)
    model.add_argument("--num-layers", type=int)
    model.add_argument("--dropout", type=float)
    model.add_argument("--locked-dropout", action=argparse.BooleanOptionalAction, default=None,
                       help="one dropout mask per sequence, shared over time")
    model.add_argument("--tie-weights", action=argparse.BooleanOptionalAction, default=None,
                       help="share the embedding with the output layer")
    training = train.add_argument_group("training (overrides the preset)")
    training.add_argument("--epochs", type=int)
    training.add_argument("--batch-size", type=int)
    training.add_argument("--seq-len", type=int, help="T, the truncated-BPTT window")
    training.add_argument("--optimizer", choices=["sgd", "adam"])
    training.add_argument("--lr", type=float)
    training.add_argument("--clip", type=float, help="max global gradient norm (0: no clipping)")
    training.add_argument("--schedule", choices=["constant", "plateau", "step"])
    training.add_argument("--lr-decay", type=float, help="divisor of the learning rate when the schedule decays it")
    training.add_argument("--decay-start", type=int, help="'step' schedule: first epoch (0-based) that decays")
    training.add_argument("--eval-batch-size", type=int)
    training.add_argument("--seed", type=int, help="random seed (default: the preset's, 0)")
    training.add_argument("--on-nonfinite", choices=["error", "skip"],
                          help="a nan/inf loss or gradient: stop with an error (default) or skip that update")
    run = train.add_argument_group("run")
    run.add_argument("--out", help="run directory (default: runs/PRESET)")
    run.add_argument("--resume", action="store_true", help="continue the run in --out from its last checkpoint")
    run.add_argument("--results", help="also write the results JSON here")
    run.add_argument("--log-interval", type=int, default=100, help="windows between log lines (default: 100)")
    run.add_argument("--checkpoint-interval", type=int, default=500,
                     help="steps between saves of last.npz (default: 500; also saved after every epoch)")
    run.add_argument("--no-progress", action="store_true", help="no progress bar")
    train.set_defaults(handler=_train)


def _add_lab_parser(commands):
    from .lab.cells import FEATURES, STATES
    from .lab.long_range import DEFAULT_LENGTHS
    from .lab.models import CELL_KINDS, GATE_INITS
    from .lab.tasks import TASKS

    lab = commands.add_parser(
        "lab", help="the gradient lab: vanishing and exploding gradients, measured and drawn",
        description="Experiments on why plain RNNs lose (or blow up) their gradients and how clipping, the LSTM "
                    "and the GRU help. Each writes EXPERIMENT.png and EXPERIMENT.json into --out (and cells also "
                    "EXPERIMENT.html); see docs/gradients.md.")
    experiments = lab.add_subparsers(dest="experiment", metavar="EXPERIMENT")
    experiments.required = True

    def experiment(name, help_text, description, seed=True, progress=False):
        sub = experiments.add_parser(name, help=help_text, description=description)
        sub.add_argument("--out", default="runs/lab", help="directory for the figure and numbers (default: runs/lab)")
        if seed:
            sub.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
        if progress:
            sub.add_argument("--no-progress", action="store_true", help="no progress bar")
        sub.set_defaults(handler=_lab)
        if not progress:
            sub.set_defaults(no_progress=True)   # nothing to show a bar for
        return sub

    matmul = experiment("matmul-norms", "norm of dh pushed back through T steps of dh·W_hᵀ, with and without tanh′",
                        "The textbook experiment: a batch of gradients of ones multiplied T times by W_hᵀ, W_h drawn "
                        "from N(0, 1) and scaled; the norm grows or shrinks by the spectral radius per step.")
    matmul.add_argument("--steps", type=int, default=20, help="T, steps back in time (default: 20)")
    matmul.add_argument("--hidden-size", type=int, default=3, help="H (default: 3, as in the textbook)")
    matmul.add_argument("--batch-size", type=int, default=2, help="N (default: 2, as in the textbook)")
    matmul.add_argument("--scales", type=float, nargs="+", default=[1.0, 0.5], help="factors for W_h (default: 1.0 0.5)")

    acts = experiment("activations", "tanh, sigmoid and ReLU with their derivatives",
                      "Each activation and its derivative, and what T steps of the derivative leave of a gradient.")
    acts.add_argument("--steps", type=int, default=20, help="steps for the retention curves (default: 20)")

    flow = experiment("gradient-flow", "‖∂L_T/∂h_t‖ against T - t for RNN, LSTM and GRU, untrained and trained",
                      "The gradient of a loss at the last step, measured at every earlier hidden state through the "
                      "layers' own backward passes, before and after a short training on the recall task.",
                      progress=True)
    flow.add_argument("--models", nargs="+", default=["rnn-tanh", "lstm", "gru"], choices=CELL_KINDS, metavar="MODEL",
                      help=f"models to compare, from {', '.join(CELL_KINDS)} (default: rnn-tanh lstm gru)")
    flow.add_argument("--length", type=int, default=50, help="T (default: 50)")
    flow.add_argument("--hidden-size", type=int, default=32, help="H (default: 32)")
    flow.add_argument("--train-steps", type=int, default=300, help="Adam steps of the short training (default: 300)")
    flow.add_argument("--lr", type=float, default=3e-3, help="Adam learning rate (default: 0.003)")
    flow.add_argument("--clip", type=float, default=1.0, help="max gradient norm in training (default: 1.0)")
    flow.add_argument("--gate-init", default="chrono", choices=GATE_INITS,
                      help="LSTM/GRU gate biases (default: chrono)")

    longr = experiment("long-range", "adding problem and recall at lengths 10 … 200: where each model fails",
                       "Train RNN-tanh, IRNN, LSTM and GRU on the adding problem and the recall task at each length, "
                       "with and without gradient clipping, and tabulate the test scores (a few minutes).",
                       progress=True)
    longr.add_argument("--tasks", nargs="+", default=list(TASKS), choices=list(TASKS), metavar="TASK",
                       help=f"from {', '.join(TASKS)} (default: both)")
    longr.add_argument("--models", nargs="+", default=list(CELL_KINDS), choices=CELL_KINDS, metavar="MODEL",
                       help=f"from {', '.join(CELL_KINDS)} (default: all)")
    longr.add_argument("--lengths", type=int, nargs="+", default=list(DEFAULT_LENGTHS), metavar="T",
                       help=f"sequence lengths (default: {' '.join(map(str, DEFAULT_LENGTHS))})")
    longr.add_argument("--steps", type=int, default=800, help="max Adam steps per run (default: 800)")
    longr.add_argument("--hidden-size", type=int, default=32, help="H (default: 32)")
    longr.add_argument("--batch-size", type=int, default=32, help="sequences per step (default: 32)")
    longr.add_argument("--lr", type=float, default=3e-3, help="Adam learning rate (default: 0.003)")
    longr.add_argument("--clip", type=float, default=1.0, help="max gradient norm of the clipped runs (default: 1.0)")
    longr.add_argument("--gate-init", default="chrono", choices=GATE_INITS, help="LSTM/GRU gate biases (default: chrono)")
    longr.add_argument("--test-count", type=int, default=1000, help="held-out sequences scored (default: 1000)")

    clip = experiment("clipping", "one training run with gradient spikes, with and without clip_grad_norm",
                      "Train the same model twice from the same start on the same batches with plain SGD, once "
                      "unclipped and once with clip_grad_norm, and draw the loss curves side by side.", progress=True)
    clip.add_argument("--model", default="irnn", choices=CELL_KINDS, help="(default: irnn)")
    clip.add_argument("--task", default="recall", choices=list(TASKS), help="(default: recall)")
    clip.add_argument("--length", type=int, default=20, help="T (default: 20)")
    clip.add_argument("--steps", type=int, default=600, help="SGD steps (default: 600)")
    clip.add_argument("--hidden-size", type=int, default=32, help="H (default: 32)")
    clip.add_argument("--batch-size", type=int, default=32, help="sequences per step (default: 32)")
    clip.add_argument("--lr", type=float, default=0.01, help="SGD learning rate (default: 0.01)")
    clip.add_argument("--clip", type=float, default=5.0, help="max global gradient norm (default: 5.0)")

    cells = experiment("cells", "a trained char model's units coloured over text (HTML + PNG); units that track things",
                       "Colour a text by one unit's activation (blue negative, red positive) and list the units most "
                       "correlated with being inside a string, the position in the line and the bracket depth.",
                       seed=False)
    cells.add_argument("checkpoint", help="a character-level checkpoint, e.g. runs/demo/best.npz from 'gatedrnn demo'")
    cells.add_argument("--text", dest="text_path",
                       help="UTF-8 text to read (default: the standard library's string.py)")
    cells.add_argument("--chars", type=int, default=2000, help="characters of the text to read (default: 2000)")
    cells.add_argument("--feature", default="brackets", choices=FEATURES,
                       help="pick the unit that best tracks this (default: brackets)")
    cells.add_argument("--state", choices=STATES, help="cell (LSTM, the default there) or hidden")
    cells.add_argument("--unit", type=int, help="colour this unit instead of the best one for --feature")
    cells.add_argument("--layer", type=int, help="recurrent layer to read (default: the top one)")


class _OneLineErrors(argparse.ArgumentParser):
    """argparse, but a usage mistake is one line (what was wrong, where to look), exit status 2."""

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {message}; see '{self.prog} --help'\n")


def build_parser():
    parser = _OneLineErrors(prog="gatedrnn", description="Recurrent networks from scratch on NumPy.")
    parser.add_argument("--version", action="version", version=f"gatedrnn {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.required = True
    _add_train_parser(commands)

    evaluate = commands.add_parser("eval", help="perplexity of a checkpoint on a split",
                                   description="Evaluate a checkpoint: loss, perplexity and bits per token.")
    evaluate.add_argument("checkpoint", help="a .npz written by gatedrnn train")
    evaluate.add_argument("--split", default="test", choices=["train", "valid", "test"])
    evaluate.add_argument("--data-dir", help="directory holding ptb/ (default: $GATEDRNN_DATA)")
    evaluate.add_argument("--text", help="the text file the model was trained on (for text-file models)")
    evaluate.add_argument("--batch-size", type=int, help="streams evaluated in parallel (default: the run's)")
    evaluate.set_defaults(handler=_eval)

    gen = commands.add_parser("generate", help="sample text from a checkpoint",
                              description="Feed the prompt in (teacher forcing), then sample the continuation, "
                                          "feeding each sample back.")
    gen.add_argument("checkpoint")
    gen.add_argument("--prompt", default="the", help="text to start from (default: 'the')")
    gen.add_argument("--length", type=int, default=50, help="tokens to generate (default: 50)")
    gen.add_argument("--temperature", type=float, default=1.0)
    gen.add_argument("--top-k", type=int)
    gen.add_argument("--top-p", type=float)
    gen.add_argument("--greedy", action="store_true", help="always take the most likely token")
    gen.add_argument("--seed", type=int, default=0)
    gen.set_defaults(handler=_generate)

    task = commands.add_parser(
        "task", help="classify or tag synthetic sequences (variable lengths, one- or two-way)",
        description="Generate a synthetic task and train on it with padded, variable-length batches: brackets "
                    "(is the string balanced? many-to-one) or neighbours (tag each digit 1 when its right neighbour is "
                    "larger than its left one: needs context from both sides).")
    task.add_argument("task", choices=["brackets", "neighbours"])
    task.add_argument("--cell", default="lstm", choices=["lstm", "gru", "rnn"])
    task.add_argument("--bidirectional", action="store_true", help="read each sequence both ways")
    task.add_argument("--pooling", default="last", choices=["last", "mean", "max"],
                      help="classification: last real state, or mean/max over real steps (default: last)")
    task.add_argument("--hidden-size", type=int, default=64)
    task.add_argument("--epochs", type=int, default=10)
    task.add_argument("--lr", type=float, default=0.005, help="Adam learning rate (default: 0.005)")
    task.add_argument("--batch-size", type=int, default=32)
    task.add_argument("--train-count", type=int, default=4000, help="training sequences (default: 4000)")
    task.add_argument("--seed", type=int, default=0)
    task.add_argument("--results", help="write the results JSON here")
    task.add_argument("--no-progress", action="store_true")
    task.set_defaults(handler=_task)

    demo = commands.add_parser(
        "demo", help="offline first run: a character-level LSTM learns to write Python (1–2 min)",
        description="Train a character-level LSTM on the Python standard library's own source files (no data "
                    "or network needed), printing samples as it learns, then a final sample, the held-out bits "
                    "per character, and where the checkpoint and loss plot were saved.")
    demo.add_argument("--out", default="runs/demo", help="run directory; a used one gets a -2, -3 … suffix")
    demo.add_argument("--chars", type=int, default=1_000_000, help="characters of source to read (default: 1,000,000)")
    demo.add_argument("--epochs", type=int, default=3, help="passes over the training text (default: 3)")
    demo.add_argument("--seed", type=int, default=0)
    demo.add_argument("--results", help="also write the results JSON here")
    demo.add_argument("--no-progress", action="store_true", help="no progress bar")
    demo.set_defaults(handler=_demo)

    toy = commands.add_parser("toy", help="train a small LSTM on a built-in sentence and watch the loss fall",
                              description="Train a small character-level LSTM on a built-in sentence (no data "
                                          "needed), printing the falling loss and a greedy continuation.")
    toy.add_argument("--steps", type=int, default=300, help="training steps (default: 300)")
    toy.add_argument("--hidden-size", type=int, default=32, help="LSTM units (default: 32)")
    toy.add_argument("--lr", type=float, default=0.01, help="Adam learning rate (default: 0.01)")
    toy.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    toy.set_defaults(handler=_toy)
    _add_lab_parser(commands)
    return parser


def main(argv=None):
    argv = sys.argv[1:] if argv is None else list(argv)
    args = build_parser().parse_args(argv)
    args.command_line = argv
    try:
        args.handler(args)
    except GatedRNNError as error:
        print(f"gatedrnn: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("\ngatedrnn: interrupted", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
