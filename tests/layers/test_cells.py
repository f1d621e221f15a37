"""RNNCell, LSTMCell, GRUCell: torch.nn's cells to the digit, float64 gradient checks, and a
cell stepped along a sequence (forward, then backward in reverse) equal to the layer."""

import numpy as np
import pytest

from gatedrnn import GRU, LSTM, RNN, GatedRNNError, GRUCell, LSTMCell, RNNCell
from gatedrnn.gradcheck import numerical_gradient, relative_error

CELLS = {
    "rnn-tanh": (lambda **kw: RNNCell(3, 4, **kw), lambda **kw: RNN(3, 4, **kw), False),
    "rnn-relu": (
        lambda **kw: RNNCell(3, 4, nonlinearity="relu", **kw),
        lambda **kw: RNN(3, 4, nonlinearity="relu", **kw),
        False,
    ),
    "lstm": (lambda **kw: LSTMCell(3, 4, **kw), lambda **kw: LSTM(3, 4, **kw), True),
    "gru": (lambda **kw: GRUCell(3, 4, **kw), lambda **kw: GRU(3, 4, **kw), False),
    "gru-reset-before": (
        lambda **kw: GRUCell(3, 4, reset_after=False, **kw),
        lambda **kw: GRU(3, 4, reset_after=False, **kw),
        False,
    ),
}


def random_state(is_lstm, rng, batch=2):
    h = rng.standard_normal((batch, 4))
    return (h, rng.standard_normal((batch, 4))) if is_lstm else h


@pytest.mark.parametrize("kind", list(CELLS))
def test_stepping_the_cell_equals_the_layer_forward_and_backward(kind):
    make_cell, make_layer, is_lstm = CELLS[kind]
    cell = make_cell(dtype=np.float64, rng=np.random.default_rng(0))
    layer = make_layer(dtype=np.float64, rng=np.random.default_rng(0))
    for name, param in cell.named_parameters():
        np.testing.assert_array_equal(param.data, getattr(layer, name + "_l0").data)
    rng = np.random.default_rng(1)
    x, state = rng.standard_normal((2, 5, 3)), random_state(is_lstm, rng)
    dys = rng.standard_normal((2, 5, 4))
    hs, _ = layer(x, tuple(s[None] for s in state) if is_lstm else state[None])
    dx_layer, dstate_layer = layer.backward(dys)

    step_state, outputs = state, []
    for t in range(5):
        step_state = cell(x[:, t], step_state)
        outputs.append(step_state[0] if is_lstm else step_state)
    np.testing.assert_allclose(np.stack(outputs, axis=1), hs, rtol=1e-12, atol=1e-14)
    cell.zero_grad()
    dh = (np.zeros((2, 4)), np.zeros((2, 4))) if is_lstm else np.zeros((2, 4))
    dx_cell = np.empty_like(x)
    for t in reversed(range(5)):
        incoming = (dh[0] + dys[:, t], dh[1]) if is_lstm else dh + dys[:, t]
        dx_cell[:, t], dh = cell.backward(incoming)
    np.testing.assert_allclose(dx_cell, dx_layer, rtol=1e-10, atol=1e-12)
    for name, param in cell.named_parameters():
        np.testing.assert_allclose(param.grad, getattr(layer, name + "_l0").grad, rtol=1e-10, atol=1e-12)
    first_layer_state = tuple(s[0] for s in dstate_layer) if is_lstm else dstate_layer[0]
    for ours, theirs in zip(
        dh if is_lstm else (dh,), first_layer_state if is_lstm else (first_layer_state,), strict=True
    ):
        np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("kind", list(CELLS))
