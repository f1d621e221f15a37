"""LSTM: long short-term memory (Hochreiter & Schmidhuber 1997), PyTorch's formulation."""

import numpy as np

from .kernels import HiddenProjection, dxs_and_weight_grads, input_projection, lstm_gate_activations
from .recurrent import Recurrent, split_gates


class LSTM(Recurrent):
    """A stacked LSTM over sequences, batch-first (N, T, D) unless batch_first=False.

    One layer, at each step t, with x_t (N, D) and the previous h_{t-1}, c_{t-1} (N, H)::

        a_t = x_t W_ihᵀ + b_ih + h_{t-1} W_hhᵀ + b_hh        (N, 4H), split as [i | f | g | o]
        i_t = σ(a_i)        input gate: how much of the candidate to write
        f_t = σ(a_f)        forget gate: how much of the old cell to keep
        g_t = tanh(a_g)     candidate cell content
        o_t = σ(a_o)        output gate: how much of the cell to show
        c_t = f_t ⊙ c_{t-1} + i_t ⊙ g_t
        h_t = o_t ⊙ tanh(c_t)

    (no b terms with bias=False). Weight layout (PyTorch's): ``weight_ih_lk`` (4H, D or H)
    and ``weight_hh_lk`` (4H, H) stack the gates' rows in the order i, f, g, o;
    ``bias_ih_lk`` and ``bias_hh_lk`` (4H,) likewise.

    Backward, with dh_t the gradient reaching h_t (from above and from step t+1) and dc_t the
    one reaching c_t from step t+1::

        dc = dc_t + dh_t ⊙ o ⊙ (1 - tanh²(c_t))       the cell's additive path
        di = dc ⊙ g · i(1-i)     df = dc ⊙ c_{t-1} · f(1-f)
        dg = dc ⊙ i · (1-g²)     do = dh_t ⊙ tanh(c_t) · o(1-o)
        dc_{t-1} = dc ⊙ f        dh_{t-1} = da W_hh     dx_t = da W_ih

    State: a tuple (h, c) of (num_layers·directions, N, H) arrays. Signature and the rest:
    see :class:`Recurrent`.
    """

    name = "lstm"
    gate_count = 4
    state_names = ("h", "c")
    torch_name = "LSTM"
    summed_biases = True

    def _layer_forward(self, xs, state0, weights, mask=None, hidden_mask=None):
        """xs (T, N, D), state0 = (h0, c0) each (N, H) → hs (T, N, H), (h_T, c_T), cache.

        ``gates`` (T, N, 4H) starts as every step's input share of a_t, computed for all
        steps at once (only h_{t-1} W_hhᵀ has to wait for the previous step); step t
        completes a_t and activates it in place, so it ends up holding i, f, g, o for backward.
        """
        w_ih, w_hh, b_ih, b_hh = weights
        h, c = state0
        H = self.hidden_size
        gates = input_projection(xs, w_ih)  # x_t W_ihᵀ for every t
        if b_ih is not None:
            gates += b_ih + b_hh
        recurrent = HiddenProjection(w_hh, batch=xs.shape[1], steps=xs.shape[0])
        hs = np.empty(xs.shape[:2] + (H,), xs.dtype)
        cs = np.empty_like(hs)
        tanh_cs = np.empty_like(hs)
        for t in range(xs.shape[0]):
            a = gates[t]
            a += recurrent.project(h if hidden_mask is None else h * hidden_mask)  # a_t: + h_{t-1} W_hhᵀ
            i, f, g, o = split_gates(lstm_gate_activations(a, H), 4)
            c_new = f * c + i * g
            tanh_cs[t] = np.tanh(c_new)
            h_new = o * tanh_cs[t]
            if mask is None:
                c = cs[t] = c_new
                h = hs[t] = h_new
            else:  # padded rows keep their state and output 0
                c = cs[t] = np.where(mask[t] > 0, c_new, c)
                h = np.where(mask[t] > 0, h_new, h)
                hs[t] = h_new * mask[t]
        cache = (xs, state0, w_ih, w_hh, gates, hs, cs, tanh_cs, hidden_mask)
        return hs, (h.copy(), c.copy()), cache

    def _layer_backward(self, dhs, dfinal, cache, mask=None):
        """dhs (T, N, H), dfinal = (dh_T, dc_T) → (dxs (T, N, D), parameter grads), (dh0, dc0)."""
        xs, (h0, c0), w_ih, w_hh, gates, hs, cs, tanh_cs, hidden_mask = cache
        dh, dc = dfinal[0].copy(), dfinal[1].copy()
        dgates = np.empty_like(gates)
        for t in reversed(range(xs.shape[0])):
            dh += dhs[t] if mask is None else dhs[t] * mask[t]
            i, f, g, o = split_gates(gates[t], 4)
            c_prev = cs[t - 1] if t > 0 else c0
            tanh_c = tanh_cs[t]
            dc_total = dc + dh * o * (1 - tanh_c * tanh_c)
            da = dgates[t]
            di, df, dg, do = split_gates(da, 4)
            di[...] = dc_total * g * i * (1 - i)
            df[...] = dc_total * c_prev * f * (1 - f)
            dg[...] = dc_total * i * (1 - g * g)
            do[...] = dh * tanh_c * o * (1 - o)
            if mask is None:
                dc = dc_total * f
                dh = da @ w_hh
                if hidden_mask is not None:
                    dh *= hidden_mask
            else:  # at padding the gradient passes through untouched to the last real step
                da *= mask[t]
                dc = np.where(mask[t] > 0, dc_total * f, dc)
                dh_prev = da @ w_hh if hidden_mask is None else (da @ w_hh) * hidden_mask
                dh = np.where(mask[t] > 0, dh_prev, dh)
        return (
            dxs_and_weight_grads(xs, h0, hs, dgates, dgates, w_ih, bias=self.bias, hidden_mask=hidden_mask),
            (dh, dc),
        )
