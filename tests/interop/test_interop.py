"""Weights move between gatedrnn and PyTorch both ways, values and names unchanged."""

import os

import numpy as np
import pytest
from helpers.paths import REPO

torch = pytest.importorskip("torch")

from gatedrnn import GRU, LSTM, RNN, Embedding, GatedRNNError, Linear, LockedDropout  # noqa: E402
from gatedrnn.interop import from_torch, to_torch  # noqa: E402


@pytest.mark.parametrize(
    "make",
    [
        lambda: RNN(3, 5, num_layers=2, nonlinearity="relu"),
        lambda: LSTM(3, 5, num_layers=3, dropout=0.25),
        lambda: GRU(3, 5, num_layers=2, dtype=np.float64),
        lambda: LSTM(3, 5, num_layers=2, bias=False),
        lambda: GRU(3, 5, batch_first=False, bidirectional=True),
        lambda: RNN(3, 5, 2, "relu", False, False, 0.0, True),
        lambda: Embedding(7, 3),
        lambda: Linear(3, 7),
        lambda: Linear(3, 7, bias=False),
    ],
)
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


@pytest.mark.parametrize(
    "make",
    [
        lambda: torch.nn.LSTM(3, 4),  # torch's default: time-major
        lambda: torch.nn.GRU(3, 4, batch_first=True, bias=False),
        lambda: torch.nn.RNN(3, 4, num_layers=2, nonlinearity="relu", bias=False, bidirectional=True),
        lambda: torch.nn.LSTM(3, 4, num_layers=2, bias=False, batch_first=False, dtype=torch.float64),
    ],
)
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


@pytest.mark.parametrize(
    "module, problem",
    [
        (torch.nn.LSTM(3, 4, batch_first=True, proj_size=2), "proj_size"),
        (torch.nn.Conv1d(3, 4, 2), "does not support Conv1d"),
    ],
)
def test_unsupported_modules_are_refused_clearly(module, problem):
    with pytest.raises(GatedRNNError, match=problem):
        from_torch(module)


def test_to_torch_refuses_what_torch_cannot_express():
    with pytest.raises(GatedRNNError, match="locked dropout"):
        to_torch(LSTM(3, 4, num_layers=2, dropout=0.5, locked_dropout=True))
    with pytest.raises(GatedRNNError, match="does not support"):
        to_torch(LockedDropout(0.5))


def test_the_train_or_eval_mode_carries_over_so_outputs_match():
    module = torch.nn.LSTM(3, 5, num_layers=2, dropout=0.5, batch_first=True).eval()
    layer = from_torch(module)
    assert not layer.training and layer.dropout == 0.5
    xs = np.random.default_rng(0).standard_normal((2, 4, 3)).astype(np.float32)
    with torch.no_grad():
        expected = module(torch.from_numpy(xs))[0].numpy()
    np.testing.assert_allclose(layer(xs)[0], expected, rtol=1e-5, atol=1e-6)
    assert from_torch(torch.nn.Linear(2, 2)).training


def test_a_subclass_converts_as_its_torch_base_class():
    class MyRNN(torch.nn.RNN):
        pass

    layer = from_torch(MyRNN(3, 4, nonlinearity="relu", batch_first=True))
    assert type(layer) is RNN and layer.nonlinearity == "relu"


def test_float64_modules_stay_float64_and_plain_embeddings_convert():
    assert from_torch(torch.nn.GRU(3, 4, dtype=torch.float64)).dtype == np.float64
    module = torch.nn.Embedding(6, 3, max_norm=None, padding_idx=None)
    ids = np.array([[0, 5, 2]])
    with torch.no_grad():
        expected = module(torch.from_numpy(ids)).numpy()
    np.testing.assert_array_equal(from_torch(module)(ids), expected)


def test_importing_interop_imports_no_torch_and_old_names_still_import():
    import subprocess
    import sys

    code = (
        "import sys, gatedrnn.interop as i; assert 'torch' not in sys.modules; "
        "from gatedrnn.interop import (_torch, from_torch, to_torch, save_torch_language_model, "
        "load_torch_language_model, TORCH_FILE_FORMAT, TORCH_FILE_VERSION); "
        "assert 'torch' not in sys.modules; i.TorchLanguageModel; assert 'torch' in sys.modules"
    )
    source = str(REPO / "src")
    environment = dict(os.environ, PYTHONPATH=source + os.pathsep + os.environ.get("PYTHONPATH", ""))
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=environment)
    assert done.returncode == 0, done.stderr


def test_a_torch_language_model_pickles_under_its_public_name():
    import pickle

    from gatedrnn.interop import TorchLanguageModel
    from gatedrnn.lm import LanguageModel, ModelConfig

    module = to_torch(LanguageModel(ModelConfig(vocab_size=6, embedding_size=4, hidden_size=4, num_layers=1)))
    assert f"{TorchLanguageModel.__module__}.{TorchLanguageModel.__qualname__}" == "gatedrnn.interop.TorchLanguageModel"
    again = pickle.loads(pickle.dumps(module))
    assert type(again) is TorchLanguageModel and again.config == module.config
