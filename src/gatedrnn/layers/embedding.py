"""Embedding: a lookup table from token ids to vectors."""

from typing import Any

import numpy as np

from .. import rng as _rng
from ..core import Module, Parameter, check_parameters_fit
from ..typing import DTypeLike, FloatArray, FloatLike, IntArray, IntLike
from ._checks import (
    backward_done,
    check_backward_ready,
    check_float_dtype,
    check_generator,
    check_gradient,
    check_probability,
    check_token_ids,
    check_whole_number,
    forward_done,
)
from .dropout import scaled_keep_mask


class Embedding(Module):
    """out[n, t] = weight[ids[n, t]].

    Shapes: ``weight`` (num_embeddings, embedding_dim); ids of any shape (...) → (..., embedding_dim).
    Initialised from N(0, 1), as ``torch.nn.Embedding``.

    Backward scatters the output gradient back to the rows that were looked up:
    dweight[v] += Σ_{(n,t): ids[n,t] = v} dout[n, t]. A row used twice receives both.

    ``row_dropout`` p (keyword only; training only): embedding dropout (Gal & Ghahramani 2016,
    as in Merity et al.'s AWD-LSTM). Per forward call each row v is kept with probability 1 − p
    and scaled by 1 / (1 − p), or zeroed: out[n, t] = weight[ids[n, t]] · k[ids[n, t]]. A word
    dropped is dropped at every position of the batch, so the model cannot lean on any one
    word's vector. Backward scales the scattered gradient by the same k.
    """

    def __init__(
        self,
        num_embeddings: IntLike,
        embedding_dim: IntLike,
        dtype: DTypeLike = np.float32,
        rng: np.random.Generator | None = None,
        *,
        row_dropout: FloatLike = 0.0,
    ) -> None:
        check_whole_number("Embedding", "num_embeddings", num_embeddings)
        check_whole_number("Embedding", "embedding_dim", embedding_dim)
        dtype = check_float_dtype("Embedding", dtype)
        check_generator("Embedding", rng)
        check_probability("Embedding", "row_dropout", row_dropout)
        self.row_dropout = row_dropout
        self._row_scale: FloatArray | None = None  # (len(ids), 1) keep-scale of each looked-up row, if dropped
        rng = rng or _rng.generator()
        self.num_embeddings = int(num_embeddings)
        self.embedding_dim = int(embedding_dim)
        check_parameters_fit(f"Embedding({num_embeddings}, {embedding_dim})", [(num_embeddings, embedding_dim)], dtype)
        self.weight = Parameter(rng.standard_normal((num_embeddings, embedding_dim)).astype(dtype))
        self._ids: Any = None  # the ids of the last forward, for backward

    def forward(self, ids: IntArray) -> FloatArray:
        """ids (...) of any integer dtype, each in [0, num_embeddings) → (..., embedding_dim) in weight's dtype."""
        check_token_ids(ids, self.num_embeddings)
        self._ids = ids
        forward_done(self)
        vectors = self.weight.data[ids]
        self._row_scale = None
        if self.training and self.row_dropout:
            keep = scaled_keep_mask(self.num_embeddings, self.row_dropout, vectors.dtype)
            self._row_scale = keep[ids][..., None]
            vectors *= self._row_scale
        return vectors

    def backward(self, dout: FloatArray) -> None:
        """dL/d(output) (..., embedding_dim) → nothing (ids have no gradient); adds into weight.grad."""
        check_backward_ready(self, self._ids)
        check_gradient("Embedding output gradient", dout, self._ids.shape + (self.embedding_dim,))
        backward_done(self)
        flat_ids = self._ids.reshape(-1)
        if self._row_scale is not None:
            dout = dout * self._row_scale
        flat_dout = dout.reshape(-1, self.embedding_dim)
        # Sort the ids so equal ones sit together, then sum each run in one reduceat call:
        # the same result as np.add.at(dweight, ids, dout), without its slow per-element loop.
        order = np.argsort(flat_ids, kind="stable")
        sorted_ids = flat_ids[order]
        run_starts = np.flatnonzero(np.r_[True, sorted_ids[1:] != sorted_ids[:-1]])
        if run_starts.size:
            sums = np.add.reduceat(flat_dout[order], run_starts, axis=0)
            self.weight.grad[sorted_ids[run_starts]] += sums
        return None

    def extra_repr(self) -> str:
        return f"{self.num_embeddings}, {self.embedding_dim}" + (
            f", row_dropout={self.row_dropout}" if self.row_dropout else ""
        )
