"""AdaptiveLogSoftmaxWithLoss: a softmax over many classes that spends its effort on the frequent ones.

Grave et al. 2017, "Efficient softmax approximation for GPUs", as ``torch.nn.AdaptiveLogSoftmaxWithLoss``:
the same arguments, parameter names and results, so that weights move between the two unchanged.
"""

import math
from collections.abc import Iterator, Sequence
from typing import Any, NamedTuple

import numpy as np

from .. import rng as _rng
from ..core import Module, check_parameters_fit
from ..errors import GatedRNNError, is_finite_number
from ..functional import column_sums, log_softmax, picked_log_softmax, scaled_softmax_minus_onehot
from ..typing import DTypeLike, FloatArray, FloatLike, IntArray, IntLike
from ._checks import (
    backward_done,
    check_backward_ready,
    check_flag,
    check_float_array,
    check_float_dtype,
    check_generator,
    check_whole_number,
    forward_done,
)
from .linear import Linear

OWNER = "AdaptiveLogSoftmaxWithLoss"
POSITIONAL_ORDER = ("in_features", "n_classes", "cutoffs", "div_value", "head_bias", "dtype", "rng")


# torch's _ASMoutput: output (N,) the target's log-probability per row; loss, their negative mean.
class ASMOutput(NamedTuple):
    """output (N,) (or () for one unbatched row), in the input's dtype; loss, a Python float."""

    output: FloatArray
    loss: float


class TailProjection(Module):
    """``tail.{i}``: Linear(in_features → hidden, no bias) then Linear(hidden → cluster size, no bias).

    torch's ``Sequential`` of the two, so its children are named ``0`` and ``1``. It holds the
    weights; :class:`AdaptiveLogSoftmaxWithLoss` does the arithmetic (one cache, one backward).
    """

    def __init__(self, down: Linear, up: Linear) -> None:
        self.down = down
        self.up = up

    def named_children(self) -> Iterator[tuple[str, Module]]:
        yield "0", self.down
        yield "1", self.up

    def __getitem__(self, index: int) -> Linear:
        return (self.down, self.up)[index]

    def __len__(self) -> int:
        return 2

    def forward(self, x: FloatArray) -> FloatArray:
        """x (R, in_features) → cluster logits (R, cluster size)."""
        return (x @ self.down.weight.data.T) @ self.up.weight.data.T


