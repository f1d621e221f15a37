"""The notes' concatenated form: one matrix W = [W_ih | W_hh] applied to [x_t; h_{t-1}].

For x_t (D,) and h_{t-1} (H,), W (rows, D + H) times the stacked vector is, block by block,
W_ih x_t + W_hh h_{t-1}: the same numbers as the two matrices gatedrnn (and PyTorch) keep.
Checked here for one product and for whole sequences of the RNN and the LSTM, with the
layers' own weights (docs/gradients.md, "One matrix or two").
"""

import numpy as np

from gatedrnn.layers import LSTM, RNN


def concatenated(layer):
    """W = [W_ih | W_hh] (rows, D + H) and b = b_ih + b_hh of a one-layer recurrent layer."""
    w = np.concatenate([layer.weight_ih_l0.data, layer.weight_hh_l0.data], axis=1)
    return w, layer.bias_ih_l0.data + layer.bias_hh_l0.data


def sigmoid(a):
    return 1.0 / (1.0 + np.exp(-a))


def test_one_matrix_on_the_stacked_vector_is_the_sum_of_two_products():
    layer = RNN(3, 2, dtype=np.float64, rng=np.random.default_rng(0))  # the notes' sizes: x (3,), h (2,), W 2 × 5
    w, _ = concatenated(layer)
    assert w.shape == (2, 5)
    x, h = np.random.default_rng(1).standard_normal(3), np.random.default_rng(2).standard_normal(2)
    two = layer.weight_ih_l0.data @ x + layer.weight_hh_l0.data @ h
    np.testing.assert_allclose(w @ np.concatenate([x, h]), two, rtol=1e-14)
    np.testing.assert_array_equal(w[:, :3], layer.weight_ih_l0.data)  # columns 1-3: W_xh, 4-5: W_hh
    np.testing.assert_array_equal(w[:, 3:], layer.weight_hh_l0.data)


def test_the_rnn_run_with_one_matrix_gives_the_layers_outputs():
    layer = RNN(3, 4, dtype=np.float64, rng=np.random.default_rng(3))
    xs = np.random.default_rng(4).standard_normal((2, 6, 3))  # (N, T, D)
    ys, _ = layer(xs)
    w, b = concatenated(layer)
    h = np.zeros((2, 4))
    for t in range(xs.shape[1]):
        h = np.tanh(np.concatenate([xs[:, t], h], axis=1) @ w.T + b)  # h_t = tanh(W [x_t; h_{t-1}] + b)
        np.testing.assert_allclose(ys[:, t], h, rtol=1e-12, atol=1e-14)


def test_the_lstm_gates_with_one_matrix_give_the_layers_outputs():
    hidden = 3
    layer = LSTM(2, hidden, dtype=np.float64, rng=np.random.default_rng(5))
    xs = np.random.default_rng(6).standard_normal((2, 5, 2))
    ys, (h_last, c_last) = layer(xs)
    w, b = concatenated(layer)
    assert w.shape == (4 * hidden, 2 + hidden)
    h, c = np.zeros((2, hidden)), np.zeros((2, hidden))
    for t in range(xs.shape[1]):
        a = np.concatenate([xs[:, t], h], axis=1) @ w.T + b  # all four gates from one product, [i | f | g | o]
        i, f, g, o = np.split(a, 4, axis=1)
        c = sigmoid(f) * c + sigmoid(i) * np.tanh(g)
        h = sigmoid(o) * np.tanh(c)
        np.testing.assert_allclose(ys[:, t], h, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(c_last[0], c, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(h_last[0], h, rtol=1e-12, atol=1e-14)
