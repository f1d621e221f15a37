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
