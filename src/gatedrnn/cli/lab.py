"""``gatedrnn lab EXPERIMENT``: the gradient lab's experiments from the command line (gatedrnn.lab).

Each experiment's options are built from its ``run()`` signature (gatedrnn.cli.options), so
the defaults live in one place, and the parsed values go to ``run()`` unchanged; ``run()``
checks them. What is written here is only what a signature cannot say: the help texts, the
allowed values, and which parameters stay off the command line.
"""

import shlex

OUT_DEFAULT = "runs/lab"
SEED_HELP = "random seed"
PROGRESS_HELP = "show a progress bar"
# The options every grid of trained models shares (long-range, tom-mary): one wording.
GRID_TRAINING_HELPS = dict(
    steps="max Adam steps per run",
    hidden_size="H",
    lr="Adam learning rate",
    gate_init="LSTM/GRU gate biases",
    seed=SEED_HELP,
    progress=PROGRESS_HELP,
)


def add_parser(commands):
    """Add ``lab`` and its experiments to the subcommands."""
    lab = commands.add_parser(
        "lab",
        help="the gradient lab: vanishing and exploding gradients, measured and drawn",
        description="Experiments on why plain RNNs lose (or blow up) their gradients and how clipping, the LSTM "
        "and the GRU help. Each writes EXPERIMENT.png and EXPERIMENT.json into --out (and cells also "
        "EXPERIMENT.html); see docs/gradients.md.",
    )
    experiments = lab.add_subparsers(dest="experiment", metavar="EXPERIMENT")
    experiments.required = True
    for name, spec in _experiment_specs().items():
        _add_experiment(experiments, name, **spec)


def _add_experiment(experiments, name, help, description, helps, choices=None, exclude=(), settings=None):
    """One experiment's subcommand: --out, then an option per parameter of its run()."""
    from ..lab import EXPERIMENTS
    from .options import add_option, add_signature_options

    sub = experiments.add_parser(name, help=help, description=description)
    add_option(sub, "out", OUT_DEFAULT, "directory for the figure and numbers")
    names = add_signature_options(
        sub, EXPERIMENTS[name].run, helps, choices=choices, exclude=exclude, settings=settings
    )
    sub.set_defaults(handler=run, option_names=tuple(names))
    return sub