class AdaptiveLogSoftmaxWithLoss(Module):
    """log p(y | x) for ``n_classes`` classes cut by ``cutoffs`` into a head and ``C`` tail clusters.

    Class ids must be sorted by frequency (0 the most frequent) for it to pay. With
    c = [c_0, …, c_C] = cutoffs + [n_classes] and S = c_0 (the shortlist):

        head:       z = x W_hᵀ (+ b_h)                         (N, S + C)   ``head.weight``, ``head.bias``
        cluster k:  u_k = (x P_kᵀ) O_kᵀ                         (N, c_{k+1} - c_k)
                    P_k: ``tail.{k}.0.weight`` (⌊in / div_value^(k+1)⌋, in)
                    O_k: ``tail.{k}.1.weight`` (c_{k+1} - c_k, ⌊in / div_value^(k+1)⌋)
        log p(y) = log_softmax(z)[y]                                       for y < S
        log p(y) = log_softmax(z)[S + k] + log_softmax(u_k)[y - c_k]       for c_k ≤ y < c_{k+1}

    ``forward(x, y)`` evaluates each cluster only on the rows whose target lies in it and returns
    ``ASMOutput(output, loss)``: output_n = log p(y_n | x_n), shape (N,); loss = -mean(output).
    Shapes: x (N, in_features) and integer y (N,), or unbatched x (in_features,) and y () (then
    output has shape ()).

    Backward, for L = -(1/N) Σ_n output_n and g = dL/doutput_n = -dL/dloss / N (every row alike);
    d/dz log_softmax(z)[j] = onehot(j) - softmax(z):

        head:       dz_n = g (onehot(j_n) - softmax(z_n)),  j_n = y_n or S + k (the row's cluster)
                    dW_h += dzᵀ x;  db_h += Σ_n dz_n;  dx = dz W_h
        cluster k, over its rows R, with h = x_R P_kᵀ:
                    du = g (onehot(y_R - c_k) - softmax(u_k))
                    dO_k += duᵀ h;  dh = du O_k;  dP_k += dhᵀ x_R;  dx_R += dh P_k

    Initialised as torch's: each weight (and the head's bias) from U(-1/√fan_in, 1/√fan_in), drawn
    in the order head, tail.0.0, tail.0.1, tail.1.0, …. One difference: a cluster whose projection
    would have 0 features (in_features < div_value^(k+1)) is refused; torch builds it and then
    gives that cluster's classes a uniform distribution.
    """

    def __init__(
        self,
        in_features: IntLike,
        n_classes: IntLike,
        cutoffs: Sequence[IntLike] | IntArray,
        div_value: FloatLike = 4.0,
        head_bias: bool = False,
        dtype: DTypeLike = np.float32,
        rng: np.random.Generator | None = None,
    ) -> None:
        check_whole_number(OWNER, "in_features", in_features)
        check_whole_number(OWNER, "n_classes", n_classes)
        cutoffs = _checked_cutoffs(cutoffs, int(n_classes))
        div_value = _checked_div_value(div_value)
        check_flag(OWNER, "head_bias", head_bias, POSITIONAL_ORDER)
        dtype = check_float_dtype(OWNER, dtype)
        check_generator(OWNER, rng)
        self.in_features, self.n_classes = int(in_features), int(n_classes)
        self.cutoffs = cutoffs + [self.n_classes]  # torch's attribute: the cutoffs and n_classes
        self.div_value, self.head_bias = div_value, bool(head_bias)
        self.shortlist_size = self.cutoffs[0]
        self.n_clusters = len(self.cutoffs) - 1
        self.head_size = self.shortlist_size + self.n_clusters
        sizes = _cluster_sizes(self.in_features, self.cutoffs, div_value)
        shapes = [(self.head_size, self.in_features)] + ([(self.head_size,)] if self.head_bias else [])
        shapes += [shape for hidden, size in sizes for shape in ((hidden, self.in_features), (size, hidden))]
        check_parameters_fit(f"{OWNER}({self.in_features}, {self.n_classes})", shapes, dtype)
        rng = rng or _rng.generator()
        self.head = Linear(self.in_features, self.head_size, bias=self.head_bias, dtype=dtype, rng=rng)
        self.tail = [
            TailProjection(
                Linear(self.in_features, hidden, bias=False, dtype=dtype, rng=rng),
                Linear(hidden, size, bias=False, dtype=dtype, rng=rng),
            )
            for hidden, size in sizes
        ]
        self._cache: Any = None  # what backward needs from the last forward

    # -- forward ------------------------------------------------------------------------------
    def forward(self, input: FloatArray, target: IntArray | IntLike) -> ASMOutput:
        """x (N, in_features), y (N,) → ASMOutput(output (N,), loss); unbatched x (in_features,), y () too.

        x in the weights' dtype; y integer class ids in [0, n_classes).
        """
        x, targets, batched = self._checked_batch(input, target)
        head_column = targets.copy()  # the head entry each row's probability goes through: y or S + k
        output = np.zeros(len(x), x.dtype)
        clusters = []
        for k, rows, relative in self._cluster_rows(targets):
            hidden = x[rows] @ self.tail[k].down.weight.data.T
            output[rows], exps, sums = picked_log_softmax(hidden @ self.tail[k].up.weight.data.T, relative)
            head_column[rows] = self.shortlist_size + k
            clusters.append((k, rows, relative, hidden, exps, sums))
        head_picked, head_exps, head_sums = picked_log_softmax(self._head_logits(x), head_column)
        output += head_picked
        loss = -float(np.mean(output, dtype=np.float64)) if len(x) else float("nan")  # torch: NaN for no rows
        self._cache = (x, head_exps, head_sums, head_column, clusters, batched)
        forward_done(self)
        return ASMOutput(output if batched else output.reshape(()), loss)

    def _head_logits(self, x):
        logits = x @ self.head.weight.data.T
        if self.head.bias is not None:
            logits += self.head.bias.data
        return logits

    def _cluster_rows(self, targets):
        """(k, rows, targets within the cluster) for each cluster k that some target lies in."""
        for k, (low, high) in enumerate(zip(self.cutoffs[:-1], self.cutoffs[1:], strict=True)):
            rows = np.flatnonzero((targets >= low) & (targets < high))
            if rows.size:
                yield k, rows, targets[rows] - low

    # -- backward -----------------------------------------------------------------------------
    def backward(self, dloss: FloatLike = 1.0) -> FloatArray:
        """dL/dloss (a number, 1 by default) → dL/dx, shaped as the last forward's input.

        Adds into the weights' ``.grad``."""
        check_backward_ready(self, self._cache)
        if not is_finite_number(dloss):
            raise GatedRNNError(f"{OWNER}.backward needs dloss as a finite number, got {dloss!r}; pass 1.0")
        backward_done(self)
        x, head_exps, head_sums, head_column, clusters, batched = self._cache
        # dL/doutput_n = -dloss / N for every row, so each softmax's gradient is (dloss / N)(softmax - onehot).
        scale = dloss / max(len(x), 1)
        dx = self._head_backward(x, scaled_softmax_minus_onehot(head_exps, head_sums, head_column, scale))
        for k, rows, relative, hidden, exps, sums in clusters:
            du = scaled_softmax_minus_onehot(exps, sums, relative, scale)
            dx[rows] += self._cluster_backward(self.tail[k], x[rows], hidden, du)
        return dx if batched else dx[0]

    def _head_backward(self, x, dz):
        """dW_h += dzᵀ x, db_h += Σ dz; returns dx = dz W_h (N, in_features). dz (N, S + C)."""
        self.head.weight.add_to_grad_taking_ownership(dz.T @ x)
        if self.head.bias is not None:
            self.head.bias.add_to_grad_taking_ownership(column_sums(dz))
        return dz @ self.head.weight.data

    @staticmethod
    def _cluster_backward(projection, x_rows, hidden, du):
        """dO += duᵀ h, dP += dhᵀ x_R with dh = du O; returns dh P (R, in). du (R, cluster size)."""
        projection.up.weight.add_to_grad_taking_ownership(du.T @ hidden)
        dhidden = du @ projection.up.weight.data
        projection.down.weight.add_to_grad_taking_ownership(dhidden.T @ x_rows)
        return dhidden @ projection.down.weight.data

    # -- the whole distribution ---------------------------------------------------------------
    def log_prob(self, input: FloatArray) -> FloatArray:
        """log p(c | x) for every class: x (N, in_features) → (N, n_classes); each row's exp sums to 1."""
        check_float_array(f"{OWNER}.log_prob input", input, 2, self.in_features, self.head.weight.dtype)
        return self._full_log_prob(input, _row_log_softmax(self._head_logits(input)))

    def _full_log_prob(self, x, head_logprob):
        out = np.empty((len(x), self.n_classes), x.dtype)
        out[:, : self.shortlist_size] = head_logprob[:, : self.shortlist_size]
        for k, (low, high) in enumerate(zip(self.cutoffs[:-1], self.cutoffs[1:], strict=True)):
            out[:, low:high] = _row_log_softmax(self.tail[k](x)) + head_logprob[:, self.shortlist_size + k, None]
        return out

    def predict(self, input: FloatArray) -> IntArray:
        """The most probable class of each row: x (N, in_features) → int64 (N,), as log_prob(x).argmax(1).

        A row whose head prefers a shortlist class needs no cluster: every class of cluster k
        has log p ≤ log_softmax(z)[S + k], which is below that class's. Only the other rows
        are scored in full.
        """
        check_float_array(f"{OWNER}.predict input", input, 2, self.in_features, self.head.weight.dtype)
        head_logprob = _row_log_softmax(self._head_logits(input))
        best = head_logprob.argmax(axis=1).astype(np.int64)
        in_clusters = np.flatnonzero(best >= self.shortlist_size)
        if in_clusters.size:
            best[in_clusters] = self._full_log_prob(input[in_clusters], head_logprob[in_clusters]).argmax(axis=1)
        return best

    # -- checks -------------------------------------------------------------------------------
    def _checked_batch(self, input, target):
        """(x (N, in_features), int64 targets (N,), batched) from torch's two accepted forms, or one line."""
        dtype = self.head.weight.dtype
        targets = np.asarray(target)
        if targets.dtype.kind not in "iu":
            raise GatedRNNError(
                f"{OWNER} target must hold integer class ids, got dtype {targets.dtype}; "
                "pass e.g. np.asarray(ids, dtype=np.int64)"
            )
        if targets.ndim > 1:
            raise GatedRNNError(
                f"{OWNER} target must have shape (N,) or (), got {targets.shape}; "
                "flatten the positions into rows (x.reshape(-1, in_features), y.reshape(-1))"
            )
        check_float_array(f"{OWNER} input", input, targets.ndim + 1, self.in_features, dtype)
        if targets.ndim == 1 and len(input) != len(targets):
            raise GatedRNNError(
                f"{OWNER} input has {len(input)} rows but target has {len(targets)}; pass one target per row"
            )
        if targets.size and (targets.min() < 0 or targets.max() >= self.n_classes):
            bad = targets.min() if targets.min() < 0 else targets.max()
            raise GatedRNNError(
                f"{OWNER} target {bad} is outside [0, {self.n_classes}); "
                f"class ids must lie in [0, n_classes - 1 = {self.n_classes - 1}]"
            )
        batched = targets.ndim == 1
        return (
            (input, targets.astype(np.int64), True)
            if batched
            else (input[None], targets.reshape(1).astype(np.int64), False)
        )

    def extra_repr(self) -> str:
        return (
            f"{self.in_features}, {self.n_classes}, cutoffs={self.cutoffs[:-1]}, div_value={self.div_value}, "
            f"head_bias={self.head_bias}"
        )


