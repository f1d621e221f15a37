"""RNNCell, LSTMCell, GRUCell: one time step, as torch.nn's cells and the book's RNN and LSTM classes.

A cell computes one step of its layer's recurrence, for a batch::

    RNNCell   h' = tanh(x W_ihᵀ + b_ih + h W_hhᵀ + b_hh)                (or relu)
    LSTMCell  (h', c') from (h, c): the LSTM's equations (gatedrnn.layers.lstm)
    GRUCell   h' from h: the GRU's equations (gatedrnn.layers.gru), reset_after as there

with x (N, input_size) and states (N, hidden_size). It holds ``weight_ih`` (G·H, D),
``weight_hh`` (G·H, H), ``bias_ih`` and ``bias_hh`` (G·H,), as torch.nn.LSTMCell does, and it
runs the same code as the time-unrolled layer (``_layer_forward`` / ``_layer_backward`` of a
one-layer RNN, LSTM or GRU, for one step), so a cell stepped along a sequence and the layer
over the whole sequence compute the same numbers (tested).

Backward through time with a cell: every forward in training mode keeps what its backward
needs on a stack, and ``backward`` takes the most recent one, so a loop of T forward calls
is followed by T backward calls in reverse order, each taking the gradient that reaches that
step's output state and returning the gradients of its input and its input state::

    hs = []
    for t in range(T):
        h = cell(x[:, t], h)                  # (h, c) for LSTMCell
    ...
    for t in reversed(range(T)):
        dx[:, t], dh = cell.backward(dh + dh_from_above[t])

In eval mode nothing is kept (generation loops run without a growing stack). ``clear()``
drops what training-mode forwards kept without a backward.
"""

from typing import Any

import numpy as np

from ..core import Module
from ..errors import GatedRNNError
from ..typing import DTypeLike, FloatArray, IntLike
from ._checks import check_flag, check_float_array, check_float_dtype, check_generator, check_whole_number
from .gru import GRU
from .lstm import LSTM
from .recurrent import Recurrent, hand_over_gradients
from .rnn import RNN, check_nonlinearity

# A cell's state and result: h (N, H), or the tuple (h, c) for LSTMCell.
CellState = FloatArray | tuple[FloatArray, ...]

NAMES = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")


class _Cell(Module):
    """What the three cells share; ``layer_class`` is the time-unrolled layer whose step it runs."""

    layer_class: type[Recurrent]

    def __init__(
        self,
        input_size: IntLike,
        hidden_size: IntLike,
        bias: bool,
        *,
        dtype: DTypeLike,
        rng: np.random.Generator | None,
        **layer_options: Any,
    ) -> None:
        _check_cell_arguments(type(self).__name__, input_size, hidden_size, bias, dtype, rng, layer_options)
        # The one-layer layer is built with the same initialisation as a layer's (U(-1/√H, 1/√H),
        # PyTorch's); the cell takes its parameters as its own.
        self._layer = self.layer_class(input_size, hidden_size, 1, bias=bias, dtype=dtype, rng=rng, **layer_options)
        for name, param in zip(NAMES, self._layer.layer_weights(0), strict=True):
            if param is not None:
                setattr(self, name, param)
        self.input_size, self.hidden_size, self.bias = self._layer.input_size, self._layer.hidden_size, bias
        self._caches: list[tuple[Any, int]] = []

    @property
    def dtype(self) -> np.dtype[Any]:
        """The weights' dtype (float32 or float64); inputs and states must have it."""
        return self._layer.dtype

    def forward(self, input: FloatArray, hx: CellState | None = None) -> CellState:
        """input (N, input_size) and the state (None for zeros) → the next state, shaped as hx.

        The state is h (N, hidden_size), or the tuple (h, c) of two such arrays for LSTMCell.
        """
        check_float_array(f"{type(self).__name__} input", input, 2, self.input_size, self.dtype)
        batch = input.shape[0]
        state = self._state_in(hx, batch, "state")
        weights = [None if p is None else p.data for p in self._layer.layer_weights(0)]
        _, final, cache = self._layer._layer_forward(input[None], state, weights)
        if self.training:
            self._caches.append((cache, batch))
        return self._state_out(final)

    def backward(self, dhx: CellState | None) -> tuple[FloatArray, CellState]:
        """The gradient reaching the state this step returned → (dinput (N, D), dhx of its input state).

        Parameter gradients are added into ``.grad``. Takes the most recent forward that has
        not been through backward yet (see the module docstring).
        """
        if not self._caches:
            raise GatedRNNError(
                f"{type(self).__name__}.backward has no forward step left to go back through; call "
                "the cell (in training mode) once for every backward"
            )
        cache, batch = self._caches.pop()
        dfinal = self._state_in(dhx, batch, "state gradient")
        dhs = np.zeros((1, batch, self.hidden_size), self.dtype)
        (dxs, grads), dstate = self._layer._layer_backward(dhs, dfinal, cache)
        hand_over_gradients(self._layer.layer_weights(0), grads)
        return dxs[0], self._state_out(dstate)

    def clear(self) -> None:
        """Forget the forward steps kept for backward."""
        self._caches = []

    def _state_in(self, hx: CellState | None, batch: int, what: str) -> tuple[FloatArray, ...]:
        names = self._layer.state_names
        if hx is None:
            return tuple(np.zeros((batch, self.hidden_size), self.dtype) for _ in names)
        parts: Any = hx if len(names) > 1 else (hx,)
        if len(names) > 1 and not (isinstance(hx, tuple) and len(hx) == len(names)):
            raise GatedRNNError(f"{type(self).__name__} {what} must be a tuple (h, c) of (N, H) arrays")
        for name, part in zip(names, parts, strict=True):
            check_float_array(f"{type(self).__name__} {what} {name}", part, 2, self.hidden_size, self.dtype)
            if part.shape[0] != batch:
                raise GatedRNNError(f"{type(self).__name__} {what} {name} has {part.shape[0]} rows, the input {batch}")
        return tuple(parts)

    def _state_out(self, state: tuple[FloatArray, ...]) -> CellState:
        return tuple(state) if len(state) > 1 else state[0]

    def extra_repr(self) -> str:
        return f"{self.input_size}, {self.hidden_size}" + ("" if self.bias else ", bias=False")


