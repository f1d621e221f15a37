"""Seq2Seq's initialisations (issue 31): the book's scheme drawn as the book draws it, reproducible,
its frozen b_hh kept at zero by training, accepted by ``gatedrnn task``; and the book's
addition.txt read with the book's own split."""

import json

import numpy as np
import pytest

import gatedrnn
from gatedrnn.cli import main
from gatedrnn.layers import SoftmaxCrossEntropy
from gatedrnn.optim import Adam
from gatedrnn.seq import run_transduction
from gatedrnn.seq.addition_file import read_addition_file
from gatedrnn.seq.initialisation import DEFAULT_INIT, SEQ2SEQ_INITS
from gatedrnn.seq.seq2seq import Seq2Seq
from gatedrnn.seq.transduction_tasks import addition
from gatedrnn.training import backward_and_step

QUIET = dict(echo=lambda *_: None, progress=False)


def book_model(seed=0, **options):
    gatedrnn.seed(seed)
    shape = dict(embedding_size=64, hidden_size=128)
    return Seq2Seq(200, **{**shape, **options}, init="book", dtype=np.float64)


@pytest.mark.parametrize(
    "options", [dict(reverse_source=True, peeky=True), dict(attention="general"), dict(attention="additive")]
)
def test_book_init_draws_the_books_statistics(options):
    model = book_model(**options)
    for name, param in model.named_parameters():
        data = param.data
        if name.endswith("embed.weight"):
            assert abs(data.std() - 0.01) < 0.001, name  # N(0, 0.01²), 200 × 64 draws
        elif "bias" in name:
            assert not data.any(), name
        else:
            expected = 1 / np.sqrt(data.shape[-1])  # N(0, 1/fan_in), fan_in = the input width
            assert abs(data.std() / expected - 1) < 0.1, (name, data.std(), expected)
            assert abs(data.mean()) < 0.2 * expected, name


def test_book_init_shapes_match_the_pytorch_ones():
    gatedrnn.seed(0)
    pytorch = Seq2Seq(20, reverse_source=True, peeky=True, init="pytorch")
    book = Seq2Seq(20, reverse_source=True, peeky=True, init="book")
    assert [(n, p.shape, p.data.dtype) for n, p in pytorch.named_parameters()] == [
        (n, p.shape, p.data.dtype) for n, p in book.named_parameters()
    ]


def test_book_init_is_reproducible_and_depends_on_the_seed():
    first, again, other = book_model(1), book_model(1), book_model(2)
    for (name, a), (_, b), (_, c) in zip(
        first.named_parameters(), again.named_parameters(), other.named_parameters(), strict=True
    ):
        np.testing.assert_array_equal(a.data, b.data, err_msg=name)
        if "bias" not in name:
            assert not np.array_equal(a.data, c.data), name


def test_lstm_keeps_one_bias_per_gate_and_gru_keeps_both():
    lstm = book_model(cell="lstm", peeky=True)
    frozen = sorted(name for name, param in lstm.named_parameters() if not param.requires_grad)
    assert frozen == ["decoder.bias_hh_l0", "encoder.bias_hh_l0"]
    gru = book_model(cell="gru", attention="dot")
    assert all(param.requires_grad for param in gru.parameters())  # b_hn sits inside r ⊙ (W_hn h + b_hn)


def test_frozen_bias_stays_zero_while_the_other_one_learns():
    model = book_model(peeky=True)
    generator = np.random.default_rng(0)
    source, target = generator.integers(3, 200, (4, 6)), generator.integers(3, 200, (4, 5))
    criterion, optimizer = SoftmaxCrossEntropy(), Adam(model.parameters(), lr=0.01)
    for _ in range(3):
        loss = criterion(model(source, np.full(4, 6), target), target)
        backward_and_step(model, criterion, optimizer, loss, max_norm=5.0)
    parameters = dict(model.named_parameters())
    assert not parameters["encoder.bias_hh_l0"].data.any()
    assert parameters["encoder.bias_ih_l0"].data.any()


