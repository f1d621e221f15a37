"""LanguageModel: embedding → stacked recurrent layers → linear read-out, with dropout and tying.

Follow one window of a batch through it, ids (N, T) → logits (N, T, V)::

    x  = dropout(E[ids])                   (N, T, E)   embedding lookup (embedding_dropout:
                                                       whole rows of E dropped per window)
    hs, state = rnn(x, state)              (N, T, H)   L stacked RNN / LSTM / GRU layers;
                                                       dropout between layers; on h → h only
                                                       recurrent_dropout and weight_drop
    logits = dropout(hs) Wᵀ + b            (N, T, V)   W = E when the weights are tied

The loss (softmax cross-entropy against the next ids) lives outside, in the Trainer, so the
same model also serves evaluation and generation. ``model.criterion()`` is that loss; with
``activation_reg`` or ``temporal_activation_reg`` (AR/TAR, gatedrnn.lm.activation_penalty) its
backward also hands the model the penalties' gradients on hs and dropout(hs), which
``backward`` adds where they belong.

With ``config.adaptive_softmax`` (cutoffs) the read-out is an AdaptiveLogSoftmaxWithLoss
(Grave et al. 2017; gatedrnn.layers) named ``decoder`` as the Linear was, and it is its own loss:

    training (model.train()):  forward → features dropout(hs) (N, T, H); model.criterion()
                               gives loss = -mean log p(target) from the module's (output, loss),
                               and its hand-written backward hands dL/dfeatures to model.backward
    inference (model.eval()):  forward → log p(every id) (N, T, V) from its log_prob

A softmax of log-probabilities gives the probabilities back (their log-sum-exp is 0), so what
reads logits in eval mode — evaluate_nll's cross-entropy, generate's sampling with its
temperature — reads these unchanged.
"""

import math
from typing import Any

import numpy as np

from .. import init as _init
from .. import rng as _rng
from ..core import Module
from ..errors import GatedRNNError
from ..layers import (
    RECURRENT_LAYERS,
    AdaptiveLogSoftmaxWithLoss,
    Dropout,
    Embedding,
    Linear,
    LockedDropout,
    SoftmaxCrossEntropy,
)
from ..layers.adaptive_softmax import projection_width
from ..memory import available_bytes, describe_available, describe_bytes
from ..typing import DTypeLike, FloatArray, IntArray, RecurrentState
from .activation_penalty import PenalisedLoss
from .adaptive_cutoffs import AUTO
from .adaptive_softmax_loss import AdaptiveSoftmaxLoss
from .config import ModelConfig

# Training holds each weight TRAINING_COPIES times: the weight, its gradient and the two
# buffers of Adam (SGD keeps fewer, but a refusal must not depend on the optimizer chosen later).
TRAINING_COPIES = 4
# What the layers compute in and the checkpoints hold: half precision loses the gradients.
MODEL_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))


def _is_model_dtype(dtype: Any) -> bool:
    try:
        return np.dtype(dtype) in MODEL_DTYPES
    except TypeError:  # not a dtype at all ('bogus', 3, ...)
        return False


