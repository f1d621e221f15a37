"""gatedrnn: recurrent networks (RNN, LSTM, GRU) from scratch on NumPy, with hand-written BPTT."""
from . import init, optim
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
