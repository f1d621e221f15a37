"""Recurrent: what RNN, LSTM and GRU share — stacking, states, dropout between layers.

A subclass supplies the maths of one layer unrolled over time, as two methods:

    _layer_forward(xs, state0, weights, mask)  -> hs, final_state, cache
    _layer_backward(dhs, dfinal, cache, mask)  -> (dxs, (dw_ih, dw_hh, db_ih, db_hh)), dstate0

working time-major — xs (T, N, D), hs (T, N, H), each state a tuple of (N, H) arrays — so that
every step reads and writes contiguous memory. ``mask`` is None, or (T, N, 1) with 1 at real
steps and 0 at padding: there the state is carried unchanged, the output is 0, and the
gradient passes straight through to the sequence's last real step. This class turns the user's batch-first arrays
into that form, runs the layers bottom to top (and back down in backward), applies dropout to
what passes *between* layers (never to the recurrent h_{t-1} → h_t path), and packs states as
PyTorch does: (num_layers, N, H) arrays, a tuple (h, c) for the LSTM.

Parameters are named and laid out as in PyTorch (``weight_ih_l0`` of shape (G·H, D),
``weight_hh_l0`` (G·H, H), ``bias_ih_l0`` and ``bias_hh_l0`` (G·H,), G gates per unit), so
``state_dict()`` keys and values move to ``torch.nn.LSTM`` and back unchanged.
"""
import numpy as np

from ..core import Module, Parameter
from ..errors import GatedRNNError
from .. import rng as _rng
from ._checks import check_float_array, check_backward_ready
from .dropout import Dropout, LockedDropout


