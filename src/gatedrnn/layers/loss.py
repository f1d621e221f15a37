"""The losses: SoftmaxCrossEntropy (the language-model loss, fused with its softmax) and MSELoss
(mean squared error, for real-valued targets)."""

import math
from numbers import Real
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..core import Module
from ..errors import GatedRNNError, is_whole_number
from ..functional import picked_log_softmax, scaled_softmax_minus_onehot
from ..typing import FloatArray, FloatLike, IntArray, IntLike
from ._checks import backward_done, check_backward_ready, forward_done


class SoftmaxCrossEntropy(Module):
    """L = reduce_i( -log softmax(logits_i)[target_i] ) over positions i whose target ≠ ignore_index.

    Shapes: logits (..., V) — typically (N, T, V) — and integer targets (...) — (N, T).
    ``reduction="mean"`` divides by the number of counted positions (as PyTorch does, it is
    NaN when every target is ignored); ``"sum"`` does not divide.

    Fusing softmax with the loss gives the short, exact backward
    dlogits_i = (softmax(logits_i) - onehot(target_i)) · dL / count, and 0 at ignored positions.
    """

    def __init__(self, ignore_index: IntLike = -100, reduction: str = "mean") -> None:
        if reduction not in ("mean", "sum"):
            raise GatedRNNError(f"reduction must be 'mean' or 'sum', got {reduction!r}; pass one of them")
        if not is_whole_number(ignore_index, -math.inf):  # compared with integer targets: 1.5 matches none
            raise GatedRNNError(
                f"ignore_index must be an integer (the target id to skip), got {ignore_index!r}; "
                "pass an int such as -100, the default"
            )
        self.ignore_index = int(ignore_index)
        self.reduction = reduction
        self._cache: Any = None  # what backward needs from the last forward

    def forward(self, logits: FloatArray, targets: IntArray) -> float:
        """logits (..., V) float32/64 and integer targets (...) → the loss, a float (NumPy float64 scalar)."""
        targets = self._check(logits, targets)
        vocab = logits.shape[-1]
        flat_targets = targets.reshape(-1)
        counted = flat_targets != self.ignore_index
        safe_targets = np.where(counted, flat_targets, 0)
        # The exponentials are kept: the backward pass needs exactly them, and the (M, V) array
        # is the largest in a language model (gatedrnn.functional.picked_log_softmax).
        picked_logprob, exps, sums = picked_log_softmax(logits.reshape(-1, vocab), safe_targets)
        nll = -picked_logprob
        total = np.sum(nll, where=counted, dtype=np.float64)
        count = int(counted.sum())
        self._cache = (exps, sums, safe_targets, counted, count, logits.shape)
        forward_done(self)
        if self.reduction == "sum":
            return total
        return total / count if count else float("nan")

    def backward(self, dloss: FloatLike = 1.0) -> FloatArray:
        """dL/d(loss) (a number, 1 by default) → dL/dlogits, shaped as the logits of the last forward."""
        check_backward_ready(self, self._cache)
        check_dloss("SoftmaxCrossEntropy", dloss, "a loss scale such as the window length")
        backward_done(self)
        exps, sums, safe_targets, counted, count, shape = self._cache
        # With nothing counted the gradient is zero everywhere (as in PyTorch), not 0/0.
        scale = dloss / max(count, 1) if self.reduction == "mean" else dloss
        dlogits = scaled_softmax_minus_onehot(exps, sums, safe_targets, scale, counted)
        return dlogits.reshape(shape)

    def _check(self, logits: FloatArray, targets: IntArray) -> IntArray:
        if not isinstance(logits, np.ndarray) or logits.ndim < 2:
            raise GatedRNNError("logits must be a NumPy array of shape (..., V)")
        targets = np.asarray(targets)
        if targets.dtype.kind not in "iu":
            raise GatedRNNError(f"targets must be integer class ids, got dtype {targets.dtype}")
        if targets.shape != logits.shape[:-1]:
            raise GatedRNNError(
                f"targets of shape {targets.shape} do not match logits of shape {logits.shape}; "
                "they must be logits.shape[:-1]"
            )
        vocab = logits.shape[-1]
        real = targets[targets != self.ignore_index]
        if real.size and (real.min() < 0 or real.max() >= vocab):
            bad = real.min() if real.min() < 0 else real.max()
            # No fix that names this loss's ignore_index: evaluate_nll, the Trainer and the tasks
            # build the loss themselves, and their callers have no such argument to pass.
            raise GatedRNNError(
                f"target id {bad} is outside [0, {vocab}), the {vocab} classes the logits score; use ids "
                "from the vocabulary the model was built with"
            )
        return targets

    def extra_repr(self) -> str:
        return f"ignore_index={self.ignore_index}, reduction={self.reduction!r}"


