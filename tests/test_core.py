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
    for (name, pa), (_, pb) in zip(a.named_parameters(), b.named_parameters()):
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
