"""The recurrent layers' constructor: PyTorch's signature, every argument checked once, and
what bias=False and batch_first=False mean."""

import inspect

import numpy as np
import pytest

from gatedrnn import GRU, LSTM, RNN, GatedRNNError
from gatedrnn.layers import RECURRENT_LAYERS

GATED = ["input_size", "hidden_size", "num_layers", "bias", "batch_first", "dropout", "bidirectional"]
KEYWORD_ONLY = ["locked_dropout", "recurrent_dropout", "weight_drop", "residual", "dtype", "rng"]


def parameters_of(cls):
    return inspect.signature(cls).parameters


@pytest.mark.parametrize(
    "cls, positional",
    [
        (LSTM, GATED),
        (GRU, GATED),
        (RNN, GATED[:3] + ["nonlinearity"] + GATED[3:]),
    ],
)
def test_signature_is_torchs_with_batch_first_true(cls, positional):
    params = parameters_of(cls)
    names = [name for name, p in params.items() if p.kind == p.POSITIONAL_OR_KEYWORD]
    assert names == positional
    extra = ["reset_after"] if cls is GRU else []  # the GRU's own keyword: Cho et al.'s variant
    assert [name for name, p in params.items() if p.kind == p.KEYWORD_ONLY] == KEYWORD_ONLY[:4] + extra + KEYWORD_ONLY[
        4:
    ]
    defaults = {name: p.default for name, p in params.items() if p.default is not p.empty}
    assert defaults == dict(
        num_layers=1,
        bias=True,
        batch_first=True,
        dropout=0.0,
        bidirectional=False,
        locked_dropout=False,
        recurrent_dropout=0.0,
        weight_drop=0.0,
        residual=False,
        dtype=np.float32,
        rng=None,
        **({"nonlinearity": "tanh"} if cls is RNN else {}),
        **({"reset_after": True} if cls is GRU else {}),
    )


def test_positional_arguments_land_where_torch_puts_them():
    lstm = LSTM(3, 4, 2, False, False, 0.25, True)
    assert (
        lstm.input_size,
        lstm.hidden_size,
        lstm.num_layers,
        lstm.bias,
        lstm.batch_first,
        lstm.dropout,
        lstm.bidirectional,
    ) == (3, 4, 2, False, False, 0.25, True)
    rnn = RNN(3, 4, 2, "relu", False, False, 0.25, True)
    assert (rnn.nonlinearity, rnn.bias, rnn.batch_first, rnn.dropout, rnn.bidirectional) == (
        "relu",
        False,
        False,
        0.25,
        True,
    )


def test_the_keyword_calls_used_across_the_project_still_work():
    lstm = LSTM(650, 650, num_layers=2, dropout=0.5, locked_dropout=True)
    assert lstm.locked_dropout and lstm.batch_first and lstm.bias and lstm.dtype == np.float32
    for cls in RECURRENT_LAYERS.values():
        layer = cls(6, 5, num_layers=2, dropout=0.3, locked_dropout=False, dtype=np.float64)
        assert layer.dtype == np.float64 and layer.num_layers == 2
        assert cls(6, 5, num_layers=2, bidirectional=True).output_size == 10
    assert GRU(np.int64(3), np.int64(4), num_layers=np.int32(1), bidirectional=np.bool_(True)).bidirectional


@pytest.mark.parametrize(
    "make, problem",
    [
        (
            lambda: LSTM(3, 4, 1, True, True, 0.0, False, True),
            r"at most 7 positional arguments \(input_size, hidden_size",
        ),
        (lambda: RNN(3, 4, 1, "tanh", True, True, 0.0, False, 0.5), r"at most 8 positional arguments .*nonlinearity"),
        (lambda: LSTM(3, True), "hidden_size must be a whole number"),
        (lambda: LSTM(0, 4), "input_size must be a whole number"),
        (lambda: GRU(3, 4.0), "hidden_size must be a whole number"),
        (lambda: GRU(3, "4"), "hidden_size must be a whole number"),
        (lambda: LSTM(3, 4, num_layers=False), "num_layers must be a whole number"),
        (lambda: LSTM(3, 4, 1, 1.5), "bias must be True or False"),
        (lambda: LSTM(3, 4, batch_first=1), "batch_first must be True or False"),
        (lambda: GRU(3, 4, bidirectional="yes"), "bidirectional must be True or False"),
        (lambda: LSTM(3, 4, locked_dropout=None), "locked_dropout must be True or False"),
        (lambda: LSTM(3, 4, dropout="0.5"), r"dropout must be a number in \[0, 1\)"),
        (lambda: LSTM(3, 4, dropout=1.0), r"dropout must be a number in \[0, 1\)"),
        (lambda: LSTM(3, 4, dropout=float("nan")), r"dropout must be a number in \[0, 1\)"),
        (lambda: LSTM(3, 4, dropout=True), r"dropout must be a number in \[0, 1\)"),
        (lambda: LSTM(3, 4, dtype=np.int32), "dtype must be float32 or float64"),
        (lambda: LSTM(3, 4, dtype=np.float16), "dtype must be float32 or float64"),
        (lambda: LSTM(3, 4, dtype=None), "dtype must be float32 or float64"),
        (lambda: LSTM(3, 4, dtype="no such type"), "dtype must be float32 or float64"),
        (lambda: RNN(3, 4, 1, True), "nonlinearity must be 'tanh' or 'relu'"),
        (lambda: RNN(3, 4, nonlinearity="sigmoid"), "nonlinearity must be 'tanh' or 'relu'"),
        (lambda: LSTM(3, 4, rng=0), "rng must be a numpy.random.Generator"),
    ],
)
def test_bad_arguments_are_refused_in_one_line(make, problem):
    with pytest.raises(GatedRNNError, match=problem) as info:
        make()
    assert "\n" not in str(info.value)


