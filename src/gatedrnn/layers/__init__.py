"""Layers: each with forward() and a hand-written backward()."""

from .adaptive_softmax import AdaptiveLogSoftmaxWithLoss
from .attention import Attention
from .cells import GRUCell, LSTMCell, RNNCell
from .dropout import Dropout, LockedDropout
from .embedding import Embedding
from .gru import GRU
from .linear import Linear
from .loss import MSELoss, SoftmaxCrossEntropy
from .lstm import LSTM
from .recurrent import Recurrent
from .registry import CELL_CLASSES, RECURRENT_LAYERS, cell_class
from .rnn import RNN

__all__ = [
    "AdaptiveLogSoftmaxWithLoss",
    "Attention",
    "Dropout",
    "LockedDropout",
    "Embedding",
    "GRU",
    "Linear",
    "SoftmaxCrossEntropy",
    "MSELoss",
    "LSTM",
    "Recurrent",
    "RNN",
    "RNNCell",
    "LSTMCell",
    "GRUCell",
    "CELL_CLASSES",
    "RECURRENT_LAYERS",
    "cell_class",
]
