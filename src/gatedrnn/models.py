"""LanguageModel: embedding → stacked recurrent layers → linear read-out, with dropout and tying.

Follow one window of a batch through it, ids (N, T) → logits (N, T, V)::

    x  = dropout(E[ids])                   (N, T, E)   embedding lookup
    hs, state = rnn(x, state)              (N, T, H)   L stacked RNN / LSTM / GRU layers;
                                                       dropout between layers, none on h → h
    logits = dropout(hs) Wᵀ + b            (N, T, V)   W = E when the weights are tied

The loss (softmax cross-entropy against the next ids) lives outside, in the Trainer, so the
same model also serves evaluation and generation.
"""
import numpy as np

from .core import Module
from .errors import GatedRNNError
from . import init as _init
from . import rng as _rng
from .layers import GRU, LSTM, RNN, Dropout, Embedding, Linear, LockedDropout

CELLS = {"lstm": LSTM, "gru": GRU, "rnn": RNN}
INIT_SCHEMES = ("pytorch", "uniform", "book")


class LanguageModel(Module):
    """A word- or character-level recurrent language model.

    Args:
        vocab_size: V.
        embedding_size: E, the width of each token's vector.
        hidden_size: H, units per recurrent layer.
        num_layers: recurrent layers stacked.
        cell: "lstm", "gru" or "rnn" (tanh).
        dropout: probability used on the embeddings, between layers and before the read-out.
        locked_dropout: one mask per sequence shared over time steps (variational dropout)
            instead of one per element.
        tie_weights: share the embedding matrix with the read-out (needs E == H).
        init: "pytorch" (the layers' defaults), "uniform" (every weight from U(-init_scale,
            init_scale), Zaremba et al. 2014), or "book" (Deep Learning from Scratch 2:
            N(0, 1/fan_in) weights, zero biases, embeddings N(0, 0.01²); an LSTM or RNN keeps
            one bias per gate, as the book's does, by freezing b_hh at zero).
        init_scale: the bound for init="uniform".
        dtype: float32 (default) or float64.
    """

    def __init__(self, vocab_size, embedding_size=650, hidden_size=650, num_layers=2, cell="lstm",
                 dropout=0.5, locked_dropout=False, tie_weights=True, init="pytorch", init_scale=0.1,
                 dtype=np.float32):
        if cell not in CELLS:
            raise GatedRNNError(f"unknown cell {cell!r}; choose one of {', '.join(CELLS)}")
        if tie_weights and embedding_size != hidden_size:
            raise GatedRNNError(f"tied weights need embedding_size == hidden_size, got {embedding_size} and {hidden_size}; "
                                "set them equal or turn tying off")
        if init not in INIT_SCHEMES:
            raise GatedRNNError(f"unknown init {init!r}; choose one of {', '.join(INIT_SCHEMES)}")
        self.config = dict(vocab_size=vocab_size, embedding_size=embedding_size, hidden_size=hidden_size,
                           num_layers=num_layers, cell=cell, dropout=dropout, locked_dropout=locked_dropout,
                           tie_weights=tie_weights, init=init, init_scale=init_scale)
        drop = LockedDropout if locked_dropout else Dropout
        self.embed = Embedding(vocab_size, embedding_size, dtype=dtype)
        self.embed_dropout = drop(dropout)
        self.rnn = CELLS[cell](embedding_size, hidden_size, num_layers=num_layers, dropout=dropout,
                               locked_dropout=locked_dropout, dtype=dtype)
        self.output_dropout = drop(dropout)
        self.decoder = Linear.tied_to(self.embed) if tie_weights else Linear(hidden_size, vocab_size, dtype=dtype)
        self._initialise(init, init_scale)

    def _initialise(self, scheme, scale):
        generator = _rng.generator()
        if scheme == "uniform":
            for param in self.parameters():
                _init.uniform_(param, -scale, scale, rng=generator)
        elif scheme == "book":
            self.embed.weight.data[...] = generator.standard_normal(self.embed.weight.shape) * 0.01
            for name, param in self.named_parameters():
                if name.startswith("embed."):
                    continue
                if "bias" in name:
                    _init.zeros_(param)
                else:
                    fan_in = param.shape[1]
                    _init.normal_(param, 0.0, 1.0 / np.sqrt(fan_in), rng=generator)
            self._freeze_redundant_biases()

    def _freeze_redundant_biases(self):
        """Hold b_hh at zero so that an LSTM or RNN has the book's single bias b per gate.

        Only b_ih + b_hh enters those cells' equations, and under SGD two zero-initialised
        copies receive the same gradient: left trainable, the pair learns at twice the
        book's rate and counts twice in the clipped norm. GRU is left alone: its b_hn sits
        inside r ⊙ (W_hn h + b_hn), so there b_hh is not redundant.
        """
        if self.config["cell"] == "gru":
            return
        for name, param in self.rnn.named_parameters():
            if name.startswith("bias_hh"):
                param.requires_grad = False

    def forward(self, ids, state=None):
        """ids (N, T) ints → logits (N, T, V) and the final recurrent state."""
        hs, state = self.rnn(self.embed_dropout(self.embed(ids)), state)
        return self.decoder(self.output_dropout(hs)), state

    def backward(self, dlogits):
        """dL/dlogits (N, T, V) → gradients added to every parameter; returns dL/d(initial state)."""
        dhs = self.output_dropout.backward(self.decoder.backward(dlogits))
        dxs, dstate = self.rnn.backward(dhs)
        self.embed.backward(self.embed_dropout.backward(dxs))
        return dstate
