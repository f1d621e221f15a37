"""Bad-input rows for single layers built and called from Python: AdaptiveLogSoftmaxWithLoss.

Each "call" row builds a tiny layer (milliseconds) and makes one mistake a user could make;
it must raise GatedRNNError with a one-line message holding the fragment. Rows with status 0
must simply work (NumPy integers where Python ones are expected).
"""

import numpy as np

from gatedrnn import AdaptiveLogSoftmaxWithLoss
from gatedrnn.layers import Dropout
from helpers.bad_inputs.rows import Row

CUTOFFS_RULE = "cutoffs must be unique positive integers in increasing order, each between 1 and n_classes - 1 = 9"


def adaptive(*args, **kwargs):
    """A function of the Context that builds the layer of :func:`small` with the arguments given changed."""
    arguments = dict(in_features=8, n_classes=10, cutoffs=[4, 7], div_value=2.0)
    arguments.update(kwargs)
    return lambda c: AdaptiveLogSoftmaxWithLoss(*args, **arguments)


def small():
    """A float32 layer of 8 features and 10 classes: shortlist 0-3, clusters 4-6 (4 features) and 7-9 (2)."""
    return AdaptiveLogSoftmaxWithLoss(8, 10, [4, 7], div_value=2.0)


def adaptive_forward(x, targets):
    """A function of the Context: forward(x, targets) through :func:`small`."""
    return lambda c: small()(x, targets)


def adaptive_backward(dloss):
    def action(c):
        layer = small()
        layer(np.zeros((2, 8), np.float32), np.array([1, 8]))
        layer.backward(dloss)

    return action


def _to_float16():
    from gatedrnn import LSTM

    LSTM(3, 4).to(np.float16)  # accepted, though no constructor builds float16


def _attention(*args, **kwargs):
    def action(_):
        from gatedrnn.layers import Attention

        return Attention(*args, **kwargs)

    return action


def _cell(name, *args, **kwargs):
    def action(_):
        import gatedrnn.layers

        return getattr(gatedrnn.layers, name)(*args, **kwargs)

    return action


def _attend(queries, keys, mask=None):
    def action(_):
        from gatedrnn.layers import Attention

        contexts, weights = Attention(4)(queries, keys, mask)
        assert np.isfinite(weights).all()

    return action


def numpy_integers(c):
    layer = AdaptiveLogSoftmaxWithLoss(np.int64(8), np.int32(10), np.array([4, 7]), div_value=np.float32(2))
    assert layer.cutoffs == [4, 7, 10] and type(layer.cutoffs[0]) is int and layer.div_value == 2.0
    layer(np.zeros((3, 8), np.float32), np.array([0, 5, 9], np.uint8))
    layer.backward(np.float64(1.0))


X = np.zeros((3, 8), np.float32)

