"""Adagrad: a step that shrinks with the sum of each weight's squared gradients (torch.optim.Adagrad)."""

from collections.abc import Iterable

import numpy as np

from ..core import Parameter
from ..typing import FloatLike
from .base import Optimizer, add_scaled, checked_eps, checked_number


class Adagrad(Optimizer):
    """Adagrad: each weight's step shrinks with the sum of its squared gradients.

    As ``torch.optim.Adagrad``, with s_0 = ``initial_accumulator_value`` and decay δ::

        g_t = ∇θ + λ θ_{t-1}
        η_t = η / (1 + (t - 1) δ)
        s_t = s_{t-1} + g_t²
        θ_t = θ_{t-1} - η_t g_t / (√s_t + ε)

    Buffers: ``sum``.
    """

    name = "adagrad"
    hyperparameter_names = ("lr", "lr_decay", "weight_decay", "initial_accumulator_value", "eps")
    state_buffers = {"sum": lambda self: True}

    def __init__(
        self,
        params: Parameter | Iterable[Parameter],
        lr: FloatLike = 0.01,
        lr_decay: FloatLike = 0.0,
        weight_decay: FloatLike = 0.0,
        initial_accumulator_value: FloatLike = 0.0,
        eps: FloatLike = 1e-10,
    ) -> None:
        super().__init__(params, lr)
        self.lr_decay = lr_decay
        self.weight_decay = weight_decay
        self.initial_accumulator_value = initial_accumulator_value
        self.eps = eps
        self._validate()

    def _validate(self) -> None:
        super()._validate()
        self.lr_decay = checked_number(
            "Adagrad", "lr_decay", self.lr_decay, low=0.0, hint="use 0 for a constant base rate"
        )
        self.weight_decay = checked_number(
            "Adagrad", "weight_decay", self.weight_decay, low=0.0, hint="use 0 or a small value such as 1e-4"
        )
        self.initial_accumulator_value = checked_number(
            "Adagrad",
            "initial_accumulator_value",
            self.initial_accumulator_value,
            low=0.0,
            hint="use 0 or a small positive value such as 0.1",
        )
        self.eps = checked_eps(self, self.eps)

    def _update(self, i, param, lr, work):
        grad, scratch = work
        grad = self._decayed_grad(param, self.weight_decay, grad)
        step_lr = lr / (1 + (self.step_count - 1) * self.lr_decay)
        total = self._buffer("sum", i, param, fill=self.initial_accumulator_value)
        np.multiply(grad, grad, out=scratch)
        total += scratch
        denom = scratch
        np.sqrt(total, out=denom)
        denom += self.eps
        np.divide(grad, denom, out=grad)
        add_scaled(param.data, grad, -step_lr, scratch)
