"""Character-level models: memorising a paragraph, the offline demo, char presets through the CLI."""

import json

import pytest

from gatedrnn.cli import main
from gatedrnn.lm import char_rnn_exercise as exercise
from gatedrnn.lm.demo import held_out_corpus, next_free_directory, stdlib_source

SHORT_PARAGRAPH = "a plain tanh network recites this line once it is trained with the right loss."


def test_tanh_rnn_recites_a_paragraph_once_the_faults_are_fixed():
    """The notes' model (tanh RNN, one-hot inputs), trained with cross-entropy, clipping and
    enough updates, recites the text by greedy generation from the start token."""
    result = exercise.run(SHORT_PARAGRAPH, faults=(), hidden_size=35, max_updates=600, check_every=20)
    assert result["exact"] and result["recited"] == SHORT_PARAGRAPH, result["recited"]
    assert result["learnt_at"] is not None and result["learnt_at"] <= 600


def test_the_notes_run_with_all_six_faults_does_not():
    result = exercise.run(SHORT_PARAGRAPH)
    assert result["updates"] == 10 and not result["exact"] and result["correct_prefix"] < 5


@pytest.fixture(scope="module")
def learnt_variants():
    """One training of the fixed model on the short text, judged by three generations."""
    variants = {"none": (), "same_token": ("same_token",), "zero_start": ("zero_start",)}
    return exercise.run_variants(SHORT_PARAGRAPH, variants, max_updates=600, check_every=20, seed=1)


def test_the_shared_start_and_end_character_never_stops(learnt_variants):
    """The notes' "@@": a model that has learnt the text writes it, then '@' for the end token, and goes on."""
    fixed, shared = learnt_variants["none"], learnt_variants["same_token"]
    assert fixed["exact"] and fixed["recited"] == SHORT_PARAGRAPH  # stopped at the end token
    assert shared["learnt_at"] == fixed["learnt_at"] and not shared["exact"]
    assert shared["recited"].startswith(SHORT_PARAGRAPH + exercise.SHARED_TOKEN_CHARACTER)
    assert len(shared["recited"]) == len(SHORT_PARAGRAPH) + exercise.OVERRUN  # ran to the limit
    assert shared["correct_prefix"] == len(SHORT_PARAGRAPH)


def test_variants_that_share_a_training_give_what_separate_runs_give(learnt_variants):
    alone = exercise.run(SHORT_PARAGRAPH, faults=("zero_start",), max_updates=600, check_every=20, seed=1)
    shared = learnt_variants["zero_start"]
    assert alone["recited"] == shared["recited"] and alone["learnt_at"] == shared["learnt_at"]
    assert alone["losses"] == shared["losses"]


def test_the_quick_check_agrees_with_a_full_recital():
    import gatedrnn

    symbols = exercise.alphabet("abcab")
    gatedrnn.seed(0)
    model = exercise.OneHotRNN(len(symbols), 8)
    for text in ("abcab", exercise.recite(model, symbols, 6), exercise.recite(model, symbols, 3)):
        assert exercise.recites(model, symbols, text) == (exercise.recite(model, symbols, len(text) + 1) == text)
    assert model.training  # generation gave training mode back, even when the check stopped early


def test_the_notes_paragraph_and_alphabet():
    symbols = exercise.alphabet(exercise.NOTES_PARAGRAPH, exercise.NOTES_CHARACTERS)
    assert len(exercise.NOTES_PARAGRAPH) == 875 and len(symbols) == 46  # the notes' one-hot vectors of 46
    assert exercise.NOTES_PARAGRAPH.startswith("hello pytorch.") and exercise.NOTES_PARAGRAPH.endswith("1000 layers.")
    from gatedrnn import GatedRNNError

    with pytest.raises(GatedRNNError, match="missing 'X'"):
        exercise.alphabet("aXb", "ab")
    with pytest.raises(GatedRNNError, match="once"):
        exercise.alphabet("ab", "abb")


def test_squared_error_gradient_matches_numerical():
    import numpy as np

    from gatedrnn.gradcheck import numerical_gradient, relative_error

    criterion = exercise.SquaredErrorOnOneHot()
    scores = np.random.default_rng(0).standard_normal((1, 4, 5))
    targets = np.array([[0, 3, 3, 1]])
    criterion(scores, targets)
    analytic = criterion.backward(1.0)
    assert relative_error(analytic, numerical_gradient(lambda: criterion(scores, targets), scores)) < 1e-8


