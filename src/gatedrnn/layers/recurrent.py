"""Recurrent: what RNN, LSTM and GRU share — configuration, stacking, states, dropout between layers.

A subclass supplies the maths of one layer unrolled over time, as two methods:

    _layer_forward(xs, state0, weights, mask, hidden_mask)  -> hs, final_state, cache
    _layer_backward(dhs, dfinal, cache, mask)               -> (dxs, (dw_ih, dw_hh, db_ih, db_hh)), dstate0

working time-major — xs (T, N, D), hs (T, N, H), each state a tuple of (N, H) arrays — so that
every step reads and writes contiguous memory. ``weights`` is (w_ih, w_hh, b_ih, b_hh), the
biases None for a layer built with bias=False (and then db_ih, db_hh are None too); the
gradients returned are fresh arrays, which this class hands over to the parameters without
a copy. ``mask`` is None, or (T, N, 1) with 1 at real steps and 0 at padding: there the
state is carried unchanged, the output is 0, and the gradient passes straight through to the
sequence's last real step. ``hidden_mask`` is None, or (N, H): recurrent dropout's mask,
by which h_{t-1} is multiplied wherever it enters a product with W_hh (the cell keeps it in
its cache for backward).

This class turns the user's arrays — batch-first (N, T, D) by default, time-major (T, N, D)
with batch_first=False — into that form, runs the layers bottom to top (and back down in
backward), applies dropout to what passes *between* layers, and packs states as PyTorch does:
(num_layers·directions, N, H) arrays in either layout, a tuple (h, c) for the LSTM.

Parameters are named and laid out as in PyTorch (``weight_ih_l0`` of shape (G·H, D),
``weight_hh_l0`` (G·H, H), ``bias_ih_l0`` and ``bias_hh_l0`` (G·H,), G gates per unit), so
``state_dict()`` keys and values move to ``torch.nn.LSTM`` and back unchanged.

Three regularisers reach the recurrent path, each off by default and active in training only:

- ``dropout`` (PyTorch's): between layers, a fresh mask per element, or one per sequence
  shared over time with ``locked_dropout``. It never touches h_{t-1} → h_t.
- ``recurrent_dropout`` (Gal & Ghahramani 2016): h_{t-1} ⊙ m before every product with
  W_hh, one mask m (N, H) per sequence and forward call, the same at every step, so the
  state is not hit by fresh noise at each step (which would wash it out over time). The
  carried state itself is not masked.
- ``weight_drop`` (DropConnect on W_hh, Merity et al. 2018): the layer runs with
  W_hh ⊙ M / (1 - p), M drawn once per forward call (per window); the gradient that reaches
  W_hh is the masked weight's gradient times M / (1 - p).

``residual=True`` adds a skip connection around every layer but the first (He et al. 2016;
Wu et al. 2016 for stacked LSTMs): with x_k the input of layer k ≥ 1 (layer k-1's output,
after the dropout between them), its output is y_k = f_k(x_k) + x_k, which has the same size
(H, or 2H bidirectional). Backward, the gradient reaching y_k goes to x_k twice: through the
layer and straight along the skip, so a deep stack's bottom layers get the top's gradient
undiminished by the layers between (the layers' own gradient is added to it, not multiplied).
Layer 0 has no skip: its input size D generally differs from H.
"""

import os
import sys
import types
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from .. import rng as _rng
from ..core import Module, Parameter, check_parameters_fit
from ..errors import GatedRNNError
from ..typing import DTypeLike, FloatArray, FloatLike, IntArray, IntLike, RecurrentState
from ._checks import (
    backward_done,
    check_backward_ready,
    check_flag,
    check_float_array,
    check_float_dtype,
    check_generator,
    check_probability,
    check_whole_number,
    forward_done,
)
from .dropout import Dropout, LockedDropout, scaled_keep_mask

WEIGHT_NAMES = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")


def _callers_level() -> int:
    """The ``stacklevel`` of the first frame outside gatedrnn: a warning points at the line that
    built the layer, through however many of gatedrnn's constructors called this one."""
    package = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    frame: types.FrameType | None = sys._getframe(1)
    level = 1
    while frame is not None and os.path.abspath(frame.f_code.co_filename).startswith(package + os.sep):
        frame, level = frame.f_back, level + 1
    return level


