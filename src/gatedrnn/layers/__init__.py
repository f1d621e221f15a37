"""Layers: each with forward() and a hand-written backward()."""
from .attention import Attention
from .cells import GRUCell, LSTMCell, RNNCell
from .dropout import Dropout, LockedDropout
from .embedding import Embedding
from .gru import GRU
from .linear import Linear
from .loss import SoftmaxCrossEntropy
from .lstm import LSTM
from .recurrent import Recurrent
from .rnn import RNN

# The recurrent layers by the names configs and the CLI use for them.
RECURRENT_LAYERS = {"lstm": LSTM, "gru": GRU, "rnn": RNN}

__all__ = ["Attention", "Dropout", "LockedDropout", "Embedding", "GRU", "Linear", "SoftmaxCrossEntropy", "LSTM", "Recurrent", "RNN",
           "RNNCell", "LSTMCell", "GRUCell", "RECURRENT_LAYERS"]
