"""Parameter and Module: discovery, de-duplication, modes, dtype and state dicts."""

import numpy as np
import pytest

from gatedrnn import LSTM, Dropout, Embedding, GatedRNNError, Linear, Module, Parameter


class TiedModel(Module):
    def __init__(self):
        self.embed = Embedding(10, 4)
        self.lstm = LSTM(4, 4, num_layers=2, dropout=0.5)
        self.drops = [Dropout(0.2), Dropout(0.3)]
        self.decoder = Linear.tied_to(self.embed)


def test_tied_weight_is_one_parameter():
    model = TiedModel()
    params = model.parameters()
    assert model.decoder.weight is model.embed.weight
    assert sum(p is model.embed.weight for p in params) == 1
    assert len(params) == 1 + 8 + 1
    names = [name for name, _ in model.named_parameters()]
    assert names[0] == "embed.weight" and "decoder.weight" not in names
    assert "lstm.weight_ih_l1" in names and "decoder.bias" in names


def test_gradients_accumulate_into_the_shared_parameter():
    model = TiedModel()
    ids = np.array([[1, 2, 3]])
    dy = np.ones((1, 3, 10), np.float32)
    model.decoder(model.embed(ids))
    model.embed.backward(model.decoder.backward(dy))
    both = model.embed.weight.grad.copy()
    model.zero_grad()
    model.decoder(model.embed(ids))  # a fresh forward: each backward needs its own
    model.decoder.backward(dy)
    decoder_only = model.embed.weight.grad.copy()
    assert not np.allclose(both, decoder_only)
    assert np.all(model.embed.weight.grad == decoder_only)
    model.zero_grad()
    assert all(np.all(p.grad == 0) for p in model.parameters())


def test_train_eval_reach_nested_modules():
    model = TiedModel()
    model.eval()
    assert not any(m.training for m in model.modules())
    assert not model.lstm.inter_layer_dropout[0].training and not model.drops[1].training
    model.train()
    assert all(m.training for m in model.modules())


def test_state_dict_round_trip_and_copies():
    a, b = TiedModel(), TiedModel()
    state = a.state_dict()
    state["embed.weight"][0, 0] = 123.0  # a copy: the model must not change
    assert a.embed.weight.data[0, 0] != 123.0
    b.load_state_dict(a.state_dict())
    for (name, pa), (_, pb) in zip(a.named_parameters(), b.named_parameters(), strict=True):
        assert np.array_equal(pa.data, pb.data), name
    assert b.decoder.weight is b.embed.weight  # tying survives loading


def test_load_state_dict_rejects_missing_and_misshapen():
    model = TiedModel()
    state = model.state_dict()
    del state["decoder.bias"]
    with pytest.raises(GatedRNNError, match="missing"):
        model.load_state_dict(state)
    state = model.state_dict()
    state["embed.weight"] = np.zeros((3, 4))
    with pytest.raises(GatedRNNError, match="shape"):
        model.load_state_dict(state)


def test_to_changes_dtype_everywhere():
    model = TiedModel().to(np.float64)
    assert all(p.data.dtype == np.float64 and p.grad.dtype == np.float64 for p in model.parameters())
    assert model.decoder.weight is model.embed.weight
    with pytest.raises(GatedRNNError):
        model.to(np.int32)


def test_parameter_copies_its_data():
    data = np.ones(3)
    p = Parameter(data)
    data[0] = 5
    assert p.data[0] == 1 and p.grad.shape == (3,)


def test_repr_lists_children():
    text = repr(TiedModel())
    assert "LSTM(4, 4, num_layers=2" in text and "Embedding(10, 4)" in text


# -- Parameter.add_to_grad and add_to_grad_taking_ownership ---------------------------------
def test_zero_grad_writes_nothing_and_reads_as_zeros():
    param = Parameter(np.ones((2, 3)))
    param.add_to_grad(np.full((2, 3), 4.0))
    old = param.grad
    param.zero_grad()
    assert np.all(old == 4.0)  # lazy: no zero fill yet
    np.testing.assert_array_equal(param.grad, 0)


