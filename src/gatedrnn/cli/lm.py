"""``gatedrnn train``, ``eval`` and ``generate``: language models from the command line (gatedrnn.lm).

The model and training options of ``train`` are generated from the fields of ModelConfig and
TrainConfig (gatedrnn.lm.config), so each exists once, with its help text and bounds; the
help shows the value of the preset named on the command line (``--preset``, default rnnlm).
"""
import argparse
import dataclasses
import shlex
from pathlib import Path

from ..errors import GatedRNNError

DEFAULT_PRESET = "rnnlm"
# Fields that are not options: the corpus sets vocab_size.
NOT_OPTIONS = {"vocab_size"}


# -- train ---------------------------------------------------------------------------------
def train(args):
    import numpy as np
    from .. import rng
    from ..files import machine_info, timestamp
    from ..lm import LanguageModel, ModelConfig, Trainer, TrainConfig, get_preset, load_corpus

    preset = get_preset(args.preset)
    model_config = preset.model.replace(**config_overrides(args, ModelConfig))
    training = preset.training.replace(**config_overrides(args, TrainConfig))
    out_dir = Path(args.out or f"runs/{args.preset}")
    last = out_dir / "last.npz"
    if last.exists() and not args.resume:
        raise GatedRNNError(f"{out_dir} already holds a run; pass --resume to continue it or --out DIR for a new one")
    if args.resume and not last.exists():
        raise GatedRNNError(f"nothing to resume: {last} does not exist; drop --resume to start a new run")

    level = args.level or preset.level
    if level == "char" and not args.text:
        raise GatedRNNError(f"preset {args.preset} is character-level: give it a text file with --text FILE")
    corpus = load_corpus(args.corpus, args.data_dir, args.text, level, args.train_tokens)
    rng.seed(training.seed)
    model = LanguageModel(model_config.replace(vocab_size=len(corpus.vocab)))
    command = command_line(args)
    run_info = dict(preset=args.preset, corpus=corpus.name, command=command)
    trainer = Trainer(model, corpus, training, out_dir, run_info=run_info, progress=not args.no_progress,
                      log_interval=args.log_interval, checkpoint_interval=args.checkpoint_interval)
    if args.resume:
        trainer.load(last)
        print(f"resuming {out_dir} at epoch {trainer.epoch + 1}, window {trainer.window}, step {trainer.step}")
    else:
        out_dir.mkdir(parents=True, exist_ok=True)
    print(f"{args.preset}: {preset.about}")
    print(f"model: {model.num_parameters():,} parameters | corpus {corpus.name}: {corpus.train.size:,} training tokens, "
          f"vocabulary {len(corpus.vocab):,} | out: {out_dir}")
    summary = trainer.fit()
    valid_by_epoch = [r["valid_ppl"] for r in trainer.log.records("valid")]
    train_rates = [r["tokens_per_s"] for r in trainer.log.records("train")]
    result = dict(
        preset=args.preset, about=preset.about, command=command, finished=timestamp(),
        model=model.config.to_dict(), training=training.to_dict(), corpus=corpus.name,
        train_tokens=int(corpus.train.size), parameters=model.num_parameters(), valid_ppl_by_epoch=valid_by_epoch,
        best_valid_ppl=summary["valid_ppl"], test_ppl=summary["test_ppl"],
        best_valid_bits_per_token=summary["valid_bits"], test_bits_per_token=summary["test_bits"],
        wall_seconds_this_session=summary["seconds"], steps=summary["steps"],
        median_train_tokens_per_s=float(np.median(train_rates)) if train_rates else None,
        checkpoint=str(trainer.files.best), machine=machine_info(),
    )
    trainer.files.write_results(result, also_to=args.results)
    if args.results:
        print(f"results written to {args.results}")


def config_overrides(args, config_class):
    """The fields of ``config_class`` given on the command line (argparse leaves the others None)."""
    return {spec.name: getattr(args, spec.name) for spec in dataclasses.fields(config_class)
            if spec.name not in NOT_OPTIONS and getattr(args, spec.name, None) is not None}


def command_line(args):
    return "gatedrnn " + " ".join(shlex.quote(a) for a in args.command_line)


# -- eval ----------------------------------------------------------------------------------
def evaluate(args):
    from ..lm import evaluate_nll, load_corpus, model_from_checkpoint
    from ..lm.run_files import training_config_of
    from ..lm.scores import bits, perplexity

    model, vocab, metadata = model_from_checkpoint(args.checkpoint)
    corpus = load_corpus("ptb", args.data_dir, args.text, vocab.level)
    if corpus.vocab.to_dict()["tokens"] != vocab.to_dict()["tokens"]:
        raise GatedRNNError(f"the corpus vocabulary does not match the checkpoint's ({len(corpus.vocab)} vs {len(vocab)} "
                            "tokens); evaluate on the corpus the model was trained on (--text FILE for text models)")
    ids = getattr(corpus, args.split)
    training = training_config_of(metadata, args.checkpoint)
    nll = evaluate_nll(model, ids, args.batch_size or training.eval_batch_size, training.seq_len)
    print(f"{args.split}: loss {nll:.4f} nats/token | perplexity {perplexity(nll):.2f} | {bits(nll):.4f} bits/token | "
          f"{ids.size:,} tokens")


