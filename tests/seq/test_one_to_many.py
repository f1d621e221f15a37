"""OneToMany (issue 27): its start state h_0 = tanh(Σ E_h[c]), c_0 = Σ E_c[c] as the docstring writes
them, gradient-checked with and without c_0 for every cell, the book's draws, its one-line errors,
and the numbers task's training settings reaching 90% on unseen numbers (slow)."""

import numpy as np
import pytest

import gatedrnn
from gatedrnn.errors import GatedRNNError
from gatedrnn.gradcheck import numerical_gradient, relative_error
from gatedrnn.layers import SoftmaxCrossEntropy
from gatedrnn.seq.one_to_many import OneToMany

SOURCE = np.array([[3, 6, 8], [7, 4, 4], [5, 5, 5]])  # three tokens each, some repeated


def small_model(**options):
    gatedrnn.seed(0)
    # init="pytorch" by default here: O(1) weights give every gradient a size finite differences can measure.
    options.setdefault("init", "pytorch")
    return OneToMany(vocab_size=9, embedding_size=4, hidden_size=5, dtype=np.float64, **options)


def teacher_forced_batch():
    rng = np.random.default_rng(1)
    decoder_input, targets = rng.integers(1, 9, (3, 4)), rng.integers(0, 9, (3, 4))
    targets[2, 3] = 0  # a padded target position, ignored by the loss
    return decoder_input, targets


@pytest.mark.parametrize(
    "options",
    [
        dict(),
        dict(c0_from_start=False),
        dict(cell="gru"),
        dict(cell="rnn"),
        dict(init="book"),
    ],
)
def test_gradients_match_numerical_in_float64(options):
    model = small_model(**options)
    if options.get("init") == "book":  # the book's N(0, 0.01²) rows, scaled up so that their gradients are measurable
        for embedding in (model.start, model.start_c):
            embedding.weight.data *= 100
    decoder_input, targets = teacher_forced_batch()
    criterion = SoftmaxCrossEntropy(ignore_index=0)

    def loss():
        return float(criterion(model(SOURCE, None, decoder_input), targets))

    loss()
    model.zero_grad()
    model.backward(criterion.backward())
    checked = 0
    for name, param in model.named_parameters():
        if param.requires_grad:  # the book's scheme freezes an LSTM's b_hh at zero
            assert relative_error(param.grad, numerical_gradient(loss, param.data, eps=1e-5)) < 1e-6, name
            checked += 1
    assert checked >= 7


def test_the_start_state_is_the_docstrings_sums():
    model = small_model()
    h0, c0 = model.encode(SOURCE)
    assert h0.shape == c0.shape == (1, 3, 5)
    np.testing.assert_allclose(h0[0], np.tanh(model.start.weight.data[SOURCE].sum(axis=1)))
    np.testing.assert_allclose(c0[0], model.start_c.weight.data[SOURCE].sum(axis=1))
    _, zero_c0 = small_model(c0_from_start=False).encode(SOURCE)
    assert not zero_c0.any()


def test_a_gru_has_no_cell_to_start():
    model = small_model(cell="gru")
    assert model.start_c is None and "start_c.weight" not in model.state_dict()
    assert model.encode(SOURCE).shape == (1, 3, 5)


def test_c0_adds_one_embedding_after_the_others_so_they_draw_as_before():
    with_c0, without = small_model(), small_model(c0_from_start=False)
    assert list(with_c0.state_dict()) == list(without.state_dict()) + ["start_c.weight"]
    for name, value in without.state_dict().items():
        np.testing.assert_array_equal(with_c0.state_dict()[name], value, err_msg=name)


def test_the_default_is_the_books_scheme():
    gatedrnn.seed(0)
    model = OneToMany(40, 16, 128)
    assert model.config["init"] == "book" and model.config["c0_from_start"] is True
    for embedding in (model.start, model.start_c, model.decoder_embed):
        assert abs(embedding.weight.data.std() - 0.01) < 0.001
    assert not model.readout.bias.data.any()
    assert not model.decoder.bias_hh_l0.requires_grad


@pytest.mark.parametrize(
    "options, message",
    [
        (dict(init="xavier"), "unknown init 'xavier'; choose one of pytorch, book"),
        (dict(c0_from_start="yes"), "c0_from_start must be True or False, got 'yes'"),
        (dict(cell="elman"), "unknown cell 'elman'"),
    ],
)
def test_a_wrong_option_is_one_line(options, message):
    with pytest.raises(GatedRNNError, match=message) as caught:
        OneToMany(9, **options)
    assert "\n" not in str(caught.value)


def test_numpy_bool_is_accepted():
    assert small_model(c0_from_start=np.bool_(False)).start_c is None


@pytest.mark.slow
def test_numbers_training_settings_spell_unseen_numbers():
    """Seed 0 at the task's settings, one thread: ≥ 90% exact match on the 200 numbers never trained on
    (about 40 s; benchmarks/numbers_seeds.py runs five seeds)."""
    from gatedrnn import threads
    from gatedrnn.seq.seq2seq_training import fit_transduction
    from gatedrnn.seq.transduction_tasks import TRAINING_DEFAULTS, numbers

    with threads.settings(deterministic=True):
        gatedrnn.seed(0)
        data = numbers(seed=0)
        model = OneToMany(data.vocab_size)
        history = fit_transduction(model, data, **TRAINING_DEFAULTS["numbers"], echo=lambda *_: None, progress=False)
    assert history[-1]["test_exact_match"] >= 0.9


def test_the_docs_quote_the_seeds_file():
    """docs/seq2seq.md and docs/sequences.md quote benchmarks/results/numbers_seeds.json's mean and range."""
    import json

    from helpers.paths import REPO

    result = json.loads((REPO / "benchmarks" / "results" / "numbers_seeds.json").read_text())
    exact = result["test_exact_match"]
    mean, low, high = (f"{100 * exact[k]:.2f}" for k in ("mean", "min", "max"))
    assert len(result["runs"]) >= 5 and exact["min"] >= 0.9
    for page in ("seq2seq.md", "sequences.md"):
        text = " ".join((REPO / "docs" / page).read_text(encoding="utf-8").split())
        assert f"{mean}% of the" in text and f"range {low}–{high}%" in text, page