def _row_log_softmax(a):
    """log_softmax over each row of a (R, K) array; an array of no rows is returned as it is (max needs a row)."""
    return log_softmax(a, axis=1) if len(a) else a


def _checked_cutoffs(cutoffs: Any, n_classes: int) -> list[int]:
    """``cutoffs`` as a list of ints: unique, positive, increasing, each ≤ n_classes - 1 (torch's rule)."""
    if isinstance(cutoffs, np.ndarray) and cutoffs.ndim == 1:
        cutoffs = cutoffs.tolist()
    if not isinstance(cutoffs, (list, tuple, range)) or len(cutoffs) == 0:
        raise GatedRNNError(
            f"{OWNER}: cutoffs must be a non-empty list of class ids, got {cutoffs!r}; "
            f"pass e.g. [{max(n_classes // 4, 1)}] (classes below each cutoff go to the earlier cluster)"
        )
    integers = all(isinstance(c, (int, np.integer)) and not isinstance(c, (bool, np.bool_)) for c in cutoffs)
    values = [int(c) for c in cutoffs] if integers else []
    if not integers or values != sorted(set(values)) or values[0] < 1 or values[-1] > n_classes - 1:
        raise GatedRNNError(
            f"{OWNER}: cutoffs must be unique positive integers in increasing order, each between 1 "
            f"and n_classes - 1 = {n_classes - 1}, got {list(cutoffs)!r}; pass e.g. "
            f"[{max(n_classes // 4, 1)}]"
        )
    return values


