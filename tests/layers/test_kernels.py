"""Each kernel of gatedrnn.layers.kernels against the plain formula in its docstring.

The reference is the formula written directly, evaluated in long double from the same
inputs. Tolerances, as the relative error max |kernel - formula| / max |formula|:
1e-13 in float64 and 1e-6 in float32 for the matrix products (a sum of ≤ 64 products
rounds to a few units of the last place), and for the LSTM's gate activations an absolute
error within one unit of float rounding of 1 (eps of the dtype), with g = tanh(a_g) exact.
"""

import warnings

import numpy as np
import pytest

from gatedrnn.gradcheck import relative_error
from gatedrnn.layers import kernels

DTYPES = [np.float32, np.float64]
PRODUCT_TOLERANCE = {np.float32: 1e-6, np.float64: 1e-13}


def random(generator, shape, dtype):
    return generator.standard_normal(shape).astype(dtype)


def wide(a):
    return np.asarray(a, np.longdouble)


def sigmoid_exact(x):
    return 1 / (1 + np.exp(-wide(x)))


@pytest.mark.parametrize("dtype", DTYPES)
def test_input_projection_is_xs_times_w_ih_transposed(dtype):
    generator = np.random.default_rng(0)
    xs, w_ih = random(generator, (7, 5, 9), dtype), random(generator, (12, 9), dtype)
    ours = kernels.input_projection(xs, w_ih)
    formula = np.stack([wide(x_t) @ wide(w_ih).T for x_t in xs])  # x_t W_ihᵀ, step by step
    assert ours.shape == (7, 5, 12) and ours.dtype == dtype and ours.flags.c_contiguous
    assert relative_error(ours, formula) < PRODUCT_TOLERANCE[dtype]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("route, steps", [("large_hidden", 6), ("weight_copy", 6), ("transposed_view", 2)])
def test_hidden_projection_is_h_times_w_hh_transposed_on_every_route(route, steps, dtype, monkeypatch):
    if route == "large_hidden":
        monkeypatch.setattr(kernels, "LARGE_HIDDEN", 1)
    generator = np.random.default_rng(1)
    H, N = 8, 5
    w_hh = random(generator, (4 * H, H), dtype)
    projection = kernels.HiddenProjection(w_hh, batch=N, steps=steps)
    assert (projection.buffer is not None) == (route == "large_hidden")
    for _ in range(steps):  # the buffer is reused from step to step
        h = random(generator, (N, H), dtype)
        ours = projection.project(h)
        assert ours.shape == (N, 4 * H) and ours.dtype == dtype
        assert relative_error(ours, wide(h) @ wide(w_hh).T) < PRODUCT_TOLERANCE[dtype]


@pytest.mark.parametrize("dtype", DTYPES)
def test_lstm_gate_activations_are_sigmoid_sigmoid_tanh_sigmoid(dtype):
    hidden = 7
    a = np.random.default_rng(2).uniform(-40, 40, (5, 4 * hidden)).astype(dtype)
    a[0, :] = 0.0
    a_i, a_f, a_g, a_o = (a[:, k * hidden : (k + 1) * hidden].copy() for k in range(4))
    formula = np.concatenate([sigmoid_exact(a_i), sigmoid_exact(a_f), np.tanh(wide(a_g)), sigmoid_exact(a_o)], axis=1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow, no invalid value
        ours = kernels.lstm_gate_activations(a, hidden)
    assert ours is a  # in place
    assert np.abs(ours - formula).max() <= np.finfo(dtype).eps
    np.testing.assert_array_equal(ours[:, 2 * hidden : 3 * hidden], np.tanh(a_g))  # g: exactly NumPy's tanh


@pytest.mark.parametrize("dtype", DTYPES)
def test_gate_activation_affine_turns_tanh_into_the_four_gates(dtype):
    hidden = 3
    scale, offset = kernels.gate_activation_affine(hidden, dtype)
    assert scale.dtype == offset.dtype == dtype and scale.shape == offset.shape == (4 * hidden,)
    a = np.random.default_rng(3).uniform(-10, 10, 4 * hidden).astype(dtype)
    ours = scale * np.tanh(scale * a) + offset
    formula = sigmoid_exact(a)
    formula[2 * hidden : 3 * hidden] = np.tanh(wide(a[2 * hidden : 3 * hidden]))
    assert np.abs(ours - formula).max() <= np.finfo(dtype).eps


def test_the_shared_gate_affine_cannot_be_changed_by_accident():
    scale, offset = kernels._gate_affine(4, np.dtype(np.float32))
    with pytest.raises(ValueError):
        scale[0] = 3.0


def weight_gradients_formula(xs, h0, hs, da_ih, da_hh, w_ih):
    """The per-step sums of dxs_and_weight_grads's docstring, in long double."""
    xs, hs, da_ih, da_hh, w_ih = map(wide, (xs, hs, da_ih, da_hh, w_ih))
    h_prev = [wide(h0)] + list(hs[:-1])
    dxs = np.stack([da_ih[t] @ w_ih for t in range(len(xs))])
    dw_ih = sum(da_ih[t].T @ xs[t] for t in range(len(xs)))
    dw_hh = sum(da_hh[t].T @ h_prev[t] for t in range(len(xs)))
    return dxs, (dw_ih, dw_hh, da_ih.sum(axis=(0, 1)), da_hh.sum(axis=(0, 1)))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shared", [True, False], ids=["one-da", "gru-two-da"])
def test_dxs_and_weight_grads_are_the_per_step_sums(shared, dtype):
    generator = np.random.default_rng(4)
    T, N, D, H, G = 6, 4, 5, 3, 3
    xs, h0 = random(generator, (T, N, D), dtype), random(generator, (N, H), dtype)
    hs = random(generator, (T, N, H), dtype)
    da_ih = random(generator, (T, N, G * H), dtype)
    da_hh = da_ih if shared else random(generator, (T, N, G * H), dtype)
    w_ih = random(generator, (G * H, D), dtype)
    dxs, grads = kernels.dxs_and_weight_grads(xs, h0, hs, da_ih, da_hh, w_ih)
    formula_dxs, formula_grads = weight_gradients_formula(xs, h0, hs, da_ih, da_hh, w_ih)
    assert relative_error(dxs, formula_dxs) < PRODUCT_TOLERANCE[dtype]
    for name, ours, formula in zip(("dW_ih", "dW_hh", "db_ih", "db_hh"), grads, formula_grads, strict=True):
        assert ours.dtype == dtype and ours.shape == formula.shape, name
        assert relative_error(ours, formula) < PRODUCT_TOLERANCE[dtype], name
    assert (grads[2] is grads[3]) == shared  # one sum serves both biases when da_hh is da_ih
    _, no_bias = kernels.dxs_and_weight_grads(xs, h0, hs, da_ih, da_hh, w_ih, bias=False)
    assert no_bias[2] is None and no_bias[3] is None
    np.testing.assert_array_equal(no_bias[0], grads[0])
