"""GRU: gated recurrent unit (Cho et al. 2014), in PyTorch's formulation."""
import numpy as np

from ..functional import sigmoid
from .kernels import HiddenProjection, dxs_and_weight_grads, input_projection
from .recurrent import Recurrent, split_gates


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

    State: a (num_layers·directions, N, H) array. Signature and the rest: see :class:`Recurrent`.
    """

    gate_count = 3

    def _layer_forward(self, xs, state0, weights, mask=None):
        """xs (T, N, D), state0 = (h0,) with h0 (N, H) → hs (T, N, H), (h_T,), cache."""
        w_ih, w_hh, b_ih, b_hh = weights
        (h,) = state0
        H = self.hidden_size
        gx_all = input_projection(xs, w_ih)  # x_t W_ihᵀ for every t
        recurrent = HiddenProjection(w_hh, batch=xs.shape[1], steps=xs.shape[0])
        if b_ih is not None:
            gx_all += b_ih
        hs = np.empty(xs.shape[:2] + (H,), xs.dtype)
        gates = np.empty_like(gx_all)  # r, z, n after activation, kept for backward
        gh_ns = np.empty_like(hs)      # W_hn h_{t-1} + b_hn, which dr needs
        for t in range(xs.shape[0]):
            gx = gx_all[t]
            gh = recurrent.project(h)        # h_{t-1} W_hhᵀ
            if b_hh is not None:
                gh += b_hh
            rz = sigmoid(gx[:, :2 * H] + gh[:, :2 * H], out=gates[t, :, :2 * H])
            r, z = split_gates(rz, 2)
            n = np.tanh(gx[:, 2 * H:] + r * gh[:, 2 * H:], out=gates[t, :, 2 * H:])
            gh_ns[t] = gh[:, 2 * H:]
            h_new = n + z * (h - n)          # (1 - z) ⊙ n + z ⊙ h_{t-1}
            if mask is None:
                h = hs[t] = h_new
            else:  # padded rows keep their state and output 0
                h = np.where(mask[t] > 0, h_new, h)
                hs[t] = h_new * mask[t]
        cache = (xs, state0, w_ih, w_hh, gates, gh_ns, hs)
        return hs, (h.copy(),), cache

    def _layer_backward(self, dhs, dfinal, cache, mask=None):
        """dhs (T, N, H), dfinal = (dh_T,) → (dxs (T, N, D), parameter grads), (dh0,)."""
        xs, (h0,), w_ih, w_hh, gates, gh_ns, hs = cache
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
            dgh[:, :2 * H] = dgx[:, :2 * H]  # [dr | dz]: r and z enter both sides alike
            dgh[:, 2 * H:] = dn * r
            if mask is None:
                dh = dh * z + dgh @ w_hh
            else:  # at padding the gradient passes through untouched to the last real step
                dgx *= mask[t]
                dgh *= mask[t]
                dh = np.where(mask[t] > 0, dh * z + dgh @ w_hh, dh)
        return dxs_and_weight_grads(xs, h0, hs, dgx_all, dgh_all, w_ih, bias=self.bias), (dh,)
