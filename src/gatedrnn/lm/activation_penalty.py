"""Activation regularisation (AR) and temporal activation regularisation (TAR), Merity et al. 2017.

Two penalties on the last recurrent layer's outputs of a training window, added to the
cross-entropy the model is trained on (and left out of the loss it reports, so perplexities
stay comparable). With h (N, T, H) those outputs and m ⊙ h the same after the output dropout
(m: the mask, scaled by 1/(1-p), as the read-out sees it)::

    AR  = α · mean((m ⊙ h)²)                          large activations cost
    TAR = β · mean((h[:, t] − h[:, t−1])²), t = 1…T−1   fast-changing activations cost

The means run over every element: N·T·H for AR, N·(T−1)·H for TAR. Their gradients, which
:func:`penalty_gradients` returns::

    dAR/d(m ⊙ h) = 2α · (m ⊙ h) / (N·T·H)
    dTAR/dh_t    = 2β / (N·(T−1)·H) · ((h_t − h_{t−1}) − (h_{t+1} − h_t))

where a difference that would reach outside the window (h_{−1}, h_T) is left out. AR's goes
back through the dropout like the read-out's gradient; TAR's joins it at h.

:class:`PenalisedLoss` is how a training step meets them: ``LanguageModel.criterion()``
returns one when AR or TAR is on, and the one update step (gatedrnn.training) runs unchanged.
"""

from typing import Any

import numpy as np

from ..core import Module
from ..errors import GatedRNNError
from ..typing import FloatArray, FloatLike


def penalty(hs: FloatArray, features: FloatArray, alpha: float, beta: float) -> float:
    """α·mean(features²) + β·mean((h_t − h_{t−1})²) of one window; hs, features (N, T, H)."""
    total = 0.0
    if alpha:
        total += alpha * float(np.mean(np.square(features)))
    if beta and hs.shape[1] > 1:
        total += beta * float(np.mean(np.square(np.diff(hs, axis=1))))
    return total


def penalty_gradients(
    hs: FloatArray, features: FloatArray, alpha: float, beta: float, scale: float = 1.0
) -> tuple[FloatArray | None, FloatArray | None]:
    """(dL/dhs, dL/dfeatures) of ``scale`` · penalty, each (N, T, H), or None where its term is off.

    ``scale`` is the factor the loss itself is backpropagated with (the window length T when the
    loss is summed over time), so the penalty keeps its weight against the cross-entropy.
    """
    dfeatures = None
    if alpha:
        dfeatures = features * (2.0 * alpha * scale / features.size)
    dhs = None
    if beta and hs.shape[1] > 1:
        steps = np.diff(hs, axis=1)  # (N, T-1, H): h_t − h_{t−1} for t = 1 … T−1
        steps *= 2.0 * beta * scale / steps.size
        dhs = np.zeros_like(hs)
        dhs[:, 1:] += steps  # each difference pulls h_t towards h_{t−1} …
        dhs[:, :-1] -= steps  # … and h_{t−1} towards h_t
    return dhs, dfeatures


class PenalisedLoss(Module):
    """A language model's loss with AR/TAR: reports the loss, trains on loss + penalties.

    ``criterion``: the model's own loss (softmax cross-entropy, or its adaptive softmax's);
    ``model``: the LanguageModel whose forward produced the scores, which keeps the window's
    (hs, dropout(hs)) in ``model.activations`` when AR or TAR is on. ``forward`` returns the
    criterion's loss alone, so train perplexity stays the perplexity; ``backward(scale)``
    returns its dL/dscores and leaves the penalties' gradients (times ``scale``, as the loss's)
    in ``model.penalty_gradients`` for ``model.backward`` to add.
    """

    def __init__(self, criterion: Module, model: Any) -> None:
        self._criterion = criterion
        self._model = model  # not a child: its parameters are the model's, not the loss's

    def forward(self, scores: FloatArray, targets: Any) -> float:
        return self._criterion(scores, targets)

    def backward(self, dloss: FloatLike = 1.0) -> FloatArray:
        if self._model.activations is None:
            raise GatedRNNError(
                "AR/TAR needs the window's outputs: run the model forward in training mode (model.train()) "
                "before the loss's backward"
            )
        config = self._model.config
        hs, features = self._model.activations
        self._model.penalty_gradients = penalty_gradients(
            hs, features, config.activation_reg, config.temporal_activation_reg, float(dloss)
        )
        return self._criterion.backward(dloss)

    def named_children(self):
        return iter(())
