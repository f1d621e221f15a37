"""Optimizers: SGD (with momentum and Nesterov), Adagrad, RMSprop, Adam and AdamW.

Each one follows the update of its ``torch.optim`` namesake line by line (the single-tensor
code path, ``maximize=False``), so a gatedrnn run and a PyTorch run that start from the same
weights and see the same gradients end at the same weights, up to rounding. What they share
(parameters, learning rate, buffers, checkpoints) is in :mod:`gatedrnn.optim.base`; each rule
has a module of its own.

:data:`OPTIMIZERS` maps the name a setting uses (``TrainConfig(optimizer="adam")``,
``gatedrnn train --optimizer adam``) to the class: it is the one list of optimizers. Adding
one: a module here with a subclass of :class:`Optimizer` that sets ``name``, and its class
in :data:`OPTIMIZER_CLASSES`.
"""

from ..registry import registry
from .adagrad import Adagrad
from .adam import Adam, AdamW
from .base import Optimizer
from .rmsprop import RMSprop
from .sgd import SGD

# Every optimizer a setting can name, in the order --help lists them.
OPTIMIZER_CLASSES: tuple[type[Optimizer], ...] = (SGD, Adagrad, RMSprop, Adam, AdamW)

OPTIMIZERS = registry(OPTIMIZER_CLASSES, "optimizer")  # name → class: "sgd" → SGD, …

__all__ = ["Optimizer", "SGD", "Adagrad", "RMSprop", "Adam", "AdamW", "OPTIMIZER_CLASSES", "OPTIMIZERS"]
