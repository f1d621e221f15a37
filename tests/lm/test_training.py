"""The PTB training loop: perplexity falls, resume equals an uninterrupted run, the CLI explains mistakes."""

import json
import math

import numpy as np
import pytest
from helpers.ptb_data import DATA_DIR, needs_ptb
from helpers.tiny_runs import tiny_train_args, write_text

import gatedrnn
from gatedrnn import GatedRNNError
from gatedrnn.cli import main
from gatedrnn.data import load_ptb
from gatedrnn.lm import LanguageModel, ModelConfig, Trainer, evaluate_nll, get_preset


@pytest.fixture(scope="module")
def ptb_slice():
    """PTB with its training split cut to the first 40,000 tokens (valid/test cut to 8,000)."""
    corpus = load_ptb(DATA_DIR, download=False)
    corpus.train, corpus.valid, corpus.test = corpus.train[:40_000], corpus.valid[:8_000], corpus.test[:8_000]
    return corpus


def small_config(**changes):
    return get_preset("rnnlm").training.replace(
        **{**dict(epochs=2, batch_size=20, seq_len=20, lr=20.0, clip=0.25), **changes}
    )


def small_model(vocab_size):
    return LanguageModel(
        ModelConfig(
            vocab_size=vocab_size,
            embedding_size=32,
            hidden_size=32,
            num_layers=1,
            dropout=0.0,
            tie_weights=False,
            init="book",
        )
    )


@needs_ptb
def test_short_training_lowers_perplexity_below_bound(ptb_slice, tmp_path):
    """Untrained, the model is near uniform (perplexity ≈ 10,000); two short epochs on 40k
    tokens must bring validation perplexity below 700 (measured: about 480)."""
    gatedrnn.seed(0)
    model = small_model(len(ptb_slice.vocab))
    before = math.exp(evaluate_nll(model, ptb_slice.valid, 10, 20))
    trainer = Trainer(model, ptb_slice, small_config(), tmp_path, progress=False, echo=lambda *_: None)
    summary = trainer.fit()
    assert before > 5000
    assert summary["valid_ppl"] < 700
    assert (tmp_path / "best.npz").exists() and (tmp_path / "perplexity.png").exists()
    records = [json.loads(line) for line in (tmp_path / "metrics.jsonl").read_text().splitlines()]
    assert {r["kind"] for r in records} == {"train", "valid", "test"}


@pytest.fixture
def one_thread():
    """Bit-for-bit comparisons need one thread count throughout: OpenBLAS's products differ in
    their last bits between thread counts, and the default count is chosen by timing."""
    gatedrnn.set_num_threads(1)
    yield
    gatedrnn.set_num_threads(None)


@needs_ptb
def test_resume_equals_uninterrupted(ptb_slice, tmp_path, one_thread):
    """Stop mid-epoch (with dropout, so the RNG matters), reload, finish: same weights, bit for bit."""
    corpus = ptb_slice
    corpus_small = type(corpus)(
        train=corpus.train[:12_000],
        valid=corpus.valid[:2_000],
        test=corpus.test[:2_000],
        vocab=corpus.vocab,
        name=corpus.name,
    )
    config = small_config(epochs=2, optimizer="sgd")

    def fresh(out):
        gatedrnn.seed(3)
        model = LanguageModel(
            ModelConfig(
                vocab_size=len(corpus.vocab),
                embedding_size=16,
                hidden_size=16,
                num_layers=2,
                dropout=0.3,
                tie_weights=True,
                init="book",
            )
        )
        return Trainer(model, corpus_small, config, out, progress=False, echo=lambda *_: None, checkpoint_interval=7)

    straight = fresh(tmp_path / "a")
    straight.fit()

    interrupted = fresh(tmp_path / "b")
    stop_after = 7 + len(interrupted.batches)  # the checkpoint at step 7 of epoch 2 wins
    original_step = interrupted._train_step
    calls = {"n": 0}

    def step_then_crash(*args):
        calls["n"] += 1
        if calls["n"] > stop_after + 3:  # die a few steps after the checkpoint
            raise KeyboardInterrupt
        return original_step(*args)

    interrupted._train_step = step_then_crash
    with pytest.raises(KeyboardInterrupt):
        interrupted.fit()

    resumed = fresh(tmp_path / "b")
    resumed.load(tmp_path / "b" / "last.npz")
    assert resumed.epoch == 1 and resumed.window > 0  # resuming in the middle of epoch 2
    resumed.fit()
    for (name, a), (_, b) in zip(straight.model.named_parameters(), resumed.model.named_parameters(), strict=True):
        assert np.array_equal(a.data, b.data), name


