"""Attention: each decoder state looks back over the encoder's states and takes a weighted mix.

For queries Q (N, T, H) (the decoder's states) and keys K (N, S, H) (the encoder's states, which
are also the values), with a mask (N, S) of the source's real positions::

    e_ts = score(q_t, k_s)              (N, T, S)   -inf where s is padding
    a_t  = softmax_s(e_t)               (N, T, S)   the attention weights, each row sums to 1
    c_t  = Σ_s a_ts k_s                 (N, T, H)   the context vector

Scores (Luong et al. 2015; Bahdanau et al. 2015):

    "dot"       e_ts = q_t · k_s
    "general"   e_ts = q_t W_a k_sᵀ                      W_a (H, H)
    "additive"  e_ts = v · tanh(W_q q_t + W_k k_s)       W_q (A, H), W_k (A, H), v (A,)

Backward, with dc the gradient reaching the contexts::

    da_ts  = dc_t · k_s                 dk_s += Σ_t a_ts dc_t
    de_t   = a_t ⊙ (da_t − Σ_s a_ts da_ts)               (the softmax's Jacobian)
    then through the score: dot  dq_t = Σ_s de_ts k_s,  dk_s += Σ_t de_ts q_t
                            general and additive as the code shows, with their weights' gradients.
"""

from typing import Any

import numpy as np

from .. import rng as _rng
from ..core import Module, Parameter, check_parameters_fit
from ..errors import GatedRNNError
from ..typing import DTypeLike, FloatArray, IntLike
from ._checks import (
    backward_done,
    check_backward_ready,
    check_float_array,
    check_float_dtype,
    check_generator,
    check_whole_number,
    forward_done,
)

SCORES = ("dot", "general", "additive")


