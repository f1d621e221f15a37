"""Layers refuse input they cannot use, with the project's own one-line error."""

import numpy as np
import pytest

from gatedrnn import GRU, LSTM, RNN, Dropout, Embedding, GatedRNNError, Linear, LockedDropout, SoftmaxCrossEntropy


@pytest.mark.parametrize(
    "xs, problem",
    [
        (np.zeros((2, 3), np.float32), "3 dimensions"),
        (np.zeros((2, 3, 5), np.float32), "end in size 4"),
        (np.zeros((2, 3, 4), np.float64), "dtype float64"),
        (np.zeros((2, 0, 4), np.float32), "no time steps"),
        ([[[0.0] * 4]], "NumPy array"),
    ],
)
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


@pytest.mark.parametrize(
    "kwargs, problem",
    [
        (dict(input_size=0, hidden_size=3), "input_size"),
        (dict(input_size=2, hidden_size=3, num_layers=0), "num_layers"),
        (dict(input_size=2, hidden_size=3, num_layers=2, dropout=1.0), r"\[0, 1\)"),
        (dict(input_size=2, hidden_size=3, nonlinearity="sigmoid"), "nonlinearity"),
    ],
)
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


# -- one backward per forward -----------------------------------------------------------------
def _embedding_pass(layer):
    return layer(np.array([[1, 2, 2]]))


@pytest.mark.parametrize(
    "make, run",
    [
        (lambda: LSTM(4, 3, num_layers=2, dropout=0.5), lambda layer: layer(np.ones((2, 3, 4), np.float32))[0]),
        (lambda: GRU(4, 3, bidirectional=True), lambda layer: layer(np.ones((2, 3, 4), np.float32))[0]),
        (lambda: RNN(4, 3, batch_first=False), lambda layer: layer(np.ones((2, 3, 4), np.float32))[0]),
        (lambda: Embedding(5, 2), _embedding_pass),
        (lambda: Linear(4, 3), lambda layer: layer(np.ones((2, 4), np.float32))),
        (lambda: Dropout(0.5), lambda layer: layer(np.ones((2, 4), np.float32))),
        (lambda: LockedDropout(0.5), lambda layer: layer(np.ones((2, 3, 4), np.float32))),
    ],
)
def test_a_second_backward_after_one_forward_is_refused(make, run):
    layer = make()
    out = run(layer)
    layer.zero_grad()
    layer.backward(np.ones_like(out))
    once = [param.grad.copy() for param in layer.parameters()]
    with pytest.raises(GatedRNNError, match=r"backward\(\) was called twice after one forward\(\); run forward again"):
        layer.backward(np.ones_like(out))
    for param, grad in zip(layer.parameters(), once, strict=True):  # the refused pass added nothing
        np.testing.assert_array_equal(param.grad, grad)
    layer.backward(np.ones_like(run(layer)))  # a fresh forward allows the next backward


def test_the_loss_allows_one_backward_per_forward():
    loss = SoftmaxCrossEntropy()
    loss(np.zeros((1, 2, 3)), np.zeros((1, 2), np.int64))
    loss.backward()
    with pytest.raises(GatedRNNError, match="called twice"):
        loss.backward()


def test_a_refused_gradient_does_not_use_up_the_forward():
    layer = Linear(4, 3)
    y = layer(np.ones((2, 4), np.float32))
    with pytest.raises(GatedRNNError, match=r"has shape \(3, 2\), expected \(2, 3\)"):
        layer.backward(np.ones((3, 2), np.float32))
    layer.backward(np.ones_like(y))


@pytest.mark.parametrize(
    "make, x, gradient, problem",
    [
        (lambda: Embedding(5, 2), np.array([[1, 2]]), np.ones((1, 2), np.float32), r"expected \(1, 2, 2\)"),
        (lambda: Embedding(5, 2), np.array([[1, 2]]), [[[1.0, 1.0]] * 2], "floating NumPy array"),
        (lambda: Linear(4, 3), np.ones((2, 4), np.float32), np.ones((2, 3), np.int64), "floating NumPy array"),
        (lambda: Dropout(0.5), np.ones((2, 4), np.float32), np.ones((2, 5), np.float32), r"expected \(2, 4\)"),
    ],
)
def test_backward_refuses_a_gradient_of_the_wrong_shape_or_kind(make, x, gradient, problem):
    layer = make()
    layer(x)
    with pytest.raises(GatedRNNError, match=problem):
        layer.backward(gradient)


# -- configuration ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    "make, problem",
    [
        (lambda: Embedding(10, -3), "embedding_dim must be a whole number ≥ 1"),
        (lambda: Embedding(-10, 3), "num_embeddings must be a whole number ≥ 1"),
        (lambda: Embedding(10.5, 3), "num_embeddings must be a whole number ≥ 1"),
        (lambda: Embedding(True, 3), "num_embeddings must be a whole number ≥ 1"),
        (lambda: Embedding(10, 3, dtype=np.int64), "dtype must be float32 or float64"),
        (lambda: Linear(0, 5), "in_features must be a whole number ≥ 1"),
        (lambda: Linear(5, -1), "out_features must be a whole number ≥ 1"),
        (lambda: Linear("3", 4), "in_features must be a whole number ≥ 1"),
        (lambda: Linear(3, 4, bias=1), "bias must be True or False"),
        (lambda: Linear(3, 4, rng=1), "rng must be a numpy.random.Generator"),
        (lambda: Dropout("0.5"), r"Dropout: p must be a number in \[0, 1\)"),
        (lambda: LockedDropout("0.5"), r"LockedDropout: p must be a number in \[0, 1\)"),
        (lambda: Dropout(1.0), r"p must be a number in \[0, 1\)"),
        (lambda: Dropout(float("nan")), r"p must be a number in \[0, 1\)"),
        (lambda: Dropout(0.5, rng=3), "rng must be a numpy.random.Generator"),
    ],
)
def test_bad_layer_arguments_are_refused_in_one_line(make, problem):
    with pytest.raises(GatedRNNError, match=problem) as info:
        make()
    assert "\n" not in str(info.value)


# -- a batch of no sequences: empty outputs, as in PyTorch --------------------------------------
@pytest.mark.parametrize("cls", [LSTM, GRU, RNN])
@pytest.mark.parametrize("bidirectional", [False, True])
@pytest.mark.parametrize("batch_first", [True, False])
def test_an_empty_batch_gives_empty_outputs(cls, bidirectional, batch_first):
    layer = cls(4, 3, num_layers=2, dropout=0.5, bidirectional=bidirectional, batch_first=batch_first)
    xs = np.zeros((0, 5, 4) if batch_first else (5, 0, 4), np.float32)
    ys, state = layer(xs, lengths=np.zeros(0, np.int64))
    assert ys.shape == ((0, 5, layer.output_size) if batch_first else (5, 0, layer.output_size))
    parts = state if isinstance(state, tuple) else (state,)
    assert [part.shape for part in parts] == [(2 * layer.num_directions, 0, 3)] * len(layer.state_names)
    layer.zero_grad()
    dxs, dstate = layer.backward(np.zeros_like(ys), state)
    assert dxs.shape == xs.shape
    assert all(not param.grad.any() for param in layer.parameters())
    with pytest.raises(GatedRNNError, match="called twice"):
        layer.backward(np.zeros_like(ys))
