"""``gatedrnn train``, ``eval`` and ``generate``: language models from the command line (gatedrnn.lm).

The model and training options of ``train`` are generated from the fields of ModelConfig and
TrainConfig (gatedrnn.lm.config), so each exists once, with its help text and bounds; the
help shows the value of the preset named on the command line (``--preset``, default rnnlm).
"""

import argparse
import dataclasses
import os
import shlex
import signal
import sys
import threading
from contextlib import contextmanager
from pathlib import Path

from ..arguments import path_argument
from ..errors import GatedRNNError
from .idle_options import check_options_take_effect

DEFAULT_PRESET = "rnnlm"


# -- train ---------------------------------------------------------------------------------
def train(args):
    """Parse the options into a TrainingRun (gatedrnn.lm.run), which checks, trains and reports.

    Everything is checked before the data loads and before anything is written; a failed
    write during the run (disk full, read-only, ulimit -f) ends in one line saying what was
    saved and how to resume.
    """
    engine, rank = _engine(args)
    if args.dry_run:  # every check the run would make before its data loads, then the settings
        training_run(args, engine).check()
        for line in resolved_settings(args):
            print(line)
        return 0
    if rank > 0:
        return _train_as_helper(args, engine)
    return _train_and_report(args, engine)


def _train_and_report(args, engine):
    """The only process (or process 0 of a torchrun launch): check, build, train, report."""
    run = training_run(args, engine)
    run.build()  # checks everything first, then reads the data
    with _stop_gracefully(run.trainer):
        summary = run.train(max_steps=args.max_steps, time_limit=_time_limit(args))
    if summary.get("already_finished"):
        copied = summary["results_copied_to"]
        also = f"; its results copied to {copied}" if copied else ", nothing changed"
        print(f"{run.files.out_dir} holds a finished run ({run.files.results}); nothing to resume{also}")
        return 0
    if not summary["finished"]:
        again = _resume_command(args, drop_max_steps=args.max_steps is not None and summary["step"] >= args.max_steps)
        print(
            f"stopped at epoch {summary['epoch'] + 1}, window {summary['window']} (step {summary['step']}): "
            f"{summary['stopped_because']}; saved {run.files.last}"
        )
        print(f"resume with: {again}")
        return 130 if summary["stopped_because"] == "interrupted" else 0
    if args.results:
        print(f"results written to {args.results}")
    return 0


def training_run(args, engine=None, out=None, resume=None):
    """The TrainingRun the options describe: preset, overrides, data and run settings, all checked."""
    from ..lm import ModelConfig, TrainConfig, get_preset
    from ..lm.run import TrainingRun

    preset = get_preset(args.preset)
    model = preset.model.replace(**config_overrides(args, ModelConfig))
    training = preset.training.replace(**config_overrides(args, TrainConfig))
    for option, value in (
        ("--log-interval", args.log_interval),
        ("--checkpoint-interval", args.checkpoint_interval),
        ("--max-steps", args.max_steps),
    ):
        _check_whole(option, value, 1)
    _time_limit(args)
    check_options_take_effect(args, model, training)
    data = data_settings(args, preset)
    if args.engine == "torch":  # auto trains with NumPy what torch cannot run, and says so
        from ..interop.torch_engine import check_supported

        check_supported(model, training)
    return TrainingRun(
        out or run_out(args),
        data,
        model,
        training,
        preset=args.preset,
        about=preset.about + _overrides_note(args),
        results=args.results,
        resume=args.resume if resume is None else resume,
        engine=engine,
        command=command_line(args),
        progress=not args.no_progress,
        log_interval=args.log_interval,
        checkpoint_interval=args.checkpoint_interval,
        how_to_continue=lambda saved: (
            f"resume with: {_resume_command(args)}" if saved else f"start again with: {command_line(args)}"
        ),
    )


def data_settings(args, preset):
    """The DataSettings of ``train``'s data options (checked as DataSettings checks them)."""
    from ..lm.data_settings import DataSettings

    # A character-level preset without a text; --level char given by hand is DataSettings' to refuse.
    if args.level is None and preset.level == "char" and not (args.text or args.data):
        raise GatedRNNError(f"preset {args.preset} is character-level: give it a text file with --text FILE")
    if args.corpus != "ptb":
        raise GatedRNNError(f"unknown corpus {args.corpus!r}; use ptb or --text FILE")
    return DataSettings.from_options(
        text=args.text,
        valid_text=args.valid_text,
        test_text=args.test_text,
        data=args.data,
        data_dir=args.data_dir,
        level=args.level or preset.level,
        lowercase=args.lowercase,
        min_count=1 if args.min_count is None else args.min_count,
        max_vocab=args.max_vocab,
        train_tokens=args.train_tokens,
    )


