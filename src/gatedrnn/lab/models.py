"""The four recurrent cells the lab compares, and a many-to-one model around any of them.

    rnn-tanh   h_t = tanh(x_t W_ihᵀ + h_{t-1} W_hhᵀ + b), PyTorch's default initialisation
    irnn       the same with ReLU, W_hh = I and zero biases (Le, Jaitly & Hinton 2015): at
               the start every active unit copies itself forward, so the gradient through
               W_hh neither shrinks nor grows where the units are active
    lstm       PyTorch's LSTM
    gru        PyTorch's GRU

Gate initialisation (``gate_init``) for the LSTM and GRU:

* ``"chrono"`` (Tallec & Ollivier 2018): gate biases set so that the units start out
  remembering over a spread of time scales up to ``max_span`` steps. An LSTM unit whose
  forget gate is σ(b_f) forgets with time constant about 1 / (1 - σ(b_f)); drawing
  b_f = log u, u ~ U(1, max_span - 1), spreads those constants over [2, max_span], and the
  input gate gets b_i = -b_f so a unit that keeps a lot also writes little. In the GRU the
  update gate z (h_t = (1 - z) ⊙ n + z ⊙ h_{t-1}) plays the forget gate's part, so b_z = log u.
  This is the point of the gates: the additive path c_{t-1} → c_t multiplies the gradient by
  f_t only, and a bias can set f_t near 1, whereas no bias can do that for tanh′ · W_hh.
* ``"pytorch"``: U(-1/√H, 1/√H) everywhere, so every gate starts near σ(0) = 0.5 and the
  cell forgets half of itself each step.
"""

import numpy as np

from .. import rng as _rng
from ..core import Module, check_parameters_fit
from ..errors import GatedRNNError
from ..layers import GRU, LSTM, RNN, Linear
from .checks import check_choices

CELL_KINDS = ("rnn-tanh", "irnn", "lstm", "gru")
GATE_INITS = ("chrono", "pytorch")


def check_cell_kinds(kinds):
    """``kinds`` as a list, each one of :data:`CELL_KINDS`."""
    return check_choices(kinds, CELL_KINDS, "model")


def check_gate_init(gate_init):
    """GatedRNNError unless ``gate_init`` is one of :data:`GATE_INITS`."""
    if gate_init not in GATE_INITS:
        raise GatedRNNError(f"unknown gate initialisation {gate_init!r}; choose one of {', '.join(GATE_INITS)}")


def build_recurrent(kind, input_size, hidden_size, gate_init="chrono", max_span=100, generator=None):
    """A one-layer recurrent layer of ``kind`` (one of :data:`CELL_KINDS`), initialised as described above."""
    check_cell_kinds([kind])
    check_gate_init(gate_init)
    generator = generator or _rng.generator()
    if kind in ("rnn-tanh", "irnn"):
        layer = RNN(input_size, hidden_size, nonlinearity="tanh" if kind == "rnn-tanh" else "relu", rng=generator)
        if kind == "irnn":
            identity_recurrence_(layer)
        return layer
    layer = layer_class(kind)(input_size, hidden_size, rng=generator)
    if gate_init == "chrono":
        chrono_gate_biases_(layer, max_span, generator)
    return layer


def layer_class(kind):
    """The recurrent layer class of ``kind``: RNN for both plain cells, else LSTM or GRU."""
    if kind == "lstm":
        return LSTM
    return GRU if kind == "gru" else RNN


def identity_recurrence_(rnn):
    """W_hh ← I and both biases ← 0 (Le et al. 2015's IRNN start)."""
    hidden = rnn.hidden_size
    rnn.weight_hh_l0.data[...] = np.eye(hidden, dtype=rnn.dtype)
    rnn.bias_ih_l0.data[...] = 0
    rnn.bias_hh_l0.data[...] = 0


def chrono_gate_biases_(layer, max_span, generator):
    """Chrono initialisation of an LSTM's (i, f) or a GRU's z biases, in place; see the module docstring.

    The whole bias goes into ``bias_ih``; ``bias_hh`` of those rows is zeroed, since only
    the sum b_ih + b_hh enters σ.
    """
    if not isinstance(max_span, (int, np.integer)) or max_span < 3:
        raise GatedRNNError(f"chrono initialisation needs a span of at least 3 steps, got {max_span!r}")
    hidden = layer.hidden_size
    keep_bias = np.log(generator.uniform(1.0, max_span - 1.0, hidden))
    forget_rows = slice(hidden, 2 * hidden)  # f in the LSTM's [i | f | g | o], z in the GRU's [r | z | n]
    layer.bias_ih_l0.data[forget_rows] = keep_bias
    layer.bias_hh_l0.data[forget_rows] = 0
    if isinstance(layer, LSTM):
        input_rows = slice(0, hidden)
        layer.bias_ih_l0.data[input_rows] = -keep_bias
        layer.bias_hh_l0.data[input_rows] = 0


class LastStepModel(Module):
    """Many-to-one: xs (N, T, D) → recurrent layer → h_T (N, H) → linear → outputs (N, K).

    Only the final hidden state is read, so in backward the whole gradient enters at the
    last step (``dys = None``, ``dstate = ∂L/∂h_T``) and has to travel back through time
    to reach anything earlier.
    """

    def __init__(self, kind, input_size, hidden_size, output_size, gate_init="chrono", max_span=100, generator=None):
        check_cell_kinds([kind])
        rows = layer_class(kind).gate_count * hidden_size
        check_parameters_fit(
            f"a {kind} model of hidden_size {hidden_size}",
            [(rows, input_size), (rows, hidden_size), (rows,), (rows,), (output_size, hidden_size), (output_size,)],
        )
        generator = generator or _rng.generator()
        self.kind = kind
        self.rnn = build_recurrent(kind, input_size, hidden_size, gate_init, max_span, generator)
        self.head = Linear(hidden_size, output_size, rng=generator)

    def forward(self, xs, state=None):
        _, final = self.rnn(xs, state)
        return self.head(last_hidden(final))

    def backward(self, doutputs):
        """dL/doutputs (N, K) → parameter gradients; returns dL/d(initial state)."""
        dh = self.head.backward(doutputs)[None]  # (1, N, H): the top (only) layer
        _, dstate0 = self.rnn.backward(None, state_like(self.rnn, dh))
        return dstate0


def last_hidden(state):
    """h of the last layer, (N, H), from a layer's final state (an array, or (h, c) for the LSTM)."""
    h = state[0] if isinstance(state, tuple) else state
    return h[-1]


def state_like(rnn, dh):
    """A state-shaped gradient holding ``dh`` (L, N, H) for h and zeros for the LSTM's c."""
    return (dh, np.zeros_like(dh)) if len(rnn.state_names) > 1 else dh
