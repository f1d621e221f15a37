"""Dropout and LockedDropout: inverted dropout, per element or per sequence."""

from typing import Any

import numpy as np

from .. import rng as _rng
from ..core import Module
from ..errors import GatedRNNError
from ..typing import DTypeLike, FloatArray, FloatLike
from ._checks import (
    backward_done,
    check_backward_ready,
    check_generator,
    check_gradient,
    check_probability,
    forward_done,
)


def scaled_keep_mask(
    shape: int | tuple[int, ...], p: FloatLike, dtype: DTypeLike, rng: np.random.Generator | None = None
) -> FloatArray:
    """m / (1 - p) with m ~ Bernoulli(1 - p) of ``shape``: inverted dropout's mask, from ``rng``
    or the library generator. Every dropout in gatedrnn draws its masks here."""
    keep = (rng or _rng.generator()).random(shape) >= p
    return keep.astype(dtype) / np.asarray(1.0 - p, dtype=dtype)


class Dropout(Module):
    """Inverted dropout: y = x ⊙ m / (1 - p), with m ~ Bernoulli(1 - p) drawn per element.

    Dividing by the keep probability during training keeps E[y] = x, so evaluation (where
    the layer is the identity) needs no rescaling. Backward: dx = dy ⊙ m / (1 - p).
    Masks come from ``rng`` if given, else from the library generator (``gatedrnn.seed``).
    """

    def __init__(self, p: FloatLike = 0.5, rng: np.random.Generator | None = None) -> None:
        check_generator(type(self).__name__, rng)
        self.p = p
        self.rng = rng
        self._scaled_mask: Any = None  # m / (1 - p) of the last forward (1.0 when nothing was dropped)
        self._shape: Any = None

    @property
    def p(self) -> FloatLike:
        """The probability of dropping each unit, in [0, 1)."""
        return self._p

    @p.setter
    def p(self, value: FloatLike) -> None:
        # checked when set as when made (as an optimizer's lr is): p = 1.5 would zero every output
        check_probability(type(self).__name__, "p", value)
        self._p = value

    def _mask_shape(self, x: FloatArray) -> tuple[int, ...]:
        return x.shape

    def forward(self, x: FloatArray) -> FloatArray:
        """x of any shape → y of the same shape and dtype (x itself in eval mode or with p = 0)."""
        if not isinstance(x, np.ndarray):
            raise GatedRNNError(
                f"{type(self).__name__} input must be a NumPy array, got {type(x).__name__}; wrap it with np.asarray"
            )
        scaled_mask: float | FloatArray
        if not self.training or self.p == 0.0:
            scaled_mask, y = 1.0, x
        else:
            scaled_mask = scaled_keep_mask(self._mask_shape(x), self.p, x.dtype, self.rng)
            y = x * scaled_mask
        self._scaled_mask, self._shape = scaled_mask, x.shape
        forward_done(self)
        return y

    def backward(self, dy: FloatArray) -> FloatArray:
        """dL/dy → dL/dx = dL/dy ⊙ m / (1 - p), with the mask of the last forward (1 in eval mode)."""
        check_backward_ready(self, self._scaled_mask)
        check_gradient(f"{type(self).__name__} output gradient", dy, self._shape)
        backward_done(self)
        return dy * self._scaled_mask

    def extra_repr(self) -> str:
        return f"p={self.p}"


class LockedDropout(Dropout):
    """Variational ("locked") dropout for sequences (Gal & Ghahramani 2016).

    x (N, T, D): one mask m (N, 1, D) per sequence, shared by every time step, so a unit
    dropped for a sequence stays dropped along it: y[n, t] = x[n, t] ⊙ m[n] / (1 - p).
    Applied between layers (never to the recurrent h → h path), it regularises without
    injecting fresh noise into what the network must carry across time.
    """

    def _mask_shape(self, x: FloatArray) -> tuple[int, ...]:
        if x.ndim != 3:
            raise GatedRNNError(f"LockedDropout expects (N, T, D) input, got shape {x.shape}")
        return (x.shape[0], 1, x.shape[2])