class LanguageModel(Module):
    """A word- or character-level recurrent language model, built from a :class:`ModelConfig`.

    ``LanguageModel(ModelConfig(vocab_size=10_000, hidden_size=100, embedding_size=100))``;
    ``model.config`` is that config. What each setting means is in ModelConfig's fields. The
    ``init`` schemes: "pytorch" keeps the layers' defaults; "uniform" draws every weight from
    U(-init_scale, init_scale) (Zaremba et al. 2014); "book" (Deep Learning from Scratch 2)
    draws N(0, 1/fan_in) weights, zero biases and N(0, 0.01²) embeddings, and an LSTM or RNN
    keeps one bias per gate, as the book's does, by freezing b_hh at zero.

    dtype: float32 (default) or float64.
    """

    def __init__(self, config: ModelConfig, dtype: DTypeLike = np.float32) -> None:
        if not isinstance(config, ModelConfig):
            raise GatedRNNError(
                f"LanguageModel needs a ModelConfig, got {type(config).__name__}; "
                "build one with gatedrnn.lm.ModelConfig(vocab_size=..., ...)"
            )
        if config.vocab_size is None:
            raise GatedRNNError(
                "the ModelConfig has no vocab_size; set it to the corpus's vocabulary size "
                "(config.replace(vocab_size=len(corpus.vocab)))"
            )
        if not _is_model_dtype(dtype):
            raise GatedRNNError(
                f"a LanguageModel is float32 or float64, got dtype {dtype!r}; convert the "
                "weights (e.g. .astype(np.float32)) or build it with dtype=np.float32"
            )
        if config.adaptive_softmax == AUTO:
            raise GatedRNNError(
                "the ModelConfig's adaptive_softmax is still 'auto'; choose the cutoffs from the corpus first "
                "(config.for_corpus(len(corpus.vocab), corpus.train))"
            )
        check_fits_in_memory(config, dtype)
        self.config = config
        self.activations: tuple[FloatArray, FloatArray] | None = None  # (hs, dropout(hs)) under AR/TAR
        self.penalty_gradients: tuple[FloatArray | None, FloatArray | None] = (None, None)
        drop = LockedDropout if config.locked_dropout else Dropout
        self.embed = Embedding(
            config.vocab_size, config.embedding_size, dtype=dtype, row_dropout=config.embedding_dropout
        )
        self.embed_dropout = drop(config.dropout)
        self.rnn = RECURRENT_LAYERS[config.cell](
            config.embedding_size,
            config.hidden_size,
            num_layers=config.num_layers,
            dropout=config.dropout if config.num_layers > 1 else 0.0,  # one layer: nothing between layers
            locked_dropout=config.locked_dropout,
            recurrent_dropout=config.recurrent_dropout,
            weight_drop=config.weight_drop,
            residual=config.residual,
            dtype=dtype,
        )
        self.output_dropout = drop(config.dropout)
        self.decoder: Linear | AdaptiveLogSoftmaxWithLoss
        if config.adaptive_softmax is not None:
            self.decoder = AdaptiveLogSoftmaxWithLoss(
                config.hidden_size,
                config.vocab_size,
                _cutoffs_of(config),
                div_value=config.adaptive_div_value,
                dtype=dtype,
            )
        elif config.tie_weights:
            self.decoder = Linear.tied_to(self.embed)
        else:
            self.decoder = Linear(config.hidden_size, config.vocab_size, dtype=dtype)
        self._initialise(config.init, config.init_scale)

    def _initialise(self, scheme: str, scale: float) -> None:
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

    def _freeze_redundant_biases(self) -> None:
        """Hold b_hh at zero so that an LSTM or RNN has the book's single bias b per gate.

        Only b_ih + b_hh enters those cells' equations, and under SGD two zero-initialised
        copies receive the same gradient: left trainable, the pair learns at twice the
        book's rate and counts twice in the clipped norm. GRU is left alone: its b_hn sits
        inside r ⊙ (W_hn h + b_hn), so there b_hh is not redundant.
        """
        if not type(self.rnn).summed_biases:
            return
        for name, param in self.rnn.named_parameters():
            if name.startswith("bias_hh"):
                param.requires_grad = False

    @property
    def adaptive(self) -> bool:
        """Whether the read-out is an adaptive softmax (then forward's output depends on the mode)."""
        return isinstance(self.decoder, AdaptiveLogSoftmaxWithLoss)

    def forward(self, ids: IntArray, state: RecurrentState | None = None) -> tuple[FloatArray, RecurrentState]:
        """ids (N, T) ints → logits (N, T, V) in the model's dtype and the final recurrent state.

        ``state``: None (zeros), or the state a previous call returned: (L, N, H) arrays, a
        tuple (h, c) of them for the LSTM. With an adaptive softmax: in training mode the
        read-out's input features (N, T, H), for :meth:`criterion`; in eval mode the
        log-probabilities log p(id) (N, T, V), which serve wherever logits do.
        """
        if np.ndim(ids) != 2:  # else the recurrent layer would name the embedded shape, not these ids
            raise GatedRNNError(
                f"a language model reads ids shaped (N, T), got shape {np.shape(ids)}; "
                "add the batch axis, e.g. ids[None, :] for one sequence"
            )
        hs, state = self.rnn(self.embed_dropout(self.embed(ids)), state)
        features = self.output_dropout(hs)
        # AR/TAR's criterion reads the window's outputs; evaluation keeps no reference to them.
        self.activations = (hs, features) if self.training and self.penalised else None
        if not isinstance(self.decoder, AdaptiveLogSoftmaxWithLoss):
            return self.decoder(features), state
        if self.training:
            return features, state
        n, t, h = features.shape
        return self.decoder.log_prob(features.reshape(n * t, h)).reshape(n, t, -1), state

    @property
    def penalised(self) -> bool:
        """Whether training adds AR or TAR (config.activation_reg, temporal_activation_reg) to the loss."""
        return bool(self.config.activation_reg or self.config.temporal_activation_reg)

    def criterion(self) -> "SoftmaxCrossEntropy | AdaptiveSoftmaxLoss | PenalisedLoss":
        """The training loss of this model's forward output: softmax cross-entropy of the logits, or,
        with an adaptive softmax, the module's own -mean log p(target) of the features; with AR/TAR
        wrapped in a PenalisedLoss, which reports that loss and trains on it plus the penalties."""
        inner: SoftmaxCrossEntropy | AdaptiveSoftmaxLoss = SoftmaxCrossEntropy()
        if isinstance(self.decoder, AdaptiveLogSoftmaxWithLoss):
            inner = AdaptiveSoftmaxLoss(self.decoder)
        return PenalisedLoss(inner, self) if self.penalised else inner

    def backward(self, dscores: FloatArray) -> RecurrentState:
        """dL/d(forward's output) → gradients added to every parameter; returns dL/d(initial state).

        dscores: dL/dlogits (N, T, V), or with an adaptive softmax dL/dfeatures (N, T, H), which
        its criterion's backward returns (the read-out's gradients are added there). AR/TAR's
        gradients, left in ``penalty_gradients`` by a PenalisedLoss, join at dropout(hs) and hs.
        """
        dfeatures = dscores if isinstance(self.decoder, AdaptiveLogSoftmaxWithLoss) else self.decoder.backward(dscores)
        dhs_penalty, dfeatures_penalty = self.penalty_gradients
        self.penalty_gradients = (None, None)  # used once, by this window's backward
        if dfeatures_penalty is not None:
            dfeatures = dfeatures + dfeatures_penalty
        dhs = self.output_dropout.backward(dfeatures)
        if dhs_penalty is not None:
            dhs = dhs + dhs_penalty
        dxs, dstate = self.rnn.backward(dhs)
        self.embed.backward(self.embed_dropout.backward(dxs))
        return dstate