class Recurrent(Module):
    """Base of the stacked, time-unrolled recurrent layers (see the module docstring).

    Args:
        input_size: D, features per input step.
        hidden_size: H, units per layer and direction.
        num_layers: layers stacked; layer k > 0 reads layer k-1's outputs.
        dropout: probability of dropping each input of layers 1 … L-1 in training.
        locked_dropout: share one dropout mask over all time steps of a sequence
            (variational dropout) instead of drawing one per step as PyTorch does.
        bidirectional: run each layer over the sequence forwards and backwards and
            concatenate the two outputs (so ys is (N, T, 2H)); parameters of the backward
            direction carry PyTorch's ``_reverse`` suffix.
        dtype: float32 (default) or float64.
        rng: a ``numpy.random.Generator`` for the initial weights (default: the library's).

    Weights start from U(-1/√H, 1/√H), PyTorch's default for recurrent layers.

    Variable-length batches: pass ``lengths`` (N,) to forward, each in [1, T], with sequence n
    occupying steps 0 … lengths[n]-1 (padding after). A sequence's state stops changing after
    its last real step, so its final state is the state there (in the backward direction: the
    state after reading its first step); its padded outputs are zero and receive no gradient.
    This is what PyTorch computes for a ``pack_padded_sequence`` input.
    """

    gate_count = 1       # G: rows of the weight matrices per hidden unit
    state_names = ("h",)  # the arrays that make up a state; the LSTM adds "c"

    def __init__(self, input_size, hidden_size, num_layers=1, dropout=0.0, locked_dropout=False,
                 bidirectional=False, dtype=np.float32, rng=None):
        for name, value in (("input_size", input_size), ("hidden_size", hidden_size), ("num_layers", num_layers)):
            if not isinstance(value, (int, np.integer)) or value < 1:
                raise GatedRNNError(f"{name} must be a positive integer, got {value!r}")
        rng = rng or _rng.generator()
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.dropout = dropout
        self.locked_dropout = locked_dropout
        self.bidirectional = bool(bidirectional)
        self.num_directions = 2 if bidirectional else 1
        bound = 1.0 / np.sqrt(hidden_size)
        rows = self.gate_count * hidden_size
        for k in range(num_layers):
            cols = input_size if k == 0 else hidden_size * self.num_directions
            for suffix in self._direction_suffixes():
                for name, shape in (("weight_ih", (rows, cols)), ("weight_hh", (rows, hidden_size)),
                                    ("bias_ih", (rows,)), ("bias_hh", (rows,))):
                    setattr(self, f"{name}_l{k}{suffix}", Parameter(rng.uniform(-bound, bound, shape).astype(dtype)))
        dropout_class = LockedDropout if locked_dropout else Dropout
        self.inter_layer_dropout = [dropout_class(dropout) for _ in range(num_layers - 1)]
        self._caches = None

    @property
    def output_size(self):
        """Features of each output step: H, or 2H when bidirectional."""
        return self.hidden_size * self.num_directions

    def _direction_suffixes(self):
        return ("", "_reverse")[: self.num_directions]

    def layer_weights(self, k, direction=0):
        """The four Parameters of layer k in a direction (0 forward, 1 backward):
        (weight_ih, weight_hh, bias_ih, bias_hh)."""
        suffix = self._direction_suffixes()[direction]
        return tuple(getattr(self, f"{name}_l{k}{suffix}") for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"))

    # -- forward ---------------------------------------------------------------------------
    def forward(self, xs, state=None, lengths=None):
        """xs (N, T, input_size) → ys (N, T, output_size), final state (L·dirs, N, H) [(h, c) for LSTM].

        ``state`` is the initial state in the same form, or None for zeros. ``lengths`` (N,)
        gives each sequence's real length for a padded batch (None: all are T steps long).
        """
        check_float_array("recurrent input", xs, 3, self.input_size, self.dtype)
        if xs.shape[1] == 0:
            raise GatedRNNError(f"recurrent input has no time steps (shape {xs.shape}); give at least one step")
        batch, steps = xs.shape[:2]
        lengths = check_lengths(lengths, batch, steps)
        mask = None if lengths is None else time_mask(lengths, steps, self.dtype)
        initial = self._unpack_state(state, batch)
        layer_input = np.ascontiguousarray(xs.transpose(1, 0, 2))
        caches, finals = [], []
        for k in range(self.num_layers):
            if k > 0:
                layer_input = self._dropout_between(k, layer_input)
            outputs = []
            for d in range(self.num_directions):
                seq = layer_input if d == 0 else reverse_padded(layer_input, lengths)
                weights = [p.data for p in self.layer_weights(k, d)]
                hs, final, cache = self._layer_forward(seq, initial[k * self.num_directions + d], weights, mask)
                outputs.append(hs if d == 0 else reverse_padded(hs, lengths))
                caches.append(cache)
                finals.append(final)
            layer_input = outputs[0] if len(outputs) == 1 else np.concatenate(outputs, axis=-1)
        self._caches = caches
        self._shape_lengths_mask = (steps, batch, lengths, mask)
        ys = np.ascontiguousarray(layer_input.transpose(1, 0, 2))
        return ys, self._pack_state(finals)

    def _dropout_between(self, k, hs_time_major):
        # Dropout modules expect batch-first (N, T, H): LockedDropout shares its mask over T.
        dropped = self.inter_layer_dropout[k - 1](hs_time_major.transpose(1, 0, 2))
        return np.ascontiguousarray(dropped.transpose(1, 0, 2))

    # -- backward --------------------------------------------------------------------------
    def backward(self, dys, dstate=None):
        """dL/dys (N, T, output_size) and dL/d(final state) → dL/dxs (N, T, D), dL/d(initial state).

        Either argument may be None for zeros (``dys=None`` when only the final state feeds
        the loss, as in many-to-one classification). Parameter gradients are added to
        ``.grad``. Gradients at padded positions of ``dys`` are ignored.
        """
        check_backward_ready(self, self._caches)
        steps, batch, lengths, mask = self._shape_lengths_mask
        if dys is None:
            dlayer = np.zeros((steps, batch, self.output_size), self.dtype)
        else:
            check_float_array("output gradient", dys, 3, self.output_size, self.dtype)
            if dys.shape[:2] != (batch, steps):
                raise GatedRNNError(f"output gradient has shape {dys.shape}, expected {(batch, steps, self.output_size)}")
            dlayer = np.ascontiguousarray(dys.transpose(1, 0, 2))
        dfinal = self._unpack_state(dstate, batch, what="state gradient")
        dinitial = [None] * len(dfinal)
        H = self.hidden_size
        for k in reversed(range(self.num_layers)):
            dxs_sum = None
            for d in range(self.num_directions):
                index = k * self.num_directions + d
                dhs = dlayer[..., d * H:(d + 1) * H]
                dhs = np.ascontiguousarray(dhs) if d == 0 else reverse_padded(dhs, lengths)
                (dxs, grads), dinitial[index] = self._layer_backward(dhs, dfinal[index], self._caches[index], mask)
                for param, grad in zip(self.layer_weights(k, d), grads):
                    param.add_to_grad(grad)
                dxs = dxs if d == 0 else reverse_padded(dxs, lengths)
                dxs_sum = dxs if dxs_sum is None else dxs_sum + dxs
            if k > 0:
                dxs_sum = self.inter_layer_dropout[k - 1].backward(dxs_sum.transpose(1, 0, 2)).transpose(1, 0, 2)
            dlayer = dxs_sum
        dxs = np.ascontiguousarray(dlayer.transpose(1, 0, 2))
        return dxs, self._pack_state(dinitial)

    # -- states ----------------------------------------------------------------------------
    def _unpack_state(self, state, batch, what="initial state"):
        """User state → a list over (layer, direction) of tuples of (N, H) arrays (zeros for None)."""
        count = self.num_layers * self.num_directions
        shape = (count, batch, self.hidden_size)
        if state is None:
            zeros = np.zeros(shape, self.dtype)
            return [tuple(zeros[k] for _ in self.state_names) for k in range(count)]
        parts = state if len(self.state_names) > 1 else (state,)
        if len(self.state_names) > 1 and not (isinstance(state, tuple) and len(state) == len(self.state_names)):
            raise GatedRNNError(f"{type(self).__name__} {what} must be a tuple (h, c) of arrays shaped {shape}")
        for name, part in zip(self.state_names, parts):
            check_float_array(f"{what} {name}", part, 3, self.hidden_size, self.dtype)
            if part.shape != shape:
                raise GatedRNNError(f"{what} {name} has shape {part.shape}, expected "
                                    f"(num_layers·directions, N, H) = {shape}")
        return [tuple(part[k] for part in parts) for k in range(count)]

    def _pack_state(self, per_layer):
        """A list over (layer, direction) of tuples of (N, H) arrays → (L·dirs, N, H) arrays, a tuple for LSTM."""
        stacked = tuple(np.stack([layer[i] for layer in per_layer]) for i in range(len(self.state_names)))
        return stacked if len(stacked) > 1 else stacked[0]

    def extra_repr(self):
        extra = f", dropout={self.dropout}" + (", locked" if self.locked_dropout else "") if self.dropout else ""
        extra += ", bidirectional" if self.bidirectional else ""
        return f"{self.input_size}, {self.hidden_size}, num_layers={self.num_layers}{extra}"


def check_lengths(lengths, batch, steps):
    """None, or an int64 array (N,) of lengths in [1, T], checked."""
    if lengths is None:
        return None
    lengths = np.asarray(lengths)
    if lengths.dtype.kind not in "iu" or lengths.shape != (batch,):
        raise GatedRNNError(f"lengths must be {batch} integers (one per sequence), got shape {lengths.shape} "
                            f"of {lengths.dtype}")
    if lengths.min() < 1 or lengths.max() > steps:
        raise GatedRNNError(f"lengths must lie in [1, {steps}] (the padded length), got {lengths.min()} … {lengths.max()}")
    return lengths.astype(np.int64)


def time_mask(lengths, steps, dtype):
    """(T, N, 1) array: 1 where step t is a real step of sequence n (t < lengths[n]), else 0."""
    return (np.arange(steps)[:, None] < lengths[None, :]).astype(dtype)[:, :, None]


def reverse_padded(x, lengths):
    """Reverse each sequence's real steps in time-major x (T, N, F), leaving padding in place.

    Sequence n's step t ↦ step lengths[n]-1-t for t < lengths[n]. It is its own inverse, so
    the backward direction reads each sequence from its last real step, as PyTorch does.
    """
    if lengths is None:
        return np.ascontiguousarray(x[::-1])
    steps, batch = x.shape[:2]
    t = np.arange(steps)[:, None]
    source = np.where(t < lengths[None, :], lengths[None, :] - 1 - t, t)
    return x[source, np.arange(batch)[None, :]]


def input_projection(xs, w_ih):
    """x_t W_ihᵀ for every step at once: xs (T, N, D), w_ih (G·H, D) → (T, N, G·H).

    Computed as one 2-D product over the T·N rows: NumPy runs a 3-D @ 2-D matmul as T
    separate small products, measured 2.4× slower for a 650-unit LSTM.
    """
    steps, batch, width = xs.shape
    return (xs.reshape(steps * batch, width) @ w_ih.T).reshape(steps, batch, -1)


# Hidden sizes from which HiddenProjection multiplies W_hh by hᵀ rather than h by a copy of
# W_hhᵀ, and windows from which that copy pays for itself; both measured with N = 20 and 64.
LARGE_HIDDEN = 512
MIN_STEPS_FOR_WEIGHT_COPY = 4


class HiddenProjection:
    """h_{t-1} W_hhᵀ, the one product of a step that has to wait for the previous step.

    ``project(h)`` takes h (N, H) and returns (N, G·H), by whichever route OpenBLAS runs
    fastest for the size (measured, 35-step windows):

    - large H: (W_hh hᵀ)ᵀ, multiplying the stored W_hh (G·H, H) by the thin hᵀ into a
      buffer (G·H, N) reused at every step; the result is a transposed view of it, valid
      until the next call. For H = 650 this takes 0.58 ms a step against 0.62 ms for h times
      a contiguous copy of W_hhᵀ, and the copy itself (3 ms per window) is not needed.
    - smaller H: h times a contiguous copy of W_hhᵀ made once per window, which is cheap
      there, while adding the transposed view to the gates costs more than it saves;
      for fewer than 4 steps (generation) h times the transposed view, with no copy at all.
    """

    def __init__(self, w_hh, batch, steps):
        self.w_hh = w_hh
        self.buffer = None
        if w_hh.shape[1] >= LARGE_HIDDEN:
            self.buffer = np.empty((w_hh.shape[0], batch), w_hh.dtype)
        elif steps >= MIN_STEPS_FOR_WEIGHT_COPY:
            self.w_hh_t = np.ascontiguousarray(w_hh.T)
        else:
            self.w_hh_t = w_hh.T

    def project(self, h):
        if self.buffer is None:
            return h @ self.w_hh_t
        np.matmul(self.w_hh, h.T, out=self.buffer)
        return self.buffer.T


def dxs_and_weight_grads(xs, h0, hs, dgates_ih, dgates_hh, w_ih):
    """The gradients that can wait until the backward time loop is done, as a few large products.

    With the pre-activation gradient da_t split into the part that reaches the input side
    and the part that reaches the hidden side (the same array except in the GRU):
    dx_t = da_ih,t W_ih,  dW_ih = Σ_t da_ih,tᵀ x_t,  dW_hh = Σ_t da_hh,tᵀ h_{t-1},
    db_ih = Σ_t da_ih,t,  db_hh = Σ_t da_hh,t — each over all steps and the batch at once.

    Shapes: xs (T, N, D), h0 (N, H), hs (T, N, H), dgates_* (T, N, G·H), w_ih (G·H, D).
    Returns dxs (T, N, D) and (dW_ih, dW_hh, db_ih, db_hh).
    """
    rows = dgates_ih.shape[-1]
    h_prev = np.concatenate([h0[None], hs[:-1]])
    flat_ih = dgates_ih.reshape(-1, rows)
    flat_hh = dgates_hh.reshape(-1, rows)
    dxs = (flat_ih @ w_ih).reshape(dgates_ih.shape[:-1] + (w_ih.shape[1],))  # one 2-D product, as above
    dw_ih = flat_ih.T @ xs.reshape(-1, xs.shape[-1])
    dw_hh = flat_hh.T @ h_prev.reshape(-1, h_prev.shape[-1])
    db_ih = flat_ih.sum(axis=0)
    db_hh = db_ih.copy() if dgates_hh is dgates_ih else flat_hh.sum(axis=0)
    return dxs, (dw_ih, dw_hh, db_ih, db_hh)