class MSELoss(Module):
    """Mean squared error, as torch.nn.MSELoss: L = (1/count) Σ_i (ŷ_i - y_i)².

    Shapes: predictions ŷ (N, ...) — (N, 1) for one value per sequence, (N, T, 1) for one per
    step — and targets y of the same shape. The sum runs over every counted element and
    ``count`` is their number, so without ``lengths`` it is ``ŷ.size`` (torch's default
    ``reduction="mean"``); ``"sum"`` does not divide. The sum is accumulated in float64.

    ``lengths`` (N,), for padded batches of shape (N, T, ...), counts only the steps
    t < lengths[n] of row n (batch first, as the recurrent layers' ``lengths=``): the padding
    adds nothing to the loss and gets zero gradient. With nothing counted the mean is NaN (as
    PyTorch's mean of nothing) and its gradient zero.

    Backward: dL/dŷ_i = 2 (ŷ_i - y_i) · dL / count at counted elements, 0 elsewhere.
    """

    def __init__(self, reduction: str = "mean") -> None:
        if reduction not in ("mean", "sum"):
            raise GatedRNNError(f"reduction must be 'mean' or 'sum', got {reduction!r}; pass one of them")
        self.reduction = reduction
        self._cache: Any = None  # the masked difference and the count, for backward

    def forward(self, input: FloatArray, target: FloatArray, lengths: IntArray | None = None) -> float:
        """predictions (N, ...) float32/64, targets of the same shape (any real dtype, taken as the
        predictions'), optional lengths (N,) → the loss, a float (NumPy float64 scalar)."""
        target = self._check(input, target)
        mask = None if lengths is None else self._mask(input, lengths)
        difference = input - target
        if mask is not None:
            difference = np.where(mask, difference, 0).astype(input.dtype, copy=False)
        count = difference.size if mask is None else int(np.broadcast_to(mask, difference.shape).sum())
        total = np.sum(np.square(difference, dtype=np.float64))
        self._cache = (difference, count)
        forward_done(self)
        if self.reduction == "sum":
            return total
        return total / count if count else float("nan")

    def backward(self, dloss: FloatLike = 1.0) -> FloatArray:
        """dL/d(loss) (a number, 1 by default) → dL/dpredictions, shaped and typed as the predictions."""
        check_backward_ready(self, self._cache)
        check_dloss("MSELoss", dloss, "a loss scale")
        backward_done(self)
        difference, count = self._cache
        scale = 2.0 * float(dloss) / (max(count, 1) if self.reduction == "mean" else 1)
        # The masked difference is zero at padding, so the padding's gradient is zero too.
        return difference * np.asarray(scale, dtype=difference.dtype)

    def _check(self, input: FloatArray, target: Any) -> FloatArray:
        if not isinstance(input, np.ndarray) or input.dtype.kind != "f" or input.ndim < 1:
            kind = (
                f"dtype {input.dtype}, shape {input.shape}" if isinstance(input, np.ndarray) else type(input).__name__
            )
            raise GatedRNNError(
                f"MSELoss needs predictions as a float NumPy array of at least one dimension, got {kind}"
            )
        if not isinstance(target, np.ndarray) or target.dtype.kind not in "iuf":
            kind = f"dtype {target.dtype}" if isinstance(target, np.ndarray) else type(target).__name__
            raise GatedRNNError(f"MSELoss needs targets as a real-valued NumPy array, got {kind}")
        if target.shape != input.shape:
            raise GatedRNNError(
                f"targets of shape {target.shape} do not match predictions of shape {input.shape}; "
                "give one target per prediction (reshape (N,) targets to (N, 1))"
            )
        return target.astype(input.dtype, copy=False)

    @staticmethod
    def _mask(input: FloatArray, lengths: Any) -> NDArray[np.bool_]:
        """lengths (N,) → a boolean mask (N, T, 1, …) that broadcasts over the features."""
        if input.ndim < 2:
            raise GatedRNNError(
                f"MSELoss with lengths needs predictions of shape (N, T, ...), got {input.shape}; "
                "leave lengths out for one value per sequence"
            )
        lengths = np.asarray(lengths)
        N, T = input.shape[:2]
        if lengths.dtype.kind not in "iu" or lengths.shape != (N,):
            raise GatedRNNError(
                f"lengths must be an integer array of shape ({N},), got {lengths.dtype} {lengths.shape}"
            )
        if lengths.size and (lengths.min() < 0 or lengths.max() > T):
            bad = lengths.min() if lengths.min() < 0 else lengths.max()
            raise GatedRNNError(f"length {bad} is outside [0, {T}]; each length counts the real steps of its row")
        mask = np.arange(T)[None, :] < lengths[:, None]
        return mask.reshape(mask.shape + (1,) * (input.ndim - 2))

    def extra_repr(self) -> str:
        return f"reduction={self.reduction!r}"


def check_dloss(owner: str, dloss: object, scale: str) -> None:
    """A loss's backward takes dL/d(loss) as one finite real number (not a bool); else one line."""
    if isinstance(dloss, (bool, np.bool_)) or not isinstance(dloss, Real) or not math.isfinite(dloss):
        raise GatedRNNError(f"{owner}.backward needs dloss as a finite number, got {dloss!r}; pass 1.0 (or {scale})")