class Recurrent(Module):
    """Base of the stacked, time-unrolled recurrent layers (see the module docstring).

    Signature (PyTorch's, except that batch_first defaults to True)::

        (input_size, hidden_size, num_layers=1, bias=True, batch_first=True, dropout=0.0,
         bidirectional=False, *, locked_dropout=False, recurrent_dropout=0.0, weight_drop=0.0,
         residual=False, dtype=np.float32, rng=None)

    Args:
        input_size: D, features per input step.
        hidden_size: H, units per layer and direction.
        num_layers: layers stacked; layer k > 0 reads layer k-1's outputs.
        bias: give every layer the biases b_ih and b_hh; False leaves them out altogether
            (no ``bias_*`` parameters, as in PyTorch).
        batch_first: inputs and outputs are (N, T, features); False: (T, N, features).
            States are (num_layers·directions, N, H) either way.
        dropout: probability of dropping each input of layers 1 … L-1 in training.
        bidirectional: run each layer over the sequence forwards and backwards and
            concatenate the two outputs (2H features); parameters of the backward
            direction carry PyTorch's ``_reverse`` suffix.
        locked_dropout: share one dropout mask over all time steps of a sequence
            (variational dropout) instead of drawing one per step as PyTorch does.
        recurrent_dropout, weight_drop: the regularisers of the recurrent path (module docstring).
        residual: add each layer's input to its output for layers 1 … L-1 (needs num_layers ≥ 2).
        dtype: float32 (default) or float64.
        rng: a ``numpy.random.Generator`` for the initial weights (default: the library's).

    Any other positional argument, and any argument of the wrong kind, is refused with a
    one-line GatedRNNError. Weights start from U(-1/√H, 1/√H), PyTorch's default.

    Variable-length batches: pass ``lengths`` (N,) to forward, each in [1, T], with sequence n
    occupying steps 0 … lengths[n]-1 (padding after). A sequence's state stops changing after
    its last real step, so its final state is the state there (in the backward direction: the
    state after reading its first step); its padded outputs are zero and receive no gradient.
    This is what PyTorch computes for a ``pack_padded_sequence`` input.
    """

    # What a cell declares about itself (gatedrnn.layers.registry reads it; each cell sets its own):
    name: str | None = None  # the name settings use for it: ModelConfig.cell, --cell ("lstm")
    gate_count = 1  # G: rows of the weight matrices per hidden unit
    state_names: tuple[str, ...] = ("h",)  # the arrays that make up a state, one carried array each; LSTM adds "c"
    torch_name: str | None = None  # its torch.nn class ("LSTM"); None when PyTorch has none
    torch_options: tuple[str, ...] = ()  # constructor arguments beyond Recurrent's the torch class takes by name
    summed_biases = False  # b_ih and b_hh enter the equations only as b_ih + b_hh (one of them is redundant)
    positional_parameters: tuple[str, ...] = (
        "input_size",
        "hidden_size",
        "num_layers",
        "bias",
        "batch_first",
        "dropout",
        "bidirectional",
    )
    # The maths of one layer over time, supplied by each subclass (see the module docstring).
    _layer_forward: Callable[..., tuple[FloatArray, tuple[FloatArray, ...], Any]]
    _layer_backward: Callable[..., tuple[tuple[FloatArray, tuple[Any, ...]], tuple[FloatArray, ...]]]

    def __init__(
        self,
        input_size: IntLike,
        hidden_size: IntLike,
        num_layers: IntLike = 1,
        bias: bool = True,
        batch_first: bool = True,
        dropout: FloatLike = 0.0,
        bidirectional: bool = False,
        *extra: object,
        locked_dropout: bool = False,
        recurrent_dropout: FloatLike = 0.0,
        weight_drop: FloatLike = 0.0,
        residual: bool = False,
        dtype: DTypeLike = np.float32,
        rng: np.random.Generator | None = None,
    ) -> None:
        self._check_no_extra_positional(extra)
        owner = type(self).__name__
        for name, value in (("input_size", input_size), ("hidden_size", hidden_size), ("num_layers", num_layers)):
            check_whole_number(owner, name, value)
        for name, flag in (
            ("bias", bias),
            ("batch_first", batch_first),
            ("bidirectional", bidirectional),
            ("locked_dropout", locked_dropout),
            ("residual", residual),
        ):
            check_flag(owner, name, flag, self.positional_parameters)
        check_residual_depth(owner, residual, num_layers)
        for name, probability in (
            ("dropout", dropout),
            ("recurrent_dropout", recurrent_dropout),
            ("weight_drop", weight_drop),
        ):
            check_probability(owner, name, probability)
        if dropout > 0 and num_layers == 1:  # as torch.nn.LSTM warns: a setting that does nothing
            warnings.warn(
                f"{owner} dropout={dropout} does nothing with num_layers=1: it drops what passes between "
                "layers; stack layers, or drop the inputs or outputs with a Dropout module",
                UserWarning,
                stacklevel=_callers_level(),
            )
        dtype = check_float_dtype(owner, dtype)
        check_generator(owner, rng)
        self.input_size, self.hidden_size, self.num_layers = int(input_size), int(hidden_size), int(num_layers)
        self.bias = bool(bias)
        self.batch_first = bool(batch_first)
        self.dropout = dropout
        self.recurrent_dropout, self.weight_drop = recurrent_dropout, weight_drop
        self.locked_dropout = bool(locked_dropout)
        self.residual = bool(residual)
        self.bidirectional = bool(bidirectional)
        self.num_directions = 2 if bidirectional else 1
        self._make_weights(rng or _rng.generator(), dtype)
        dropout_class = LockedDropout if locked_dropout else Dropout
        self.inter_layer_dropout = [dropout_class(dropout) for _ in range(self.num_layers - 1)]
        self._caches: Any = None  # per (layer, direction), what backward needs from the last forward
        self._weight_masks: Any = None

    def _check_no_extra_positional(self, extra: tuple[object, ...]) -> None:
        if extra:
            names = self.positional_parameters
            raise GatedRNNError(
                f"{type(self).__name__} takes at most {len(names)} positional arguments ({', '.join(names)}), "
                f"got {len(names) + len(extra)}; pass locked_dropout, dtype and rng by keyword"
            )

    def _make_weights(self, rng: np.random.Generator, dtype: np.dtype[Any]) -> None:
        """U(-1/√H, 1/√H) for every weight (and bias) of every layer and direction, in PyTorch's order."""
        bound = 1.0 / np.sqrt(self.hidden_size)
        shapes = [self._weight_shapes(k) for k in range(self.num_layers)]
        # Every array it is about to draw, checked at once, before the first is drawn.
        check_parameters_fit(
            f"{type(self).__name__}({self.input_size}, {self.hidden_size}, num_layers={self.num_layers})",
            [
                shapes[k][name]
                for k in range(self.num_layers)
                for _ in self._direction_suffixes()
                for name in self._weight_names()
            ],
            dtype,
        )
        for k in range(self.num_layers):
            for suffix in self._direction_suffixes():
                for name in self._weight_names():
                    weight = rng.uniform(-bound, bound, shapes[k][name]).astype(dtype)
                    setattr(self, f"{name}_l{k}{suffix}", Parameter(weight))

    def _weight_shapes(self, k: int) -> dict[str, tuple[int, ...]]:
        """{name: shape} of layer k's weights and biases (gates stacked in rows)."""
        rows, H = self.gate_count * self.hidden_size, self.hidden_size
        cols = self.input_size if k == 0 else H * self.num_directions
        return {"weight_ih": (rows, cols), "weight_hh": (rows, H), "bias_ih": (rows,), "bias_hh": (rows,)}

    @property
    def output_size(self) -> int:
        """Features of each output step: H, or 2H when bidirectional."""
        return self.hidden_size * self.num_directions

    def _direction_suffixes(self) -> tuple[str, ...]:
        return ("", "_reverse")[: self.num_directions]

    def _weight_names(self) -> tuple[str, ...]:
        return WEIGHT_NAMES if self.bias else WEIGHT_NAMES[:2]

    def layer_weights(self, k: int, direction: int = 0) -> tuple[Parameter | None, ...]:
        """The Parameters of layer k in a direction (0 forward, 1 backward):
        (weight_ih, weight_hh, bias_ih, bias_hh), the two biases None when bias=False."""
        suffix = self._direction_suffixes()[direction]
        return tuple(
            getattr(self, f"{name}_l{k}{suffix}") if name in self._weight_names() else None for name in WEIGHT_NAMES
        )

    # -- layouts ---------------------------------------------------------------------------
    def _user_shape(self, batch: int, steps: int, features: int) -> tuple[int, int, int]:
        return (batch, steps, features) if self.batch_first else (steps, batch, features)

    def _time_major(self, x: FloatArray) -> FloatArray:
        """The user's (N, T, F) or (T, N, F) array → a contiguous (T, N, F) one (not copied if already so)."""
        return np.ascontiguousarray(x.transpose(1, 0, 2) if self.batch_first else x)

    # -- forward ---------------------------------------------------------------------------
    def forward(
        self, xs: FloatArray, state: RecurrentState | None = None, lengths: IntArray | None = None
    ) -> tuple[FloatArray, RecurrentState]:
        """xs (N, T, input_size) → ys (N, T, output_size), final state (L·dirs, N, H) [(h, c) for LSTM].

        Arrays are in the layer's dtype (float32 unless built with float64); ``lengths`` any integer dtype.

        With batch_first=False, xs is (T, N, input_size) and ys (T, N, output_size); states
        keep their shape. ``state`` is the initial state in the same form as the final one,
        or None for zeros. ``lengths`` (N,) gives each sequence's real length for a padded
        batch (None: all are T steps long).
        """
        check_float_array("recurrent input", xs, 3, self.input_size, self.dtype)
        steps, batch = (xs.shape[1], xs.shape[0]) if self.batch_first else xs.shape[:2]
        if steps == 0:
            raise GatedRNNError(f"recurrent input has no time steps (shape {xs.shape}); give at least one step")
        lengths = check_lengths(lengths, batch, steps)
        mask = None if lengths is None else time_mask(lengths, steps, self.dtype)
        initial = self._unpack_state(state, batch)
        if batch == 0:  # as torch: a batch of no sequences gives empty outputs and states
            return self._empty_forward(steps)
        layer_input = self._time_major(xs)
        caches: list[Any] = []
        finals: list[tuple[FloatArray, ...]] = []
        weight_masks: list[FloatArray | None] = []
        for k in range(self.num_layers):
            if k > 0:
                layer_input = self._dropout_between(k, layer_input)
            skip = layer_input if self.residual and k > 0 else None
            outputs = []
            for d in range(self.num_directions):
                seq = layer_input if d == 0 else reverse_padded(layer_input, lengths)
                weights = [None if p is None else p.data for p in self.layer_weights(k, d)]
                w_hh: Any = weights[1]
                weight_mask = self._draw_mask(self.weight_drop, w_hh.shape)
                if weight_mask is not None:
                    weights[1] = w_hh * weight_mask
                hidden_mask = self._draw_mask(self.recurrent_dropout, (batch, self.hidden_size))
                hs, final, cache = self._layer_forward(
                    seq, initial[k * self.num_directions + d], weights, mask, hidden_mask
                )
                outputs.append(hs if d == 0 else reverse_padded(hs, lengths))
                caches.append(cache)
                finals.append(final)
                weight_masks.append(weight_mask)
            layer_input = outputs[0] if len(outputs) == 1 else np.concatenate(outputs, axis=-1)
            if skip is not None:  # a new array: the layer's hs stay in its cache for backward
                layer_input = layer_input + skip
        self._caches, self._weight_masks = caches, weight_masks
        self._shape_lengths_mask = (steps, batch, lengths, mask)
        forward_done(self)
        # a copy either way: the top layer's hs stay in the cache for backward
        ys = np.ascontiguousarray(layer_input.transpose(1, 0, 2)) if self.batch_first else layer_input.copy()
        return ys, self._pack_state(finals)

    def _empty_forward(self, steps: int) -> tuple[FloatArray, RecurrentState]:
        """Outputs (0, T, output_size) [(T, 0, …) time-major] and zero-size states, ready for backward."""
        self._caches = []
        self._shape_lengths_mask = (steps, 0, None, None)
        forward_done(self)
        states = [
            tuple(np.zeros((0, self.hidden_size), self.dtype) for _ in self.state_names)
            for _ in range(self.num_layers * self.num_directions)
        ]
        return np.zeros(self._user_shape(0, steps, self.output_size), self.dtype), self._pack_state(states)

    def _draw_mask(self, p: FloatLike, shape: tuple[int, ...]) -> FloatArray | None:
        """A scaled keep-mask of ``shape`` for probability ``p`` in training; None when it does nothing."""
        if not self.training or p == 0.0:
            return None
        return scaled_keep_mask(shape, p, self.dtype)

    def _dropout_between(self, k: int, hs_time_major: FloatArray) -> FloatArray:
        # Dropout modules expect batch-first (N, T, H): LockedDropout shares its mask over T.
        dropped = self.inter_layer_dropout[k - 1](hs_time_major.transpose(1, 0, 2))
        return np.ascontiguousarray(dropped.transpose(1, 0, 2))

    # -- backward --------------------------------------------------------------------------
    def backward(
        self, dys: FloatArray | None, dstate: RecurrentState | None = None
    ) -> tuple[FloatArray, RecurrentState]:
        """dL/dys and dL/d(final state) → dL/dxs, dL/d(initial state), in forward's layouts.

        dys (N, T, output_size) → dxs (N, T, D), or both time-major with batch_first=False.
        Either argument may be None for zeros (``dys=None`` when only the final state feeds
        the loss, as in many-to-one classification). Parameter gradients are added to
        ``.grad``. Gradients at padded positions of ``dys`` are ignored.
        """
        check_backward_ready(self, self._caches)
        steps, batch, lengths, mask = self._shape_lengths_mask
        dlayer = self._output_gradient(dys, steps, batch)
        dfinal = self._unpack_state(dstate, batch, what="state gradient")
        backward_done(self)
        if batch == 0:  # nothing was computed, so nothing flows back and no weight gets a gradient
            return np.zeros(self._user_shape(0, steps, self.input_size), self.dtype), self._pack_state(dfinal)
        dinitial: list[Any] = [None] * len(dfinal)
        H = self.hidden_size
        for k in reversed(range(self.num_layers)):
            dxs_sum: Any = None
            for d in range(self.num_directions):
                index = k * self.num_directions + d
                dhs = dlayer[..., d * H : (d + 1) * H]
                dhs = np.ascontiguousarray(dhs) if d == 0 else reverse_padded(dhs, lengths)
                (dxs, grads), dinitial[index] = self._layer_backward(dhs, dfinal[index], self._caches[index], mask)
                if self._weight_masks[index] is not None:  # W_hh ⊙ M was used: d/dW_hh = d/d(W_hh ⊙ M) ⊙ M
                    grads = (grads[0], grads[1] * self._weight_masks[index]) + tuple(grads[2:])
                hand_over_gradients(self.layer_weights(k, d), grads)
                dxs = dxs if d == 0 else reverse_padded(dxs, lengths)
                dxs_sum = dxs if dxs_sum is None else dxs_sum + dxs
            if self.residual and k > 0:  # y_k = f_k(x_k) + x_k: dL/dy_k reaches x_k along the skip too
                dxs_sum = dxs_sum + dlayer
            if k > 0:
                dxs_sum = self.inter_layer_dropout[k - 1].backward(dxs_sum.transpose(1, 0, 2)).transpose(1, 0, 2)
            dlayer = dxs_sum
        dxs = np.ascontiguousarray(dlayer.transpose(1, 0, 2)) if self.batch_first else dlayer
        return dxs, self._pack_state(dinitial)

    def _output_gradient(self, dys: FloatArray | None, steps: int, batch: int) -> FloatArray:
        """The user's dL/dys, checked → time-major (T, N, output_size); zeros for None."""
        if dys is None:
            return np.zeros((steps, batch, self.output_size), self.dtype)
        check_float_array("output gradient", dys, 3, self.output_size, self.dtype)
        expected = self._user_shape(batch, steps, self.output_size)
        if dys.shape != expected:
            raise GatedRNNError(f"output gradient has shape {dys.shape}, expected {expected} (the outputs' shape)")
        return self._time_major(dys)

    # -- states ----------------------------------------------------------------------------
    def _unpack_state(
        self, state: RecurrentState | None, batch: int, what: str = "initial state"
    ) -> list[tuple[FloatArray, ...]]:
        """User state → a list over (layer, direction) of tuples of (N, H) arrays (zeros for None)."""
        count = self.num_layers * self.num_directions
        shape = (count, batch, self.hidden_size)
        if state is None:
            zeros = np.zeros(shape, self.dtype)
            return [tuple(zeros[k] for _ in self.state_names) for k in range(count)]
        parts: Any = state if len(self.state_names) > 1 else (state,)
        if len(self.state_names) > 1 and not (isinstance(state, tuple) and len(state) == len(self.state_names)):
            raise GatedRNNError(f"{type(self).__name__} {what} must be a tuple (h, c) of arrays shaped {shape}")
        for name, part in zip(self.state_names, parts, strict=True):
            check_float_array(f"{what} {name}", part, 3, self.hidden_size, self.dtype)
            if part.shape != shape:
                raise GatedRNNError(
                    f"{what} {name} has shape {part.shape}, expected (num_layers·directions, N, H) = {shape}"
                )
        return [tuple(part[k] for part in parts) for k in range(count)]

    def _pack_state(self, per_layer: list[tuple[FloatArray, ...]]) -> RecurrentState:
        """A list over (layer, direction) of tuples of (N, H) arrays → (L·dirs, N, H) arrays, a tuple for LSTM."""
        stacked = tuple(np.stack([layer[i] for layer in per_layer]) for i in range(len(self.state_names)))
        return stacked if len(stacked) > 1 else stacked[0]

    def extra_repr(self) -> str:
        extra = f", dropout={self.dropout}" + (", locked" if self.locked_dropout else "") if self.dropout else ""
        extra += f", recurrent_dropout={self.recurrent_dropout}" if self.recurrent_dropout else ""
        extra += f", weight_drop={self.weight_drop}" if self.weight_drop else ""
        extra += ", residual" if self.residual else ""
        extra += ", bidirectional" if self.bidirectional else ""
        extra += "" if self.bias else ", bias=False"
        extra += "" if self.batch_first else ", batch_first=False"
        return f"{self.input_size}, {self.hidden_size}, num_layers={self.num_layers}{extra}"


