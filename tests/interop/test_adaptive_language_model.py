"""A language model with an adaptive softmax in PyTorch: to_torch/from_torch parity, the torch
engine's steps against the NumPy engine's, and export/import through a torch file."""

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="interop needs PyTorch (pip install gatedrnn[torch])")

from gatedrnn import rng  # noqa: E402
from gatedrnn.data import TBPTTBatches, Vocabulary  # noqa: E402
from gatedrnn.interop import TorchLanguageModel, from_torch, to_torch  # noqa: E402
from gatedrnn.interop.export_import import export_checkpoint, import_torch_file  # noqa: E402
from gatedrnn.interop.torch_engine import TorchEngine  # noqa: E402
from gatedrnn.lm import LanguageModel, ModelConfig, TrainConfig, model_from_checkpoint  # noqa: E402
from gatedrnn.lm.engine import NumpyEngine  # noqa: E402
from gatedrnn.lm.run_checkpoint import save_model_checkpoint  # noqa: E402
from gatedrnn.lm.trainer import OPTIMIZERS  # noqa: E402

VOCAB = 40


def adaptive_model(dtype=np.float32, seed=0, **overrides):
    settings = dict(
        vocab_size=VOCAB,
        embedding_size=12,
        hidden_size=16,
        num_layers=2,
        dropout=0.0,
        tie_weights=False,
        init="book",
        adaptive_softmax=(8, 20),
    )
    settings.update(overrides)
    rng.seed(seed)
    return LanguageModel(ModelConfig(**settings), dtype=dtype)


def ids(shape=(3, 9), seed=1):
    return np.random.default_rng(seed).integers(0, VOCAB, size=shape)


def test_to_torch_gives_torch_s_adaptive_module_under_the_same_names():
    model = adaptive_model()
    module = to_torch(model)
    assert isinstance(module.decoder, torch.nn.AdaptiveLogSoftmaxWithLoss)
    assert list(module.state_dict()) == list(model.state_dict())
    assert module.decoder.cutoffs == [8, 20, VOCAB]


def tolerance_of(dtype):
    return 1e-5 if dtype == np.float32 else 1e-12


def assert_same_log_probabilities(model, module, dtype):
    """Eval mode: gatedrnn's log-probabilities are torch's module's; returns gatedrnn's."""
    model.eval(), module.eval()
    ours, _ = model(ids())
    theirs, _ = module(torch.from_numpy(ids()))
    np.testing.assert_allclose(ours, theirs.detach().numpy(), atol=tolerance_of(dtype), rtol=0)
    return ours


def assert_same_features_and_loss(model, module, dtype):
    """Training mode (dropout off): the read-out's input features and the loss are torch's module's."""
    x, y = ids(), ids(seed=2)
    model.train(), module.train()
    features, _ = model(x)
    torch_features, _ = module(torch.from_numpy(x))
    np.testing.assert_allclose(features, torch_features.detach().numpy(), atol=tolerance_of(dtype), rtol=0)
    loss = model.criterion()(features, y)
    assert module.loss(torch_features, torch.from_numpy(y)).item() == pytest.approx(loss, abs=tolerance_of(dtype))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_log_probabilities_features_and_loss_agree_both_ways(dtype):
    model = adaptive_model(dtype, dropout=0.4)
    module = to_torch(model)
    ours = assert_same_log_probabilities(model, module, dtype)
    back = from_torch(module)
    assert not back.training
    np.testing.assert_array_equal(back(ids())[0], ours)
    assert_same_features_and_loss(adaptive_model(dtype), to_torch(adaptive_model(dtype)), dtype)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_a_div_value_of_2_gives_torch_s_shapes_loss_and_log_probabilities(dtype):
    model = adaptive_model(dtype, adaptive_div_value=2.0)
    module = to_torch(model)
    assert module.decoder.div_value == 2.0
    assert [module.decoder.tail[k][0].out_features for k in range(2)] == [8, 4]  # 16 // 2, 16 // 4
    assert_same_log_probabilities(model, module, dtype)
    assert_same_features_and_loss(model, module, dtype)


def test_a_torch_model_built_with_div_value_2_comes_back_with_2():
    config = adaptive_model(adaptive_div_value=2.0).config.to_dict()
    module = TorchLanguageModel(config)
    assert module.decoder.div_value == 2.0
    back = from_torch(module)
    assert back.config.adaptive_div_value == 2.0 and back.decoder.div_value == 2.0
    # a config written before the setting existed was built, and comes back, at torch's default 4
    old = TorchLanguageModel({k: v for k, v in config.items() if k != "adaptive_div_value"})
    assert old.decoder.div_value == 4.0 and from_torch(old).config.adaptive_div_value == 4.0


def losses_of(engine_class, model, config, windows):
    optimizer = OPTIMIZERS[config.optimizer](model.parameters(), lr=config.lr)
    engine = engine_class(model, optimizer, config)
    state, losses = None, []
    for step, (inputs, targets) in enumerate(windows):
        result, state = engine.train_step(inputs, targets, state, config.lr, 1.0, step)
        losses.append(result.loss)
    engine.sync_to_model()
    return np.array(losses), model


@pytest.mark.parametrize("optimizer, lr", [("sgd", 1.0), ("adam", 1e-2)])
def test_the_torch_engine_s_float64_losses_and_weights_equal_the_numpy_engine_s(optimizer, lr):
    config = TrainConfig(batch_size=4, seq_len=6, optimizer=optimizer, lr=lr, clip=0.25)
    windows = list(TBPTTBatches(ids((4 * 6 * 12 + 1,), seed=3), 4, 6))[:12]
    ours, numpy_model = losses_of(
        lambda m, o, c: NumpyEngine(m, o, c.clip), adaptive_model(np.float64), config, windows
    )
    theirs, torch_model = losses_of(TorchEngine, adaptive_model(np.float64), config, windows)
    np.testing.assert_allclose(theirs, ours, rtol=1e-10)
    assert ours[-1] < ours[0]
    for name, array in numpy_model.state_dict().items():
        np.testing.assert_allclose(torch_model.state_dict()[name], array, rtol=1e-8, atol=1e-10, err_msg=name)
    held_out = ids((200,), seed=4)
    numpy_nll = NumpyEngine(numpy_model, None, 0).evaluate_nll(held_out, 5, 7)
    torch_nll = TorchEngine(torch_model, OPTIMIZERS[optimizer](torch_model.parameters(), lr=lr), config)
    assert torch_nll.evaluate_nll(held_out, 5, 7) == pytest.approx(numpy_nll, rel=1e-10)


@pytest.mark.parametrize("div_value", [4.0, 2.0])
def test_export_and_import_carry_the_adaptive_softmax(tmp_path, div_value):
    model = adaptive_model(adaptive_div_value=div_value)
    vocab = Vocabulary([f"w{i}" for i in range(VOCAB)], unk_token="w0")
    save_model_checkpoint(tmp_path / "model.npz", model, vocab)
    export_checkpoint(tmp_path / "model.npz", tmp_path / "model.pt")
    import_torch_file(tmp_path / "model.pt", tmp_path / "back.npz")
    back, back_vocab, _ = model_from_checkpoint(tmp_path / "back.npz")
    assert back.config == model.config and back_vocab.id_to_token == vocab.id_to_token
    assert back.config.adaptive_div_value == div_value
    for name, array in model.state_dict().items():
        np.testing.assert_array_equal(back.state_dict()[name], array, err_msg=name)