# -- sizes known before anything is built ------------------------------------------------------
def expected_shapes(config: ModelConfig) -> dict[str, tuple[int, ...]]:
    """{parameter name: shape} of ``LanguageModel(config)``, in ``named_parameters()`` order.

    Computed from the config alone, so that a checkpoint's arrays can be checked against it
    before any of them is read (gatedrnn.lm.run_checkpoint). The order matters: optimizer buffers
    are saved by parameter index ("exp_avg.3" belongs to the fourth name here).
    """
    _check_sized(config)
    gates = RECURRENT_LAYERS[config.cell].gate_count
    rows, hidden = gates * config.hidden_size, config.hidden_size
    shapes: dict[str, tuple[int, ...]] = {"embed.weight": (config.vocab_size, config.embedding_size)}
    for k in range(config.num_layers):
        inputs = config.embedding_size if k == 0 else hidden
        shapes.update(
            {
                f"rnn.weight_ih_l{k}": (rows, inputs),
                f"rnn.weight_hh_l{k}": (rows, hidden),
                f"rnn.bias_ih_l{k}": (rows,),
                f"rnn.bias_hh_l{k}": (rows,),
            }
        )
    if config.adaptive_softmax is not None:
        shapes.update(adaptive_softmax_shapes(config))
        return shapes
    if not config.tie_weights:  # tied, the read-out's weight is embed.weight, listed once
        shapes["decoder.weight"] = (config.vocab_size, hidden)
    shapes["decoder.bias"] = (config.vocab_size,)
    return shapes