def _time_limit(args):
    from ..lm.run import check_time_limit

    return check_time_limit(args.time_limit)


def default_out(args):
    """runs/PRESET for PTB; runs/NAME for a text (its file's stem) or a --data DIR (its name)."""
    if args.data:
        return f"runs/{Path(args.data).resolve().name}"
    if args.text:
        return f"runs/{Path(args.text).stem}"
    return f"runs/{args.preset}"


def run_out(args):
    """--out as given (checked: '' is no directory), or default_out when it is not."""
    if args.out is None:
        return default_out(args)
    return path_argument("out", args.out, default_out(args))


def resolved_settings(args):
    """Lines 'name = value  (source)' for every setting ``train`` would use: flag, preset or default.

    Builds (and so checks) the model and training configs as a run would, and reads no data.
    """
    from ..lm import ModelConfig, TrainConfig, get_preset

    preset = get_preset(args.preset)
    lines = [f"preset = {args.preset}  ({'flag' if _given(args, '--preset') else 'default'}): {preset.about}"]
    for section, config_class, preset_config in (
        ("model", ModelConfig, preset.model),
        ("training", TrainConfig, preset.training),
    ):
        overrides = config_overrides(args, config_class)
        resolved = preset_config.replace(**overrides)
        for spec in dataclasses.fields(config_class):
            if not spec.metadata["option"]:
                continue
            value = getattr(resolved, spec.name)
            source = (
                "flag"
                if spec.name in overrides
                else f"preset {args.preset}"
                if value != spec.default
                else f"default, kept by preset {args.preset}"
            )
            lines.append(f"{section}.{spec.name} = {value!r}  ({source})")
    data = data_settings(args, preset)
    shown = dataclasses.asdict(data)
    if data.kind == "ptb" and data.data_dir is None:
        shown["data_dir"] = "$GATEDRNN_DATA or ~/.cache/gatedrnn"
    data = list(shown.items())
    lines += [f"data.{name} = {value}" for name, value in data]
    run = [
        ("out", run_out(args)),
        ("resume", args.resume),
        ("max_steps", args.max_steps),
        ("time_limit_minutes", args.time_limit),
        ("log_interval", args.log_interval),
        ("checkpoint_interval", args.checkpoint_interval),
        ("engine", args.engine),
        ("device", args.device or ("-" if args.engine == "numpy" else "cpu")),
    ]
    lines += [f"run.{name} = {value}" for name, value in run]
    lines.append("model.vocab_size: taken from the corpus when it loads")
    return lines


def _overrides_note(args):
    """'; changed here: hidden_size=128, optimizer='adam'' for the options given on the command line."""
    from ..lm import ModelConfig, TrainConfig

    changed = {**config_overrides(args, ModelConfig), **config_overrides(args, TrainConfig)}
    if not changed:
        return ""
    return "; changed here: " + ", ".join(f"{name}={value!r}" for name, value in changed.items())


def _given(args, flag):
    return any(word == flag or word.startswith(flag + "=") for word in args.command_line)


def _engine(args):
    """(None, 0) for the NumPy engine, or (what builds the engine, this process's rank).

    Checked here, before any data loads: torch is installed, --device goes with --engine
    torch, and a torchrun launch asks for it. --threads and --deterministic reach torch through
    gatedrnn.threads, as from Python (the engine applies them at every step).
    ``--engine auto`` (gatedrnn.lm.engine_choice) needs none of it: without torch, or for a
    model torch cannot run, it trains with NumPy and its one line says why.
    """
    from ..interop.torch_engine import world_size  # imports no torch

    processes = world_size()
    if args.engine != "torch":
        if args.device is not None:
            where = (
                "auto compares the engines on the CPU" if args.engine == "auto" else "the NumPy engine runs on the CPU"
            )
            raise GatedRNNError(f"--device needs --engine torch ({where})")
        if processes > 1:
            raise GatedRNNError(
                f"started as {processes} processes (torchrun): add --engine torch, the engine that "
                "runs across processes"
            )
        if args.engine == "auto":
            from ..interop.torch_engine import auto_engine

            return auto_engine, 0
        return None, 0
    import functools

    from ..interop import _torch
    from ..interop.torch_engine import TorchEngine, process_rank

    _torch()  # installed, or one line saying how to install it
    return functools.partial(TorchEngine, device=args.device or "cpu"), process_rank()


