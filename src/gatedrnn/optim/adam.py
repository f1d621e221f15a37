"""Adam, and AdamW, its form with decoupled weight decay (torch.optim.Adam, torch.optim.AdamW).

AdamW is Adam with one switch (``decoupled_weight_decay``) and another default weight decay,
so the two live together: the update is written once.
"""

from collections.abc import Iterable

import numpy as np

from ..core import Parameter
from ..errors import GatedRNNError
from ..typing import FloatLike
from .base import Optimizer, add_scaled, checked_eps, checked_flag, checked_number


class Adam(Optimizer):
    """Adam: momentum on the gradient, divided by the RMS of the gradient, bias-corrected.

    As ``torch.optim.Adam`` (Kingma & Ba 2015), with L2 decay folded into the gradient::

        g_t = ∇θ + λ θ_{t-1}
        m_t = β1 m_{t-1} + (1 - β1) g_t
        v_t = β2 v_{t-1} + (1 - β2) g_t²
        v̂_t = max(v̂_{t-1}, v_t)    if amsgrad    else    v_t
        θ_t = θ_{t-1} - η/(1 - β1ᵗ) · m_t / (√v̂_t / √(1 - β2ᵗ) + ε)

    Buffers: ``exp_avg`` (m), ``exp_avg_sq`` (v), ``max_exp_avg_sq`` (v̂, amsgrad only).
    """

    name = "adam"
    hyperparameter_names = ("lr", "betas", "eps", "weight_decay", "amsgrad")
    state_buffers = {
        "exp_avg": lambda self: True,
        "exp_avg_sq": lambda self: True,
        "max_exp_avg_sq": lambda self: self.amsgrad,
    }
    decoupled_weight_decay = False

    def __init__(
        self,
        params: Parameter | Iterable[Parameter],
        lr: FloatLike = 0.001,
        betas: tuple[FloatLike, FloatLike] = (0.9, 0.999),
        eps: FloatLike = 1e-8,
        weight_decay: FloatLike = 0.0,
        amsgrad: bool = False,
    ) -> None:
        super().__init__(params, lr)
        self.betas: tuple[FloatLike, ...] = betas
        self.eps = eps
        self.weight_decay = weight_decay
        self.amsgrad = amsgrad
        self._validate()

    def _validate(self) -> None:
        super()._validate()
        owner = type(self).__name__
        if not isinstance(self.betas, (tuple, list)) or len(self.betas) != 2:
            raise GatedRNNError(
                f"{owner} betas must be a pair (β1, β2), got {self.betas!r}; use e.g. betas=(0.9, 0.999)"
            )
        self.betas = tuple(
            checked_number(
                owner, f"betas[{k}]", beta, low=0.0, high=1.0, high_open=True, hint="use e.g. betas=(0.9, 0.999)"
            )
            for k, beta in enumerate(self.betas)
        )
        self.eps = checked_eps(self, self.eps)
        self.weight_decay = checked_number(
            owner, "weight_decay", self.weight_decay, low=0.0, hint="use 0 or a small value such as 0.01"
        )
        self.amsgrad = checked_flag(owner, "amsgrad", self.amsgrad)

    def _update(self, i, param, lr, work):
        beta1, beta2 = self.betas
        grad, scratch = work
        if self.decoupled_weight_decay:
            param.data *= 1 - lr * self.weight_decay  # decay the weight, not the gradient
            grad = param.grad
        else:
            grad = self._decayed_grad(param, self.weight_decay, grad)
        exp_avg = self._buffer("exp_avg", i, param)
        exp_avg_sq = self._buffer("exp_avg_sq", i, param)
        # m += (1 - β1)(g - m): the form torch's lerp_ uses for a small weight
        np.subtract(grad, exp_avg, out=scratch)
        add_scaled(exp_avg, scratch, 1.0 - beta1, scratch)
        exp_avg_sq *= beta2
        np.multiply(grad, grad, out=scratch)
        add_scaled(exp_avg_sq, scratch, 1.0 - beta2, scratch)
        second_moment = exp_avg_sq
        if self.amsgrad:
            # the running maximum keeps the effective step from growing when v_t falls
            second_moment = self._buffer("max_exp_avg_sq", i, param)
            np.maximum(second_moment, exp_avg_sq, out=second_moment)

        t = self.step_count
        step_size = lr / (1 - beta1**t)
        denom = scratch
        np.sqrt(second_moment, out=denom)
        denom /= (1 - beta2**t) ** 0.5
        denom += self.eps
        np.divide(exp_avg, denom, out=denom)
        add_scaled(param.data, denom, -step_size, denom)


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter 2019), as ``torch.optim.AdamW``.

    The weight shrinks directly instead of through the gradient, so the decay is not divided
    by √v̂ and acts equally on every weight::

        θ'      = θ_{t-1} (1 - η λ)
        m_t, v_t, v̂_t as Adam with g_t = ∇θ (no λ term)
        θ_t = θ' - η/(1 - β1ᵗ) · m_t / (√v̂_t / √(1 - β2ᵗ) + ε)
    """

    name = "adamw"
    decoupled_weight_decay = True

    def __init__(
        self,
        params: Parameter | Iterable[Parameter],
        lr: FloatLike = 0.001,
        betas: tuple[FloatLike, FloatLike] = (0.9, 0.999),
        eps: FloatLike = 1e-8,
        weight_decay: FloatLike = 0.01,
        amsgrad: bool = False,
    ) -> None:
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad)