def test_gradients_match_numerical_in_float64(kind):
    make_cell, _, is_lstm = CELLS[kind]
    cell = make_cell(dtype=np.float64, rng=np.random.default_rng(2))
    rng = np.random.default_rng(3)
    x, state = rng.standard_normal((3, 3)), random_state(is_lstm, rng, batch=3)
    upstream = random_state(is_lstm, rng, batch=3)

    def loss():
        out = cell(x, state)
        cell.clear()
        parts = zip(out, upstream, strict=True) if is_lstm else [(out, upstream)]
        return float(sum(np.sum(a * b) for a, b in parts))

    cell(x, state)
    cell.zero_grad()
    dx, dstate = cell.backward(upstream)
    for name, param in cell.named_parameters():
        assert relative_error(param.grad, numerical_gradient(loss, param.data)) < 1e-7, name
    assert relative_error(dx, numerical_gradient(loss, x)) < 1e-7
    for ours, array in zip(dstate if is_lstm else (dstate,), state if is_lstm else (state,), strict=True):
        assert relative_error(ours, numerical_gradient(loss, array)) < 1e-7


TORCH_CELLS = {"rnn-tanh": "RNNCell", "rnn-relu": "RNNCell", "lstm": "LSTMCell", "gru": "GRUCell"}


@pytest.mark.parametrize("kind", list(TORCH_CELLS))
def test_matches_torch_cells(kind):
    torch = pytest.importorskip("torch")
    make_cell, _, is_lstm = CELLS[kind]
    cell = make_cell(dtype=np.float64, rng=np.random.default_rng(4))
    options = dict(nonlinearity="relu") if kind == "rnn-relu" else {}
    reference = getattr(torch.nn, TORCH_CELLS[kind])(3, 4, dtype=torch.float64, **options)
    reference.load_state_dict({name: torch.from_numpy(array.copy()) for name, array in cell.state_dict().items()})
    rng = np.random.default_rng(5)
    x, state = rng.standard_normal((2, 3)), random_state(is_lstm, rng)
    upstream = random_state(is_lstm, rng)
    x_t = torch.from_numpy(x).requires_grad_()
    state_t = (
        tuple(torch.from_numpy(s).requires_grad_() for s in state)
        if is_lstm
        else torch.from_numpy(state).requires_grad_()
    )
    out_t = reference(x_t, state_t)
    outs_t = out_t if is_lstm else (out_t,)
    sum(
        (o * torch.from_numpy(u)).sum() for o, u in zip(outs_t, upstream if is_lstm else (upstream,), strict=True)
    ).backward()
    out = cell(x, state)
    cell.zero_grad()
    dx, dstate = cell.backward(upstream)
    for ours, theirs in zip(out if is_lstm else (out,), outs_t, strict=True):
        np.testing.assert_allclose(ours, theirs.detach().numpy(), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(dx, x_t.grad.numpy(), rtol=1e-10, atol=1e-12)
    for name, param in reference.named_parameters():
        np.testing.assert_allclose(getattr(cell, name).grad, param.grad.numpy(), rtol=1e-10, atol=1e-12)
    for ours, theirs in zip(dstate if is_lstm else (dstate,), state_t if is_lstm else (state_t,), strict=True):
        np.testing.assert_allclose(ours, theirs.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_eval_mode_keeps_nothing_and_backward_without_forward_is_explained():
    cell = GRUCell(3, 4)
    cell.eval()
    h = None
    for _ in range(100):
        h = cell(np.zeros((1, 3), np.float32), h)
    with pytest.raises(GatedRNNError, match="no forward step left"):
        cell.backward(np.zeros((1, 4), np.float32))


def test_bad_states_are_refused_in_one_line():
    with pytest.raises(GatedRNNError, match=r"tuple \(h, c\)"):
        LSTMCell(3, 4)(np.zeros((2, 3), np.float32), np.zeros((2, 4), np.float32))
    with pytest.raises(GatedRNNError, match="has 1 rows, the input 2"):
        RNNCell(3, 4)(np.zeros((2, 3), np.float32), np.zeros((1, 4), np.float32))
    with pytest.raises(GatedRNNError):
        RNNCell(3, 4)(np.zeros((2, 5), np.float32))
