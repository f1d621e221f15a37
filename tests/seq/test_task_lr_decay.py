"""The tasks' learning-rate decay speaks the language models' vocabulary (a divisor ≥ 1 from a
0-based decay_start, as TrainConfig's step schedule), and the old spelling (a multiplier < 1,
a 1-based decay_after) still works: converted, named once as old, and the same run."""

import json
import warnings
from types import SimpleNamespace

import pytest

from gatedrnn import GatedRNNError
from gatedrnn.cli import main
from gatedrnn.lm.config import TrainConfig
from gatedrnn.lm.trainer import Trainer
from gatedrnn.lr_schedule import check_step_schedule, step_lr
from gatedrnn.seq.seq2seq_training import run_transduction

TINY = dict(
    task="reversal",
    hidden_size=8,
    embedding_size=4,
    train_count=40,
    test_count=4,
    batch_size=20,
    epochs=3,
    lr=0.01,
    echo=lambda *_: None,
    progress=False,
)


@pytest.mark.parametrize("lr_decay, decay_start", [(1.25, 0), (2.0, 1), (4.0, 3), (1.0, 0)])
def test_step_lr_is_the_trainers_step_schedule(lr_decay, decay_start):
    config = TrainConfig(schedule="step", lr=0.5, lr_decay=lr_decay, decay_start=decay_start)
    for epoch in range(5):
        trainer = SimpleNamespace(config=config, epoch=epoch)  # the Trainer's own rule, for 0-based epoch
        assert step_lr(0.5, lr_decay, decay_start, epoch) == Trainer._scheduled_lr(trainer)


def test_the_old_spelling_gives_the_same_rates_and_losses_with_a_deprecation_warning():
    with pytest.warns(
        DeprecationWarning,
        match=r"lr_decay=0\.8, decay_after=2 is the old spelling; write "
        r"lr_decay=1\.25, decay_start=2",
    ):
        old = run_transduction(**TINY, lr_decay=0.8, decay_after=2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        new = run_transduction(**TINY, lr_decay=1.25, decay_start=2)
    rates = [record["lr"] for record in new["history"]]
    assert rates == [0.01, 0.01, 0.01 / 1.25]  # old: epochs 1, 2 at lr, epoch 3 at lr · 0.8
    assert [record["lr"] for record in old["history"]] == rates
    assert [record["train_loss"] for record in old["history"]] == [record["train_loss"] for record in new["history"]]
    assert old["test_exact_match"] == new["test_exact_match"]
    assert (old["lr_decay"], old["decay_start"]) == (new["lr_decay"], new["decay_start"]) == (1.25, 2)


def test_the_old_flags_print_one_line_and_give_the_same_run(tmp_path, capsys):
    common = [
        "task",
        "reversal",
        "--hidden-size",
        "8",
        "--embedding-size",
        "4",
        "--train-count",
        "40",
        "--test-count",
        "4",
        "--batch-size",
        "20",
        "--epochs",
        "2",
        "--lr",
        "0.01",
        "--no-progress",
    ]
    assert main(common + ["--lr-decay", "0.5", "--decay-after", "1", "--results", str(tmp_path / "old.json")]) == 0
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [
        "gatedrnn: warning: --lr-decay 0.5 --decay-after 1 is the old spelling; write --lr-decay 2 "
        "--decay-start 1 (a divisor ≥ 1 and a 0-based first decayed epoch, as in train)"
    ]
    assert main(common + ["--lr-decay", "2", "--decay-start", "1", "--results", str(tmp_path / "new.json")]) == 0
    assert capsys.readouterr().err == ""
    old, new = (json.loads((tmp_path / f"{name}.json").read_text()) for name in ("old", "new"))
    for key in ("lr", "train_loss", "test_exact_match"):
        assert [r[key] for r in old["history"]] == [r[key] for r in new["history"]], key
    assert [r["lr"] for r in new["history"]] == [0.01, 0.005]


def test_an_old_multiplier_alone_is_named_as_a_multiplier(capsys):
    assert (
        main(
            [
                "task",
                "reversal",
                "--hidden-size",
                "4",
                "--train-count",
                "10",
                "--test-count",
                "2",
                "--epochs",
                "1",
                "--no-progress",
                "--lr-decay",
                "0.8",
            ]
        )
        == 0
    )
    assert capsys.readouterr().err.strip() == (
        "gatedrnn: warning: --lr-decay 0.8 is the old multiplier; write "
        "--lr-decay 1.25 (a divisor ≥ 1 and a 0-based first decayed epoch, "
        "as in train)"
    )


@pytest.mark.parametrize(
    "lr_decay, epochs, decay_start", [(1e300, 3, 0), (2.0, 1100, 0), (10.0, 400, 0), (1e200, 2, 0)]
)
def test_a_decay_that_takes_the_rate_to_zero_is_refused(lr_decay, epochs, decay_start):
    with pytest.raises(GatedRNNError, match="takes the learning rate"):
        check_step_schedule(1e-3, lr_decay, decay_start, epochs)


def test_a_decay_that_starts_after_the_last_epoch_is_allowed():
    assert check_step_schedule(1e-3, 1e300, 5, 5) == 1e-3


@pytest.mark.parametrize(
    "lr, lr_decay, problem",
    [
        (0, 1.0, "lr must be a finite number > 0, got 0"),  # was blamed on lr_decay: "takes the learning rate 0 to 0"
        (-1, 2.0, "lr must be a finite number > 0, got -1"),
        (float("nan"), 1.0, "lr must be a finite number > 0, got nan"),  # was returned as the last rate
        (1e-3, 0.5, "lr_decay (--lr-decay) must be a divisor ≥ 1, got 0.5"),
    ],
)
def test_a_bad_rate_or_divisor_is_named_for_itself(lr, lr_decay, problem):
    with pytest.raises(GatedRNNError, match=problem.replace("(", r"\(").replace(")", r"\)")):
        check_step_schedule(lr, lr_decay, 0, 3)
