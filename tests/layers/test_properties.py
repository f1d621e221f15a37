"""Property-based tests: every valid shape works, every invalid one gets the project's own error."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gatedrnn import GRU, LSTM, RNN, GatedRNNError

CELLS = {"rnn": RNN, "lstm": LSTM, "gru": GRU}
sizes = st.integers(min_value=1, max_value=6)


def make_state(layer, batch, generator, dtype):
    parts = tuple(
        generator.standard_normal((layer.num_layers, batch, layer.hidden_size)).astype(dtype) for _ in layer.state_names
    )
    return parts if len(parts) > 1 else parts[0]


def parts_of(state):
    return state if isinstance(state, tuple) else (state,)


@settings(max_examples=60, deadline=None)
@given(
    cell=st.sampled_from(sorted(CELLS)),
    batch=sizes,
    steps=st.integers(1, 12),
    input_size=sizes,
    hidden_size=sizes,
    num_layers=st.integers(1, 3),
    with_state=st.booleans(),
    dtype=st.sampled_from([np.float32, np.float64]),
    seed=st.integers(0, 2**16),
    bias=st.booleans(),
    batch_first=st.booleans(),
)
def test_valid_shapes_run_forward_and_backward(
    cell, batch, steps, input_size, hidden_size, num_layers, with_state, dtype, seed, bias, batch_first
):
    generator = np.random.default_rng(seed)
    dropout = 0.2 if num_layers > 1 else 0.0  # one layer has nothing between layers to drop (and warns so)
    layer = CELLS[cell](
        input_size, hidden_size, num_layers=num_layers, bias=bias, batch_first=batch_first, dropout=dropout, dtype=dtype
    )
    layout = (batch, steps) if batch_first else (steps, batch)
    xs = generator.standard_normal(layout + (input_size,)).astype(dtype)
    state0 = make_state(layer, batch, generator, dtype) if with_state else None
    ys, final = layer(xs, state0)
    assert ys.shape == layout + (hidden_size,) and ys.dtype == dtype
    for part in parts_of(final):
        assert part.shape == (num_layers, batch, hidden_size) and part.dtype == dtype
    dxs, dstate0 = layer.backward(np.ones_like(ys), None)
    assert dxs.shape == xs.shape and dxs.dtype == dtype
    for part in parts_of(dstate0):
        assert part.shape == (num_layers, batch, hidden_size)
    assert all(np.all(np.isfinite(p.grad)) for p in layer.parameters())


bad_inputs = st.sampled_from(
    [
        "wrong_feature_size",
        "two_dims",
        "four_dims",
        "wrong_dtype",
        "no_steps",
        "wrong_state_layers",
        "wrong_state_batch",
        "list_input",
        "state_not_tuple",
    ]
)


@settings(max_examples=60, deadline=None)
@given(
    cell=st.sampled_from(sorted(CELLS)),
    batch=sizes,
    steps=st.integers(1, 6),
    input_size=sizes,
    hidden_size=sizes,
    num_layers=st.integers(1, 3),
    problem=bad_inputs,
)
def test_invalid_shapes_raise_the_project_error(cell, batch, steps, input_size, hidden_size, num_layers, problem):
    layer = CELLS[cell](input_size, hidden_size, num_layers=num_layers)
    generator = np.random.default_rng(0)
    xs = generator.standard_normal((batch, steps, input_size)).astype(np.float32)
    state = make_state(layer, batch, generator, np.float32)
    if problem == "wrong_feature_size":
        xs = np.zeros((batch, steps, input_size + 1), np.float32)
    elif problem == "two_dims":
        xs = xs[:, 0]
    elif problem == "four_dims":
        xs = xs[None]
    elif problem == "wrong_dtype":
        xs = xs.astype(np.float64)
    elif problem == "no_steps":
        xs = xs[:, :0]
    elif problem == "wrong_state_layers":
        state = tuple(p[:0] if num_layers == 1 else p[1:] for p in parts_of(state))
        state = state if len(state) > 1 else state[0]
    elif problem == "wrong_state_batch":
        state = tuple(np.concatenate([p, p], axis=1) for p in parts_of(state))
        state = state if len(state) > 1 else state[0]
    elif problem == "list_input":
        xs = xs.tolist()
    elif problem == "state_not_tuple":
        if cell != "lstm":
            return  # only the LSTM's state is a tuple
        state = state[0]
    with pytest.raises(GatedRNNError):
        layer(xs, state)