def _experiment_specs():
    """Per experiment: its help and description, and per run() parameter its help and choices.

    Parameters in ``exclude`` are settings of the library function that the command leaves
    at their defaults (the figure's ranges, the extra comparisons).
    """
    from ..lab.initialisation import INIT_MODELS, INIT_SCHEMES
    from ..lab.models import CELL_KINDS, GATE_INITS
    from ..lab.tasks import LONG_RANGE_TASKS
    from ..lab.units import FEATURES, STATES
    from ..training import CLIP_HELP

    models, tasks = ", ".join(CELL_KINDS), ", ".join(LONG_RANGE_TASKS)
    return {
        "scalar": dict(
            help="one unit, w_hh = 3 and 0.2: the gradient factor over T steps, without and with tanh′",
            description="The lecture notes' example: h_t = tanh(w_xh·x_t + w_hh·h_(t-1) + b) with one unit. Without "
            "tanh′ the factor ∂h_T/∂h_(T-k) is w_hh^k (3^k explodes, 0.2^k vanishes); with it, the product of "
            "w_hh·tanh′ along the trajectory, measured through the RNN layer's backward.",
            helps=dict(
                weights="values of w_hh to compare",
                steps="T, steps back in time",
                input_weight="w_xh",
                bias="b",
                seed="random seed of the inputs x_t ~ N(0, 1)",
            ),
            settings=dict(weights=dict(metavar="W")),
        ),
        "matmul-norms": dict(
            help="norm of dh pushed back through T steps of dh·W_hᵀ, with and without tanh′",
            description="The textbook experiment: a batch of gradients of ones multiplied T times by W_hᵀ, W_h drawn "
            "from N(0, 1) and scaled; the norm grows or shrinks by the spectral radius per step.",
            helps=dict(
                steps="T, steps back in time",
                hidden_size="H, as in the textbook",
                batch_size="N, as in the textbook",
                scales="factors for W_h",
                seed=SEED_HELP,
                book="the book's exact setting (figures 6-8, 6-9): np.random.seed(3), linear axes, the norms printed",
            ),
        ),
        "activations": dict(
            help="tanh, sigmoid and ReLU with their derivatives",
            description="Each activation and its derivative, and what T steps of the derivative leave of a gradient.",
            helps=dict(steps="steps for the retention curves", seed=SEED_HELP),
            exclude=("limit", "points", "samples"),
        ),
        "gradient-flow": dict(
            help="‖∂L_T/∂h_t‖ against T - t for RNN, LSTM and GRU, untrained and trained",
            description="The gradient of a loss at the last step, measured at every earlier hidden state through the "
            "layers' own backward passes, before and after a short training on the recall task.",
            helps=dict(
                models=f"models to compare, from {models}",
                length="T",
                hidden_size="H",
                train_steps="Adam steps of the short training",
                lr="Adam learning rate",
                clip=CLIP_HELP,
                gate_init="LSTM/GRU gate biases",
                seed=SEED_HELP,
                progress=PROGRESS_HELP,
            ),
            choices=dict(models=CELL_KINDS, gate_init=GATE_INITS),
            settings=dict(models=dict(metavar="MODEL")),
            exclude=("batch_size", "task"),
        ),
        "init": dict(
            help="‖∂L_T/∂h_t‖ against T - t for a tanh RNN and an LSTM under Xavier, He, orthogonal and PyTorch's init",
            description="The gradient-flow measurement on untrained models started by gatedrnn.init's xavier_uniform_, "
            "kaiming_uniform_ (He), orthogonal_ (W_hh) and default_uniform_ (PyTorch's), and for the LSTM with "
            "the forget-gate bias shifted by each --forget-biases value (0: centred at 0; 1: Keras's "
            "unit_forget_bias).",
            helps=dict(
                models=f"from {', '.join(INIT_MODELS)}",
                inits=f"initialisations, from {', '.join(INIT_SCHEMES)}",
                forget_biases="shifts of the LSTM's forget-gate bias",
                length="T",
                hidden_size="H",
                batch_size="recall sequences the norms are averaged over",
                seed=SEED_HELP,
            ),
            choices=dict(models=INIT_MODELS, inits=INIT_SCHEMES),
            settings=dict(models=dict(metavar="MODEL"), inits=dict(metavar="INIT"), forget_biases=dict(metavar="B")),
        ),
        "long-range": dict(
            help="adding problem and recall at lengths 10 … 200: where each model fails",
            description="Train RNN-tanh, IRNN, LSTM and GRU on the adding problem and the recall task at each "
            "length, with and without gradient clipping, and tabulate the test scores (a few minutes).",
            helps=dict(
                **GRID_TRAINING_HELPS,
                tasks=f"from {tasks}",
                models=f"from {models}",
                lengths="sequence lengths",
                batch_size="sequences per step",
                clip="max gradient norm of the clipped runs (> 0: the unclipped runs are the comparison)",
                test_count="held-out sequences scored",
            ),
            choices=dict(tasks=tuple(LONG_RANGE_TASKS), models=CELL_KINDS, gate_init=GATE_INITS),
            settings=dict(tasks=dict(metavar="TASK"), models=dict(metavar="MODEL"), lengths=dict(metavar="T")),
            exclude=("compare_unclipped",),
        ),
        "tom-mary": dict(
            help="'Tom was watching TV … Mary said hi to ___' with a filler of growing length: LSTM vs tanh RNN",
            description="A generated corpus of the book's long-dependency sentence, with GAP filler tokens between "
            "the names and the blank. Each model is trained with Adam on fresh sentences at each gap and "
            "scored on held-out ones; the tanh RNN stops solving it beyond some distance, the LSTM goes on.",
            helps=dict(
                **GRID_TRAINING_HELPS,
                models=f"from {models}",
                gaps="filler tokens between the arrival and the question (distance to the name: gap + 18)",
                batch_size="sentences per step",
                clip=CLIP_HELP,
                test_count="held-out sentences scored",
                repeats="runs of the whole grid, with seeds SEED, SEED + 1, …",
            ),
            choices=dict(models=CELL_KINDS, gate_init=GATE_INITS),
            settings=dict(models=dict(metavar="MODEL"), gaps=dict(metavar="GAP")),
        ),
        "clipping": dict(
            help="one training run with gradient spikes, with and without clip_grad_norm",
            description="Train the same model twice from the same start on the same batches with plain SGD, once "
            "unclipped and once with clip_grad_norm, and draw the loss curves side by side; --per-tensor adds a "
            "run with clip_grad_norm_per_tensor.",
            helps=dict(
                model="",
                task="",
                length="T",
                steps="SGD steps",
                hidden_size="H",
                batch_size="sequences per step",
                lr="SGD learning rate",
                clip="max global gradient norm (with --per-tensor also each tensor's)",
                per_tensor="a third run with each tensor clipped by its own norm (Keras's clipnorm)",
                seed=SEED_HELP,
                progress=PROGRESS_HELP,
            ),
            choices=dict(model=CELL_KINDS, task=tuple(LONG_RANGE_TASKS)),
            exclude=("spike_factor",),
        ),
        "cells": dict(
            help="a trained char model's hidden units coloured over text (HTML + PNG); units that track things",
            description="Colour a text by one hidden unit's activation (blue negative, red positive) and list the "
            "units most correlated with being inside a string, the position in the line and the "
            "bracket depth.",
            helps=dict(
                checkpoint="a character-level checkpoint, e.g. runs/demo/best.npz from 'gatedrnn demo'",
                text_path="UTF-8 text to read (default: the standard library's string.py)",
                chars="characters of the text to read",
                feature="pick the unit that best tracks this",
                state="cell (LSTM, the default there) or hidden",
                unit="colour this unit instead of the best one for --feature",
                layer="recurrent layer to read (default: the top one)",
            ),
            choices=dict(feature=FEATURES, state=STATES),
            settings=dict(text_path=dict(flag="--text"), unit=dict(type=int), layer=dict(type=int)),
            exclude=("top",),
        ),
    }


def run(args):
    """Run the chosen experiment with the parsed options, print its summary and the files written."""
    from ..lab import run_experiment, summary
    from .options import options_given

    options = options_given(args)
    command = "gatedrnn " + " ".join(shlex.quote(a) for a in args.command_line)
    results, paths = run_experiment(args.experiment, args.out, command=command, **options)
    print(summary(args.experiment, results))
    print("wrote " + ", ".join(str(path) for path in paths.values()))
