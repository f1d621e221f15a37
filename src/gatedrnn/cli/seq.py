"""``gatedrnn task TASK``: train on a synthetic task generated on the fly (gatedrnn.seq).

brackets and neighbours classify or tag padded sequences (run_task); addition and reversal
are sequence-to-sequence (run_transduction: an encoder–decoder trained with teacher
forcing, scored by exact match); forecast is regression, real values in and out
(run_forecast: a recurrent layer and a linear read-out trained with MSELoss). Each task's
options are its run function's parameters, with its defaults (cli/options.py).
"""

import argparse
import sys

from .options import add_signature_options, options_given

TAGGING_HELPS = dict(
    cell="the recurrent layer",
    bidirectional="read each sequence both ways",
    pooling="classification (brackets; neighbours tags every step and refuses it): the last real state "
    "(the default), or the mean or max over real steps",
    hidden_size="units of the recurrent layer",
    epochs="passes over the training set",
    lr="Adam learning rate",
    batch_size="sequences per batch",
    train_count="training sequences",
    valid_count="validation sequences",
    test_count="test sequences",
    on_nonfinite="a nan/inf loss or gradient: error stops, skip skips that update "
    "(and stops after 10 in a row), as in train",
    seed="random seed",
    progress="show a progress bar",
)
TRANSDUCTION_HELPS = dict(
    reverse_source="the encoder reads each source backwards",
    peeky="give the decoder the encoder's summary at every step, beside its input and its read-out",
    attention="let each output step look back over the "
    "encoder's states: dot, general (Luong) or additive (Bahdanau) scores (default: none)",
    input_feeding="feed each step's attention result into the decoder's next input (Luong's input feeding; "
    "needs --attention)",
    bidirectional="the encoder reads the source both ways (its two directions summed)",
    cell="the recurrent layer of encoder and decoder",
    init="how the weights start: book (Deep Learning from Scratch 2: embeddings N(0, 0.01²), weights "
    "N(0, 1/fan_in), zero biases; trains addition on every seed) or pytorch (the layers' defaults; "
    "faster out of the start on dates and copy)",
    embedding_size="the width of each character's vector",
    hidden_size="units of encoder and decoder",
    epochs="passes over the training pairs",
    batch_size="pairs per batch",
    lr="Adam learning rate",
    teacher_forcing="probability of feeding the decoder the true previous "
    "token in training (1: teacher forcing; below 1: scheduled sampling, else its own choice)",
    lr_decay="divisor of the learning rate, once more every epoch from --decay-start on, as train's step "
    "schedule (1: constant, as in the book)",
    decay_start="the first epoch (0-based) that runs at a decayed learning rate",
    decay_after=argparse.SUPPRESS,
    on_nonfinite=TAGGING_HELPS["on_nonfinite"],
    train_count="training pairs (default: the task's; addition: the book's 45,000, or all of --addition-file's)",
    test_count="test pairs (default: the task's; addition: 5,000, or all of --addition-file's)",
    addition_file="the book's dataset/addition.txt: train and test on its questions and its fixed split "
    "(default: questions generated from --seed)",
    beam_width="also score the final model by beam search of this width (1: greedy only)",
    seed="random seed (data, weights and order)",
    progress="show a progress bar",
)
FORECAST_HELPS = dict(
    mode="many-to-one: read --length values, predict the next; many-to-many: predict the next value at every step",
    cell="the recurrent layer",
    hidden_size="units of the recurrent layer",
    length="T, values read per sequence",
    components="sines summed per sequence, each with its own frequency and phase",
    noise="σ of the Gaussian noise added to every value, 0 to 1e6 (the MSE floor is σ²)",
    epochs="passes over the training set",
    lr="Adam learning rate",
    batch_size="sequences per batch",
    train_count="training sequences",
    valid_count="validation sequences",
    test_count="test sequences",
    on_nonfinite=TAGGING_HELPS["on_nonfinite"],
    seed="random seed (data, weights and order)",
    plot="draw the forecasts against the truth for three test sequences into this PNG (default: no figure)",
    progress="show a progress bar",
)
DESCRIPTIONS = dict(
    brackets="Is a string of ( and ) balanced? Many-to-one, padded variable-length batches.",
    neighbours="Tag each digit 1 when its right neighbour is larger than its left one: many-to-many, needs "
    "context from both sides.",
    addition="The book's chapter 7 task: '57+689' padded to 7 characters → '746', an encoder–decoder trained "
    "with teacher forcing and scored by exact match of its greedy answer (defaults: the book's sizes).",
    reversal="A string of letters → the same string backwards, an encoder–decoder ending its output with <eos>.",
    copy="A string of letters (3 to 20) → the same string: the whole source has to pass through the encoder.",
    dates="A date written one of eight ways ('September 27, 1994', '9/27/94', …) → '1994-09-27'.",
    numbers="One-to-many: a number n < 1000 given as three digit classes → its English words ('three hundred "
    "forty-two'), written by a decoder started from one vector; test numbers are never seen in training.",
    forecast="Regression: noisy sums of sines, each sequence its own frequencies and phases; forecast the next "
    "value (many-to-one) or the next value at every step (many-to-many) with a recurrent layer and a linear "
    "read-out trained on mean squared error, scored against predicting the last value and the mean.",
)


