"""Float64 central-difference gradient checks of every layer and of a language-model stack.

The recurrent layers are checked in their default form and with bias=False and
batch_first=False (also bidirectional, with padded lengths).

Each check builds a scalar loss L = Σ output ⊙ W (W random and fixed), runs the layer's
hand-written backward with dL/doutput = W, and compares every gradient — parameters, inputs,
initial states — with numerical_gradient. Float64 central differences are good to about
1e-8 relative; the bound used is 1e-6.
"""

import numpy as np
import pytest

import gatedrnn
from gatedrnn import GRU, LSTM, RNN, Dropout, Embedding, Linear, LockedDropout, SoftmaxCrossEntropy
from gatedrnn.gradcheck import numerical_gradient, relative_error

TOLERANCE = 1e-6
rng = np.random.default_rng(0)


def assert_close(actual, expected, what):
    err = relative_error(actual, expected)
    assert err < TOLERANCE, f"{what}: relative error {err:.2e}"


def make_recurrent(kind, num_layers, dropout=0.0, locked=False, **options):
    cls, extra = {
        "rnn_tanh": (RNN, {"nonlinearity": "tanh"}),
        "rnn_relu": (RNN, {"nonlinearity": "relu"}),
        "lstm": (LSTM, {}),
        "gru": (GRU, {}),
    }[kind]
    return cls(
        3, 4, num_layers=num_layers, dropout=dropout, locked_dropout=locked, dtype=np.float64, **extra, **options
    )


def random_state(layer, batch):
    shape = (layer.num_layers, batch, layer.hidden_size)
    parts = tuple(rng.standard_normal(shape) * 0.5 for _ in layer.state_names)
    return parts if len(parts) > 1 else parts[0]


def as_tuple(state):
    return state if isinstance(state, tuple) else (state,)


@pytest.mark.parametrize("kind", ["rnn_tanh", "rnn_relu", "lstm", "gru"])
@pytest.mark.parametrize("num_layers", [1, 2])
def test_recurrent_layer_gradients(kind, num_layers):
    layer = make_recurrent(kind, num_layers)
    xs = rng.standard_normal((2, 5, 3))
    state0 = random_state(layer, 2)
    w_out = rng.standard_normal((2, 5, 4))
    w_final = tuple(rng.standard_normal(s.shape) for s in as_tuple(state0))

    def loss():
        ys, final = layer(xs, state0)
        return np.sum(ys * w_out) + sum(np.sum(f * w) for f, w in zip(as_tuple(final), w_final, strict=True))

    loss()
    layer.zero_grad()
    dxs, dstate0 = layer.backward(w_out, w_final if len(w_final) > 1 else w_final[0])
    assert_close(dxs, numerical_gradient(loss, xs), "input")
    for part, dpart in zip(as_tuple(state0), as_tuple(dstate0), strict=True):
        assert_close(dpart, numerical_gradient(loss, part), "initial state")
    for name, param in layer.named_parameters():
        assert_close(param.grad, numerical_gradient(loss, param.data), name)


@pytest.mark.parametrize("kind", ["rnn_tanh", "rnn_relu", "lstm", "gru"])
@pytest.mark.parametrize(
    "options, lengths",
    [
        (dict(bias=False), None),
        (dict(batch_first=False), None),
        (dict(batch_first=False), np.array([5, 2])),
        (dict(bias=False, batch_first=False, bidirectional=True), np.array([3, 5])),
    ],
    ids=["no-bias", "time-major", "time-major-lengths", "no-bias-time-major-bidirectional-lengths"],
)
def test_recurrent_layer_gradients_without_bias_or_time_major(kind, options, lengths):
    """bias=False has no bias parameters; batch_first=False takes and returns (T, N, ·) arrays."""
    layer = make_recurrent(kind, 2, **options)
    N, T = 2, 5
    if not layer.bias:
        assert not any("bias" in name for name, _ in layer.named_parameters())
    layout = (N, T) if layer.batch_first else (T, N)
    xs = rng.standard_normal(layout + (3,))
    count = layer.num_layers * layer.num_directions
    state0 = tuple(rng.standard_normal((count, N, 4)) * 0.5 for _ in layer.state_names)
    w_out = rng.standard_normal(layout + (layer.output_size,))
    w_final = tuple(rng.standard_normal(s.shape) for s in state0)

    def loss():
        ys, final = layer(xs, state0 if len(state0) > 1 else state0[0], lengths=lengths)
        return np.sum(ys * w_out) + sum(np.sum(f * w) for f, w in zip(as_tuple(final), w_final, strict=True))

    loss()
    layer.zero_grad()
    dxs, dstate0 = layer.backward(w_out, w_final if len(w_final) > 1 else w_final[0])
    assert dxs.shape == xs.shape
    assert_close(dxs, numerical_gradient(loss, xs), "input")
    for part, dpart in zip(state0, as_tuple(dstate0), strict=True):
        assert_close(dpart, numerical_gradient(loss, part), "initial state")
    for name, param in layer.named_parameters():
        assert_close(param.grad, numerical_gradient(loss, param.data), name)