def _train_as_helper(args, engine):
    """A process of a torchrun launch other than 0: the same steps, on its share of the streams.

    Process 0 checks and claims the run directory and writes every file; this one reads the
    checkpoint it resumes from there, keeps its logs in a directory of its own that is removed
    at the end, and prints nothing on standard output.
    """
    import contextlib
    import io
    import tempfile

    from ..lm.run_directory import RunFiles

    shared = RunFiles(run_out(args))
    with tempfile.TemporaryDirectory(prefix="gatedrnn-helper-") as private, contextlib.redirect_stdout(io.StringIO()):
        run = training_run(args, engine, out=private, resume=False)
        trainer = run.build()
        with run.files.claim(), _stop_gracefully(trainer):
            if args.resume:
                trainer.load(shared.last)
            summary = trainer.fit(max_steps=args.max_steps, time_limit=_time_limit(args))
    return 0 if summary["finished"] or summary["stopped_because"] != "interrupted" else 130


def _resume_command(args, drop_max_steps=False):
    """The command line that continues this run: --resume added; a spent --max-steps left out."""
    words, skip = [], False
    for word in args.command_line:
        if skip:
            skip = False
        elif drop_max_steps and word == "--max-steps":
            skip = True
        elif not (drop_max_steps and word.startswith("--max-steps=")):
            words.append(word)
    if "--resume" not in words:
        words.append("--resume")
    return "gatedrnn " + " ".join(shlex.quote(w) for w in words)


@contextmanager
def _stop_gracefully(trainer):
    """Ctrl-C or ``kill PID`` (SIGTERM) once: finish the step, save last.npz, say how to resume.

    A second signal stops at once (KeyboardInterrupt), keeping the last saved checkpoint;
    either way the lock is removed on the way out.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum, frame):
        if trainer.stop_requested:
            raise KeyboardInterrupt
        trainer.request_stop("interrupted")
        print(
            "\ngatedrnn: stopping after this step to save the run (press Ctrl-C again to quit without saving)",
            file=sys.stderr,
            flush=True,
        )

    previous = {number: signal.signal(number, stop) for number in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


def _check_whole(option, value, minimum):
    """argparse's type=int lets 0 and negatives through; the bounds are checked here, in one line."""
    from ..errors import check_whole_number

    if value is not None:
        check_whole_number(option, value, minimum)


def config_overrides(args, config_class):
    """The fields of ``config_class`` given on the command line (argparse leaves the others None)."""
    return {
        spec.name: getattr(args, spec.name)
        for spec in dataclasses.fields(config_class)
        if spec.metadata["option"] and getattr(args, spec.name, None) is not None
    }


def command_line(args):
    return "gatedrnn " + " ".join(shlex.quote(a) for a in args.command_line)


# -- eval ----------------------------------------------------------------------------------
def evaluate(args):
    """Score one split of the data the checkpoint records, or a new text (--text), with its vocabulary."""
    from ..data import TBPTTBatches
    from ..lm import evaluate_nll, model_from_checkpoint
    from ..lm.corpora import check_streams_fit
    from ..lm.run_checkpoint import training_config_of
    from ..lm.scores import bits, perplexity

    _check_whole("--batch-size", args.batch_size, 1)
    model, vocab, metadata = model_from_checkpoint(args.checkpoint)
    if args.text and not args.split:
        if args.data_dir:
            raise GatedRNNError(
                "--data-dir says where the Penn Treebank is; --text FILE alone scores that file: drop "
                "--data-dir, or add --split to score a split of the run's data"
            )
        data = recorded_data(args.checkpoint, metadata, vocab, new_text=args.text)
        ids, what, described = data.encode_text(args.text, vocab), args.text, args.text
    else:
        split = args.split or "test"
        data = _relocated(args, recorded_data(args.checkpoint, metadata, vocab), split)
        record = (metadata.get("run") or {}).get("data") or {}
        ids, what, described = data.read_split(split, vocab, record=record), split, f"the {split} split"
    training = training_config_of(metadata, args.checkpoint)
    batch_size = training.eval_batch_size if args.batch_size is None else args.batch_size
    why = " (the run's evaluation batch size)" if args.batch_size is None else ""
    check_streams_fit(ids, batch_size, described, "--batch-size", why)
    nll = evaluate_nll(model, ids, batch_size, training.seq_len)
    # The count of targets the mean is over, not of ids read: the first id is never a target,
    # and the last (n - 1) mod batch_size do not fill the streams (TBPTTBatches).
    scored = TBPTTBatches(ids, batch_size, training.seq_len).tokens_per_epoch
    print(
        f"{what}: loss {nll:.4f} nats/token | perplexity {perplexity(nll):.2f} | {bits(nll):.4f} bits/token | "
        f"{scored:,} tokens scored"
    )