ROWS = [
    Row("layers-adaptive-cutoffs-unsorted", "call", CUTOFFS_RULE, action=adaptive(cutoffs=[7, 4])),
    Row("layers-adaptive-cutoffs-repeated", "call", CUTOFFS_RULE, action=adaptive(cutoffs=[4, 4, 7])),
    Row("layers-adaptive-cutoffs-zero", "call", CUTOFFS_RULE, action=adaptive(cutoffs=[0, 4])),
    Row("layers-adaptive-cutoffs-n-classes", "call", CUTOFFS_RULE, action=adaptive(cutoffs=[4, 10])),
    Row("layers-adaptive-cutoffs-float", "call", CUTOFFS_RULE, action=adaptive(cutoffs=[4.0, 7])),
    Row("layers-adaptive-cutoffs-bool", "call", CUTOFFS_RULE, action=adaptive(cutoffs=[True, 7])),
    Row(
        "layers-adaptive-cutoffs-empty",
        "call",
        "cutoffs must be a non-empty list of class ids",
        action=adaptive(cutoffs=[]),
    ),
    Row(
        "layers-adaptive-cutoffs-int",
        "call",
        "cutoffs must be a non-empty list of class ids",
        action=adaptive(cutoffs=4),
    ),
    Row(
        "layers-adaptive-one-class",
        "call",
        "each between 1 and n_classes - 1 = 0",
        action=adaptive(n_classes=1, cutoffs=[1]),
    ),
    Row(
        "layers-adaptive-in-features-zero",
        "call",
        "in_features must be a whole number ≥ 1",
        action=adaptive(in_features=0),
    ),
    Row(
        "layers-adaptive-div-value-zero", "call", "div_value must be a finite number > 0", action=adaptive(div_value=0)
    ),
    Row(
        "layers-adaptive-div-value-string",
        "call",
        "div_value must be a finite number > 0",
        action=adaptive(div_value="4"),
    ),
    Row(
        "layers-adaptive-empty-cluster",
        "call",
        "cluster 2 of 2 would project to in_features // div_value^2 = 0 features",
        action=adaptive(div_value=3.0),
    ),
    Row(
        "layers-adaptive-huge-div-value",
        "call",
        "would project to in_features // div_value^1 = 0 features",
        action=adaptive(div_value=1e300),
    ),
    # A tiny div_value: its power rounds to 0.0 (once a ZeroDivisionError) or the width to infinity.
    *(
        Row(
            f"layers-adaptive-tiny-div-value-{tiny:g}",
            "call",
            "would project to more features than a float holds",
            action=adaptive(div_value=tiny),
        )
        for tiny in (1e-200, 1e-310)
    ),
    Row("layers-adaptive-head-bias-int", "call", "head_bias must be True or False", action=adaptive(head_bias=1)),
    Row("layers-adaptive-float16", "call", "dtype must be float32 or float64", action=adaptive(dtype=np.float16)),
    Row("layers-adaptive-numpy-integers", "call", status=0, action=numpy_integers),
    Row(
        "layers-adaptive-target-out-of-range",
        "call",
        "target 10 is outside [0, 10)",
        action=adaptive_forward(X, np.array([0, 10, 3])),
    ),
    Row(
        "layers-adaptive-target-negative",
        "call",
        "target -1 is outside [0, 10)",
        action=adaptive_forward(X, np.array([0, -1, 3])),
    ),
    Row(
        "layers-adaptive-target-float",
        "call",
        "target must hold integer class ids",
        action=adaptive_forward(X, np.array([0.0, 1.0, 3.0])),
    ),
    Row(
        "layers-adaptive-target-2d",
        "call",
        "target must have shape (N,) or ()",
        action=adaptive_forward(X, np.zeros((3, 1), np.int64)),
    ),
    Row(
        "layers-adaptive-rows-differ",
        "call",
        "input has 3 rows but target has 2",
        action=adaptive_forward(X, np.array([0, 1])),
    ),
    Row(
        "layers-adaptive-unbatched-input-batched-target",
        "call",
        "input must have 2 dimensions",
        action=adaptive_forward(X[0], np.array([1])),
    ),
    Row(
        "layers-adaptive-input-dtype",
        "call",
        "has dtype float64 but the layer's weights are float32",
        action=adaptive_forward(X.astype(np.float64), np.array([0, 1, 2])),
    ),
    Row(
        "layers-adaptive-input-width",
        "call",
        "must end in size 8",
        action=adaptive_forward(np.zeros((3, 5), np.float32), np.array([0, 1, 2])),
    ),
    Row(
        "layers-adaptive-log-prob-unbatched",
        "call",
        "log_prob input must have 2 dimensions",
        action=lambda c: small().log_prob(X[0]),
    ),
    Row(
        "layers-adaptive-predict-list",
        "call",
        "predict input must be a NumPy array",
        action=lambda c: small().predict([[0.0] * 8]),
    ),
    Row(
        "layers-adaptive-backward-nan",
        "call",
        "backward needs dloss as a finite number",
        action=adaptive_backward(float("nan")),
    ),
    # made right, then changed or fed wrong: refused as the constructor refuses
    Row("layers-to-float16", "call", "to() needs float32 or float64, got float16", action=lambda c: _to_float16()),
    Row(
        "layers-dropout-p-set-to-1.5",
        "call",
        "Dropout: p must be a number in [0, 1), got 1.5",
        action=lambda c: setattr(Dropout(0.5), "p", 1.5),
    ),
    # Attention checked its score only (the rest were raw errors, NaN weights or a silent fallback)
    Row("layers-attention-size-0", "call", "Attention: hidden_size must be a whole number ≥ 1", action=_attention(0)),
    Row(
        "layers-attention-width-0",
        "call",
        "Attention: attention_size must be a whole number ≥ 1, got 0",
        action=_attention(4, "additive", attention_size=0),
    ),
    Row(
        "layers-attention-size-unused",
        "call",
        "the 'dot' score has none; leave it out",
        action=_attention(4, "dot", attention_size=3),
    ),
    Row("layers-attention-rng", "call", "Attention: rng must be a numpy.random.Generator", action=_attention(4, rng=1)),
    Row(
        "layers-attention-wider-inputs",
        "call",
        "Attention queries must end in size 4, got shape (1, 2, 5)",
        action=_attend(np.ones((1, 2, 5), np.float32), np.ones((1, 3, 5), np.float32)),
    ),
    Row(
        "layers-attention-2d-inputs",
        "call",
        "Attention queries must have 3 dimensions",
        action=_attend(np.ones((2, 4), np.float32), np.ones((3, 4), np.float32)),
    ),
    Row(
        "layers-attention-empty-source",
        "call",
        "Attention mask row 0 has no real key",
        action=_attend(np.ones((1, 2, 4), np.float32), np.ones((1, 3, 4), np.float32), np.zeros((1, 3))),
    ),
    Row(
        "layers-attention-masked-source-attends",
        "call",
        status=0,
        action=_attend(np.ones((1, 2, 4), np.float32), np.ones((1, 3, 4), np.float32), np.array([[1, 0, 0]])),
    ),
    # a cell's refusals name the cell and its own positional order (they named the layer, LSTM, and its seven)
    Row(
        "layers-lstm-cell-size-0",
        "call",
        "LSTMCell: hidden_size must be a whole number ≥ 1",
        action=_cell("LSTMCell", 4, 0),
    ),
    Row(
        "layers-gru-cell-bias-text",
        "call",
        "GRUCell: bias must be True or False, got 'x'; the positional order is (input_size, hidden_size, bias)",
        action=_cell("GRUCell", 4, 4, bias="x"),
    ),
    Row(
        "layers-rnn-cell-nonlinearity",
        "call",
        "RNNCell: nonlinearity must be 'tanh' or 'relu'",
        action=_cell("RNNCell", 4, 4, nonlinearity="sigmoid"),
    ),
]