def adaptive_softmax_shapes(config: ModelConfig) -> dict[str, tuple[int, ...]]:
    """{name: shape} of the adaptive read-out, torch's layout: with c = cutoffs + [V], S = c_0, C clusters,

    decoder.head.weight (S + C, H); decoder.tail.{k}.0.weight (H // d^(k+1), H);
    decoder.tail.{k}.1.weight (c_{k+1} - c_k, H // d^(k+1)), d = config.adaptive_div_value (the config
    has checked that every width is finite and ≥ 1).
    """
    cutoffs = [*_cutoffs_of(config), config.vocab_size]
    hidden = config.hidden_size
    shapes: dict[str, tuple[int, ...]] = {"decoder.head.weight": (cutoffs[0] + len(cutoffs) - 1, hidden)}
    for k in range(len(cutoffs) - 1):
        width = int(projection_width(hidden, config.adaptive_div_value, k))
        shapes[f"decoder.tail.{k}.0.weight"] = (width, hidden)
        shapes[f"decoder.tail.{k}.1.weight"] = (cutoffs[k + 1] - cutoffs[k], width)
    return shapes


def parameter_array_count(config: ModelConfig) -> int:
    """How many arrays ``expected_shapes(config)`` lists, without listing them (num_layers may be absurd)."""
    _check_sized(config)
    if config.adaptive_softmax is not None:
        return 1 + 4 * config.num_layers + 1 + 2 * len(_cutoffs_of(config))
    return 1 + 4 * config.num_layers + (1 if config.tie_weights else 2)


def parameter_count(config: ModelConfig) -> int:
    """The number of weights of ``LanguageModel(config)``, in closed form (no array is made)."""
    _check_sized(config)
    gates = RECURRENT_LAYERS[config.cell].gate_count
    V, E, H, L = config.vocab_size, config.embedding_size, config.hidden_size, config.num_layers
    recurrent = gates * H * (E + H + 2) + (L - 1) * gates * H * (2 * H + 2)
    if config.adaptive_softmax is not None:
        return V * E + recurrent + sum(math.prod(shape) for shape in adaptive_softmax_shapes(config).values())
    return V * E + recurrent + (0 if config.tie_weights else V * H) + V


def training_bytes(config: ModelConfig, dtype: DTypeLike = np.float32) -> int:
    """Bytes that training ``LanguageModel(config, dtype)`` needs at least (weights × TRAINING_COPIES)."""
    return parameter_count(config) * _itemsize(dtype) * TRAINING_COPIES


def check_fits_in_memory(config: ModelConfig, dtype: DTypeLike = np.float32) -> None:
    """Refuse, with the figures, a model whose weights, gradients and optimizer buffers exceed memory."""
    needed, available = training_bytes(config, dtype), available_bytes()
    if available is not None and needed > available:
        raise GatedRNNError(
            f"a model of {parameter_count(config):,} weights ({config.cell}, hidden_size {config.hidden_size}, "
            f"embedding_size {config.embedding_size}, num_layers {config.num_layers}, vocab_size "
            f"{config.vocab_size}) would need {describe_bytes(needed)} for its weights, their gradients and "
            f"the optimizer's buffers; {describe_available(available)}: choose a smaller model"
        )


def _cutoffs_of(config: ModelConfig) -> tuple[int, ...]:
    """The adaptive softmax's cutoffs of a sized config (``_check_sized`` has refused "auto")."""
    return tuple(int(c) for c in config.adaptive_softmax or ())


def _check_sized(config: object) -> None:
    if not isinstance(config, ModelConfig) or config.vocab_size is None:
        raise GatedRNNError("the model's size needs a ModelConfig with vocab_size set")
    if config.adaptive_softmax == AUTO:
        raise GatedRNNError("the model's size needs the adaptive softmax's cutoffs, not 'auto'")


def _itemsize(dtype: Any) -> int:
    """Bytes per weight; 4 for a dtype NumPy does not know (the layers then refuse it themselves)."""
    try:
        return np.dtype(dtype).itemsize
    except TypeError:
        return 4