def hand_over_gradients(params: tuple[Parameter | None, ...], grads: tuple[Any, ...]) -> None:
    """Add each fresh gradient to its parameter (None: a parameter the layer lacks), without copies.

    Each array is handed over (Parameter.add_to_grad_taking_ownership) the first time; one
    array serving two parameters — db_ih and db_hh when both come from one da — is only
    read (Parameter.add_to_grad) the second time, so the two never share a gradient array.
    """
    handed_over: set[int] = set()
    for param, grad in zip(params, grads, strict=True):
        if param is None:
            continue
        if id(grad) in handed_over:
            param.add_to_grad(grad)
        else:
            param.add_to_grad_taking_ownership(grad)
            handed_over.add(id(grad))


def check_residual_depth(owner: str, residual: bool, num_layers: IntLike) -> None:
    """residual=True needs a second layer: the first has no skip (its input is D wide, its output H)."""
    if residual and int(num_layers) < 2:
        raise GatedRNNError(
            f"{owner} residual=True needs num_layers ≥ 2 (the skip runs around layers 2 … L), got "
            f"num_layers={num_layers}; stack more layers or drop residual"
        )


def carry_state(h: FloatArray, h_new: FloatArray, out: FloatArray, mask_t: FloatArray | None) -> FloatArray:
    """One step's end: ``out`` (N, H) gets h_new (0 on padded rows); returns the state to carry,
    h_new on real rows and the old ``h`` on padded ones (mask_t (N, 1), or None: all real)."""
    if mask_t is None:
        out[...] = h_new
        return out
    out[...] = h_new * mask_t
    return np.where(mask_t > 0, h_new, h)


