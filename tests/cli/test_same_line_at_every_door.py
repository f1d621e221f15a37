"""One bad value, one line: every door (each subcommand, the Python call behind it) refuses it the same way."""

import pytest

import gatedrnn
from gatedrnn import GatedRNNError
from gatedrnn.cli import main
from gatedrnn.lab import scalar
from gatedrnn.lm import LanguageModel, ModelConfig, TrainConfig, generate
from gatedrnn.seq.seq2seq_training import run_transduction
from gatedrnn.seq.tasks import neighbours
from gatedrnn.seq.training import run_task

SEED_LINE = "seed must be a whole number ≥ 0, got -1; pass one such as 0"


@pytest.mark.parametrize(
    "args",
    [
        ["train", "--seed", "-1"],
        ["generate", "no-such-checkpoint.npz", "--seed", "-1"],
        ["task", "brackets", "--seed", "-1"],
        ["task", "addition", "--seed", "-1"],
        ["task", "forecast", "--seed", "-1"],
        ["lab", "scalar", "--seed", "-1"],
        ["demo", "--seed", "-1"],
        ["toy", "--seed", "-1"],
    ],
    ids=lambda args: " ".join(args[:2]),
)
def test_a_negative_seed_gets_one_line_from_every_subcommand(args, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(args) == 2
    assert capsys.readouterr().err == f"gatedrnn: error: {SEED_LINE}\n"


@pytest.mark.parametrize(
    "call",
    [
        lambda: gatedrnn.seed(-1),
        lambda: TrainConfig(seed=-1),
        lambda: generate(LanguageModel(ModelConfig(vocab_size=5, embedding_size=2, hidden_size=2)), [1], 2, seed=-1),
        lambda: run_task("brackets", seed=-1, progress=False),
        lambda: run_transduction("addition", seed=-1, progress=False),
        lambda: scalar.run(seed=-1),
    ],
    ids=["gatedrnn.seed", "TrainConfig", "generate", "run_task", "run_transduction", "lab"],
)
def test_a_negative_seed_gets_the_same_line_from_python(call):
    with pytest.raises(GatedRNNError) as info:
        call()
    assert str(info.value) == SEED_LINE


def _task_lines():
    """(command line, the same mistake from Python, the line both must give): each names the fix,
    the argument's default (from the run function's signature or the task's own settings) as the example."""
    from gatedrnn.errors import signature_defaults
    from gatedrnn.seq.seq2seq_training import BOOK_TRAINING

    tagging, transduction = signature_defaults(run_task), signature_defaults(run_transduction)
    return [
        (
            ["task", "addition", "--teacher-forcing", "2"],
            lambda: run_transduction("addition", teacher_forcing=2.0, progress=False),
            "teacher_forcing (--teacher-forcing) must be a probability in [0, 1], got 2.0; "
            f"pass a value in [0, 1], such as {transduction['teacher_forcing']:g}",
        ),
        (
            ["task", "addition", "--beam-width", "0"],
            lambda: run_transduction("addition", beam_width=0, progress=False),
            "beam_width (--beam-width) must be a whole number ≥ 1, got 0; "
            f"pass a whole number ≥ 1, such as {transduction['beam_width']}",
        ),
        (
            ["task", "addition", "--lr", "0"],
            lambda: run_transduction("addition", lr=0.0, progress=False),
            f"lr must be a finite number > 0, got 0.0; pass a value > 0, such as {BOOK_TRAINING['lr']:g}",
        ),
        (
            ["task", "addition", "--train-count", "0"],
            lambda: run_transduction("addition", train_count=0, progress=False),
            "train_count (--train-count) must be a whole number ≥ 1, got 0; "
            "pass a whole number ≥ 1, or leave it out for the task's own",
        ),
        (
            ["task", "addition", "--lr-decay", "0"],
            lambda: run_transduction("addition", lr_decay=0.0, progress=False),
            "lr_decay (--lr-decay) must be a divisor ≥ 1 (1: constant), got 0.0; "
            f"pass a value ≥ 1, such as {transduction['lr_decay']:g}",
        ),
        (
            ["task", "brackets", "--hidden-size", "0"],
            lambda: run_task("brackets", hidden_size=0, progress=False),
            "hidden_size (--hidden-size) must be a whole number ≥ 1, got 0; "
            f"pass a whole number ≥ 1, such as {tagging['hidden_size']}",
        ),
        (
            ["task", "brackets", "--lr", "nan"],
            lambda: run_task("brackets", lr=float("nan"), progress=False),
            f"lr must be a finite number > 0, got nan; pass a value > 0, such as {tagging['lr']:g}",
        ),
    ]


@pytest.mark.parametrize(
    "args, call, line", _task_lines(), ids=lambda value: " ".join(value[1:]) if isinstance(value, list) else ""
)
def test_a_task_refusal_names_the_fix_and_is_the_same_line_from_python(args, call, line, capsys):
    assert main(args) == 2
    assert capsys.readouterr().err == f"gatedrnn: error: {line}\n"
    with pytest.raises(GatedRNNError) as info:
        call()
    assert str(info.value) == line


TINY_ADDITION = dict(train_count=64, test_count=8, epochs=1, hidden_size=8, progress=False, echo=lambda line: None)


def test_task_clip_0_turns_clipping_off_as_train_s_does():
    # task refused --clip 0 ("must be a finite number > 0") where train reads it as "no clipping"
    off = run_transduction("addition", clip=0, **TINY_ADDITION)
    never_reached = run_transduction("addition", clip=1e30, **TINY_ADDITION)
    assert off["clip"] == 0.0
    assert off["history"][0]["train_loss"] == never_reached["history"][0]["train_loss"]
    assert main(["task", "addition", "--clip", "0", "--train-count", "64", "--test-count", "8", "--epochs", "1",
                 "--hidden-size", "8", "--no-progress"]) == 0  # fmt: skip


@pytest.mark.parametrize("task", ["addition", "forecast"])
def test_task_clip_has_train_s_help(task, capsys):
    from gatedrnn.training import CLIP_HELP

    for args in (["train", "--help"], ["task", task, "--help"]):
        with pytest.raises(SystemExit):
            main(args)
        assert CLIP_HELP == "max global gradient norm; 0 turns clipping off"
        assert CLIP_HELP in " ".join(capsys.readouterr().out.split())


@pytest.mark.parametrize("value", ["-1", "inf", "nan"])
def test_task_clip_refuses_what_train_refuses_in_one_line_from_both_doors(value, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    # one check (gatedrnn.training.check_clip), each door's default as the example
    assert main(["train", "--clip", value]) == 2
    train_line = capsys.readouterr().err.removeprefix("gatedrnn: error: ").strip()
    assert main(["task", "addition", "--clip", value]) == 2
    line = capsys.readouterr().err.removeprefix("gatedrnn: error: ").strip()
    assert line.startswith("clip must be a finite number ≥ 0 (0 turns clipping off), got ")
    assert line.endswith("; pass a value ≥ 0, such as 5")
    assert train_line == line.replace("such as 5", "such as 0.25")
    with pytest.raises(GatedRNNError) as info:
        run_transduction("addition", clip=float(value), progress=False)
    assert str(info.value) == line
    with pytest.raises(GatedRNNError) as info:
        TrainConfig(clip=float(value))
    assert str(info.value) == train_line


def test_the_library_s_fit_refuses_a_negative_clip_before_training():
    from gatedrnn.seq.seq2seq import Seq2Seq
    from gatedrnn.seq.seq2seq_training import fit_transduction
    from gatedrnn.seq.transduction_tasks import make_transduction_task

    data = make_transduction_task("addition", seed=0, train_count=8, test_count=2)
    model = Seq2Seq(data.vocab_size, embedding_size=4, hidden_size=4)
    before = [param.data.copy() for param in model.parameters()]
    with pytest.raises(GatedRNNError, match=r"clip must be a finite number ≥ 0 \(0 turns clipping off\), got -1.0"):
        fit_transduction(model, data, 1, clip=-1.0, progress=False)
    assert all((param.data == old).all() for param, old in zip(model.parameters(), before, strict=True))


def test_clip_grad_norm_keeps_refusing_0_and_says_it_is_not_off_there():
    import numpy as np

    from gatedrnn import Parameter
    from gatedrnn.clip import clip_grad_norm

    param = Parameter(np.ones(2))
    param.grad[...] = 3.0
    with pytest.raises(GatedRNNError, match=r"max_norm must be a positive number, got 0; .*leave the call out"):
        clip_grad_norm([param], 0)
    assert (param.grad == 3.0).all()


@pytest.mark.parametrize(
    "args",
    [
        ["train", "--hidden-size", "0", "--dry-run"],
        ["task", "brackets", "--hidden-size", "0"],
        ["task", "addition", "--hidden-size", "0"],
        ["task", "forecast", "--hidden-size", "0"],
        ["lab", "gradient-flow", "--hidden-size", "0"],
        ["lab", "tom-mary", "--hidden-size", "0"],
    ],
    ids=lambda args: " ".join(args[:2]),
)
def test_a_count_is_refused_in_the_same_words_by_train_task_and_lab(args, capsys, tmp_path, monkeypatch):
    # train said "hidden_size must be ≥ 1", lab "hidden size must be a positive integer" (and no fix)
    monkeypatch.chdir(tmp_path)
    assert main(args) == 2
    line = capsys.readouterr().err
    fixed = "gatedrnn: error: hidden_size (--hidden-size) must be a whole number ≥ 1, got 0; "
    fixed += "pass a whole number ≥ 1, such as "
    assert line.startswith(fixed) and line.endswith("\n") and line.count("\n") == 1
    assert line[len(fixed) :].strip().isdigit()  # each door's own default as the example


@pytest.mark.parametrize(
    "make, prefix",
    [
        (lambda: gatedrnn.LSTM(3, 0), "LSTM: hidden_size"),
        (lambda: gatedrnn.layers.Linear(4, 0), "Linear: out_features"),
        (lambda: neighbours(8, min_length=0), "min_length"),
    ],
    ids=["layer", "linear", "function"],
)
def test_a_layer_and_a_function_refuse_a_count_in_the_cli_words(make, prefix):
    # layers said "got 0 (int); pass a positive int", task functions "got 0" with no fix at all
    with pytest.raises(GatedRNNError) as refused:
        make()
    assert str(refused.value) == f"{prefix} must be a whole number ≥ 1, got 0; pass a whole number ≥ 1"