def run(args):
    from ..files import machine_info, timestamp, write_json
    from ..lm.run_directory import check_results_file
    from ..own_files import check_replaceable
    from ..seq.forecast_training import check_plot_path

    # `is not None`, not truth: an empty path (--results "$UNSET") is refused, not skipped.
    if getattr(args, "plot", None) is not None:
        check_plot_path(args.plot, "--plot")  # the library's own check first, for its messages
        check_results_file(args.plot, "--plot")  # a language-model run's directory is the CLI's to guard
    if args.results is not None:  # before training, not after it
        _check_results_path(args.results)
        check_results_file(args.results)
        check_replaceable(args.results, "--results", "results")
        _check_results_is_not_the_plot(args)
    options = options_given(args)
    if "decay_after" in options:
        options.update(_modern_decay_flags(options))
    result = args.run_function(task=args.task_name, **options)
    if args.results is not None:
        write_json(args.results, {**result, "finished": timestamp(), "machine": machine_info()})


def _check_results_path(path):
    """--results '' would train and then write nothing: refused as train refuses it."""
    from ..arguments import path_argument

    path_argument("results", path, "results.json")


def _check_results_is_not_the_plot(args):
    """--results and --plot naming one file would leave only the one written last."""
    from pathlib import Path

    from ..errors import GatedRNNError

    plot = getattr(args, "plot", None)
    if plot is not None and Path(plot).resolve() == Path(args.results).resolve():
        raise GatedRNNError(f"--results and --plot both name {plot}; give the figure and the results two files")


def _modern_decay_flags(options):
    """--lr-decay below 1 and --decay-after are the old spelling: read them as the new one, and
    say so in one line on stderr (scripts written for the old flags keep working)."""
    from ..errors import signature_defaults
    from ..seq.lr_decay import deprecation_line, modern_decay
    from ..seq.seq2seq_training import run_transduction

    defaults = signature_defaults(run_transduction)
    lr_decay, decay_start, old, new = modern_decay(
        options["lr_decay"], options["decay_start"], options["decay_after"], defaults
    )
    if old:
        print(f"gatedrnn: warning: {deprecation_line(old, new, flags=True)}", file=sys.stderr)
    return dict(lr_decay=lr_decay, decay_start=decay_start, decay_after=None)


def add_parser(commands):
    from ..layers import RECURRENT_LAYERS

    task = commands.add_parser(
        "task",
        help="train on a synthetic task: classify, tag, or transduce sequences (variable lengths)",
        description="Generate a synthetic task and train on it: brackets (many-to-one), neighbours (aligned "
        "many-to-many), addition, reversal, copy and dates (encoder–decoder), numbers (one-to-many), forecast "
        "(regression). "
        "`gatedrnn task TASK --help` lists "
        "that task's options.",
    )
    tasks = task.add_subparsers(dest="task_name", metavar="TASK")
    tasks.required = True
    for family in _task_families(list(RECURRENT_LAYERS)):
        for name in family["names"]:
            parser = tasks.add_parser(name, help=DESCRIPTIONS[name], description=DESCRIPTIONS[name])
            names = add_signature_options(
                parser,
                family["function"],
                family["helps"](name),
                exclude=family["exclude"],
                choices=family["choices"],
                settings=family.get("settings"),
            )
            _finish(parser, names, family["function"])


def _task_families(cells):
    """The three kinds of task, each with the function its tasks run and how that function's
    parameters become options: helps (by task: the transduction tasks show their own defaults),
    choices, argparse settings, and the parameters left off the command line."""
    from ..layers.attention import SCORES
    from ..seq import TASKS, run_task
    from ..seq.forecast_data import MODES
    from ..seq.forecast_training import FORECAST_TASKS, run_forecast
    from ..seq.initialisation import SEQ2SEQ_INITS
    from ..seq.models import POOLINGS
    from ..seq.seq2seq_training import run_transduction
    from ..seq.transduction_tasks import TRANSDUCTION_TASKS
    from ..training import CLIP_HELP, NONFINITE_POLICIES

    nonfinite = list(NONFINITE_POLICIES)
    clip = dict(clip=CLIP_HELP)  # train's words: the same setting, 0 turning clipping off in both
    return [
        dict(
            names=TASKS,
            function=run_task,
            helps=lambda name: TAGGING_HELPS,
            choices=dict(cell=cells, pooling=POOLINGS, on_nonfinite=nonfinite),
            exclude=("task", "echo"),
        ),
        dict(
            names=TRANSDUCTION_TASKS,
            function=run_transduction,
            helps=lambda name: {**TRANSDUCTION_HELPS, **_training_helps(name), **clip},
            choices=dict(cell=cells, attention=list(SCORES), init=list(SEQ2SEQ_INITS), on_nonfinite=nonfinite),
            settings=dict(
                epochs=dict(type=int),
                batch_size=dict(type=int),
                lr=dict(type=float),
                train_count=dict(type=int),
                test_count=dict(type=int),
                decay_after=dict(type=int),
                addition_file=dict(type=str, metavar="FILE"),
            ),
            exclude=("task", "echo", "keep_model"),
        ),
        dict(
            names=FORECAST_TASKS,
            function=run_forecast,
            helps=lambda name: {**FORECAST_HELPS, **clip},
            choices=dict(mode=MODES, cell=cells, on_nonfinite=nonfinite),
            settings=dict(plot=dict(metavar="FILE.png")),
            exclude=("task", "echo"),
        ),
    ]


def _training_helps(task):
    """The helps of epochs, batch_size, lr and init with ``task``'s own defaults (run_transduction's None:
    the task's, else the book's; gatedrnn.seq.seq2seq_training.task_training)."""
    from ..seq.seq2seq_training import task_training

    names = ("epochs", "batch_size", "lr", "init")
    values = task_training(task, **dict.fromkeys(names))
    return {name: f"{TRANSDUCTION_HELPS[name]} (default: {value})" for name, value in zip(names, values, strict=True)}


def _finish(parser, names, function):
    parser.add_argument("--results", help="write the results JSON here")
    parser.set_defaults(handler=run, option_names=names, run_function=function)