def split_gates(a: FloatArray, count: int) -> list[FloatArray]:
    """a (..., G·H) → its G column blocks (..., H) as views, in the weight rows' order (e.g. i, f, g, o)."""
    H = a.shape[-1] // count
    return [a[..., k * H : (k + 1) * H] for k in range(count)]


def check_lengths(lengths: IntArray | None, batch: int, steps: int) -> IntArray | None:
    """None, or an int64 array (N,) of lengths in [1, T], checked."""
    if lengths is None:
        return None
    lengths = np.asarray(lengths)
    if lengths.dtype.kind not in "iu" or lengths.shape != (batch,):
        raise GatedRNNError(
            f"lengths must be {batch} integers (one per sequence), got shape {lengths.shape} of {lengths.dtype}"
        )
    if lengths.size and (lengths.min() < 1 or lengths.max() > steps):
        raise GatedRNNError(
            f"lengths must lie in [1, {steps}] (the padded length), got {lengths.min()} … {lengths.max()}"
        )
    return lengths.astype(np.int64)


def time_mask(lengths: IntArray, steps: int, dtype: DTypeLike) -> FloatArray:
    """(T, N, 1) array: 1 where step t is a real step of sequence n (t < lengths[n]), else 0."""
    return (np.arange(steps)[:, None] < lengths[None, :]).astype(dtype)[:, :, None]


def reverse_padded(x: FloatArray, lengths: IntArray | None) -> FloatArray:
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