def recorded_data(path, metadata, vocab, new_text=None):
    """The DataSettings a checkpoint records. Without a record: for scoring ``new_text``, that
    text at the vocabulary's level (the vocabulary is all it needs); for a split, the Penn
    Treebank of a word model from before data records, as those versions assumed, and a
    refusal for a character model or an import, which have no splits to score."""
    from ..lm.data_settings import DataSettings

    run = metadata.get("run") or {}
    if run.get("data"):
        return DataSettings.from_record(run["data"], source=str(path))
    if new_text is not None:
        return DataSettings(text=new_text, level=vocab.level)
    if vocab.level == "char" or "imported_from" in run:
        how = "was imported without a record of its data" if "imported_from" in run else "does not record its text file"
        raise GatedRNNError(f"{path} {how}, so it has no splits to score; score a text with --text FILE")
    return DataSettings()


def _relocated(args, data, split):
    """The recorded data, with --data-dir / --valid-text / --test-text saying where the files are now;
    GatedRNNError naming the flag when the one file ``split`` needs is not where it was."""
    changes = {key: getattr(args, key) for key in ("data_dir", "text", "valid_text", "test_text") if getattr(args, key)}
    if args.text and data.kind == "ptb":
        raise GatedRNNError(
            "this model was trained on the Penn Treebank: --text FILE alone scores a text; --split "
            "scores a split of PTB (--data-dir DIR says where it is)"
        )
    option, path = data.file_of(split) or ("--data-dir", None)
    if args.data_dir and data.kind != "ptb":
        raise GatedRNNError(
            f"--data-dir says where the Penn Treebank is, but this model's {split} split was read from "
            f"{path}; say where that file is now with {option} FILE (or drop --data-dir)"
        )
    if args.text and option != "--text" and data.kind != "ptb":  # relocating a file the split does not read
        raise GatedRNNError(
            f"--text says where the run's training file is, but --split {split} reads {path}; say where "
            f"that file is now with {option} FILE"
        )
    if (args.valid_text or args.test_text) and not data.valid_text:
        raise GatedRNNError(
            "--valid-text and --test-text relocate a run's own validation and test files; this run "
            "split one file: score a text with --text FILE"
        )
    data = data.replace(**changes) if changes else data
    needed = data.file_of(split)
    if needed is not None and not os.path.isfile(needed[1]):
        option, path = needed
        if getattr(args, option[2:].replace("-", "_")):  # the user's new place for it, mistyped
            raise GatedRNNError(f"{option} {path} does not exist; check the path")
        hint = (
            f"give its place with {option} FILE"
            if option != "--text"
            else "put it back, or score a text with --text FILE"
        )
        raise GatedRNNError(f"{args.checkpoint} was trained on {path}, which is not there any more; {hint}")
    return data


