"""One bad value, one line: every door (each subcommand, the Python call behind it) refuses it the same way."""

import pytest

import gatedrnn
from gatedrnn import GatedRNNError
from gatedrnn.cli import main
from gatedrnn.lab import scalar
from gatedrnn.lm import LanguageModel, ModelConfig, TrainConfig, generate
from gatedrnn.seq.seq2seq_training import run_transduction
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
    from gatedrnn.seq.arguments import signature_defaults
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
