"""Embedding: a lookup table from token ids to vectors."""
import numpy as np

from ..core import Module, Parameter
from .. import rng as _rng
from ._checks import check_token_ids, check_backward_ready


class Embedding(Module):
    """out[n, t] = weight[ids[n, t]].

    Shapes: ``weight`` (num_embeddings, embedding_dim); ids of any shape (...) → (..., embedding_dim).
    Initialised from N(0, 1), as ``torch.nn.Embedding``.

    Backward scatters the output gradient back to the rows that were looked up:
    dweight[v] += Σ_{(n,t): ids[n,t] = v} dout[n, t]. A row used twice receives both.
    """

    def __init__(self, num_embeddings, embedding_dim, dtype=np.float32, rng=None):
        rng = rng or _rng.generator()
        self.num_embeddings = num_embeddings
        self.embedding_dim = embedding_dim
        self.weight = Parameter(rng.standard_normal((num_embeddings, embedding_dim)).astype(dtype))
        self._ids = None

    def forward(self, ids):
        check_token_ids(ids, self.num_embeddings)
        self._ids = ids
        return self.weight.data[ids]

    def backward(self, dout):
        check_backward_ready(self, self._ids)
        flat_ids = self._ids.reshape(-1)
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

    def extra_repr(self):
        return f"{self.num_embeddings}, {self.embedding_dim}"
