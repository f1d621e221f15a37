"""Skip connections between stacked recurrent layers (residual=True): the equation
y_k = f_k(x_k) + x_k for layers k ≥ 1, float64 gradient checks, padding, and every door's check."""

import numpy as np
import pytest

import gatedrnn
from gatedrnn import GRU, LSTM, RNN, GatedRNNError
from gatedrnn.gradcheck import numerical_gradient, relative_error
from gatedrnn.lm import LanguageModel, ModelConfig

LAYERS = {"rnn": RNN, "lstm": LSTM, "gru": GRU}


def make(cell, num_layers=3, **options):
    return LAYERS[cell](3, 4, num_layers, dtype=np.float64, rng=np.random.default_rng(0), residual=True, **options)


@pytest.mark.parametrize("cell", list(LAYERS))
def test_each_upper_layer_adds_its_input_to_its_output(cell):
    """A 3-layer residual stack equals three one-layer layers with the same weights, chained as
    h1 = f1(x), h2 = f2(h1) + h1, y = f3(h2) + h2."""
    stack = make(cell)
    singles = [LAYERS[cell](3 if k == 0 else 4, 4, dtype=np.float64) for k in range(3)]
    for k, single in enumerate(singles):
        for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
            getattr(single, f"{name}_l0").data[...] = getattr(stack, f"{name}_l{k}").data
    x = np.random.default_rng(1).standard_normal((2, 5, 3))
    h1 = singles[0](x)[0]
    h2 = singles[1](h1)[0] + h1
    expected = singles[2](h2)[0] + h2
    np.testing.assert_allclose(stack(x)[0], expected, rtol=1e-12)


@pytest.mark.parametrize("cell", list(LAYERS))
@pytest.mark.parametrize(
    "options",
    [
        dict(),
        dict(num_layers=2, bidirectional=True),
        dict(lengths=True),
        dict(dropout=0.3, locked_dropout=True),
        dict(dropout=0.3, recurrent_dropout=0.2),
    ],
    ids=["plain", "bidirectional", "lengths", "locked-dropout", "dropouts"],
)
def test_gradients_match_numerical_in_float64(cell, options):
    options = dict(options)
    use_lengths = options.pop("lengths", False)
    layer = make(cell, **options)
    rng = np.random.default_rng(4)
    x = rng.standard_normal((3, 5, 3))
    lengths = np.array([5, 2, 4]) if use_lengths else None
    state_shape = (layer.num_layers * layer.num_directions, 3, 4)
    h0 = rng.standard_normal(state_shape)
    state = (h0, rng.standard_normal(state_shape)) if cell == "lstm" else h0
    upstream = rng.standard_normal((3, 5, layer.output_size))
    upstream_final = rng.standard_normal(state_shape)

    def loss():
        gatedrnn.seed(9)  # the same dropout masks at every call
        hs, final = layer(x, state, lengths=lengths)
        h_final = final[0] if cell == "lstm" else final
        return float(np.sum(hs * upstream) + np.sum(h_final * upstream_final))

    loss()
    layer.zero_grad()
    dfinal = (upstream_final, np.zeros(state_shape)) if cell == "lstm" else upstream_final
    dx, dstate = layer.backward(upstream, dfinal)
    for name, p in layer.named_parameters():
        assert relative_error(p.grad, numerical_gradient(loss, p.data)) < 1e-7, name
    assert relative_error(dx, numerical_gradient(loss, x)) < 1e-7
    assert relative_error(dstate[0] if cell == "lstm" else dstate, numerical_gradient(loss, h0)) < 1e-7


def test_padded_steps_stay_zero_and_their_gradient_is_ignored():
    layer = make("lstm")
    x = np.random.default_rng(2).standard_normal((2, 4, 3))
    lengths = np.array([4, 2])
    ys, _ = layer(x, lengths=lengths)
    assert np.all(ys[1, 2:] == 0.0)
    upstream = np.random.default_rng(3).standard_normal(ys.shape)
    dx_with_padding_gradient, _ = layer.backward(upstream)
    upstream[1, 2:] = 0.0
    layer(x, lengths=lengths)
    dx_without, _ = layer.backward(upstream)
    np.testing.assert_array_equal(dx_with_padding_gradient, dx_without)


def test_the_skip_carries_the_gradient_down_a_deep_stack():
    """Eight layers of small tanh RNNs: without skips the gradient reaching the input shrinks
    with every layer; with them it keeps the size of the gradient at the top."""
    x = np.random.default_rng(5).standard_normal((4, 6, 8))
    upstream = np.random.default_rng(6).standard_normal((4, 6, 8))
    norms = {}
    for residual in (False, True):
        layer = RNN(8, 8, 8, dtype=np.float64, rng=np.random.default_rng(0), residual=residual)
        for name, p in layer.named_parameters():
            if name.startswith("weight_"):
                p.data *= 0.3  # small weights: each layer scales the gradient down
        layer(x)
        norms[residual] = np.linalg.norm(layer.backward(upstream)[0])
    assert norms[True] > 10 * norms[False]


def test_one_layer_is_refused_at_every_door():
    for make_it in (
        lambda: LSTM(3, 4, residual=True),
        lambda: GRU(3, 4, 1, residual=True),
        lambda: ModelConfig(vocab_size=10, num_layers=1, residual=True),
    ):
        with pytest.raises(GatedRNNError, match=r"residual=True needs num_layers ≥ 2.*got num_layers=1"):
            make_it()


def test_language_model_builds_residual_layers_and_trains():
    config = ModelConfig(
        vocab_size=12, embedding_size=8, hidden_size=8, num_layers=3, dropout=0.0, residual=True, tie_weights=False
    )
    model = LanguageModel(config, dtype=np.float64)
    assert model.rnn.residual
    optimizer = gatedrnn.optim.Adam(model.parameters(), lr=1e-2)
    criterion = model.criterion()
    ids = np.random.default_rng(0).integers(0, 12, (4, 7))
    losses = []
    for _ in range(40):
        model.zero_grad()
        logits, _ = model(ids[:, :-1])
        losses.append(criterion(logits, ids[:, 1:]))
        model.backward(criterion.backward())
        optimizer.step()
    assert losses[-1] < 0.5 * losses[0]


def test_a_residual_language_model_is_not_sent_to_torch(tmp_path):
    """torch's stacked layers have no skips: to_torch and `gatedrnn export` refuse the model in one
    line rather than write a torch module that computes something else."""
    pytest.importorskip("torch")
    from helpers.tiny_runs import tiny_train_args, write_text

    from gatedrnn.cli import main
    from gatedrnn.interop import to_torch

    config = ModelConfig(vocab_size=12, embedding_size=8, hidden_size=8, num_layers=2, residual=True)
    with pytest.raises(GatedRNNError, match="residual=True has no PyTorch counterpart"):
        to_torch(LanguageModel(config))
    out = tmp_path / "run"
    assert main(tiny_train_args(write_text(tmp_path), out, "--num-layers", "2", "--residual")) == 0
    assert main(["export", str(out / "best.npz"), str(tmp_path / "model.pt")]) == 2
    assert not (tmp_path / "model.pt").exists()
