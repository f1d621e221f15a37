"""gatedrnn: recurrent networks (RNN, LSTM, GRU) from scratch on NumPy, with hand-written BPTT.

The names below are imported on first use (PEP 562), so ``import gatedrnn`` itself loads
nothing heavy and changes no setting: the ``gatedrnn`` command can still prepare OpenBLAS
before NumPy loads (:func:`gatedrnn.threads.let_blas_threads_sleep`). ``from gatedrnn import
LSTM`` and ``gatedrnn.LSTM`` work as usual. docs/architecture.md maps the package.
"""

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # what a type checker sees of the lazy names below; nothing is imported at run time
    from .clip import clip_grad_norm, clip_grad_norm_per_tensor, clip_grad_value
    from .core import Module, Parameter
    from .errors import GatedRNNError
    from .layers import (
        GRU,
        LSTM,
        RNN,
        AdaptiveLogSoftmaxWithLoss,
        Dropout,
        Embedding,
        GRUCell,
        Linear,
        LockedDropout,
        LSTMCell,
        MSELoss,
        Recurrent,
        RNNCell,
        SoftmaxCrossEntropy,
    )
    from .rng import seed
    from .threads import get_num_threads, is_deterministic, set_num_threads, use_deterministic
    from .training import NonFiniteGuard, backward_and_step

__version__ = "0.5.0"

# public name → the module that defines it
_EXPORTS = {
    "Module": "core",
    "Parameter": "core",
    "GatedRNNError": "errors",
    "seed": "rng",
    "set_num_threads": "threads",
    "get_num_threads": "threads",
    "use_deterministic": "threads",
    "is_deterministic": "threads",
    "clip_grad_norm": "clip",
    "clip_grad_norm_per_tensor": "clip",
    "clip_grad_value": "clip",
    "backward_and_step": "training",
    "NonFiniteGuard": "training",
    "AdaptiveLogSoftmaxWithLoss": "layers",
    "Dropout": "layers",
    "Embedding": "layers",
    "GRU": "layers",
    "Linear": "layers",
    "LockedDropout": "layers",
    "LSTM": "layers",
    "Recurrent": "layers",
    "RNN": "layers",
    "SoftmaxCrossEntropy": "layers",
    "MSELoss": "layers",
    "RNNCell": "layers",
    "LSTMCell": "layers",
    "GRUCell": "layers",
}
_SUBMODULES = (
    "init",
    "optim",
    "layers",
    "data",
    "functional",
    "clip",
    "core",
    "interop",
    "gradcheck",
    "lm",
    "seq",
    "lab",
)

__all__ = sorted(_EXPORTS) + list(_SUBMODULES)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        value = getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)
    elif name in _SUBMODULES:
        value = importlib.import_module(f".{name}", __name__)
    else:
        raise AttributeError(f"module 'gatedrnn' has no attribute {name!r}")
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    """The public names and the module's dunders; not the helpers this file imports for itself."""
    return sorted({name for name in globals() if name.startswith("__")} | set(__all__))
