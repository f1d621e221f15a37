"""RNN: the plain (Elman) recurrent layer, tanh or ReLU."""

from typing import Any

import numpy as np

from ..errors import GatedRNNError
from ..typing import DTypeLike, FloatLike, IntLike
from .kernels import HiddenProjection, dxs_and_weight_grads, input_projection
from .recurrent import Recurrent


class RNN(Recurrent):
    """A stacked Elman RNN over sequences, batch-first (N, T, D) unless batch_first=False.

    One layer, at each step t, with x_t (N, D) and h_{t-1} (N, H)::

        h_t = φ(x_t W_ihᵀ + b_ih + h_{t-1} W_hhᵀ + b_hh),    φ = tanh or relu

    (no b terms with bias=False). Backward: da_t = dh_t ⊙ φ'(a_t) (1 - h_t² for tanh,
    [h_t > 0] for relu), then dh_{t-1} = da_t W_hh and dx_t = da_t W_ih. Every step back
    multiplies the gradient by W_hh and by φ' — the product that makes it vanish or explode
    over long spans.

    Signature: PyTorch's, with nonlinearity fourth (batch_first defaults to True)::

        RNN(input_size, hidden_size, num_layers=1, nonlinearity="tanh", bias=True, batch_first=True,
            dropout=0.0, bidirectional=False, *, locked_dropout=False, recurrent_dropout=0.0,
            weight_drop=0.0, residual=False, dtype=np.float32, rng=None)

    Layout: ``weight_ih_lk`` (H, D or H), ``weight_hh_lk`` (H, H), ``bias_ih_lk``, ``bias_hh_lk``
    (H,), as ``torch.nn.RNN``. State: a (num_layers·directions, N, H) array. The rest: see
    :class:`Recurrent`.
    """

    name = "rnn"
    torch_name = "RNN"
    torch_options = ("nonlinearity",)
    summed_biases = True
    positional_parameters = (
        "input_size",
        "hidden_size",
        "num_layers",
        "nonlinearity",
        "bias",
        "batch_first",
        "dropout",
        "bidirectional",
    )

    def __init__(
        self,
        input_size: IntLike,
        hidden_size: IntLike,
        num_layers: IntLike = 1,
        nonlinearity: str = "tanh",
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
        check_nonlinearity("RNN", nonlinearity)
        self.nonlinearity = nonlinearity
        super().__init__(
            input_size,
            hidden_size,
            num_layers,
            bias,
            batch_first,
            dropout,
            bidirectional,
            locked_dropout=locked_dropout,
            recurrent_dropout=recurrent_dropout,
            weight_drop=weight_drop,
            residual=residual,
            dtype=dtype,
            rng=rng,
        )

    def _layer_forward(self, xs, state0, weights, mask=None, hidden_mask=None):
        """xs (T, N, D), state0 = (h0,) → hs (T, N, H), (h_T,), cache."""
        w_ih, w_hh, b_ih, b_hh = weights
        (h,) = state0
        hs = input_projection(xs, w_ih)  # x_t W_ihᵀ for every t; becomes a_t, then h_t, in place
        recurrent = HiddenProjection(w_hh, batch=xs.shape[1], steps=xs.shape[0])
        if b_ih is not None:
            hs += b_ih + b_hh
        for t in range(xs.shape[0]):
            a = hs[t]
            a += recurrent.project(h if hidden_mask is None else h * hidden_mask)  # a_t: + h_{t-1} W_hhᵀ
            if self.nonlinearity == "tanh":
                np.tanh(a, out=a)
            else:
                np.maximum(a, 0, out=a)
            if mask is None:
                h = a
            else:  # padded rows keep their state and output 0
                h = np.where(mask[t] > 0, a, h)
                a *= mask[t]
        cache = (xs, state0, w_ih, w_hh, hs, hidden_mask)
        return hs, (h.copy(),), cache

    def _layer_backward(self, dhs, dfinal, cache, mask=None):
        """dhs (T, N, H), dfinal = (dh_T,) → (dxs (T, N, D), parameter grads), (dh0,)."""
        xs, (h0,), w_ih, w_hh, hs, hidden_mask = cache
        dh = dfinal[0].copy()
        da_all = np.empty_like(hs)
        for t in reversed(range(xs.shape[0])):
            dh += dhs[t] if mask is None else dhs[t] * mask[t]
            h = hs[t]
            da = da_all[t]
            if self.nonlinearity == "tanh":
                np.multiply(dh, 1 - h * h, out=da)
            else:
                np.multiply(dh, h > 0, out=da)
            dh_prev = da @ w_hh if hidden_mask is None else (da @ w_hh) * hidden_mask
            if mask is None:
                dh = dh_prev
            else:  # at padding the gradient passes through untouched to the last real step
                da *= mask[t]
                dh = np.where(mask[t] > 0, dh_prev, dh)
        return dxs_and_weight_grads(xs, h0, hs, da_all, da_all, w_ih, bias=self.bias, hidden_mask=hidden_mask), (dh,)

    def extra_repr(self) -> str:
        return super().extra_repr() + f", nonlinearity={self.nonlinearity!r}"


def check_nonlinearity(owner: str, nonlinearity: Any) -> None:
    """An RNN's (or RNNCell's) nonlinearity must be "tanh" or "relu"."""
    if not isinstance(nonlinearity, str) or nonlinearity not in ("tanh", "relu"):
        raise GatedRNNError(
            f"{owner}: nonlinearity must be 'tanh' or 'relu', got {nonlinearity!r}; "
            "pass nonlinearity='tanh' (the default) or 'relu'"
        )
