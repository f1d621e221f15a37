"""Attention: weights sum to 1 over the real source positions, padding gets none, and every
score's gradients match numerical ones in float64."""

import numpy as np
import pytest

from gatedrnn.gradcheck import numerical_gradient, relative_error
from gatedrnn.layers.attention import SCORES, Attention


def inputs():
    rng = np.random.default_rng(0)
    queries, keys = rng.standard_normal((2, 3, 4)), rng.standard_normal((2, 5, 4))
    mask = np.array([[1, 1, 1, 1, 1], [1, 1, 0, 0, 0]], dtype=np.float64)
    return queries, keys, mask


@pytest.mark.parametrize("score", SCORES)
def test_weights_are_a_distribution_over_real_positions(score):
    queries, keys, mask = inputs()
    contexts, weights = Attention(4, score, dtype=np.float64, rng=np.random.default_rng(1))(queries, keys, mask)
    np.testing.assert_allclose(weights.sum(-1), 1.0)
    assert np.all(weights[1, :, 2:] == 0)
    np.testing.assert_allclose(contexts, weights @ keys)


def test_dot_scores_are_the_dot_products():
    queries, keys, _ = inputs()
    _, weights = Attention(4, "dot", dtype=np.float64)(queries, keys)
    e = np.einsum("nth,nsh->nts", queries, keys)
    expected = np.exp(e - e.max(-1, keepdims=True))
    np.testing.assert_allclose(weights, expected / expected.sum(-1, keepdims=True), rtol=1e-12)


@pytest.mark.parametrize("score", SCORES)
def test_gradients_match_numerical_in_float64(score):
    queries, keys, mask = inputs()
    width = 3 if score == "additive" else None  # only the additive score has a hidden layer to size
    attention = Attention(4, score, attention_size=width, dtype=np.float64, rng=np.random.default_rng(2))
    upstream = np.random.default_rng(3).standard_normal((2, 3, 4))

    def loss():
        return float(np.sum(attention(queries, keys, mask)[0] * upstream))

    loss()
    attention.zero_grad()
    dqueries, dkeys = attention.backward(upstream)
    assert relative_error(dqueries, numerical_gradient(loss, queries)) < 1e-7
    assert relative_error(dkeys, numerical_gradient(loss, keys)) < 1e-7
    for name, param in attention.named_parameters():
        assert relative_error(param.grad, numerical_gradient(loss, param.data)) < 1e-7, name
