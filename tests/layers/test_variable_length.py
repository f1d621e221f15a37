"""Padded, variable-length batches and bidirectional layers: gradient checks and PyTorch parity."""

import numpy as np
import pytest

from gatedrnn import GRU, LSTM, RNN, GatedRNNError
from gatedrnn.gradcheck import numerical_gradient, relative_error

CELLS = {"rnn_tanh": (RNN, {}), "rnn_relu": (RNN, {"nonlinearity": "relu"}), "lstm": (LSTM, {}), "gru": (GRU, {})}
LENGTHS = np.array([5, 2, 4, 1])


def make(kind, num_layers, bidirectional, dtype=np.float64):
    cls, extra = CELLS[kind]
    return cls(3, 4, num_layers=num_layers, bidirectional=bidirectional, dtype=dtype, **extra)


def as_tuple(state):
    return state if isinstance(state, tuple) else (state,)


def pack(parts):
    return parts if len(parts) > 1 else parts[0]


@pytest.mark.parametrize("kind", list(CELLS))
@pytest.mark.parametrize("num_layers, bidirectional", [(1, False), (2, False), (1, True), (2, True)])
def test_gradients_with_lengths_and_directions(kind, num_layers, bidirectional):
    rng = np.random.default_rng(0)
    layer = make(kind, num_layers, bidirectional)
    xs = rng.standard_normal((4, 5, 3))
    count = num_layers * layer.num_directions
    state0 = tuple(rng.standard_normal((count, 4, 4)) * 0.5 for _ in layer.state_names)
    w_out = rng.standard_normal((4, 5, layer.output_size))
    w_final = tuple(rng.standard_normal((count, 4, 4)) for _ in layer.state_names)

    def loss():
        ys, final = layer(xs, pack(state0), lengths=LENGTHS)
        return np.sum(ys * w_out) + sum(np.sum(f * w) for f, w in zip(as_tuple(final), w_final, strict=True))

    loss()
    layer.zero_grad()
    dxs, dstate0 = layer.backward(w_out, pack(w_final))
    assert relative_error(dxs, numerical_gradient(loss, xs)) < 1e-6
    for part, dpart in zip(state0, as_tuple(dstate0), strict=True):
        assert relative_error(dpart, numerical_gradient(loss, part)) < 1e-6
    for name, param in layer.named_parameters():
        assert relative_error(param.grad, numerical_gradient(loss, param.data)) < 1e-6, name


