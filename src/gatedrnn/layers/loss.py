"""SoftmaxCrossEntropy: the language-model loss, fused with its softmax."""
import numpy as np

from ..core import Module
from ..errors import GatedRNNError
from ..functional import log_softmax
from ._checks import check_backward_ready


class SoftmaxCrossEntropy(Module):
    """L = reduce_i( -log softmax(logits_i)[target_i] ) over positions i whose target ≠ ignore_index.

    Shapes: logits (..., V) — typically (N, T, V) — and integer targets (...) — (N, T).
    ``reduction="mean"`` divides by the number of counted positions (as PyTorch does, it is
    NaN when every target is ignored); ``"sum"`` does not divide.

    Fusing softmax with the loss gives the short, exact backward
    dlogits_i = (softmax(logits_i) - onehot(target_i)) · dL / count, and 0 at ignored positions.
    """

    def __init__(self, ignore_index=-100, reduction="mean"):
        if reduction not in ("mean", "sum"):
            raise GatedRNNError(f"reduction must be 'mean' or 'sum', got {reduction!r}")
        self.ignore_index = ignore_index
        self.reduction = reduction
        self._cache = None

    def forward(self, logits, targets):
        targets = self._check(logits, targets)
        vocab = logits.shape[-1]
        flat_logits = logits.reshape(-1, vocab)
        flat_targets = targets.reshape(-1)
        counted = flat_targets != self.ignore_index
        safe_targets = np.where(counted, flat_targets, 0)
        log_probs = log_softmax(flat_logits)
        picked = log_probs[np.arange(flat_targets.size), safe_targets]
        total = -np.sum(picked, where=counted, dtype=np.float64)
        count = int(counted.sum())
        self._cache = (log_probs, safe_targets, counted, count, logits.shape)
        if self.reduction == "sum":
            return total
        return total / count if count else float("nan")

    def backward(self, dloss=1.0):
        check_backward_ready(self, self._cache)
        log_probs, safe_targets, counted, count, shape = self._cache
        dlogits = np.exp(log_probs)
        dlogits[np.arange(safe_targets.size), safe_targets] -= 1.0
        dlogits[~counted] = 0.0
        # With nothing counted the gradient is zero everywhere (as in PyTorch), not 0/0.
        scale = dloss / max(count, 1) if self.reduction == "mean" else dloss
        dlogits *= np.asarray(scale, dtype=dlogits.dtype)
        return dlogits.reshape(shape)

    def _check(self, logits, targets):
        if not isinstance(logits, np.ndarray) or logits.ndim < 2:
            raise GatedRNNError("logits must be a NumPy array of shape (..., V)")
        targets = np.asarray(targets)
        if targets.dtype.kind not in "iu":
            raise GatedRNNError(f"targets must be integer class ids, got dtype {targets.dtype}")
        if targets.shape != logits.shape[:-1]:
            raise GatedRNNError(f"targets of shape {targets.shape} do not match logits of shape {logits.shape}; they must be logits.shape[:-1]")
        vocab = logits.shape[-1]
        real = targets[targets != self.ignore_index]
        if real.size and (real.min() < 0 or real.max() >= vocab):
            bad = real.min() if real.min() < 0 else real.max()
            raise GatedRNNError(f"target id {bad} is outside [0, {vocab}); use ids from the vocabulary or ignore_index={self.ignore_index} for padding")
        return targets

    def extra_repr(self):
        return f"ignore_index={self.ignore_index}, reduction={self.reduction!r}"