def test_unknown_fault_is_refused():
    from gatedrnn import GatedRNNError

    with pytest.raises(GatedRNNError, match="unknown fault"):
        exercise.run("abc", faults=("typo",))


def test_demo_corpus_comes_from_the_standard_library():
    text = stdlib_source(50_000)
    assert len(text) == 50_000 and "def " in text and "import " in text
    corpus = held_out_corpus(text)
    assert corpus.valid.size == 5_000 and corpus.train.size == 45_000 and corpus.test is None
    assert corpus.vocab.level == "char"


def test_demo_never_reuses_a_run_directory(tmp_path):
    base = tmp_path / "demo"
    assert next_free_directory(base) == base
    base.mkdir()
    (base / "best.npz").write_bytes(b"x")
    assert next_free_directory(base) == tmp_path / "demo-2"


@pytest.mark.slow
def test_demo_end_to_end_small(tmp_path, capsys):
    results = tmp_path / "demo.json"
    code = main(
        [
            "demo",
            "--out",
            str(tmp_path / "demo"),
            "--chars",
            "30000",
            "--epochs",
            "1",
            "--no-progress",
            "--results",
            str(results),
        ]
    )
    assert code == 0
    out = capsys.readouterr().out
    for expected in ("a sample", "bits per character", "checkpoint:", "loss plot:", "wall time:"):
        assert expected in out
    report = json.loads(results.read_text())
    assert 0 < report["best_valid_bits_per_token"] < 6.7  # log2(vocab) ≈ 6.6 is knowing nothing
    assert (tmp_path / "demo" / "best.npz").exists() and (tmp_path / "demo" / "bits_per_char.png").exists()
    assert (
        main(["generate", str(tmp_path / "demo" / "best.npz"), "--prompt", "def ", "--length", "20", "--seed", "1"])
        == 0
    )
    assert capsys.readouterr().out.startswith("def ")


def test_the_shakespeare_preset_is_char_rnn_sized_and_needs_a_text(capsys, tmp_path):
    from gatedrnn.lm import get_preset

    preset = get_preset("char-shakespeare")
    assert preset.level == "char" and (preset.model.num_layers, preset.model.hidden_size) == (2, 128)
    assert (preset.training.batch_size, preset.training.seq_len, preset.training.clip) == (50, 50, 5.0)
    assert main(["train", "--preset", "char-shakespeare", "--out", str(tmp_path / "run")]) == 2
    assert "--text FILE" in capsys.readouterr().err and not (tmp_path / "run").exists()
    text = tmp_path / "plays.txt"
    text.write_text("KING. Now is the winter of our discontent.\n" * 20, encoding="utf-8")
    assert main(["train", "--preset", "char-shakespeare", "--text", str(text), "--dry-run"]) == 0
    shown = capsys.readouterr().out
    assert "model.hidden_size = 128  (preset char-shakespeare)" in shown and "data.level = char" in shown


def test_char_preset_needs_a_text_file(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "runs" / "char-small").mkdir(parents=True)  # a run directory in the way changes nothing
    (tmp_path / "runs" / "char-small" / "last.npz").write_bytes(b"x")
    assert main(["train", "--preset", "char-small"]) == 2
    assert "--text FILE" in capsys.readouterr().err


def test_char_preset_trains_on_a_text_file_and_reports_bits(tmp_path, capsys):
    text = tmp_path / "t.txt"
    text.write_text("to be or not to be, that is the question.\n" * 60, encoding="utf-8")
    out = tmp_path / "run"
    assert (
        main(
            [
                "train",
                "--preset",
                "char-small",
                "--text",
                str(text),
                "--hidden-size",
                "32",
                "--embedding-size",
                "16",
                "--epochs",
                "2",
                "--seq-len",
                "32",
                "--batch-size",
                "4",
                "--no-progress",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    printed = capsys.readouterr().out
    assert "valid bpc" in printed and (out / "bits_per_char.png").exists()
    assert main(["eval", str(out / "best.npz"), "--text", str(text), "--split", "valid"]) == 0
    assert "bits/token" in capsys.readouterr().out
    # The count is of targets scored: 31 characters in 3 streams give 3 × 10 targets, not 31
    # (the first character is never a target).
    new_text = tmp_path / "new.txt"
    new_text.write_text("to be or not to be, or to be or", encoding="utf-8")
    assert len(new_text.read_text(encoding="utf-8")) == 31
    assert main(["eval", str(out / "best.npz"), "--text", str(new_text), "--batch-size", "3"]) == 0
    assert capsys.readouterr().out.rstrip().endswith("| 30 tokens scored")
