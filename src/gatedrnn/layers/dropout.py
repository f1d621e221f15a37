"""Dropout and LockedDropout: inverted dropout, per element or per sequence."""
import numpy as np

from ..core import Module
from ..errors import GatedRNNError
from .. import rng as _rng
from ._checks import check_backward_ready


def _check_probability(p):
    if not 0.0 <= p < 1.0:
        raise GatedRNNError(f"dropout probability must be in [0, 1), got {p}")


class Dropout(Module):
    """Inverted dropout: y = x ⊙ m / (1 - p), with m ~ Bernoulli(1 - p) drawn per element.

    Dividing by the keep probability during training keeps E[y] = x, so evaluation (where
    the layer is the identity) needs no rescaling. Backward: dx = dy ⊙ m / (1 - p).
    Masks come from ``rng`` if given, else from the library generator (``gatedrnn.seed``).
    """

    def __init__(self, p=0.5, rng=None):
        _check_probability(p)
        self.p = p
        self.rng = rng
        self._scaled_mask = None

    def _mask_shape(self, x):
        return x.shape

    def forward(self, x):
        if not self.training or self.p == 0.0:
            self._scaled_mask = 1.0
            return x
        rng = self.rng or _rng.generator()
        keep = rng.random(self._mask_shape(x)) >= self.p
        self._scaled_mask = keep.astype(x.dtype) / np.asarray(1.0 - self.p, dtype=x.dtype)
        return x * self._scaled_mask

    def backward(self, dy):
        check_backward_ready(self, self._scaled_mask)
        return dy * self._scaled_mask

    def extra_repr(self):
        return f"p={self.p}"


class LockedDropout(Dropout):
    """Variational ("locked") dropout for sequences (Gal & Ghahramani 2016).

    x (N, T, D): one mask m (N, 1, D) per sequence, shared by every time step, so a unit
    dropped for a sequence stays dropped along it: y[n, t] = x[n, t] ⊙ m[n] / (1 - p).
    Applied between layers (never to the recurrent h → h path), it regularises without
    injecting fresh noise into what the network must carry across time.
    """

    def _mask_shape(self, x):
        if x.ndim != 3:
            raise GatedRNNError(f"LockedDropout expects (N, T, D) input, got shape {x.shape}")
        return (x.shape[0], 1, x.shape[2])
