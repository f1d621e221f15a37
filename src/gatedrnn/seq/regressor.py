"""SequenceRegressor: real values in, real values out, a recurrent layer and a linear read-out.

    many-to-one    xs (N, T, D), lengths (N,) → ŷ = W h_last + b          (N, output_size)
    many-to-many   xs (N, T, D), lengths (N,) → ŷ_t = W h_t + b at every t (N, T, output_size)

h_last is the top layer's state at each sequence's last real step (the final state the
recurrent layer returns, which stops at the length); h_t its output at step t. Nothing is
squashed at the end: the read-out is linear, so it can reach any real value, and the loss
is MSELoss. Unlike the classifier and tagger there is no embedding: the inputs are the
numbers themselves.
"""

from typing import Any

import numpy as np

from ..core import Module
from ..errors import GatedRNNError
from ..layers import Linear, cell_class
from ..layers._checks import check_sizes
from ..typing import DTypeLike, FloatArray, IntArray, IntLike, RecurrentState
from .forecast_data import MODES


class SequenceRegressor(Module):
    """A recurrent layer (RNN/LSTM/GRU, stacked) read out by a Linear: see the module docstring."""

    def __init__(
        self,
        input_size: IntLike = 1,
        hidden_size: IntLike = 32,
        output_size: IntLike = 1,
        num_layers: IntLike = 1,
        cell: str = "lstm",
        mode: str = "many-to-one",
        dtype: DTypeLike = np.float32,
    ) -> None:
        sizes = dict(input_size=input_size, hidden_size=hidden_size, output_size=output_size)
        check_sizes("SequenceRegressor", **sizes, num_layers=num_layers)
        if not isinstance(mode, str) or mode not in MODES:
            raise GatedRNNError(f"unknown mode {mode!r}; choose one of {', '.join(MODES)}")
        recurrent = cell_class(cell)  # one line naming the registered cells for an unknown one
        self.config: dict[str, Any] = dict(
            input_size=input_size,
            hidden_size=hidden_size,
            output_size=output_size,
            num_layers=num_layers,
            cell=cell,
            mode=mode,
        )
        self.mode = mode
        self.rnn = recurrent(input_size, hidden_size, num_layers=num_layers, dtype=dtype)
        self.head = Linear(hidden_size, output_size, dtype=dtype)

    def forward(self, xs: FloatArray, lengths: IntArray | None = None) -> FloatArray:
        """xs (N, T, input_size) in the model's dtype, lengths (N,) (None: all T long) → predictions
        (N, output_size) many-to-one or (N, T, output_size) many-to-many (zero-input read-outs at padding)."""
        ys, state = self.rnn(xs, lengths=lengths)
        if self.mode == "many-to-many":
            return self.head(ys)
        self._batch = xs.shape[0]
        h = state[0] if isinstance(state, tuple) else state
        return self.head(h[-1])  # the top layer's state at each row's last real step

    def backward(self, dpredictions: FloatArray) -> None:
        """dL/dpredictions, shaped as forward's output → gradients added to every parameter's ``.grad``."""
        dread = self.head.backward(dpredictions)
        if self.mode == "many-to-many":
            self.rnn.backward(dread)
            return
        # Only the final state was read: its gradient enters at the top layer, none at the outputs.
        dh = np.zeros((self.rnn.num_layers, self._batch, self.rnn.hidden_size), dread.dtype)
        dh[-1] = dread
        dstate: RecurrentState = (dh, np.zeros_like(dh)) if len(self.rnn.state_names) > 1 else dh
        self.rnn.backward(None, dstate)
