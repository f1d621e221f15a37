"""Embedding: a lookup table from token ids to vectors."""
import numpy as np

from ..core import Module, Parameter
from .. import rng as _rng
from ._checks import (backward_done, check_backward_ready, check_float_dtype, check_generator, check_gradient,
                      check_token_ids, check_whole_number, forward_done)


class Embedding(Module):
    """out[n, t] = weight[ids[n, t]].

    Shapes: ``weight`` (num_embeddings, embedding_dim); ids of any shape (...) → (..., embedding_dim).
    Initialised from N(0, 1), as ``torch.nn.Embedding``.

    Backward scatters the output gradient back to the rows that were looked up:
    dweight[v] += Σ_{(n,t): ids[n,t] = v} dout[n, t]. A row used twice receives both.
    """

    def __init__(self, num_embeddings, embedding_dim, dtype=np.float32, rng=None):
        check_whole_number("Embedding", "num_embeddings", num_embeddings)
        check_whole_number("Embedding", "embedding_dim", embedding_dim)
        dtype = check_float_dtype("Embedding", dtype)
        check_generator("Embedding", rng)
        rng = rng or _rng.generator()
        self.num_embeddings = int(num_embeddings)
        self.embedding_dim = int(embedding_dim)
        self.weight = Parameter(rng.standard_normal((num_embeddings, embedding_dim)).astype(dtype))
        self._ids = None

    def forward(self, ids):
        check_token_ids(ids, self.num_embeddings)
        self._ids = ids
        forward_done(self)
        return self.weight.data[ids]

    def backward(self, dout):
        """dL/d(output) (..., embedding_dim) → nothing (ids have no gradient); adds into weight.grad."""
        check_backward_ready(self, self._ids)
        check_gradient("Embedding output gradient", dout, self._ids.shape + (self.embedding_dim,))
        backward_done(self)
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
