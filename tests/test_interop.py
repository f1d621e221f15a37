"""Weights move between gatedrnn and PyTorch both ways, values and names unchanged."""
import numpy as np
import pytest

torch = pytest.importorskip("torch")

from gatedrnn import GRU, LSTM, RNN, Embedding, GatedRNNError, Linear, LockedDropout
from gatedrnn.interop import from_torch, to_torch


@pytest.mark.parametrize("make", [
    lambda: RNN(3, 5, num_layers=2, nonlinearity="relu"),
    lambda: LSTM(3, 5, num_layers=3, dropout=0.25),
    lambda: GRU(3, 5, num_layers=2, dtype=np.float64),
    lambda: LSTM(3, 5, num_layers=2, bias=False),
    lambda: GRU(3, 5, batch_first=False, bidirectional=True),
    lambda: RNN(3, 5, 2, "relu", False, False, 0.0, True),
    lambda: Embedding(7, 3),
    lambda: Linear(3, 7),
    lambda: Linear(3, 7, bias=False),
])
def test_round_trip_keeps_names_and_values(make):
    ours = make()
    module = to_torch(ours)
    torch_state = module.state_dict()
    assert list(torch_state) == list(ours.state_dict())
    for name, array in ours.state_dict().items():
        assert torch_state[name].numpy().dtype == array.dtype
        assert np.array_equal(torch_state[name].numpy(), array), name
    back = from_torch(module)
    assert type(back) is type(ours)
    for name, array in ours.state_dict().items():
        assert np.array_equal(back.state_dict()[name], array), name


def test_configuration_carries_over():
    module = torch.nn.LSTM(4, 6, num_layers=2, dropout=0.3, batch_first=True)
    layer = from_torch(module)
    assert (layer.input_size, layer.hidden_size, layer.num_layers, layer.dropout) == (4, 6, 2, 0.3)
    rnn = from_torch(torch.nn.RNN(2, 3, nonlinearity="relu", batch_first=True))
    assert rnn.nonlinearity == "relu"
    back = to_torch(rnn)
    assert back.nonlinearity == "relu" and back.batch_first


@pytest.mark.parametrize("make", [
    lambda: torch.nn.LSTM(3, 4),  # torch's default: time-major
    lambda: torch.nn.GRU(3, 4, batch_first=True, bias=False),
    lambda: torch.nn.RNN(3, 4, num_layers=2, nonlinearity="relu", bias=False, bidirectional=True),
    lambda: torch.nn.LSTM(3, 4, num_layers=2, bias=False, batch_first=False, dtype=torch.float64),
])
def test_time_major_and_bias_free_modules_convert_both_ways(make):
    module = make()
    layer = from_torch(module)
    for name in ("num_layers", "bias", "batch_first", "bidirectional", "input_size", "hidden_size"):
        assert getattr(layer, name) == getattr(module, name), name
    assert list(layer.state_dict()) == list(module.state_dict())
    back = to_torch(layer)
    assert type(back) is type(module)
    for name in ("num_layers", "bias", "batch_first", "bidirectional", "dropout"):
        assert getattr(back, name) == getattr(module, name), name
    assert list(back.state_dict()) == list(module.state_dict())
    for name, tensor in module.state_dict().items():
        assert torch.equal(back.state_dict()[name], tensor), name
    if isinstance(module, torch.nn.RNN):
        assert back.nonlinearity == module.nonlinearity


@pytest.mark.parametrize("module, problem", [
    (torch.nn.LSTM(3, 4, batch_first=True, proj_size=2), "proj_size"),
    (torch.nn.Conv1d(3, 4, 2), "does not support Conv1d"),
])
def test_unsupported_modules_are_refused_clearly(module, problem):
    with pytest.raises(GatedRNNError, match=problem):
        from_torch(module)


def test_to_torch_refuses_what_torch_cannot_express():
    with pytest.raises(GatedRNNError, match="locked dropout"):
        to_torch(LSTM(3, 4, num_layers=2, dropout=0.5, locked_dropout=True))
    with pytest.raises(GatedRNNError, match="does not support"):
        to_torch(LockedDropout(0.5))