def test_results_hold_the_learning_rate_of_each_epoch(tmp_path):
    """The schedule's history goes into --results beside the validation curve it answered."""
    results = tmp_path / "results.json"
    args = tiny_train_args(
        write_text(tmp_path),
        tmp_path / "run",
        "--lr",
        "1",
        "--schedule",
        "step",
        "--lr-decay",
        "2",
        "--decay-start",
        "1",
        "--no-progress",
        "--results",
        str(results),
        epochs=3,
    )
    assert main(args) == 0
    document = json.loads(results.read_text())
    assert document["lr_by_epoch"] == [1.0, 0.5, 0.25]
    assert len(document["valid_ppl_by_epoch"]) == 3


def test_results_record_a_pinned_thread_count_and_what_pinned_it(tmp_path):
    """`--threads 2` once left "threads: not chosen yet" in the results file of a 6-hour run."""
    assert main(tiny_train_args(write_text(tmp_path), tmp_path / "run", "--threads", "2", "--no-progress")) == 0
    recorded = json.loads((tmp_path / "run" / "results.json").read_text())["threads"]
    pinned = "threads: 2 (pinned by --threads or set_num_threads)"
    assert recorded == {"train": pinned, "evaluate": pinned}


def test_results_score_the_best_epoch_and_the_last_epoch_beside_it(tmp_path, monkeypatch, capsys):
    """Validation worsens in the last epoch: the run reports the best epoch's test perplexity
    (``scored``: best-validation) and, beside it, the last epoch's, which is what the book reports.
    Each equals ``gatedrnn eval`` of the checkpoint that holds those weights."""
    from gatedrnn.lm.engine import NumpyEngine

    validation = iter([2.0, 1.0, 3.0])  # nats/token after epochs 1, 2, 3: epoch 2 is the best
    scored_for_real = NumpyEngine.evaluate_nll

    def scripted_validation(engine, ids, batch_size, seq_len):
        value = next(validation, None)  # the three validations, then the test split for real
        return scored_for_real(engine, ids, batch_size, seq_len) if value is None else value

    monkeypatch.setattr(NumpyEngine, "evaluate_nll", scripted_validation)
    results = tmp_path / "results.json"
    out = tmp_path / "run"
    args = tiny_train_args(write_text(tmp_path), out, "--no-progress", "--results", str(results), epochs=3)
    assert main(args) == 0
    document = json.loads(results.read_text())
    assert document["scored"] == "best-validation" and document["best_epoch"] == 2
    assert document["best_valid_ppl"] == pytest.approx(math.exp(1.0))
    assert document["last_epoch_valid_ppl"] == pytest.approx(math.exp(3.0))
    assert document["last_epoch_test_ppl"] != document["test_ppl"]
    capsys.readouterr()
    for checkpoint, key in (("best.npz", "test_ppl"), ("last.npz", "last_epoch_test_ppl")):
        assert main(["eval", str(out / checkpoint), "--split", "test"]) == 0
        assert f"perplexity {document[key]:.2f} |" in capsys.readouterr().out, checkpoint


