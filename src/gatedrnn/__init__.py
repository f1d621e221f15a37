"""gatedrnn: recurrent networks (RNN, LSTM, GRU) from scratch on NumPy, with hand-written BPTT."""
import os as _os
import sys as _sys

# Before NumPy loads OpenBLAS: let its idle threads sleep at once instead of spinning, so
# that gatedrnn's own threads get the other cores (gatedrnn.parallel, docs/performance.md).
# A value you set yourself is kept; once NumPy is loaded the setting no longer matters.
if "numpy" not in _sys.modules:
    _os.environ.setdefault("OPENBLAS_THREAD_TIMEOUT", "4")

from . import init, optim  # noqa: E402 (after the setting above, on purpose)
from .clip import clip_grad_norm, clip_grad_value
from .core import Module, Parameter
from .errors import GatedRNNError
from .layers import (GRU, LSTM, RNN, Dropout, Embedding, Linear, LockedDropout, Recurrent,
                     SoftmaxCrossEntropy)
from .rng import seed

__version__ = "0.1.0"

__all__ = ["init", "optim", "clip_grad_norm", "clip_grad_value", "Module", "Parameter", "GatedRNNError",
           "GRU", "LSTM", "RNN", "Dropout", "Embedding", "Linear", "LockedDropout", "Recurrent",
           "SoftmaxCrossEntropy", "seed"]
