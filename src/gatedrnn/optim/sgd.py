"""SGD: stochastic gradient descent with momentum, dampening, Nesterov and L2 decay (torch.optim.SGD)."""

from collections.abc import Iterable

import numpy as np

from ..core import Parameter
from ..errors import GatedRNNError
from ..typing import FloatLike
from .base import Optimizer, add_scaled, checked_flag, checked_number


class SGD(Optimizer):
    """Stochastic gradient descent with optional momentum, dampening, Nesterov and L2 decay.

    With momentum μ and dampening τ, as ``torch.optim.SGD``::

        g_t = ∇θ + λ θ_{t-1}
        b_1 = g_1                                  (no dampening on the first step)
        b_t = μ b_{t-1} + (1 - τ) g_t
        d_t = g_t + μ b_t    if nesterov    else    b_t
        θ_t = θ_{t-1} - η d_t

    Without momentum d_t = g_t. Buffers: ``momentum_buffer`` (shape of each parameter).
    """

    name = "sgd"
    hyperparameter_names = ("lr", "momentum", "dampening", "weight_decay", "nesterov")
    state_buffers = {"momentum_buffer": lambda self: self.momentum != 0}

    def __init__(
        self,
        params: Parameter | Iterable[Parameter],
        lr: FloatLike,
        momentum: FloatLike = 0.0,
        dampening: FloatLike = 0.0,
        weight_decay: FloatLike = 0.0,
        nesterov: bool = False,
    ) -> None:
        super().__init__(params, lr)
        self.momentum = momentum
        self.dampening = dampening
        self.weight_decay = weight_decay
        self.nesterov = nesterov
        self._validate()

    def _validate(self) -> None:
        super()._validate()
        self.momentum = checked_number(
            "SGD", "momentum", self.momentum, low=0.0, hint="use 0 for plain SGD or a value such as 0.9"
        )
        self.dampening = checked_number(
            "SGD", "dampening", self.dampening, low=0.0, high=1.0, hint="use 0 for no dampening"
        )
        self.weight_decay = checked_number(
            "SGD", "weight_decay", self.weight_decay, low=0.0, hint="use 0 or a small value such as 1e-4"
        )
        self.nesterov = checked_flag("SGD", "nesterov", self.nesterov)
        if self.nesterov and (self.momentum <= 0 or self.dampening != 0):
            raise GatedRNNError(
                "SGD nesterov=True needs momentum > 0 and dampening = 0; set e.g. "
                "momentum=0.9, dampening=0, or use nesterov=False"
            )

    def _folds_grad_scale(self) -> bool:
        return self.momentum == 0 and self.weight_decay == 0

    def _update(self, i, param, lr, work):
        work_grad, scratch = work
        # Without weight decay the gradient is only read, so it is used where it is: copying
        # it would be one more pass over every weight at every step.
        grad = param.grad if self.weight_decay == 0 else self._decayed_grad(param, self.weight_decay, work_grad)
        if self.momentum != 0:
            buffers = self.state.setdefault("momentum_buffer", [None] * len(self.params))
            if buffers[i] is None:
                buffers[i] = grad.copy()  # torch starts the buffer at the gradient, not at zero
            else:
                buffers[i] *= self.momentum
                add_scaled(buffers[i], grad, 1.0 - self.dampening, scratch)
            if self.nesterov:
                if grad is param.grad:  # g + μ·buf must not change param.grad
                    np.copyto(work_grad, grad)
                    grad = work_grad
                add_scaled(grad, buffers[i], self.momentum, scratch)
            else:
                grad = buffers[i]
        add_scaled(param.data, grad, -lr, scratch)
