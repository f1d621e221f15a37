"""The array functions behind the gates and the loss: exact where it matters, never overflowing."""

import warnings

import numpy as np
import pytest

from gatedrnn.functional import (
    column_sums,
    log_softmax,
    picked_log_softmax,
    row_sums,
    scaled_softmax_minus_onehot,
    sigmoid,
    softmax,
)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_sigmoid_keeps_relative_precision_over_the_whole_range(dtype):
    x = np.concatenate([np.linspace(-80, 80, 2001), [-1e4, -700, 0.0, 700, 1e4]]).astype(dtype)
    exact = 1 / (1 + np.exp(-x.astype(np.longdouble)))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow, no invalid value
        ours = sigmoid(x)
    assert ours.dtype == dtype
    tiny = np.finfo(dtype).tiny
    representable = exact > tiny  # below that the exact value is not a normal number of dtype
    relative = np.abs(ours[representable] - exact[representable]) / exact[representable]
    assert relative.max() < 4 * np.finfo(dtype).eps
    assert sigmoid(np.array([-1e4], dtype))[0] == 0 and sigmoid(np.array([1e4], dtype))[0] == 1


def test_sigmoid_in_place_on_a_strided_slice():
    rng = np.random.default_rng(0)
    gates = rng.standard_normal((5, 8)).astype(np.float32) * 10
    expected = 1 / (1 + np.exp(-gates[:, :4].astype(np.float64)))
    view = gates[:, :4]
    result = sigmoid(view, out=view)
    assert result is view
    np.testing.assert_allclose(gates[:, :4], expected, rtol=1e-6)


def test_softmax_and_log_softmax_survive_huge_logits():
    logits = np.array([[1000.0, 0.0, -1000.0], [3.0, 3.0, 3.0]])
    np.testing.assert_allclose(softmax(logits), [[1, 0, 0], [1 / 3, 1 / 3, 1 / 3]], atol=1e-12)
    np.testing.assert_allclose(log_softmax(logits)[0], [0, -1000, -2000], atol=1e-9)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_row_and_column_sums_match_numpy(dtype):
    a = np.random.default_rng(1).random((37, 1001)).astype(dtype)
    exact = a.astype(np.float64)
    rtol = 1e-6 if dtype == np.float32 else 1e-13
    np.testing.assert_allclose(row_sums(a), exact.sum(axis=1), rtol=rtol)
    np.testing.assert_allclose(column_sums(a), exact.sum(axis=0), rtol=rtol)
    assert row_sums(a).dtype == dtype and column_sums(a).shape == (1001,)


# The LSTM's one-tanh gate activation is a kernel: see tests/layers/test_kernels.py.


def test_picked_log_softmax_and_its_gradient_follow_their_formulas():
    rng = np.random.default_rng(0)
    logits = rng.standard_normal((6, 9)) * 30  # large enough that an unshifted exp would overflow float32
    picked = rng.integers(0, 9, 6)
    rows = np.arange(6)
    picked_logprob, exps, sums = picked_log_softmax(logits, picked)
    np.testing.assert_allclose(picked_logprob, log_softmax(logits)[rows, picked], rtol=1e-12, atol=1e-12)
    onehot = np.eye(9)[picked]
    np.testing.assert_allclose(
        scaled_softmax_minus_onehot(exps, sums, picked, 0.5), 0.5 * (softmax(logits) - onehot), atol=1e-15
    )
    counted = np.array([True, False, True, True, False, True])
    gradient = scaled_softmax_minus_onehot(exps, sums, picked, 0.5, counted)
    np.testing.assert_allclose(gradient, 0.5 * (softmax(logits) - onehot) * counted[:, None], atol=1e-15)


def test_picked_log_softmax_of_no_rows_is_empty():
    picked_logprob, exps, sums = picked_log_softmax(np.zeros((0, 4), np.float32), np.zeros(0, np.int64))
    assert picked_logprob.shape == (0,) and exps.shape == (0, 4) and sums.shape == (0, 1)