# -- generate ------------------------------------------------------------------------------
def generate(args):
    from ..data.tokens import typed_tokens
    from ..lm import generate as sample
    from ..lm import model_from_checkpoint
    from ..lm.generate import (
        DEFAULT_TEMPERATURE,
        check_generation,
        check_greedy_alone,
        check_prompt,
        check_sampling,
        default_prompt,
    )

    # Every option is checked before anything is printed (or loaded), so that a mistake is the only line.
    check_greedy_alone(args.greedy, args.temperature, args.top_k, args.top_p, args.seed)
    check_sampling(DEFAULT_TEMPERATURE if args.temperature is None else args.temperature, args.top_k, args.top_p)
    check_generation(args.length, args.greedy, args.seed, None)
    model, vocab, metadata = model_from_checkpoint(args.checkpoint)
    char_level = vocab.level == "char"
    prompt = shown_prompt = default_prompt(vocab) if args.prompt is None else args.prompt
    record = (metadata.get("run") or {}).get("data") or {}
    if record.get("lowercase"):
        prompt = prompt.lower()  # as the training text was
    prompt_tokens = typed_tokens(prompt, vocab.level)  # a line end is <eos> at word level, as in training
    if not prompt_tokens:  # the library's message would speak of token ids, which the user never typed
        raise GatedRNNError(
            f"--prompt must hold at least one {'character' if char_level else 'word'}, got {args.prompt!r}; "
            "give --prompt some text, or leave it out"
        )
    unknown = sorted({t for t in prompt_tokens if t not in vocab}, key=prompt_tokens.index)
    if unknown and vocab.unk_token:  # characters as words: the model sees the same stand-in either way
        print(
            f"gatedrnn: warning: not in the model's vocabulary, read as {vocab.unk_token}: "
            f"{_listed(unknown)}" + _vocabulary_hint(unknown, vocab),
            file=sys.stderr,
        )
        prompt_tokens = [t if t in vocab else vocab.unk_token for t in prompt_tokens]
    prompt_ids = vocab.encode(prompt_tokens)
    check_prompt(model, prompt_ids)
    stop_ids = None if args.stop is None else _stop_ids(args.stop, vocab, char_level, record.get("lowercase"))
    seed = args.seed
    if seed is None and not args.greedy:  # a fresh sample each time, said so that it can be repeated
        import secrets

        seed = secrets.randbelow(2**31)
        print(f"gatedrnn: seed {seed} (repeat this sample with --seed {seed})", file=sys.stderr)
    # The prompt is printed with the first token, so that a bad option is the only line shown.
    at_line_start, prompt_shown = [prompt.endswith("\n")], [False]

    def show_prompt():
        if not prompt_shown[0]:
            print(shown_prompt, end="", flush=True)
            prompt_shown[0] = True

    def stream(token_id):
        show_prompt()
        token = vocab.decode([token_id])[0]
        if char_level:
            text = token
        elif token == "<eos>":  # the end of a sentence in PTB: start a new line
            text = "\n"
        else:
            text = token if at_line_start[0] else " " + token
        at_line_start[0] = text == "\n"
        print(text, end="", flush=True)

    sample(
        model,
        prompt_ids,
        args.length,
        temperature=args.temperature,
        top_k=args.top_k,
        top_p=args.top_p,
        greedy=args.greedy,
        seed=seed,
        on_token=stream,
        stop=stop_ids,
    )
    show_prompt()
    print()


def _stop_ids(stop, vocab, char_level, lowercase):
    """The ids of ``--stop TEXT``: its characters (or words), each one the model can write.

    A token outside the vocabulary could only ever come out as the unknown token, so the stop
    would never match: that is refused rather than sampled to --length in silence.
    """
    from ..data.tokens import typed_tokens

    if lowercase:
        stop = stop.lower()  # the model writes what its training text held
    tokens = typed_tokens(stop, vocab.level)  # $'\n' is <eos> at word level, as the model writes it
    if not tokens:
        example = "'.'" if char_level else "$'\\n' (a line end, the model's <eos>)"
        raise GatedRNNError(f"--stop {stop!r} is empty; give the text that ends a sample, e.g. --stop {example}")
    unknown = sorted({t for t in tokens if t not in vocab}, key=tokens.index)
    if unknown:
        kind = "character" if char_level else "word"
        raise GatedRNNError(
            f"--stop {stop!r} has {kind}(s) the model never writes: {', '.join(map(repr, unknown))}; "
            f"make the stop of {kind}s in the model's vocabulary"
        )
    return vocab.encode(tokens)


def _listed(tokens, shown=10):
    """'a', 'b', 'c': the first ``shown`` tokens quoted, and how many more (a prompt may hold many)."""
    listed = ", ".join(map(repr, tokens[:shown]))
    return listed if len(tokens) <= shown else f"{listed} and {len(tokens) - shown} more"


def _vocabulary_hint(unknown, vocab):
    """A hint when lowercase would have found the words (PTB is lowercase)."""
    if any(word.lower() in vocab for word in unknown if word.lower() != word):
        return "; the vocabulary is lowercase: write the prompt in lowercase"
    return ""


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
        name = (
            word.split("=", 1)[1]
            if word.startswith("--preset=")
            else (argv[i + 1] if word == "--preset" and i + 1 < len(argv) else None)
        )
        if name in PRESETS:
            return name
    return DEFAULT_PRESET