def test_pytorch_init_keeps_the_layers_defaults():
    gatedrnn.seed(0)
    model = Seq2Seq(20, init="pytorch")
    assert model.config["init"] == "pytorch"
    assert model.encoder_embed.weight.data.std() > 0.5  # N(0, 1) rows, as torch.nn.Embedding
    assert all(param.requires_grad for param in model.parameters())


def test_the_default_is_the_books_and_is_one_of_the_schemes():
    assert DEFAULT_INIT == "book" and DEFAULT_INIT in SEQ2SEQ_INITS
    assert Seq2Seq(20).config["init"] == DEFAULT_INIT


def test_run_transduction_is_reproducible_with_book_init():
    options = dict(task="reversal", init="book", hidden_size=8, embedding_size=4, epochs=2, train_count=40, **QUIET)
    first = run_transduction(test_count=10, seed=3, **options)
    again = run_transduction(test_count=10, seed=3, **options)
    assert first["model"]["init"] == "book"
    assert [r["train_loss"] for r in first["history"]] == [r["train_loss"] for r in again["history"]]


@pytest.mark.parametrize(
    "task, expected", [("addition", "book"), ("reversal", "book"), ("dates", "pytorch"), ("copy", "pytorch")]
)
def test_each_task_starts_from_its_own_default_init(task, expected, tmp_path):
    """dates and copy default to PyTorch-style draws (TRAINING_DEFAULTS: the book's scheme leaves them
    near their zero start for their whole budget); the others to the book's. An explicit init wins."""
    options = dict(task=task, hidden_size=4, embedding_size=4, epochs=1, train_count=8, test_count=4, **QUIET)
    assert run_transduction(**options)["model"]["init"] == expected
    other = "book" if expected == "pytorch" else "pytorch"
    assert run_transduction(init=other, **options)["model"]["init"] == other
    help_text = help_of(task)
    assert f"(default: {expected})" in " ".join(help_text.split())


def help_of(task):
    import contextlib
    import io

    out = io.StringIO()
    with contextlib.redirect_stdout(out), pytest.raises(SystemExit):
        main(["task", task, "--help"])
    return out.getvalue()


def test_task_command_accepts_init(tmp_path):
    results = tmp_path / "results.json"
    args = ["task", "reversal", "--train-count", "20", "--test-count", "4", "--epochs", "1", "--hidden-size", "4"]
    assert main(args + ["--init", "pytorch", "--no-progress", "--results", str(results)]) == 0
    assert json.loads(results.read_text())["model"]["init"] == "pytorch"


# -- the book's addition.txt -------------------------------------------------------------------
def write_addition_file(path, count=50):
    lines = [f"{n}+{2 * n}".ljust(7) + "_" + str(3 * n).ljust(4) for n in range(count)]
    path.write_text("\n".join(lines) + "\n", encoding="ascii")
    return path


def test_addition_file_is_split_as_the_book_splits_it(tmp_path):
    path = write_addition_file(tmp_path / "addition.txt")
    (train_sources, train_targets), (test_sources, test_targets) = read_addition_file(path)
    order = np.arange(50)
    np.random.RandomState(1984).shuffle(order)  # dataset/sequence.py: seed 1984, the last tenth for test
    assert train_sources == [f"{n}+{2 * n}".ljust(7) for n in order[:45]]
    assert test_targets == [str(3 * n).ljust(4) for n in order[45:]]
    assert len(train_targets) == 45 and len(test_sources) == 5


def test_addition_task_reads_the_file_the_same_for_every_seed(tmp_path):
    path = write_addition_file(tmp_path / "addition.txt")
    first, other = addition(40, 5, seed=0, path=path), addition(40, 5, seed=9, path=path)
    assert first.train == other.train and first.test == other.test
    assert first.train[0][0].endswith(" ") and len(first.train[0][0]) == 7 and first.target_width == 4


def test_run_transduction_trains_on_the_file(tmp_path):
    path = write_addition_file(tmp_path / "addition.txt")
    result = run_transduction(
        task="addition", addition_file=path, hidden_size=8, epochs=1, train_count=30, test_count=5, **QUIET
    )
    assert result["train_pairs"] == 30 and result["test_pairs"] == 5 and result["addition_file"] == str(path)
