"""Dropout along time: recurrent_dropout (Gal & Ghahramani), weight_drop (DropConnect on W_hh)
and embedding row dropout — their equations, float64 gradient checks, eval mode, the CLI and
old checkpoints' settings."""

import numpy as np
import pytest

import gatedrnn
from gatedrnn import GatedRNNError
from gatedrnn.gradcheck import numerical_gradient, relative_error
from gatedrnn.layers import GRU, LSTM, RNN, Embedding
from gatedrnn.layers.dropout import scaled_keep_mask
from gatedrnn.lm import LanguageModel, ModelConfig

CELLS = {
    "rnn": lambda **kw: RNN(3, 4, **kw),
    "lstm": lambda **kw: LSTM(3, 4, **kw),
    "gru": lambda **kw: GRU(3, 4, **kw),
    "gru-reset-before": lambda **kw: GRU(3, 4, reset_after=False, **kw),
}


def make(cell, **options):
    return CELLS[cell](dtype=np.float64, rng=np.random.default_rng(0), **options)


def test_recurrent_dropout_masks_h_entering_w_hh_only():
    """RNN, one layer: h_t = tanh(x_t W_ihᵀ + b_ih + (h_{t-1} ⊙ m) W_hhᵀ + b_hh), m one (N, H) mask
    drawn once per forward, the same at every step; the carried h is not masked."""
    layer = make("rnn", recurrent_dropout=0.5)
    x = np.random.default_rng(1).standard_normal((2, 5, 3))
    gatedrnn.seed(11)
    hs, _ = layer(x)
    gatedrnn.seed(11)
    m = scaled_keep_mask((2, 4), 0.5, np.float64)
    w_ih, w_hh, b_ih, b_hh = (p.data for p in layer.layer_weights(0))
    h, expected = np.zeros((2, 4)), []
    for t in range(5):
        h = np.tanh(x[:, t] @ w_ih.T + b_ih + (h * m) @ w_hh.T + b_hh)
        expected.append(h)
    np.testing.assert_allclose(hs, np.stack(expected, axis=1), rtol=1e-12)
    assert 0 < (m == 0).sum() < m.size  # the mask really drops some units and keeps others


def test_weight_drop_runs_with_a_masked_w_hh():
    layer = make("lstm", weight_drop=0.4)
    plain = make("lstm")
    x = np.random.default_rng(2).standard_normal((2, 6, 3))
    gatedrnn.seed(5)
    hs, _ = layer(x)
    gatedrnn.seed(5)
    mask = scaled_keep_mask(plain.weight_hh_l0.shape, 0.4, np.float64)
    plain.weight_hh_l0.data *= mask
    np.testing.assert_allclose(hs, plain(x)[0], rtol=1e-12)


@pytest.mark.parametrize("cell", list(CELLS))
def test_eval_mode_turns_both_off(cell):
    x = np.random.default_rng(3).standard_normal((2, 4, 3))
    layer = make(cell, recurrent_dropout=0.5, weight_drop=0.5)
    layer.eval()
    np.testing.assert_array_equal(layer(x)[0], make(cell)(x)[0])


@pytest.mark.parametrize("cell", list(CELLS))
@pytest.mark.parametrize(
    "options",
    [
        dict(recurrent_dropout=0.4),
        dict(weight_drop=0.3),
        dict(recurrent_dropout=0.3, weight_drop=0.3, num_layers=2),
        dict(recurrent_dropout=0.3, bidirectional=True),
        dict(recurrent_dropout=0.3, lengths=True),
    ],
)
def test_gradients_match_numerical_in_float64(cell, options):
    options = dict(options)
    use_lengths = options.pop("lengths", False)
    layer = make(cell, **options)
    rng = np.random.default_rng(4)
    x = rng.standard_normal((3, 5, 3))
    lengths = np.array([5, 3, 4]) if use_lengths else None
    count = layer.num_layers * layer.num_directions
    state_shape = (count, 3, 4)
    h0 = rng.standard_normal(state_shape)
    state = (h0, rng.standard_normal(state_shape)) if cell == "lstm" else h0
    weights_out = rng.standard_normal((3, 5, layer.output_size))

    def loss():
        gatedrnn.seed(9)  # the same masks at every call
        hs, _ = layer(x, state, lengths=lengths)
        return float(np.sum(hs * weights_out))

    loss()
    layer.zero_grad()
    dx, _ = layer.backward(weights_out)
    for name, p in layer.named_parameters():
        assert relative_error(p.grad, numerical_gradient(loss, p.data)) < 1e-7, name
    assert relative_error(dx, numerical_gradient(loss, x)) < 1e-7


def test_embedding_row_dropout_drops_whole_words():
    embedding = Embedding(6, 3, dtype=np.float64, rng=np.random.default_rng(0), row_dropout=0.5)
    ids = np.array([[1, 2, 1, 3, 1, 2, 4, 5, 0, 1]])
    gatedrnn.seed(2)
    out = embedding(ids)
    gatedrnn.seed(2)
    keep = scaled_keep_mask(6, 0.5, np.float64)
    np.testing.assert_allclose(out[0], embedding.weight.data[ids[0]] * keep[ids[0], None])
    assert set(keep) == {0.0, 2.0}
    embedding.eval()
    np.testing.assert_array_equal(embedding(ids), embedding.weight.data[ids])


def test_embedding_row_dropout_gradient():
    embedding = Embedding(6, 3, dtype=np.float64, rng=np.random.default_rng(0), row_dropout=0.4)
    ids = np.array([[1, 2, 1], [3, 1, 5]])
    upstream = np.random.default_rng(1).standard_normal((2, 3, 3))

    def loss():
        gatedrnn.seed(3)
        return float(np.sum(embedding(ids) * upstream))

    loss()
    embedding.zero_grad()
    embedding.backward(upstream)
    assert relative_error(embedding.weight.grad, numerical_gradient(loss, embedding.weight.data)) < 1e-8


@pytest.mark.parametrize("name", ["recurrent_dropout", "weight_drop"])
@pytest.mark.parametrize("bad", [-0.1, 1.0, "0.5", True])
def test_probabilities_are_checked(name, bad):
    with pytest.raises(GatedRNNError, match=name):
        LSTM(3, 4, **{name: bad})
    with pytest.raises(GatedRNNError, match=name):
        ModelConfig(vocab_size=10, **{name: bad})


def test_language_model_passes_them_on_and_old_settings_still_load():
    config = ModelConfig(
        vocab_size=20, embedding_size=8, hidden_size=8, recurrent_dropout=0.25, weight_drop=0.5, embedding_dropout=0.1
    )
    model = LanguageModel(config)
    assert (model.rnn.recurrent_dropout, model.rnn.weight_drop, model.embed.row_dropout) == (0.25, 0.5, 0.1)
    saved = config.to_dict()
    for name in ("recurrent_dropout", "weight_drop", "embedding_dropout"):
        del saved[name]  # a checkpoint written before these settings existed
    assert ModelConfig.from_dict(saved) == config.replace(recurrent_dropout=0.0, weight_drop=0.0, embedding_dropout=0.0)
    del saved["hidden_size"]
    with pytest.raises(GatedRNNError, match="missing .'hidden_size'."):
        ModelConfig.from_dict(saved)


def test_cli_exposes_them():
    from gatedrnn.cli import build_parser

    argv = ["train", "--recurrent-dropout", "0.2", "--weight-drop", "0.3", "--embedding-dropout", "0.1"]
    args = build_parser(argv).parse_args(argv)
    assert (args.recurrent_dropout, args.weight_drop, args.embedding_dropout) == (0.2, 0.3, 0.1)