class RNNCell(_Cell):
    """One step of RNN: ``RNNCell(input_size, hidden_size, bias=True, nonlinearity="tanh")``, torch's order."""

    layer_class = RNN

    def __init__(
        self,
        input_size: IntLike,
        hidden_size: IntLike,
        bias: bool = True,
        nonlinearity: str = "tanh",
        *,
        dtype: DTypeLike = np.float32,
        rng: np.random.Generator | None = None,
    ) -> None:
        super().__init__(input_size, hidden_size, bias, dtype=dtype, rng=rng, nonlinearity=nonlinearity)
        self.nonlinearity = nonlinearity


class LSTMCell(_Cell):
    """One step of LSTM: ``LSTMCell(input_size, hidden_size, bias=True)``; state and result (h, c)."""

    layer_class = LSTM

    def __init__(
        self,
        input_size: IntLike,
        hidden_size: IntLike,
        bias: bool = True,
        *,
        dtype: DTypeLike = np.float32,
        rng: np.random.Generator | None = None,
    ) -> None:
        super().__init__(input_size, hidden_size, bias, dtype=dtype, rng=rng)


class GRUCell(_Cell):
    """One step of GRU: ``GRUCell(input_size, hidden_size, bias=True, *, reset_after=True)``."""

    layer_class = GRU

    def __init__(
        self,
        input_size: IntLike,
        hidden_size: IntLike,
        bias: bool = True,
        *,
        reset_after: bool = True,
        dtype: DTypeLike = np.float32,
        rng: np.random.Generator | None = None,
    ) -> None:
        super().__init__(input_size, hidden_size, bias, dtype=dtype, rng=rng, reset_after=reset_after)
        self.reset_after = reset_after


def _check_cell_arguments(owner, input_size, hidden_size, bias, dtype, rng, layer_options):
    """The layer's checks, in the cell's name and with the cell's positional order (the layer
    would name itself, LSTM for an LSTMCell, and list seven positional arguments)."""
    for name, value in (("input_size", input_size), ("hidden_size", hidden_size)):
        check_whole_number(owner, name, value)
    positional = ("input_size", "hidden_size", "bias", *(["nonlinearity"] if "nonlinearity" in layer_options else []))
    for name, value in (("bias", bias), *(item for item in layer_options.items() if item[0] == "reset_after")):
        check_flag(owner, name, value, positional)
    if "nonlinearity" in layer_options:
        check_nonlinearity(owner, layer_options["nonlinearity"])
    check_float_dtype(owner, dtype)
    check_generator(owner, rng)
