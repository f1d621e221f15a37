"""Bad-input rows for the lab's newer experiments and options (scalar, init, tom-mary,
clipping --per-tensor) and gatedrnn.clip.clip_grad_norm_per_tensor: each refused in one line
by the library object, whichever door it came through (collected by rows.py)."""

import numpy as np

from helpers.bad_inputs.rows import Row

HUGE = "1000000"  # a hidden size whose kept states need tebibytes
HUGE_COUNT = "100000000"


def lab(name, *extra):
    return lambda c: ["lab", name, *extra, "--out", str(c.tmp / "lab")]


def _scalar(**options):
    def action(_):
        from gatedrnn.lab import scalar

        return scalar.run(**options)

    return action


def _init(**options):
    def action(_):
        from gatedrnn.lab import initialisation

        return initialisation.run(**options)

    return action


def _tom_mary(**options):
    def action(_):
        from gatedrnn.lab import tom_mary

        return tom_mary.run(**{"progress": False, **options})

    return action


def _experiment(name, out, **options):
    def action(c):
        from gatedrnn.lab import run_experiment

        return run_experiment(name, c.tmp / out if isinstance(out, str) and out else out, **options)

    return action


def _clipping_per_tensor_flag(_):
    from gatedrnn.lab import clipping

    clipping.run(steps=2, per_tensor="yes", progress=False)


def _clip_per_tensor(max_norm):
    def action(_):
        from gatedrnn.clip import clip_grad_norm_per_tensor
        from gatedrnn.core import Parameter

        clip_grad_norm_per_tensor([Parameter(np.ones(3))], max_norm)

    return action


def _numpy_numbers_work(_):
    from gatedrnn.lab import initialisation, scalar

    scalar.run(weights=(np.float32(3.0), np.int64(1)), steps=np.int64(3), seed=np.uint8(2))
    initialisation.run(models=("rnn-tanh",), inits=("orthogonal",), length=np.int32(4), hidden_size=np.int64(3))


def _users_notes(context):
    """lab scalar --out into a folder where the user keeps a scalar.json of their own."""
    folder = context.tmp / "notes"
    folder.mkdir()
    (folder / "scalar.json").write_text("my notes")
    return ["lab", "scalar", "--out", str(folder)]


def _users_picture(context):
    """lab scalar --out into a folder holding a scalar.png of the user's and no scalar.json."""
    folder = context.tmp / "pictures"
    folder.mkdir()
    (folder / "scalar.png").write_bytes(b"mine")
    return ["lab", "scalar", "--out", str(folder)]


def _scalar_over_an_older_run(context):
    """lab scalar --out where an older gatedrnn wrote scalar.json and a scalar.png without the
    mark: the results file says whose they are, so both are replaced."""
    from gatedrnn.cli import main

    arguments = ["lab", "scalar", "--out", str(context.tmp / "lab")]
    assert main(arguments) == 0
    (context.tmp / "lab" / "scalar.png").write_bytes(b"an older figure")
    return arguments


def _scalar_twice(context):
    """lab scalar run a second time into its own --out: it replaces its own two files."""
    from gatedrnn.cli import main

    arguments = ["lab", "scalar", "--out", str(context.tmp / "lab")]
    assert main(arguments) == 0
    return arguments