@pytest.mark.parametrize("kind", ["rnn_tanh", "lstm", "gru"])
def test_recurrent_dropout_between_layers_gradients(kind):
    """Dropout between stacked layers (standard and locked), with masks fixed by reseeding."""
    for locked in (False, True):
        layer = make_recurrent(kind, 3, dropout=0.4, locked=locked)
        xs = rng.standard_normal((2, 4, 3))
        w_out = rng.standard_normal((2, 4, 4))

        def loss(layer=layer, xs=xs, w_out=w_out):  # this iteration's layer, bound now
            gatedrnn.seed(7)  # the same masks at every evaluation
            ys, _ = layer(xs)
            return np.sum(ys * w_out)

        loss()
        layer.zero_grad()
        dxs, _ = layer.backward(w_out)
        assert_close(dxs, numerical_gradient(loss, xs), "input")
        for name, param in layer.named_parameters():
            assert_close(param.grad, numerical_gradient(loss, param.data), name)


def test_only_final_state_feeds_the_loss():
    """Many-to-one: backward(None, dstate) treats the output gradient as zero."""
    layer = make_recurrent("lstm", 2)
    xs = rng.standard_normal((3, 6, 3))
    w_h = rng.standard_normal((2, 3, 4))

    def loss():
        _, (h, _) = layer(xs)
        return np.sum(h * w_h)

    loss()
    dxs, _ = layer.backward(None, (w_h, np.zeros_like(w_h)))
    assert_close(dxs, numerical_gradient(loss, xs), "input")


def test_linear_any_leading_dims():
    layer = Linear(3, 5).to(np.float64)
    x = rng.standard_normal((2, 4, 3))
    w = rng.standard_normal((2, 4, 5))

    def loss():
        return np.sum(layer(x) * w)

    loss()
    dx = layer.backward(w)
    assert_close(dx, numerical_gradient(loss, x), "input")
    assert_close(layer.weight.grad, numerical_gradient(loss, layer.weight.data), "weight")
    assert_close(layer.bias.grad, numerical_gradient(loss, layer.bias.data), "bias")


def test_embedding_gradient_with_repeated_ids():
    layer = Embedding(6, 3).to(np.float64)
    ids = np.array([[0, 2, 2], [5, 0, 2]])
    w = rng.standard_normal((2, 3, 3))

    def loss():
        return np.sum(layer(ids) * w)

    loss()
    layer.backward(w)
    assert_close(layer.weight.grad, numerical_gradient(loss, layer.weight.data), "weight")


@pytest.mark.parametrize("cls", [Dropout, LockedDropout])
def test_dropout_gradients(cls):
    layer = cls(0.3)
    x = rng.standard_normal((3, 5, 4))
    w = rng.standard_normal((3, 5, 4))

    def loss():
        gatedrnn.seed(3)
        return np.sum(layer(x) * w)

    loss()
    assert_close(layer.backward(w), numerical_gradient(loss, x), "input")