def _add_train_parser(commands, preset_name):
    from ..lm import PRESETS, ModelConfig, TrainConfig, get_preset

    preset = get_preset(preset_name)
    train_parser = commands.add_parser(
        "train",
        help="train a language model (Penn Treebank or a text file)",
        description="Train a recurrent language model with truncated BPTT. The preset's values are the defaults "
        f"(shown for {preset_name}; `gatedrnn train --preset NAME --help` shows another's); any "
        "option given overrides them.",
    )
    train_parser.add_argument(
        "--preset",
        default=DEFAULT_PRESET,
        choices=list(PRESETS),
        help=f"recipe to start from (default: {DEFAULT_PRESET})",
    )
    data = train_parser.add_argument_group("data")
    data.add_argument("--corpus", default="ptb", help="ptb (the default; --text FILE replaces it)")
    data.add_argument("--data-dir", help="directory holding ptb/ (default: $GATEDRNN_DATA, else ~/.cache/gatedrnn)")
    data.add_argument(
        "--text",
        help="train on this UTF-8 text file instead of PTB (split 90/5/5 in order unless "
        "--valid-text and --test-text are given)",
    )
    data.add_argument("--valid-text", help="the validation text (with --text and --test-text)")
    data.add_argument("--test-text", help="the test text (with --text and --valid-text)")
    data.add_argument(
        "--data",
        metavar="DIR",
        help="a directory with train.txt, valid.txt and test.txt, as pytorch/examples' word_language_model reads them",
    )
    data.add_argument("--lowercase", action="store_true", help="lower-case the text first (default: as written)")
    data.add_argument(
        "--min-count",
        type=int,
        metavar="N",
        help="tokens seen fewer than N times in training become <unk> (default: 1, keep all)",
    )
    data.add_argument(
        "--max-vocab", type=int, metavar="N", help="keep only the N most frequent tokens, <unk> included (default: all)"
    )
    data.add_argument(
        "--level", choices=["word", "char"], help=f"tokens of --text (preset {preset_name}: {preset.level})"
    )
    data.add_argument("--train-tokens", type=int, help="use only the first N training tokens (quick trials)")
    add_config_options(
        train_parser.add_argument_group("model (overrides the preset)"), ModelConfig, preset.model, preset_name
    )
    add_config_options(
        train_parser.add_argument_group("training (overrides the preset)"), TrainConfig, preset.training, preset_name
    )
    run = train_parser.add_argument_group("run")
    run.add_argument(
        "--out",
        help="run directory (default: runs/PRESET, or runs/NAME after --text NAME.txt or "
        "--data NAME); a new run needs one that holds no run's files (checkpoints, lock, metrics)",
    )
    run.add_argument(
        "--resume",
        action="store_true",
        help="continue the run in --out from its last checkpoint (same options and data)",
    )
    run.add_argument("--results", help="also write the results JSON here (checked before training)")
    run.add_argument("--log-interval", type=int, default=100, help="windows between log lines (default: 100)")
    run.add_argument(
        "--checkpoint-interval",
        type=int,
        default=500,
        help="steps between saves of last.npz (default: 500; also saved after every epoch)",
    )
    run.add_argument(
        "--max-steps",
        type=int,
        metavar="N",
        help="stop, saved and resumable, once the run has taken N steps in all (default: no limit)",
    )
    run.add_argument(
        "--time-limit",
        type=float,
        metavar="MINUTES",
        help="stop, saved and resumable, after this many minutes of this session (default: no limit)",
    )
    run.add_argument(
        "--no-progress",
        action="store_true",
        help="no progress bar, and no progress lines (default: a bar on a terminal, a line per log interval otherwise)",
    )
    run.add_argument(
        "--dry-run",
        action="store_true",
        help="print every setting the run would use, with where it comes from (flag, preset, "
        "default), and exit without reading data or writing anything",
    )
    run.add_argument(
        "--engine",
        choices=["numpy", "torch", "auto"],
        default="numpy",
        help="what computes the steps: numpy (gatedrnn's own code, the default), torch (PyTorch: "
        "a GPU, or many processes under torchrun; pip install gatedrnn[torch]; docs/scaling.md) or "
        "auto (times the first steps on each on the CPU and keeps the faster; numpy when torch "
        "cannot run the model)",
    )
    run.add_argument("--device", help="with --engine torch: cpu (the default), cuda or cuda:N")
    train_parser.set_defaults(handler=train)