class Attention(Module):
    """``Attention(hidden_size, score="dot", attention_size=None)``: queries and keys of width H.

    ``forward(queries (N, T, H), keys (N, S, H), mask (N, S) or None)`` → (contexts (N, T, H),
    weights (N, T, S)); ``backward(dcontexts)`` → (dqueries, dkeys), adding to the weights' grads.
    """

    def __init__(
        self,
        hidden_size: IntLike,
        score: str = "dot",
        attention_size: IntLike | None = None,
        dtype: DTypeLike = np.float32,
        rng: np.random.Generator | None = None,
    ) -> None:
        _check_settings(hidden_size, score, attention_size)
        dtype = check_float_dtype("Attention", dtype)
        check_generator("Attention", rng)
        rng = rng or _rng.generator()
        self.score, self.hidden_size = score, int(hidden_size)
        bound = 1.0 / np.sqrt(hidden_size)
        size = hidden_size if attention_size is None else attention_size
        shapes_by_score: dict[str, list[tuple[IntLike, ...]]] = {
            "dot": [],
            "general": [(hidden_size, hidden_size)],
            "additive": [(size, hidden_size), (size, hidden_size), (size,)],
        }
        shapes = shapes_by_score[score]
        check_parameters_fit(f"Attention({hidden_size}, score={score!r})", shapes, dtype)
        if score == "general":
            self.weight = Parameter(rng.uniform(-bound, bound, (hidden_size, hidden_size)).astype(dtype))
        elif score == "additive":
            self.query_weight = Parameter(rng.uniform(-bound, bound, (size, hidden_size)).astype(dtype))
            self.key_weight = Parameter(rng.uniform(-bound, bound, (size, hidden_size)).astype(dtype))
            self.vector = Parameter(rng.uniform(-bound, bound, size).astype(dtype))
        self._cache: Any = None  # attend's cache of the last forward

    def forward(
        self, queries: FloatArray, keys: FloatArray, mask: FloatArray | None = None
    ) -> tuple[FloatArray, FloatArray]:
        """queries (N, T, H), keys (N, S, H), mask (N, S) (> 0 at real keys) → contexts (N, T, H), weights (N, T, S)."""
        self._check_inputs(queries, keys, mask)
        contexts, weights, self._cache = self.attend(queries, keys, mask)
        forward_done(self)
        return contexts, weights

    def backward(self, dcontexts: FloatArray) -> tuple[FloatArray, FloatArray]:
        """dcontexts (N, T, H) → dqueries (N, T, H), dkeys (N, S, H); adds into the weights' gradients."""
        check_backward_ready(self, self._cache)
        backward_done(self)
        return self.attend_backward(dcontexts, self._cache)

    def _check_inputs(self, queries, keys, mask):
        """forward's inputs as its docstring gives them; an all-zero mask row is refused, as its
        softmax over no keys would be 0/0 (NaN contexts)."""
        dtype = self.dtype
        if not self.parameters() and isinstance(queries, np.ndarray) and queries.dtype.kind == "f":
            dtype = queries.dtype  # the dot score has no weights to set it: queries and keys must agree
        check_float_array("Attention queries", queries, 3, self.hidden_size, dtype)
        check_float_array("Attention keys", keys, 3, self.hidden_size, dtype)
        if keys.shape[0] != queries.shape[0]:
            raise GatedRNNError(
                f"Attention keys hold {keys.shape[0]} sequences but the queries {queries.shape[0]}; "
                "pass one source per query sequence"
            )
        if mask is None:
            return
        mask = np.asarray(mask)
        if mask.shape != keys.shape[:2]:
            raise GatedRNNError(
                f"Attention mask has shape {mask.shape}, expected {keys.shape[:2]} (keys' N, S); "
                "pass > 0 at each real key"
            )
        empty = np.flatnonzero(~(mask > 0).any(axis=1))
        if empty.size:
            raise GatedRNNError(
                f"Attention mask row {empty[0]} has no real key (all ≤ 0), so its weights would be NaN; "
                "every source needs at least one position"
            )

    # -- the maths, with the cache handed back (for callers that step through time) ----------
    def attend(
        self, queries: FloatArray, keys: FloatArray, mask: FloatArray | None = None
    ) -> tuple[FloatArray, FloatArray, Any]:
        """forward's maths: (contexts, weights, cache); the cache is what attend_backward needs."""
        scores, score_cache = self._scores(queries, keys)
        if mask is not None:
            scores = np.where(mask[:, None, :] > 0, scores, -np.inf)
        scores = scores - scores.max(axis=-1, keepdims=True)
        weights = np.exp(scores)
        weights /= weights.sum(axis=-1, keepdims=True)
        return weights @ keys, weights, (queries, keys, weights, score_cache)

    def attend_backward(self, dcontexts: FloatArray, cache: Any) -> tuple[FloatArray, FloatArray]:
        """backward's maths for one attend call: (dqueries, dkeys); adds to the weights' gradients."""
        queries, keys, weights, score_cache = cache
        dweights = dcontexts @ keys.transpose(0, 2, 1)  # (N, T, S)
        dkeys = weights.transpose(0, 2, 1) @ dcontexts  # (N, S, H)
        dscores = weights * (dweights - np.sum(dweights * weights, axis=-1, keepdims=True))
        dqueries, dkeys_from_scores = self._scores_backward(dscores, queries, keys, score_cache)
        return dqueries, dkeys + dkeys_from_scores

    # -- the scores ------------------------------------------------------------------------
    def _scores(self, queries, keys):
        if self.score == "dot":
            return queries @ keys.transpose(0, 2, 1), None
        if self.score == "general":
            projected = keys @ self.weight.data.T  # k_s W_aᵀ, so q·(W_a k)
            return queries @ projected.transpose(0, 2, 1), projected
        hidden = np.tanh(
            (queries @ self.query_weight.data.T)[:, :, None, :] + (keys @ self.key_weight.data.T)[:, None, :, :]
        )  # (N, T, S, A)
        return hidden @ self.vector.data, hidden

    def _scores_backward(self, dscores, queries, keys, cache):
        if self.score == "dot":
            return dscores @ keys, dscores.transpose(0, 2, 1) @ queries
        if self.score == "general":
            projected = cache
            dqueries = dscores @ projected
            dprojected = dscores.transpose(0, 2, 1) @ queries  # (N, S, H)
            self.weight.add_to_grad(np.einsum("nsi,nsj->ij", dprojected, keys))
            return dqueries, dprojected @ self.weight.data
        hidden = cache
        self.vector.add_to_grad(np.einsum("ntsa,nts->a", hidden, dscores))
        dpre = dscores[..., None] * self.vector.data * (1 - hidden * hidden)  # (N, T, S, A)
        dquery_part, dkey_part = dpre.sum(axis=2), dpre.sum(axis=1)  # (N, T, A), (N, S, A)
        self.query_weight.add_to_grad(np.einsum("nta,nth->ah", dquery_part, queries))
        self.key_weight.add_to_grad(np.einsum("nsa,nsh->ah", dkey_part, keys))
        return dquery_part @ self.query_weight.data, dkey_part @ self.key_weight.data

    def extra_repr(self) -> str:
        return f"{self.hidden_size}, score={self.score!r}"


def _check_settings(hidden_size, score, attention_size):
    """One line for a size or score Attention cannot be built with."""
    if score not in SCORES:
        raise GatedRNNError(f"unknown attention score {score!r}; choose one of {', '.join(SCORES)}")
    check_whole_number("Attention", "hidden_size", hidden_size)
    if attention_size is None:
        return
    if score != "additive":
        raise GatedRNNError(
            f"Attention: attention_size is the width of the additive score's hidden layer, and the "
            f"{score!r} score has none; leave it out, or use score='additive'"
        )
    check_whole_number("Attention", "attention_size", attention_size)