@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_softmax_cross_entropy_gradients(reduction):
    layer = SoftmaxCrossEntropy(ignore_index=-1, reduction=reduction)
    logits = rng.standard_normal((2, 4, 7)) * 3
    targets = np.array([[1, 6, -1, 0], [2, -1, 3, 3]])

    def loss():
        return layer(logits, targets)

    loss()
    dlogits = layer.backward(1.0)
    assert_close(dlogits, numerical_gradient(loss, logits), "logits")
    assert np.all(dlogits[targets == -1] == 0)


class TiedLanguageModel:
    """Embedding → locked dropout → 2-layer LSTM (locked between layers) → locked dropout →
    output tied to the embedding → softmax cross-entropy: the stack of the better RNN LM."""

    def __init__(self, vocab=11, dim=6):
        self.embed = Embedding(vocab, dim).to(np.float64)
        self.drop_in = LockedDropout(0.3)
        self.lstm = LSTM(dim, dim, num_layers=2, dropout=0.3, locked_dropout=True, dtype=np.float64)
        self.drop_out = LockedDropout(0.3)
        self.decoder = Linear.tied_to(self.embed)
        self.loss = SoftmaxCrossEntropy()
        self.modules = [self.embed, self.lstm, self.decoder]

    def parameters(self):
        seen, params = set(), []
        for module in self.modules:
            for p in module.parameters():
                if id(p) not in seen:
                    seen.add(id(p))
                    params.append(p)
        return params

    def forward(self, ids, targets, state):
        ys, state = self.lstm(self.drop_in(self.embed(ids)), state)
        return self.loss(self.decoder(self.drop_out(ys)), targets), state

    def backward(self):
        dys = self.drop_out.backward(self.decoder.backward(self.loss.backward()))
        dxs, dstate = self.lstm.backward(dys)
        self.embed.backward(self.drop_in.backward(dxs))
        return dstate


def test_tied_language_model_stack_gradients():
    model = TiedLanguageModel()
    assert model.decoder.weight is model.embed.weight
    assert len(model.parameters()) == 1 + 8 + 1  # tied weight once, 2×4 LSTM, decoder bias
    ids = rng.integers(0, 11, (2, 5))
    targets = rng.integers(0, 11, (2, 5))
    state0 = (rng.standard_normal((2, 2, 6)) * 0.5, rng.standard_normal((2, 2, 6)) * 0.5)

    def loss():
        gatedrnn.seed(11)  # fixed dropout masks
        return model.forward(ids, targets, state0)[0]

    loss()
    for p in model.parameters():
        p.zero_grad()
    dstate0 = model.backward()
    for p in model.parameters():
        assert_close(p.grad, numerical_gradient(loss, p.data), f"parameter {p.shape}")
    assert_close(dstate0[0], numerical_gradient(loss, state0[0]), "h0")
    assert_close(dstate0[1], numerical_gradient(loss, state0[1]), "c0")


def test_two_window_truncated_bptt_with_carried_state():
    """Two windows, the state of the first carried (as values) into the second.

    Truncated BPTT's gradient is the sum of each window's gradient with the carried state
    held constant; check that sum against numerical differentiation of the same quantity.
    """
    model = TiedLanguageModel()
    model.drop_in.p = model.drop_out.p = 0.0
    model.lstm.inter_layer_dropout[0].p = 0.0
    ids = rng.integers(0, 11, (2, 8))
    targets = rng.integers(0, 11, (2, 8))
    _, carried = model.forward(ids[:, :4], targets[:, :4], None)
    carried = tuple(s.copy() for s in carried)  # a constant for window two

    def windows_loss():
        first, _ = model.forward(ids[:, :4], targets[:, :4], None)
        second, _ = model.forward(ids[:, 4:], targets[:, 4:], carried)
        return first + second

    for p in model.parameters():
        p.zero_grad()
    _, state = model.forward(ids[:, :4], targets[:, :4], None)
    model.backward()
    model.forward(ids[:, 4:], targets[:, 4:], state)
    model.backward()
    for p in model.parameters():
        assert_close(p.grad, numerical_gradient(windows_loss, p.data), f"parameter {p.shape}")
