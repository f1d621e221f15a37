"""GRU: gated recurrent unit, in PyTorch's formulation or (reset_after=False) Cho et al. 2014's."""

import numpy as np

from ..functional import sigmoid
from ..typing import DTypeLike, FloatLike, IntLike
from ._checks import check_flag
from .kernels import HiddenProjection, dxs_and_weight_grads, input_projection
from .recurrent import Recurrent, carry_state, split_gates


class GRU(Recurrent):
    """A stacked GRU over sequences, batch-first (N, T, D) unless batch_first=False.

    One layer, at each step t, with x_t (N, D) and h_{t-1} (N, H)::

        gx = x_t W_ihᵀ + b_ih,   gh = h_{t-1} W_hhᵀ + b_hh     (N, 3H) each, split [r | z | n]
        r_t = σ(gx_r + gh_r)             reset gate
        z_t = σ(gx_z + gh_z)             update gate: how much of h_{t-1} to keep
        n_t = tanh(gx_n + r_t ⊙ gh_n)    candidate; r multiplies (W_hn h_{t-1} + b_hn), as PyTorch
        h_t = (1 - z_t) ⊙ n_t + z_t ⊙ h_{t-1}

    (no b terms with bias=False). Because the reset gate multiplies the hidden side *after*
    its bias, the two biases of the n gate are not interchangeable; keeping both makes
    weights move to and from ``torch.nn.GRU`` unchanged. Layout: ``weight_ih_lk`` (3H, D or H),
    ``weight_hh_lk`` (3H, H), ``bias_ih_lk``, ``bias_hh_lk`` (3H,), rows in the order r, z, n.

    Backward, with dh the gradient reaching h_t::

        dn = dh ⊙ (1 - z) · (1 - n²)           dz = dh ⊙ (h_{t-1} - n) · z(1 - z)
        dr = dn ⊙ gh_n · r(1 - r)
        dgx = [dr | dz | dn]                   dgh = [dr | dz | dn ⊙ r]
        dh_{t-1} = dh ⊙ z + dgh W_hh           dx_t = dgx W_ih

    ``reset_after=False`` (keyword only) is the GRU of Cho et al. 2014, and Keras's
    ``reset_after=False``: the reset gate scales h_{t-1} *before* the matrix::

        n_t = tanh(gx_n + (r_t ⊙ h_{t-1}) W_hnᵀ + b_hn)

    so that r decides which parts of the old state the candidate may read. Its backward
    differs in the n gate only, with g = r ⊙ h_{t-1} and d(g) = dn W_hn::

        dr = d(g) ⊙ h_{t-1} · r(1 - r)          dW_hn = Σ_t dnᵀ g
        dh_{t-1} = dh ⊙ z + [dr | dz] W_hrz + d(g) ⊙ r

    PyTorch has only the default (reset after), so to_torch refuses this variant.

    State: a (num_layers·directions, N, H) array. Signature and the rest: see :class:`Recurrent`.
    """

    name = "gru"
    gate_count = 3
    torch_name = "GRU"
    summed_biases = False  # b_hn sits inside r ⊙ (W_hn h + b_hn)

    def __init__(
        self,
        input_size: IntLike,
        hidden_size: IntLike,
        num_layers: IntLike = 1,
        bias: bool = True,
        batch_first: bool = True,
        dropout: FloatLike = 0.0,
        bidirectional: bool = False,
        *extra: object,
        locked_dropout: bool = False,
        recurrent_dropout: FloatLike = 0.0,
        weight_drop: FloatLike = 0.0,
        residual: bool = False,
        reset_after: bool = True,
        dtype: DTypeLike = np.float32,
        rng: np.random.Generator | None = None,
    ) -> None:
        self._check_no_extra_positional(extra)
        check_flag("GRU", "reset_after", reset_after, self.positional_parameters)
        self.reset_after = bool(reset_after)
        super().__init__(
            input_size,
            hidden_size,
            num_layers,
            bias,
            batch_first,
            dropout,
            bidirectional,
            locked_dropout=locked_dropout,
            recurrent_dropout=recurrent_dropout,
            weight_drop=weight_drop,
            residual=residual,
            dtype=dtype,
            rng=rng,
        )

    def extra_repr(self) -> str:
        return super().extra_repr() + ("" if self.reset_after else ", reset_after=False")

    def _layer_forward(self, xs, state0, weights, mask=None, hidden_mask=None):
        """xs (T, N, D), state0 = (h0,) with h0 (N, H) → hs (T, N, H), (h_T,), cache."""
        if not self.reset_after:
            return self._layer_forward_reset_before(xs, state0, weights, mask, hidden_mask)
        w_ih, w_hh, b_ih, b_hh = weights
        (h,) = state0
        H = self.hidden_size
        gx_all = input_projection(xs, w_ih)  # x_t W_ihᵀ for every t
        recurrent = HiddenProjection(w_hh, batch=xs.shape[1], steps=xs.shape[0])
        if b_ih is not None:
            gx_all += b_ih
        hs = np.empty(xs.shape[:2] + (H,), xs.dtype)
        gates = np.empty_like(gx_all)  # r, z, n after activation, kept for backward
        gh_ns = np.empty_like(hs)  # W_hn h_{t-1} + b_hn, which dr needs
        for t in range(xs.shape[0]):
            gx = gx_all[t]
            gh = recurrent.project(h if hidden_mask is None else h * hidden_mask)  # h_{t-1} W_hhᵀ
            if b_hh is not None:
                gh += b_hh
            rz = sigmoid(gx[:, : 2 * H] + gh[:, : 2 * H], out=gates[t, :, : 2 * H])
            r, z = split_gates(rz, 2)
            n = np.tanh(gx[:, 2 * H :] + r * gh[:, 2 * H :], out=gates[t, :, 2 * H :])
            gh_ns[t] = gh[:, 2 * H :]
            h_new = n + z * (h - n)  # (1 - z) ⊙ n + z ⊙ h_{t-1}
            h = carry_state(h, h_new, hs[t], None if mask is None else mask[t])
        cache = (xs, state0, w_ih, w_hh, gates, gh_ns, hs, hidden_mask)
        return hs, (h.copy(),), cache

    def _layer_backward(self, dhs, dfinal, cache, mask=None):
        """dhs (T, N, H), dfinal = (dh_T,) → (dxs (T, N, D), parameter grads), (dh0,)."""
        if not self.reset_after:
            return self._layer_backward_reset_before(dhs, dfinal, cache, mask)
        xs, (h0,), w_ih, w_hh, gates, gh_ns, hs, hidden_mask = cache
        H = self.hidden_size
        dh = dfinal[0].copy()
        dgx_all = np.empty_like(gates)
        dgh_all = np.empty_like(gates)
        for t in reversed(range(xs.shape[0])):
            dh += dhs[t] if mask is None else dhs[t] * mask[t]
            r, z, n = split_gates(gates[t], 3)
            h_prev = hs[t - 1] if t > 0 else h0
            dgx, dgh = dgx_all[t], dgh_all[t]
            dr, dz, dn = split_gates(dgx, 3)
            dn[...] = dh * (1 - z) * (1 - n * n)
            dz[...] = dh * (h_prev - n) * z * (1 - z)
            dr[...] = dn * gh_ns[t] * r * (1 - r)
            dgh[:, : 2 * H] = dgx[:, : 2 * H]  # [dr | dz]: r and z enter both sides alike
            dgh[:, 2 * H :] = dn * r
            through_w_hh = dgh @ w_hh if hidden_mask is None else (dgh @ w_hh) * hidden_mask
            if mask is None:
                dh = dh * z + through_w_hh
            else:  # at padding the gradient passes through untouched to the last real step
                dgx *= mask[t]
                dgh *= mask[t]
                dh = np.where(mask[t] > 0, dh * z + through_w_hh, dh)
        return (
            dxs_and_weight_grads(xs, h0, hs, dgx_all, dgh_all, w_ih, bias=self.bias, hidden_mask=hidden_mask),
            (dh,),
        )

    # -- reset_after=False: Cho et al. 2014 -----------------------------------------------
    def _layer_forward_reset_before(self, xs, state0, weights, mask=None, hidden_mask=None):
        """As _layer_forward, with n_t = tanh(gx_n + (r_t ⊙ h_{t-1}) W_hnᵀ + b_hn)."""
        w_ih, w_hh, b_ih, b_hh = weights
        (h,) = state0
        H = self.hidden_size
        gx_all = input_projection(xs, w_ih)
        if b_ih is not None:
            gx_all += b_ih
        # r must be known before the n rows of W_hh can be applied: two products per step.
        project_rz = HiddenProjection(w_hh[: 2 * H], batch=xs.shape[1], steps=xs.shape[0])
        project_n = HiddenProjection(w_hh[2 * H :], batch=xs.shape[1], steps=xs.shape[0])
        hs = np.empty(xs.shape[:2] + (H,), xs.dtype)
        gates = np.empty_like(gx_all)  # r, z, n after activation
        reset_hs = np.empty_like(hs)  # r_t ⊙ h_{t-1}, what W_hn reads and dW_hn needs
        for t in range(xs.shape[0]):
            gx = gx_all[t]
            h_in = h if hidden_mask is None else h * hidden_mask  # what the products with W_hh see
            pre_rz = gx[:, : 2 * H] + project_rz.project(h_in)
            if b_hh is not None:
                pre_rz += b_hh[: 2 * H]
            r, z = split_gates(sigmoid(pre_rz, out=gates[t, :, : 2 * H]), 2)
            np.multiply(r, h_in, out=reset_hs[t])
            pre_n = gx[:, 2 * H :] + project_n.project(reset_hs[t])
            if b_hh is not None:
                pre_n += b_hh[2 * H :]
            n = np.tanh(pre_n, out=gates[t, :, 2 * H :])
            h_new = n + z * (h - n)  # (1 - z) ⊙ n + z ⊙ h_{t-1}
            h = carry_state(h, h_new, hs[t], None if mask is None else mask[t])
        cache = (xs, state0, w_ih, w_hh, gates, reset_hs, hs, hidden_mask)
        return hs, (h.copy(),), cache

    def _layer_backward_reset_before(self, dhs, dfinal, cache, mask=None):
        """Backward of _layer_forward_reset_before (equations in the class docstring)."""
        xs, (h0,), w_ih, w_hh, gates, reset_hs, hs, hidden_mask = cache
        H = self.hidden_size
        w_rz, w_n = w_hh[: 2 * H], w_hh[2 * H :]
        dh = dfinal[0].copy()
        dgx_all = np.empty_like(gates)  # [dr | dz | dn]: the same on the input and the hidden side
        for t in reversed(range(xs.shape[0])):
            dh += dhs[t] if mask is None else dhs[t] * mask[t]
            r, z, n = split_gates(gates[t], 3)
            h_prev = hs[t - 1] if t > 0 else h0
            h_in = h_prev if hidden_mask is None else h_prev * hidden_mask
            dgx = dgx_all[t]
            dr, dz, dn = split_gates(dgx, 3)
            dn[...] = dh * (1 - z) * (1 - n * n)
            dz[...] = dh * (h_prev - n) * z * (1 - z)
            d_reset_h = dn @ w_n
            dr[...] = d_reset_h * h_in * r * (1 - r)
            dh_in = dgx[:, : 2 * H] @ w_rz + d_reset_h * r
            dh_prev = dh * z + (dh_in if hidden_mask is None else dh_in * hidden_mask)
            if mask is None:
                dh = dh_prev
            else:  # at padding the gradient passes through untouched to the last real step
                dgx *= mask[t]
                dh = np.where(mask[t] > 0, dh_prev, dh)
        dxs, (dw_ih, dw_hh_rz, db_ih, db_hh_rz) = dxs_and_weight_grads(
            xs, h0, hs, dgx_all, dgx_all[..., : 2 * H], w_ih, bias=self.bias, hidden_mask=hidden_mask
        )
        flat_dn = dgx_all[..., 2 * H :].reshape(-1, H)
        dw_hh = np.concatenate([dw_hh_rz, flat_dn.T @ reset_hs.reshape(-1, H)])
        db_hh = None if db_hh_rz is None else np.concatenate([db_hh_rz, flat_dn.sum(axis=0)])
        return (dxs, (dw_ih, dw_hh, db_ih, db_hh)), (dh,)