def test_add_to_grad_never_keeps_the_callers_array():
    param = Parameter(np.ones((2, 3), np.float32))
    buffer = param.grad
    param.zero_grad()
    value = np.full((2, 3), 2.0, np.float32)
    param.add_to_grad(value)
    assert param.grad is buffer and not np.shares_memory(param.grad, value)  # copied into the zeroed buffer
    value[...] = 100.0  # the caller goes on using its array
    np.testing.assert_array_equal(param.grad, 2.0)
    param.add_to_grad(value)
    np.testing.assert_array_equal(param.grad, 102.0)
    value[...] = -1.0
    np.testing.assert_array_equal(param.grad, 102.0)


def test_add_to_grad_casts_and_broadcasts_as_an_addition_would():
    param = Parameter(np.zeros((2, 3)))
    param.zero_grad()
    param.add_to_grad(np.ones(3, np.float32))
    assert param.grad.dtype == np.float64
    np.testing.assert_array_equal(param.grad, 1.0)
    param.add_to_grad(1.0)
    np.testing.assert_array_equal(param.grad, 2.0)


def test_add_to_grad_taking_ownership_keeps_a_fresh_array_after_zero_grad():
    param = Parameter(np.ones((2, 3), np.float32))
    param.zero_grad()
    fresh = np.full((2, 3), 2.0, np.float32)
    param.add_to_grad_taking_ownership(fresh)
    assert param.grad is fresh  # no zero fill, no copy
    param.add_to_grad_taking_ownership(np.full((2, 3), 1.0, np.float32))  # not zero now: added
    assert param.grad is fresh
    np.testing.assert_array_equal(param.grad, 3.0)


@pytest.mark.parametrize(
    "value",
    [
        np.ones((2, 3), np.float32),  # another dtype
        np.ones((3, 2)).T,  # not C-contiguous
        np.ones(3),  # another shape (broadcast)
    ],
)
def test_add_to_grad_taking_ownership_copies_what_it_cannot_keep(value):
    param = Parameter(np.zeros((2, 3)))
    param.zero_grad()
    param.add_to_grad_taking_ownership(value)
    assert param.grad is not value and not np.shares_memory(param.grad, value)
    assert param.grad.dtype == np.float64 and param.grad.shape == (2, 3)
    np.testing.assert_array_equal(param.grad, 1.0)


def test_recurrent_biases_get_gradient_arrays_of_their_own():
    # db_ih and db_hh are one sum in the LSTM: one parameter takes the array, the other a copy
    layer = LSTM(3, 4)
    ys, _ = layer(np.ones((2, 5, 3), np.float32))
    layer.zero_grad()
    layer.backward(np.ones_like(ys))
    b_ih, b_hh = layer.bias_ih_l0.grad, layer.bias_hh_l0.grad
    assert not np.shares_memory(b_ih, b_hh)
    np.testing.assert_array_equal(b_ih, b_hh)
    b_ih += 1.0
    assert not np.array_equal(b_ih, b_hh)


def test_linear_gradients_do_not_alias_the_callers_arrays():
    layer = Linear(3, 2)
    x = np.ones((4, 3), np.float32)
    layer(x)
    layer.zero_grad()
    dy = np.ones((4, 2), np.float32)
    layer.backward(dy)
    dy[...] = 7.0
    x[...] = 7.0
    np.testing.assert_array_equal(layer.weight.grad, 4.0)
    np.testing.assert_array_equal(layer.bias.grad, 4.0)


@pytest.mark.parametrize(
    "make, problem",
    [
        (lambda: Parameter(np.arange(3)), "Parameter data must be a floating-point array, got int64"),
        (lambda: Parameter("abc"), "Parameter data must be a floating-point array"),
        (lambda: Parameter(np.ones(2), requires_grad="no"), "requires_grad must be True or False"),
        (lambda: Linear(2, 3).to(None), "to\\(\\) needs float32 or float64, got None"),
        (lambda: Linear(2, 3).to("junk"), "to\\(\\) needs float32 or float64, got 'junk'"),
        (lambda: Linear(2, 3).train("no"), "train\\(\\) takes True or False"),
        (lambda: Linear(2, 3).load_state_dict(None), "load_state_dict needs a dict"),
        (lambda: Linear(2, 3).load_state_dict({}, strict="no"), "strict must be True or False"),
    ],
)
def test_core_refuses_nonsense_in_one_line(make, problem):
    with pytest.raises(GatedRNNError, match=problem) as info:
        make()
    assert "\n" not in str(info.value)