def add_config_options(group, config_class, preset_values, preset_name):
    """One option per field of ``config_class``: --field-name, typed, with its help and the preset's value.

    Every default is None, so that the handler can tell an option given from one left to the
    preset (config_overrides); the values are checked when the config is built.
    """
    for spec in dataclasses.fields(config_class):
        if not spec.metadata["option"]:
            continue
        flag = "--" + spec.name.replace("_", "-")
        shown = f"{spec.metadata['help']} (preset {preset_name}: {getattr(preset_values, spec.name)})"
        if spec.type is bool:
            group.add_argument(flag, action=argparse.BooleanOptionalAction, default=None, help=shown)
        elif spec.metadata["choices"]:
            group.add_argument(flag, choices=spec.metadata["choices"], default=None, help=shown)
        elif spec.metadata["parse"]:  # a field of its own syntax (--adaptive-softmax 2000,6000 or auto)
            group.add_argument(flag, type=spec.metadata["parse"], default=None, metavar="CUTOFFS|auto", help=shown)
        else:
            group.add_argument(flag, type=spec.type, default=None, metavar=spec.name.upper(), help=shown)


def _add_eval_parser(commands):
    evaluate_parser = commands.add_parser(
        "eval",
        help="perplexity of a checkpoint on a split, or on any text",
        description="Evaluate a checkpoint: loss, perplexity and bits per token. The checkpoint records its data "
        "(where the run found the Penn Treebank or its text files, the level, lowercase) and holds its "
        "vocabulary, so a split is scored from its own file alone; --text scores any other text with "
        "the same vocabulary.",
    )
    evaluate_parser.add_argument("checkpoint", help="a .npz written by gatedrnn train (or gatedrnn import)")
    evaluate_parser.add_argument(
        "--split", choices=["train", "valid", "test"], help="the split of the run's data to score (default: test)"
    )
    evaluate_parser.add_argument(
        "--text",
        metavar="FILE",
        help="score all of this text, tokenised as the run's data was (words the vocabulary "
        "does not know count as its unknown token); with --split, where the run's "
        "training text is now",
    )
    evaluate_parser.add_argument(
        "--data-dir", help="where the Penn Treebank is now (default: where the run found it, else $GATEDRNN_DATA)"
    )
    evaluate_parser.add_argument("--valid-text", help="where the run's validation text is now (default: as recorded)")
    evaluate_parser.add_argument("--test-text", help="where the run's test text is now (default: as recorded)")
    evaluate_parser.add_argument("--batch-size", type=int, help="streams evaluated in parallel (default: the run's)")
    evaluate_parser.set_defaults(handler=evaluate)


def _add_generate_parser(commands):
    from ..lm.generate import DEFAULT_TEMPERATURE

    gen = commands.add_parser(
        "generate",
        help="sample text from a checkpoint",
        description="Feed the prompt in to set up the state, then sample the continuation, feeding each sample back.",
    )
    gen.add_argument("checkpoint", help="a .npz written by gatedrnn train (or gatedrnn import)")
    gen.add_argument("--prompt", help="text to start from (default: 'the', else a line end, whichever the model knows)")
    gen.add_argument("--length", type=int, default=50, help="tokens to generate at most (default: 50)")
    gen.add_argument(
        "--stop",
        metavar="TEXT",
        help="end the sample as soon as it writes TEXT, which is its last output (an end-of-text marker; "
        "--length still caps it; default: none)",
    )
    gen.add_argument(
        "--temperature",
        type=float,
        help="divide the scores by this before sampling: < 1 safer and more repetitive, > 1 wilder "
        f"(default: {DEFAULT_TEMPERATURE})",
    )
    gen.add_argument("--top-k", type=int, help="sample among the k most likely tokens only (default: all)")
    gen.add_argument(
        "--top-p",
        type=float,
        help="sample among the fewest most likely tokens whose probability reaches p (default: all)",
    )
    gen.add_argument("--greedy", action="store_true", help="always take the most likely token (no sampling)")
    gen.add_argument(
        "--seed",
        type=int,
        help="random seed of the sampling (default: a fresh one, printed so that it can be repeated)",
    )
    gen.set_defaults(handler=generate)
