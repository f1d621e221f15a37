"""Layers: each with forward() and a hand-written backward()."""
from .dropout import Dropout, LockedDropout
from .embedding import Embedding
from .gru import GRU
from .linear import Linear
from .loss import SoftmaxCrossEntropy
from .lstm import LSTM
from .recurrent import Recurrent
from .rnn import RNN

__all__ = ["Dropout", "LockedDropout", "Embedding", "GRU", "Linear", "SoftmaxCrossEntropy", "LSTM", "Recurrent", "RNN"]
