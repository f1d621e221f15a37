"""SoftmaxCrossEntropy: the language-model loss, fused with its softmax."""

import math
from numbers import Real
from typing import Any

import numpy as np

from ..core import Module
from ..errors import GatedRNNError
from ..functional import row_sums
from ..parallel import for_row_blocks
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
            raise GatedRNNError(f"reduction must be 'mean' or 'sum', got {reduction!r}")
        self.ignore_index = ignore_index
        self.reduction = reduction
        self._cache: Any = None  # what backward needs from the last forward

    def forward(self, logits: FloatArray, targets: IntArray) -> float:
        """logits (..., V) float32/64 and integer targets (...) → the loss, a float (NumPy float64 scalar)."""
        targets = self._check(logits, targets)
        vocab = logits.shape[-1]
        flat_logits = logits.reshape(-1, vocab)
        flat_targets = targets.reshape(-1)
        counted = flat_targets != self.ignore_index
        safe_targets = np.where(counted, flat_targets, 0)
        rows = np.arange(flat_targets.size)
        # -log softmax(x)[y] = log Σ exp(x - m) - (x[y] - m), with m = max(x) so no exponent
        # is positive. The exponentials are kept: the backward pass needs exactly them, and
        # the (M, V) array is the largest in a language model, so it is passed over as few
        # times as possible (max, subtract, exp in place, sum).
        # The three passes run on row blocks in parallel (gatedrnn.parallel).
        exps = np.empty_like(flat_logits)
        picked_shifted = np.empty(len(rows), flat_logits.dtype)

        def shifted_exponentials(start: int, stop: int) -> None:
            block = exps[start:stop]
            np.subtract(flat_logits[start:stop], flat_logits[start:stop].max(axis=1, keepdims=True), out=block)
            picked_shifted[start:stop] = block[rows[: stop - start], safe_targets[start:stop]]
            np.exp(block, out=block)

        for_row_blocks(shifted_exponentials, len(rows), exps.size)
        sums = row_sums(exps)[:, None]
        nll = np.log(sums[:, 0]) - picked_shifted
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
        if isinstance(dloss, (bool, np.bool_)) or not isinstance(dloss, Real) or not math.isfinite(dloss):
            raise GatedRNNError(
                f"SoftmaxCrossEntropy.backward needs dloss as a finite number, got {dloss!r}; "
                "pass 1.0 (or a loss scale such as the window length)"
            )
        backward_done(self)
        exps, sums, safe_targets, counted, count, shape = self._cache
        # With nothing counted the gradient is zero everywhere (as in PyTorch), not 0/0.
        scale = dloss / max(count, 1) if self.reduction == "mean" else dloss
        # (softmax - onehot) · scale, with the softmax's division folded into one multiply
        # per row; ignored rows get a zero factor.
        row_factor = np.where(counted[:, None], scale / sums, 0.0).astype(exps.dtype)
        dlogits = np.empty_like(exps)
        for_row_blocks(
            lambda start, stop: np.multiply(exps[start:stop], row_factor[start:stop], out=dlogits[start:stop]),
            len(exps),
            exps.size,
        )
        counted_rows = np.flatnonzero(counted)
        dlogits[counted_rows, safe_targets[counted_rows]] -= np.asarray(scale, dtype=exps.dtype)
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
            raise GatedRNNError(
                f"target id {bad} is outside [0, {vocab}); use ids from the vocabulary "
                f"or ignore_index={self.ignore_index} for padding"
            )
        return targets

    def extra_repr(self) -> str:
        return f"ignore_index={self.ignore_index}, reduction={self.reduction!r}"
