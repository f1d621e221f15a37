"""The ``gatedrnn`` command: train, eval, generate, toy.

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
        "demo", help="offline first run: a character-level LSTM learns to write Python (~2 min)",
        description="Train a character-level LSTM on the Python standard library's own source files (no data "
                    "or network needed), printing samples as it learns, then a final sample, the held-out bits "
                    "per character, and where the checkpoint and loss plot were saved.")
    demo.add_argument("--out", default="runs/demo", help="run directory; a used one gets a -2, -3 … suffix")
    demo.add_argument("--chars", type=int, default=600_000, help="characters of source to read (default: 600,000)")
    demo.add_argument("--epochs", type=int, default=2, help="passes over the training text (default: 2)")
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