# -- generate ------------------------------------------------------------------------------
def generate(args):
    from ..lm import generate as sample, model_from_checkpoint

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

    sample(model, prompt_ids, args.length, temperature=args.temperature, top_k=args.top_k, top_p=args.top_p,
           greedy=args.greedy, seed=args.seed, on_token=stream)
    print()


# -- parsers -------------------------------------------------------------------------------
def add_parsers(commands, argv=()):
    """Add ``train``, ``eval`` and ``generate``; ``argv`` picks the preset whose values the help shows."""
    _add_train_parser(commands, preset_named_in(argv))
    _add_eval_parser(commands)
    _add_generate_parser(commands)


def preset_named_in(argv):
    """The value of ``--preset NAME`` / ``--preset=NAME`` in ``argv``, else the default preset."""
    from ..lm import PRESETS
    for i, word in enumerate(argv):
        name = word.split("=", 1)[1] if word.startswith("--preset=") else (
            argv[i + 1] if word == "--preset" and i + 1 < len(argv) else None)
        if name in PRESETS:
            return name
    return DEFAULT_PRESET


def _add_train_parser(commands, preset_name):
    from ..lm import PRESETS, ModelConfig, TrainConfig, get_preset
    preset = get_preset(preset_name)
    train_parser = commands.add_parser(
        "train", help="train a language model (Penn Treebank or a text file)",
        description="Train a recurrent language model with truncated BPTT. The preset's values are the defaults "
                    f"(shown for {preset_name}; `gatedrnn train --preset NAME --help` shows another's); any "
                    "option given overrides them.")
    train_parser.add_argument("--preset", default=DEFAULT_PRESET, choices=list(PRESETS),
                              help=f"recipe to start from (default: {DEFAULT_PRESET})")
    data = train_parser.add_argument_group("data")
    data.add_argument("--corpus", default="ptb", help="ptb (default); ignored when --text is given")
    data.add_argument("--data-dir", help="directory holding ptb/ (default: $GATEDRNN_DATA, else ~/.cache/gatedrnn)")
    data.add_argument("--text", help="train on this UTF-8 text file instead of PTB")
    data.add_argument("--level", choices=["word", "char"],
                      help=f"tokens of --text (preset {preset_name}: {preset.level})")
    data.add_argument("--train-tokens", type=int, help="use only the first N training tokens (quick trials)")
    add_config_options(train_parser.add_argument_group("model (overrides the preset)"), ModelConfig,
                       preset.model, preset_name)
    add_config_options(train_parser.add_argument_group("training (overrides the preset)"), TrainConfig,
                       preset.training, preset_name)
    run = train_parser.add_argument_group("run")
    run.add_argument("--out", help="run directory (default: runs/PRESET)")
    run.add_argument("--resume", action="store_true", help="continue the run in --out from its last checkpoint")
    run.add_argument("--results", help="also write the results JSON here")
    run.add_argument("--log-interval", type=int, default=100, help="windows between log lines (default: 100)")
    run.add_argument("--checkpoint-interval", type=int, default=500,
                     help="steps between saves of last.npz (default: 500; also saved after every epoch)")
    run.add_argument("--no-progress", action="store_true", help="no progress bar")
    train_parser.set_defaults(handler=train)


def add_config_options(group, config_class, preset_values, preset_name):
    """One option per field of ``config_class``: --field-name, typed, with its help and the preset's value.

    Every default is None, so that the handler can tell an option given from one left to the
    preset (config_overrides); the values are checked when the config is built.
    """
    for spec in dataclasses.fields(config_class):
        if spec.name in NOT_OPTIONS:
            continue
        flag = "--" + spec.name.replace("_", "-")
        shown = f"{spec.metadata['help']} (preset {preset_name}: {getattr(preset_values, spec.name)})"
        if spec.type is bool:
            group.add_argument(flag, action=argparse.BooleanOptionalAction, default=None, help=shown)
        elif spec.metadata["choices"]:
            group.add_argument(flag, choices=spec.metadata["choices"], default=None, help=shown)
        else:
            group.add_argument(flag, type=spec.type, default=None, metavar=spec.name.upper(), help=shown)


def _add_eval_parser(commands):
    evaluate_parser = commands.add_parser("eval", help="perplexity of a checkpoint on a split",
                                          description="Evaluate a checkpoint: loss, perplexity and bits per token.")
    evaluate_parser.add_argument("checkpoint", help="a .npz written by gatedrnn train")
    evaluate_parser.add_argument("--split", default="test", choices=["train", "valid", "test"])
    evaluate_parser.add_argument("--data-dir", help="directory holding ptb/ (default: $GATEDRNN_DATA)")
    evaluate_parser.add_argument("--text", help="the text file the model was trained on (for text-file models)")
    evaluate_parser.add_argument("--batch-size", type=int, help="streams evaluated in parallel (default: the run's)")
    evaluate_parser.set_defaults(handler=evaluate)


def _add_generate_parser(commands):
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
    gen.set_defaults(handler=generate)