def test_padding_does_not_change_the_real_steps():
    """A sequence padded with garbage gives the outputs and final state of the sequence alone."""
    rng = np.random.default_rng(1)
    layer = make("lstm", 2, True)
    short = rng.standard_normal((1, 3, 3))
    padded = np.concatenate([short, rng.standard_normal((1, 4, 3)) * 100], axis=1)
    ys_alone, (h_alone, c_alone) = layer(short)
    ys_padded, (h_padded, c_padded) = layer(padded, lengths=np.array([3]))
    np.testing.assert_allclose(ys_padded[:, :3], ys_alone, rtol=1e-12, atol=1e-12)
    assert np.all(ys_padded[:, 3:] == 0)
    np.testing.assert_allclose(h_padded, h_alone, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(c_padded, c_alone, rtol=1e-12, atol=1e-12)
    dxs, _ = layer.backward(np.ones_like(ys_padded))
    assert np.all(dxs[:, 3:] == 0)


@pytest.mark.parametrize(
    "lengths, problem",
    [
        (np.array([5, 2, 4]), "one per sequence"),
        (np.array([5, 2, 4, 0]), r"\[1, 5\]"),
        (np.array([5, 2, 4, 6]), r"\[1, 5\]"),
        (np.array([5.0, 2, 4, 1]), "integers"),
    ],
)
def test_bad_lengths(lengths, problem):
    with pytest.raises(GatedRNNError, match=problem):
        make("gru", 1, False)(np.zeros((4, 5, 3)), lengths=lengths)


# -- PyTorch parity ------------------------------------------------------------------------
torch = pytest.importorskip("torch")
from gatedrnn.interop import from_torch, to_torch  # noqa: E402

TORCH_MODULES = {
    "rnn_tanh": lambda **k: torch.nn.RNN(nonlinearity="tanh", **k),
    "rnn_relu": lambda **k: torch.nn.RNN(nonlinearity="relu", **k),
    "lstm": lambda **k: torch.nn.LSTM(**k),
    "gru": lambda **k: torch.nn.GRU(**k),
}
TOLERANCE = {np.float32: 1e-5, np.float64: 1e-10}


# Packed (variable-length) batches one- and two-way, and full-length bidirectional ones; the
# full-length one-way case is test_torch_parity.py's.
SETUPS = [
    (packed, layers, bidirectional)
    for packed in (True, False)
    for layers in (1, 2)
    for bidirectional in (True, False)
    if packed or bidirectional
]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("packed, num_layers, bidirectional", SETUPS)
@pytest.mark.parametrize("kind", list(TORCH_MODULES))
def test_match_torch_packed_and_bidirectional(kind, packed, num_layers, bidirectional, dtype, batch_first=True):
    torch.manual_seed(0)
    N, T, D, H = 5, 7, 3, 4
    reference = TORCH_MODULES[kind](
        input_size=D,
        hidden_size=H,
        num_layers=num_layers,
        bidirectional=bidirectional,
        batch_first=batch_first,
        dtype=torch.float64 if dtype == np.float64 else torch.float32,
    )
    ours = from_torch(reference)
    rng = np.random.default_rng(2)
    lengths = np.array([7, 3, 5, 1, 6]) if packed else np.full(N, T)
    xs = rng.standard_normal((N, T, D)).astype(dtype)
    count = num_layers * (2 if bidirectional else 1)
    state0 = tuple(rng.standard_normal((count, N, H)).astype(dtype) for _ in ours.state_names)
    dys = rng.standard_normal((N, T, ours.output_size)).astype(dtype)
    dys[np.arange(T)[None, :] >= lengths[:, None]] = 0  # padded positions carry no gradient
    dfinal = tuple(rng.standard_normal((count, N, H)).astype(dtype) for _ in ours.state_names)

    if not batch_first:  # the same numbers, time-major
        xs, dys = (np.ascontiguousarray(a.transpose(1, 0, 2)) for a in (xs, dys))

    ys, final = ours(xs, pack(state0), lengths=lengths if packed else None)
    dxs, dstate0 = ours.backward(dys, pack(dfinal))

    x_t = torch.tensor(xs, requires_grad=True)
    s_t = tuple(torch.tensor(s, requires_grad=True) for s in state0)
    if packed:
        packed_in = torch.nn.utils.rnn.pack_padded_sequence(
            x_t, torch.tensor(lengths), batch_first=batch_first, enforce_sorted=False
        )
        out, final_t = reference(packed_in, pack(s_t))
        ys_t, _ = torch.nn.utils.rnn.pad_packed_sequence(out, batch_first=batch_first, total_length=T)
    else:
        ys_t, final_t = reference(x_t, pack(s_t))
    loss = (ys_t * torch.tensor(dys)).sum() + sum(
        (f * torch.tensor(d)).sum() for f, d in zip(as_tuple(final_t), dfinal, strict=True)
    )
    loss.backward()

    tol = TOLERANCE[dtype]
    assert relative_error(ys, ys_t.detach().numpy()) < tol
    for mine, theirs in zip(as_tuple(final), as_tuple(final_t), strict=True):
        assert relative_error(mine, theirs.detach().numpy()) < tol
    assert relative_error(dxs, x_t.grad.numpy()) < tol
    for mine, theirs in zip(as_tuple(dstate0), s_t, strict=True):
        assert relative_error(mine, theirs.grad.numpy()) < tol
    torch_params = dict(reference.named_parameters())
    for name, param in ours.named_parameters():
        assert relative_error(param.grad, torch_params[name].grad.numpy()) < tol, name


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("kind", list(TORCH_MODULES))
def test_time_major_packed_two_layers_two_ways_match_torch(kind, dtype):
    test_match_torch_packed_and_bidirectional(kind, True, 2, True, dtype, batch_first=False)


def test_bidirectional_round_trip_through_torch():
    layer = GRU(3, 5, num_layers=2, bidirectional=True)
    module = to_torch(layer)
    assert module.bidirectional and "weight_hh_l1_reverse" in module.state_dict()
    back = from_torch(module)
    for name, array in layer.state_dict().items():
        assert np.array_equal(back.state_dict()[name], array)