def test_float_dtype_may_be_named_any_way_numpy_understands():
    assert LSTM(3, 4, dtype="float64").dtype == np.float64
    assert GRU(3, 4, dtype=np.dtype(np.float32)).dtype == np.float32


@pytest.mark.parametrize("cls", [LSTM, GRU, RNN])
def test_bias_false_has_no_bias_parameters(cls):
    layer = cls(3, 4, num_layers=2, bias=False, bidirectional=True)
    names = list(layer.state_dict())
    assert names == [
        f"weight_{kind}_l{k}{suffix}" for k in range(2) for suffix in ("", "_reverse") for kind in ("ih", "hh")
    ]
    assert layer.layer_weights(1, 1)[2:] == (None, None)
    assert "bias=False" in repr(layer)


@pytest.mark.parametrize("cls", [LSTM, GRU, RNN])
@pytest.mark.parametrize("bidirectional", [False, True])
def test_time_major_is_the_batch_first_computation_transposed(cls, bidirectional):
    """Same weights, same numbers to the bit; states are (L·dirs, N, H) in both layouts."""
    rng = np.random.default_rng(0)
    first = cls(3, 4, num_layers=2, bidirectional=bidirectional, rng=np.random.default_rng(1))
    time_major = cls(3, 4, num_layers=2, bidirectional=bidirectional, batch_first=False)
    time_major.load_state_dict(first.state_dict())
    xs = rng.standard_normal((5, 6, 3)).astype(np.float32)  # (N, T, D)
    lengths = np.array([6, 2, 5, 1, 3])
    ys, final = first(xs, lengths=lengths)
    ys_t, final_t = time_major(np.ascontiguousarray(xs.transpose(1, 0, 2)), lengths=lengths)
    assert ys_t.shape == (6, 5, first.output_size)
    np.testing.assert_array_equal(ys_t, ys.transpose(1, 0, 2))
    as_tuple = lambda state: state if isinstance(state, tuple) else (state,)  # noqa: E731
    for a, b in zip(as_tuple(final), as_tuple(final_t), strict=True):
        assert b.shape == (2 * first.num_directions, 5, 4)
        np.testing.assert_array_equal(a, b)
    dys = rng.standard_normal(ys.shape).astype(np.float32)
    first.zero_grad()
    time_major.zero_grad()
    dxs, dstate = first.backward(dys)
    dxs_t, dstate_t = time_major.backward(np.ascontiguousarray(dys.transpose(1, 0, 2)))
    assert dxs_t.shape == (6, 5, 3)
    np.testing.assert_array_equal(dxs_t, dxs.transpose(1, 0, 2))
    for a, b in zip(first.parameters(), time_major.parameters(), strict=True):
        np.testing.assert_array_equal(a.grad, b.grad)
    assert "batch_first=False" in repr(time_major)


def test_time_major_outputs_are_the_callers_to_change():
    layer = RNN(3, 4, batch_first=False)
    xs = np.random.default_rng(2).standard_normal((5, 2, 3)).astype(np.float32)
    ys, _ = layer(xs)
    dys = np.ones_like(ys)
    layer.zero_grad()
    layer.backward(dys)
    expected = layer.weight_hh_l0.grad.copy()
    ys, _ = layer(xs)
    ys[...] = 0.0  # must not reach the cache backward reads
    layer.zero_grad()
    layer.backward(dys)
    np.testing.assert_array_equal(layer.weight_hh_l0.grad, expected)


def test_time_major_shape_errors_name_the_expected_layout():
    layer = GRU(3, 4, batch_first=False)
    ys, _ = layer(np.zeros((5, 2, 3), np.float32))
    with pytest.raises(GatedRNNError, match=r"expected \(5, 2, 4\)"):
        layer.backward(np.zeros((2, 5, 4), np.float32))
    with pytest.raises(GatedRNNError, match="no time steps"):
        layer(np.zeros((0, 2, 3), np.float32))
    with pytest.raises(GatedRNNError, match="one per sequence"):
        layer(np.zeros((5, 2, 3), np.float32), lengths=np.array([5, 5, 5, 5, 5]))
