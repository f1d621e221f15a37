"""GRU(reset_after=False): Cho et al. 2014's GRU, r ⊙ h_{t-1} before the matrix — against its
equations written out step by step, a float64 gradient check, masks and the refusals."""

import numpy as np
import pytest

from gatedrnn import GatedRNNError
from gatedrnn.gradcheck import numerical_gradient, relative_error
from gatedrnn.layers import GRU


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def reference_forward(layer, x, h0):
    """The equations, one step at a time, for one layer and direction: x (N, T, D), h0 (N, H)."""
    w_ih, w_hh, b_ih, b_hh = (p.data for p in layer.layer_weights(0))
    H = layer.hidden_size
    h, outputs = h0, []
    for t in range(x.shape[1]):
        gx = x[:, t] @ w_ih.T + b_ih
        r = sigmoid(gx[:, :H] + h @ w_hh[:H].T + b_hh[:H])
        z = sigmoid(gx[:, H : 2 * H] + h @ w_hh[H : 2 * H].T + b_hh[H : 2 * H])
        n = np.tanh(gx[:, 2 * H :] + (r * h) @ w_hh[2 * H :].T + b_hh[2 * H :])
        h = (1 - z) * n + z * h
        outputs.append(h)
    return np.stack(outputs, axis=1), h


def test_forward_follows_the_equations():
    rng = np.random.default_rng(0)
    layer = GRU(3, 5, dtype=np.float64, reset_after=False, rng=np.random.default_rng(1))
    x, h0 = rng.standard_normal((2, 6, 3)), rng.standard_normal((2, 5))
    hs, h_last = layer(x, h0[None])
    expected_hs, expected_h = reference_forward(layer, x, h0)
    np.testing.assert_allclose(hs, expected_hs, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(h_last[0], expected_h, rtol=1e-12, atol=1e-12)


def test_differs_from_the_reset_after_gru():
    """Same weights, the other formula: the outputs must differ (else the flag did nothing)."""
    x = np.random.default_rng(0).standard_normal((2, 4, 3))
    before = GRU(3, 5, dtype=np.float64, reset_after=False, rng=np.random.default_rng(1))
    after = GRU(3, 5, dtype=np.float64, rng=np.random.default_rng(1))
    assert not np.allclose(before(x)[0], after(x)[0])


@pytest.mark.parametrize(
    "options", [dict(), dict(num_layers=2), dict(bidirectional=True), dict(bias=False), dict(lengths=True)]
)
def test_gradients_match_numerical_in_float64(options):
    options = dict(options)
    use_lengths = options.pop("lengths", False)
    rng = np.random.default_rng(2)
    layer = GRU(3, 4, dtype=np.float64, reset_after=False, rng=np.random.default_rng(3), **options)
    x = rng.standard_normal((3, 5, 3))
    lengths = np.array([5, 2, 4]) if use_lengths else None
    h0 = rng.standard_normal((layer.num_layers * layer.num_directions, 3, 4))
    weights_out = rng.standard_normal((3, 5, layer.output_size))
    weights_final = rng.standard_normal(h0.shape)

    def loss():
        hs, h_last = layer(x, h0, lengths=lengths) if use_lengths else layer(x, h0)
        return float(np.sum(hs * weights_out) + np.sum(h_last * weights_final))

    loss()
    layer.zero_grad()
    dx, dh0 = layer.backward(weights_out, weights_final)
    for name, p in layer.named_parameters():
        assert relative_error(p.grad, numerical_gradient(loss, p.data)) < 1e-7, name
    assert relative_error(dx, numerical_gradient(loss, x)) < 1e-7
    assert relative_error(dh0, numerical_gradient(loss, h0)) < 1e-7


def test_flag_is_checked_and_shown():
    with pytest.raises(GatedRNNError, match="reset_after must be True or False"):
        GRU(3, 4, reset_after="no")
    assert "reset_after=False" in repr(GRU(3, 4, reset_after=False))
    assert "reset_after" not in repr(GRU(3, 4))


def test_to_torch_refuses_it():
    pytest.importorskip("torch")
    from gatedrnn.interop import to_torch

    with pytest.raises(GatedRNNError, match="no PyTorch counterpart"):
        to_torch(GRU(3, 4, reset_after=False))
