"""AdaptiveSoftmaxLoss: the training criterion of a language model whose read-out is an adaptive softmax.

The Trainer's step is ``scores = model(inputs); loss = criterion(scores, targets);
model.backward(criterion.backward(scale))`` (gatedrnn.training.backward_and_step). With a full
softmax the scores are logits and the criterion is softmax cross-entropy. An adaptive softmax
is its own loss: in training mode the model hands out the read-out's input features
(N, T, H), and this criterion runs the module on them:

    (output, loss) = adaptive(features.reshape(N·T, H), targets.reshape(N·T))
    loss = -(1/(N·T)) Σ output = -mean log p(target)          (nats per token, as cross-entropy's)
    backward(scale): dL/dfeatures (N, T, H), the module's hand-written backward, with the
                     gradients of its head and clusters added into their ``.grad``

It holds no parameters of its own: they belong to the model (``model.decoder``).
"""

import numpy as np

from ..core import Module
from ..errors import GatedRNNError
from ..layers import AdaptiveLogSoftmaxWithLoss
from ..typing import FloatArray, FloatLike, IntArray


class AdaptiveSoftmaxLoss(Module):
    """-mean log p(target) of features (N, T, H) and int targets (N, T) under ``adaptive``."""

    def __init__(self, adaptive: AdaptiveLogSoftmaxWithLoss) -> None:
        self._adaptive = adaptive  # not a child: its parameters are the model's
        self._shape: tuple[int, ...] | None = None

    def forward(self, features: FloatArray, targets: IntArray) -> float:
        """features (N, T, H) from ``model(ids)`` in training mode, targets (N, T) → the mean loss."""
        features = np.asarray(features)
        targets = np.asarray(targets)
        if features.ndim != 3 or targets.shape != features.shape[:2]:
            raise GatedRNNError(
                f"the adaptive softmax's loss takes features (N, T, H) and targets (N, T), got {features.shape} "
                f"and {targets.shape}; call the model in training mode (model.train()) for its features"
            )
        self._shape = features.shape
        hidden = features.shape[-1]
        return self._adaptive(features.reshape(-1, hidden), targets.reshape(-1)).loss

    def backward(self, dloss: FloatLike = 1.0) -> FloatArray:
        """dL/dloss (a number) → dL/dfeatures (N, T, H); the read-out's gradients go into its ``.grad``."""
        if self._shape is None:
            raise GatedRNNError("backward() was called before forward(); run the loss forward first")
        return self._adaptive.backward(dloss).reshape(self._shape)

    def named_children(self):
        return iter(())
