"""RMSprop: a step divided by a running RMS of the gradient (torch.optim.RMSprop)."""

from collections.abc import Iterable

import numpy as np

from ..core import Parameter
from ..typing import FloatLike
from .base import Optimizer, add_scaled, checked_eps, checked_flag, checked_number


class RMSprop(Optimizer):
    """RMSprop: divide the step by a running root-mean-square of the gradient.

    As ``torch.optim.RMSprop``, with smoothing α and momentum μ::

        g_t = ∇θ + λ θ_{t-1}
        v_t = α v_{t-1} + (1 - α) g_t²
        ḡ_t = α ḡ_{t-1} + (1 - α) g_t              (centered only)
        r_t = √(v_t - ḡ_t²) + ε    if centered    else    √v_t + ε
        b_t = μ b_{t-1} + g_t / r_t,   θ_t = θ_{t-1} - η b_t      (μ > 0)
        θ_t = θ_{t-1} - η g_t / r_t                               (μ = 0)

    All buffers start at zero. Buffers: ``square_avg``, ``grad_avg``, ``momentum_buffer``.
    """

    name = "rmsprop"
    hyperparameter_names = ("lr", "alpha", "eps", "weight_decay", "momentum", "centered")
    state_buffers = {
        "square_avg": lambda self: True,
        "grad_avg": lambda self: self.centered,
        "momentum_buffer": lambda self: self.momentum > 0,
    }

    def __init__(
        self,
        params: Parameter | Iterable[Parameter],
        lr: FloatLike = 0.01,
        alpha: FloatLike = 0.99,
        eps: FloatLike = 1e-8,
        weight_decay: FloatLike = 0.0,
        momentum: FloatLike = 0.0,
        centered: bool = False,
    ) -> None:
        super().__init__(params, lr)
        self.alpha = alpha
        self.eps = eps
        self.weight_decay = weight_decay
        self.momentum = momentum
        self.centered = centered
        self._validate()

    def _validate(self) -> None:
        super()._validate()
        self.alpha = checked_number("RMSprop", "alpha", self.alpha, low=0.0, high=1.0, hint="use a value such as 0.99")
        self.eps = checked_eps(self, self.eps)
        self.weight_decay = checked_number(
            "RMSprop", "weight_decay", self.weight_decay, low=0.0, hint="use 0 or a small value such as 1e-4"
        )
        self.momentum = checked_number(
            "RMSprop", "momentum", self.momentum, low=0.0, hint="use 0 or a value such as 0.9"
        )
        self.centered = checked_flag("RMSprop", "centered", self.centered)

    def _update(self, i, param, lr, work):
        grad, scratch = work
        grad = self._decayed_grad(param, self.weight_decay, grad)
        square_avg = self._buffer("square_avg", i, param)
        square_avg *= self.alpha
        np.multiply(grad, grad, out=scratch)
        add_scaled(square_avg, scratch, 1.0 - self.alpha, scratch)
        rms = scratch
        if self.centered:
            grad_avg = self._buffer("grad_avg", i, param)
            # ḡ += (1 - α)(g - ḡ): the form torch's lerp_ uses for a small weight
            np.subtract(grad, grad_avg, out=scratch)
            add_scaled(grad_avg, scratch, 1.0 - self.alpha, scratch)
            np.multiply(grad_avg, grad_avg, out=rms)
            np.subtract(square_avg, rms, out=rms)
            np.sqrt(rms, out=rms)
        else:
            np.sqrt(square_avg, out=rms)
        rms += self.eps
        np.divide(grad, rms, out=grad)
        if self.momentum > 0:
            buffer = self._buffer("momentum_buffer", i, param)
            buffer *= self.momentum
            buffer += grad
            grad = buffer
        add_scaled(param.data, grad, -lr, scratch)