ROWS = [
    # -- run_experiment, the Python door of `gatedrnn lab` (a KeyError or TypeError before) ---------
    Row(
        "lab-api-unknown-experiment",
        "call",
        "unknown experiment 'bogus'; choose one of scalar",
        action=_experiment("bogus", "o"),
    ),
    Row(
        "lab-api-unknown-option",
        "call",
        "experiment scalar has no option bogus; it takes weights, steps",
        action=_experiment("scalar", "o", bogus=1),
    ),
    Row(
        "lab-api-out-not-a-path",
        "call",
        "out_dir (--out) must be a directory's path, got 5",
        action=_experiment("scalar", 5),
    ),
    Row(
        "lab-empty-out",
        "cli",
        "out_dir (--out) must be a directory's path, got ''",
        args=["lab", "scalar", "--out", ""],
    ),
    # -- --out: nothing replaced that the lab did not write --------------------------------------------
    Row("lab-out-holds-a-users-file", "cli", "scalar.json exists and is not a gatedrnn results", args=_users_notes),
    Row(
        "lab-out-is-a-run-directory",
        "cli",
        "choose a directory outside it",
        args=lambda c: ["lab", "scalar", "--out", str(c.run)],
    ),
    Row(
        "lab-out-inside-a-run-directory",
        "cli",
        "is inside the run directory",
        args=lambda c: ["lab", "scalar", "--out", str(c.run / "sub")],
    ),
    Row("lab-out-writes-its-own-files-again", "cli", args=_scalar_twice, status=0),
    Row(
        "lab-out-holds-a-users-picture",
        "cli",
        "scalar.png exists and is not a figure gatedrnn drew",
        args=_users_picture,
    ),
    Row("lab-out-replaces-an-older-runs-files", "cli", args=_scalar_over_an_older_run, status=0),
    # -- scalar ---------------------------------------------------------------------------------------
    Row("lab-scalar-nan-weight", "cli", "weights must be finite numbers", args=lab("scalar", "--weights", "nan")),
    Row("lab-scalar-inf-bias", "cli", "bias must be a finite number", args=lab("scalar", "--bias", "inf")),
    Row("lab-scalar-one-step", "cli", "steps must be a whole number ≥ 2", args=lab("scalar", "--steps", "1")),
    Row("lab-scalar-steps-huge", "cli", "steps must be at most 1000", args=lab("scalar", "--steps", HUGE_COUNT)),
    Row("lab-scalar-api-bool-weight", "call", "weights must be finite numbers", action=_scalar(weights=(True,))),
    Row("lab-scalar-api-no-weights", "call", "weights must be finite numbers", action=_scalar(weights=())),
    # -- init -----------------------------------------------------------------------------------------
    Row("lab-init-unknown-init", "cli", "invalid choice", args=lab("init", "--inits", "lecun")),
    Row("lab-init-inf-forget-bias", "cli", "forget biases must be finite", args=lab("init", "--forget-biases", "inf")),
    Row("lab-init-short-length", "cli", "length must be a whole number ≥ 3", args=lab("init", "--length", "2")),
    Row(
        "lab-init-hidden-huge",
        "cli",
        "init with length 50, hidden_size 1000000",
        args=lab("init", "--hidden-size", HUGE),
    ),
    Row("lab-init-api-gru", "call", "unknown model gru; choose from rnn-tanh, lstm", action=_init(models=("gru",))),
    Row("lab-init-api-unknown-init", "call", "unknown initialisation he", action=_init(inits=("he",))),
    Row(
        "lab-init-api-float-batch",
        "call",
        "batch_size (--batch-size) must be a whole number ≥ 1",
        action=_init(batch_size=2.5),
    ),
    # -- tom-mary -------------------------------------------------------------------------------------
    Row("lab-tom-mary-negative-gap", "cli", "gaps must be non-negative integers", args=lab("tom-mary", "--gaps", "-1")),
    Row("lab-tom-mary-zero-lr", "cli", "lr must be a finite number > 0", args=lab("tom-mary", "--lr", "0")),
    Row("lab-tom-mary-zero-steps", "cli", "steps must be a whole number ≥ 1", args=lab("tom-mary", "--steps", "0")),
    Row(
        "lab-tom-mary-test-count-huge",
        "cli",
        "tom-mary with gaps up to 80",
        args=lab("tom-mary", "--test-count", HUGE_COUNT),
    ),
    Row("lab-tom-mary-unknown-model", "cli", "invalid choice", args=lab("tom-mary", "--models", "transformer")),
    Row("lab-tom-mary-api-no-gaps", "call", "gaps must be non-negative integers", action=_tom_mary(gaps=())),
    Row("lab-tom-mary-api-gate-init", "call", "unknown gate initialisation", action=_tom_mary(gate_init="ones")),
    # tom-mary trains with a clip as train and task do: 0 turns it off, and the refusal says so
    Row(
        "lab-tom-mary-api-nan-clip",
        "call",
        "clip must be a finite number ≥ 0 (0 turns clipping off)",
        action=_tom_mary(clip=float("nan")),
    ),
    # -- clipping per tensor --------------------------------------------------------------------------
    Row(
        "lab-clipping-per-tensor-not-a-flag",
        "call",
        "per_tensor must be True or False",
        action=_clipping_per_tensor_flag,
    ),
    Row(
        "lab-clipping-per-tensor-zero-clip",
        "cli",
        # 0 is train's and task's "no clipping": refused here with the reason (it compares with unclipped runs)
        "clip (--clip) must be > 0 here, got 0: this experiment compares runs clipped at it with unclipped ones",
        args=lab("clipping", "--per-tensor", "--clip", "0"),
    ),
    Row("clip-per-tensor-zero", "call", "clip_grad_norm_per_tensor max_norm must be", action=_clip_per_tensor(0.0)),
    Row("clip-per-tensor-string", "call", "clip_grad_norm_per_tensor max_norm must be", action=_clip_per_tensor("1")),
    Row("lab-new-experiments-take-numpy-numbers", "call", status=0, action=_numpy_numbers_work),
    Row(
        "lab-unknown-option-names-the-experiment-help",
        "cli",
        "gatedrnn lab scalar: error: unrecognized arguments: --no-progress; see 'gatedrnn lab scalar --help'",
        args=lab("scalar", "--no-progress"),
    ),
]
