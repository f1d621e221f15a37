"""gatedrnn against PyTorch: the same weights and inputs give the same numbers.

For RNN (tanh, relu), LSTM and GRU with 1 and 3 layers and given initial states, and for
bias=False and batch_first=False (with 1 and 2 layers, one and two directions), forward
outputs, final states, the gradients of inputs and initial states, and every parameter
gradient must agree with torch.nn's within a relative error (max |a - b| / max |b|) of 1e-5
in float32 and 1e-10 in float64.
"""

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from gatedrnn import SoftmaxCrossEntropy  # noqa: E402
from gatedrnn.gradcheck import relative_error  # noqa: E402
from gatedrnn.interop import from_torch  # noqa: E402

TOLERANCE = {np.float32: 1e-5, np.float64: 1e-10}
TORCH_DTYPE = {np.float32: torch.float32, np.float64: torch.float64}
KINDS = {
    "rnn_tanh": lambda d, h, L, dt: torch.nn.RNN(d, h, L, nonlinearity="tanh", batch_first=True, dtype=dt),
    "rnn_relu": lambda d, h, L, dt: torch.nn.RNN(d, h, L, nonlinearity="relu", batch_first=True, dtype=dt),
    "lstm": lambda d, h, L, dt: torch.nn.LSTM(d, h, L, batch_first=True, dtype=dt),
    "gru": lambda d, h, L, dt: torch.nn.GRU(d, h, L, batch_first=True, dtype=dt),
}


def as_tuple(state):
    return state if isinstance(state, tuple) else (state,)


def assert_agree(ours, theirs, dtype, what):
    theirs = theirs.detach().numpy() if hasattr(theirs, "detach") else theirs
    err = relative_error(ours, theirs)
    assert err < TOLERANCE[dtype], f"{what}: relative error {err:.2e}"


def compare_with_torch(reference, dtype, batch=4, steps=7):
    """Run ``reference`` (a torch RNN, LSTM or GRU) and from_torch(reference) on the same random
    inputs, initial states and output/state gradients, in the module's own layout, and assert
    that outputs, final states, input, initial-state and parameter gradients agree."""
    ours = from_torch(reference)
    assert ours.dtype == dtype and ours.batch_first == reference.batch_first and ours.bias == reference.bias
    rng = np.random.default_rng(1)
    count = ours.num_layers * ours.num_directions
    layout = (batch, steps) if ours.batch_first else (steps, batch)
    xs = rng.standard_normal(layout + (ours.input_size,)).astype(dtype)
    state_parts = tuple(
        rng.standard_normal((count, batch, ours.hidden_size)).astype(dtype) * 0.5 for _ in ours.state_names
    )
    dys = rng.standard_normal(layout + (ours.output_size,)).astype(dtype)
    dfinal = tuple(rng.standard_normal((count, batch, ours.hidden_size)).astype(dtype) for _ in ours.state_names)

    def ours_state(parts):
        return parts if len(parts) > 1 else parts[0]

    ys, final = ours(xs, ours_state(state_parts))
    dxs, dstate0 = ours.backward(dys, ours_state(dfinal))

    x_t = torch.tensor(xs, requires_grad=True)
    state_t = tuple(torch.tensor(s, requires_grad=True) for s in state_parts)
    ys_t, final_t = reference(x_t, ours_state(state_t))
    loss = (ys_t * torch.tensor(dys)).sum() + sum(
        (f * torch.tensor(d)).sum() for f, d in zip(as_tuple(final_t), dfinal, strict=True)
    )
    loss.backward()

    assert ys.shape == tuple(ys_t.shape) and dxs.shape == xs.shape
    assert_agree(ys, ys_t, dtype, "outputs")
    for mine, theirs in zip(as_tuple(final), as_tuple(final_t), strict=True):
        assert_agree(mine, theirs, dtype, "final state")
    assert_agree(dxs, x_t.grad, dtype, "input gradient")
    for mine, theirs in zip(as_tuple(dstate0), state_t, strict=True):
        assert_agree(mine, theirs.grad, dtype, "initial-state gradient")
    torch_params = dict(reference.named_parameters())
    assert [name for name, _ in ours.named_parameters()] == list(torch_params)
    for name, param in ours.named_parameters():
        assert_agree(param.grad, torch_params[name].grad, dtype, f"gradient of {name}")


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("num_layers", [1, 3])
@pytest.mark.parametrize("kind", list(KINDS))
def test_recurrent_layers_match_torch(kind, num_layers, dtype):
    torch.manual_seed(0)
    compare_with_torch(KINDS[kind](5, 6, num_layers, TORCH_DTYPE[dtype]), dtype)