def _checked_div_value(div_value):
    """``div_value`` as a float > 0 (torch divides in_features by its powers)."""
    if not is_finite_number(div_value) or div_value <= 0:
        raise GatedRNNError(
            f"{OWNER}: div_value must be a finite number > 0, got {div_value!r}; pass e.g. 4.0 "
            "(each cluster's projection is in_features / div_value^k wide) or 1.0 for no shrinking"
        )
    return float(div_value)


def projection_width(in_features: int, div_value: float, cluster: int) -> float:
    """width(cluster) = in_features // div_value^(cluster+1), the features tail cluster ``cluster`` sees.

    torch's arithmetic (a float floor division), so that both build the same shapes. 0 when
    div_value^(cluster+1) is beyond a float (nothing is left of in_features); inf when it is so
    small that the quotient is (a div_value below 1 widens the projection instead).
    """
    try:
        power = div_value ** (cluster + 1)
    except OverflowError:
        return 0.0
    if power == 0.0:
        return math.inf
    width = in_features // power
    return width if math.isfinite(width) else math.inf


def _cluster_sizes(in_features, cutoffs, div_value):
    """[(projection width, classes)] of each tail cluster: (⌊in / div_value^(k+1)⌋, c_{k+1} - c_k), torch's sizes."""
    sizes = []
    for k in range(len(cutoffs) - 1):
        width = projection_width(in_features, div_value, k)
        if width == math.inf:
            raise GatedRNNError(
                f"{OWNER}: cluster {k + 1} of {len(cutoffs) - 1} would project to more features than a float "
                f"holds (div_value {div_value:g}); use div_value ≥ 1 (1 keeps all in_features)"
            )
        hidden = int(width)
        if hidden < 1:
            raise GatedRNNError(
                f"{OWNER}: cluster {k + 1} of {len(cutoffs) - 1} would project to "
                f"in_features // div_value^{k + 1} = 0 features (in_features {in_features}, div_value "
                f"{div_value:g}); lower div_value to at most {in_features ** (1 / (k + 1)):.4g}, use "
                "fewer cutoffs or raise in_features"
            )
        sizes.append((hidden, cutoffs[k + 1] - cutoffs[k]))
    return sizes
