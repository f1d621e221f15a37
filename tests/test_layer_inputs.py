"""Layers refuse input they cannot use, with the project's own one-line error."""
import numpy as np
import pytest

from gatedrnn import (GRU, LSTM, RNN, Dropout, Embedding, GatedRNNError, Linear, LockedDropout,
                      SoftmaxCrossEntropy)


@pytest.mark.parametrize("xs, problem", [
    (np.zeros((2, 3), np.float32), "3 dimensions"),
    (np.zeros((2, 3, 5), np.float32), "end in size 4"),
    (np.zeros((2, 3, 4), np.float64), "dtype float64"),
    (np.zeros((2, 0, 4), np.float32), "no time steps"),
    ([[[0.0] * 4]], "NumPy array"),
])
def test_recurrent_rejects_bad_input(xs, problem):
    with pytest.raises(GatedRNNError, match=problem):
        LSTM(4, 3)(xs)


def test_recurrent_rejects_bad_states():
    xs = np.zeros((2, 3, 4), np.float32)
    with pytest.raises(GatedRNNError, match="tuple"):
        LSTM(4, 3)(xs, np.zeros((1, 2, 3), np.float32))
    with pytest.raises(GatedRNNError, match=r"expected \(num_layers·directions, N, H\)"):
        GRU(4, 3, num_layers=2)(xs, np.zeros((1, 2, 3), np.float32))


def test_backward_before_forward_is_explained():
    with pytest.raises(GatedRNNError, match="before forward"):
        RNN(4, 3).backward(np.zeros((1, 1, 3), np.float32))


@pytest.mark.parametrize("kwargs, problem", [
    (dict(input_size=0, hidden_size=3), "input_size"),
    (dict(input_size=2, hidden_size=3, num_layers=0), "num_layers"),
    (dict(input_size=2, hidden_size=3, num_layers=2, dropout=1.0), r"\[0, 1\)"),
    (dict(input_size=2, hidden_size=3, nonlinearity="sigmoid"), "nonlinearity"),
])
def test_bad_layer_configuration(kwargs, problem):
    with pytest.raises(GatedRNNError, match=problem):
        RNN(**kwargs)


def test_embedding_rejects_ids_outside_vocabulary():
    embed = Embedding(5, 2)
    with pytest.raises(GatedRNNError, match="outside the vocabulary of 5"):
        embed(np.array([[1, 5]]))
    with pytest.raises(GatedRNNError, match="integer"):
        embed(np.array([[1.0]]))


def test_linear_and_loss_shape_errors():
    with pytest.raises(GatedRNNError, match="end in size 3"):
        Linear(3, 2)(np.zeros((4, 2), np.float32))
    loss = SoftmaxCrossEntropy()
    with pytest.raises(GatedRNNError, match="do not match"):
        loss(np.zeros((2, 3, 5)), np.zeros((2, 4), np.int64))
    with pytest.raises(GatedRNNError, match="outside"):
        loss(np.zeros((2, 5)), np.array([0, 7]))
    with pytest.raises(GatedRNNError, match="reduction"):
        SoftmaxCrossEntropy(reduction="max")


def test_dropout_semantics():
    x = np.ones((200, 50, 8), np.float32)
    drop = Dropout(0.25)
    y = drop(x)
    assert set(np.unique(y)) <= {0.0, np.float32(1 / 0.75)}
    assert abs(y.mean() - 1.0) < 0.02  # inverted dropout keeps the expectation
    locked = LockedDropout(0.25)(x)
    assert np.all(locked == locked[:, :1, :])  # one mask per sequence, shared over time
    drop.eval()
    assert drop(x) is x
    with pytest.raises(GatedRNNError, match=r"\(N, T, D\)"):
        LockedDropout(0.5)(np.ones((3, 4), np.float32))


def test_all_ignored_targets_give_nan_like_torch():
    loss = SoftmaxCrossEntropy(ignore_index=0)
    assert np.isnan(loss(np.zeros((1, 2, 3)), np.zeros((1, 2), np.int64)))
    assert np.all(loss.backward() == 0)