# bias=False and batch_first=False, alone and together, one- and two-way, one and two layers
# (the bidirectional two-layer case in each).
CONFIGURATIONS = [
    dict(bias=False, batch_first=True, num_layers=1, bidirectional=False),
    dict(bias=False, batch_first=True, num_layers=2, bidirectional=True),
    dict(bias=True, batch_first=False, num_layers=1, bidirectional=False),
    dict(bias=True, batch_first=False, num_layers=2, bidirectional=True),
    dict(bias=False, batch_first=False, num_layers=2, bidirectional=False),
]
TORCH_CLASSES = {
    "rnn_tanh": lambda **k: torch.nn.RNN(nonlinearity="tanh", **k),
    "rnn_relu": lambda **k: torch.nn.RNN(nonlinearity="relu", **k),
    "lstm": lambda **k: torch.nn.LSTM(**k),
    "gru": lambda **k: torch.nn.GRU(**k),
}


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("config", CONFIGURATIONS, ids=lambda c: "-".join(f"{k}={v}" for k, v in c.items()))
@pytest.mark.parametrize("kind", list(TORCH_CLASSES))
def test_without_bias_and_time_major_match_torch(kind, config, dtype):
    torch.manual_seed(0)
    reference = TORCH_CLASSES[kind](input_size=5, hidden_size=6, dtype=TORCH_DTYPE[dtype], **config)
    if not config["bias"]:
        assert not any("bias" in name for name in reference.state_dict())
    compare_with_torch(reference, dtype)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_embedding_linear_and_loss_match_torch(dtype):
    torch.manual_seed(0)
    embed_t = torch.nn.Embedding(13, 6, dtype=TORCH_DTYPE[dtype])
    linear_t = torch.nn.Linear(6, 13, dtype=TORCH_DTYPE[dtype])
    embed, linear = from_torch(embed_t), from_torch(linear_t)
    rng = np.random.default_rng(2)
    ids = rng.integers(0, 13, (3, 5))
    targets = rng.integers(0, 13, (3, 5))
    targets[0, 1] = targets[2, 4] = -100

    criterion = SoftmaxCrossEntropy()
    loss = criterion(linear(embed(ids)), targets)
    embed.backward(linear.backward(criterion.backward()))

    logits_t = linear_t(embed_t(torch.tensor(ids)))
    loss_t = torch.nn.functional.cross_entropy(logits_t.reshape(-1, 13), torch.tensor(targets).reshape(-1))
    loss_t.backward()
    assert abs(loss - loss_t.item()) <= TOLERANCE[dtype] * abs(loss_t.item())
    assert_agree(embed.weight.grad, embed_t.weight.grad, dtype, "embedding gradient")
    assert_agree(linear.weight.grad, linear_t.weight.grad, dtype, "linear weight gradient")
    assert_agree(linear.bias.grad, linear_t.bias.grad, dtype, "linear bias gradient")


def test_sum_reduction_matches_torch():
    rng = np.random.default_rng(3)
    logits = rng.standard_normal((2, 3, 5))
    targets = np.array([[0, 4, -100], [1, 1, 2]])
    criterion = SoftmaxCrossEntropy(reduction="sum")
    logits_t = torch.tensor(logits, requires_grad=True)
    loss_t = torch.nn.functional.cross_entropy(
        logits_t.reshape(-1, 5), torch.tensor(targets).reshape(-1), reduction="sum"
    )
    loss_t.backward()
    assert abs(criterion(logits, targets) - loss_t.item()) < 1e-12
    assert_agree(criterion.backward(), logits_t.grad, np.float64, "logit gradient")