@needs_ptb
def test_cli_train_eval_generate(tmp_path, capsys):
    out = tmp_path / "run"
    args = [
        "train",
        "--preset",
        "rnnlm",
        "--data-dir",
        str(DATA_DIR),
        "--train-tokens",
        "8000",
        "--epochs",
        "1",
        "--hidden-size",
        "16",
        "--embedding-size",
        "16",
        "--out",
        str(out),
        "--no-progress",
        "--results",
        str(tmp_path / "results.json"),
    ]
    assert main(args) == 0
    results = json.loads((tmp_path / "results.json").read_text())
    assert results["test_ppl"] > 1 and len(results["valid_ppl_by_epoch"]) == 1
    assert main(["eval", str(out / "best.npz"), "--split", "valid", "--data-dir", str(DATA_DIR)]) == 0
    assert "perplexity" in capsys.readouterr().out
    assert main(["generate", str(out / "best.npz"), "--prompt", "the market", "--length", "12", "--seed", "4"]) == 0
    first = capsys.readouterr().out
    assert main(["generate", str(out / "best.npz"), "--prompt", "the market", "--length", "12", "--seed", "4"]) == 0
    assert capsys.readouterr().out == first and first.startswith("the market")
    # A second train into the same directory must not overwrite it.
    before = (out / "last.npz").read_bytes()
    assert main(args) == 2
    assert "already holds a run" in capsys.readouterr().err
    assert (out / "last.npz").read_bytes() == before


def test_cli_missing_data_directory(tmp_path, capsys, monkeypatch):
    import gatedrnn.data.ptb as ptb

    monkeypatch.setattr(ptb, "_download", lambda *a, **k: (_ for _ in ()).throw(OSError("no network")), raising=False)
    code = main(["train", "--data-dir", str(tmp_path / "nowhere"), "--out", str(tmp_path / "run"), "--no-progress"])
    err = capsys.readouterr().err
    assert code == 2 and err.startswith("gatedrnn: error:") and "GATEDRNN_DATA" in err
    assert len(err.strip().splitlines()) == 1


def test_cli_unknown_preset(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["train", "--preset", "gigantic"])
    assert exit_info.value.code == 2
    assert "invalid choice: 'gigantic'" in capsys.readouterr().err


def test_unknown_preset_in_the_library():
    with pytest.raises(GatedRNNError, match="unknown preset 'gigantic'"):
        get_preset("gigantic")


@pytest.mark.parametrize(
    "change, problem",
    [
        (dict(lr=0), "lr must be a finite number > 0"),
        (dict(seq_len=0), "seq_len"),
        (dict(batch_size=0), "batch_size"),
        (dict(schedule="cosine"), "unknown schedule"),
    ],
)
def test_nonsensical_training_settings(change, problem):
    with pytest.raises(GatedRNNError, match=problem):
        small_config(**change)


@pytest.mark.parametrize("cell, frozen", [("lstm", True), ("rnn", True), ("gru", False)])
def test_book_init_keeps_one_bias_per_gate(cell, frozen):
    """The book's LSTM has one bias b; b_ih + b_hh with b_hh held at zero is the same model."""
    from gatedrnn.layers import SoftmaxCrossEntropy
    from gatedrnn.optim import SGD

    gatedrnn.seed(0)
    model = LanguageModel(
        ModelConfig(
            vocab_size=20,
            embedding_size=8,
            hidden_size=8,
            num_layers=2,
            dropout=0.0,
            tie_weights=False,
            cell=cell,
            init="book",
        )
    )
    optimizer = SGD(model.parameters(), lr=1.0)
    criterion = SoftmaxCrossEntropy()
    ids = np.random.default_rng(0).integers(0, 20, size=(3, 5))
    logits, _ = model(ids)
    criterion(logits, ids)
    model.backward(criterion.backward())
    optimizer.step()
    for name, param in model.named_parameters():
        if "bias_hh" in name:
            assert param.requires_grad is not frozen
            assert bool(np.all(param.data == 0)) is frozen, name
        elif "bias_ih" in name:
            assert np.any(param.data != 0), name
