"""Whole language models in PyTorch: :class:`TorchLanguageModel`, and a LanguageModel to and from one.

The class is made on first use (it subclasses ``torch.nn.Module``, so it cannot exist before
torch is imported); ``gatedrnn.interop.TorchLanguageModel`` fetches it.
"""

from typing import Any

from ..layers import RECURRENT_LAYERS
from ..lm.adaptive_cutoffs import DEFAULT_DIV_VALUE
from .lazy_torch import import_torch
from .torch_tensors import check_plausible

_TORCH_LANGUAGE_MODEL = None


def is_language_model(obj):
    from ..lm import LanguageModel

    return isinstance(obj, LanguageModel)


def is_torch_language_model(module):
    return _TORCH_LANGUAGE_MODEL is not None and isinstance(module, _TORCH_LANGUAGE_MODEL)


def language_model_from_torch(module, arrays, dtype):
    """The LanguageModel of a TorchLanguageModel ``module`` whose checked state_dict is ``arrays``."""
    from ..lm import LanguageModel, ModelConfig

    check_plausible(arrays, "this TorchLanguageModel")  # else it could never be saved and read back
    model = LanguageModel(ModelConfig.from_dict(dict(module.config), source="the module's config"), dtype=dtype)
    model.load_state_dict(arrays)
    return model.train(bool(module.training))


def language_model_to_torch(model):
    """A TorchLanguageModel with ``model``'s configuration (weights not yet copied), in its dtype."""
    torch = import_torch()
    module = torch_language_model_class()(model.config.to_dict())
    return module.to(torch.float64 if str(model.dtype) == "float64" else torch.float32)


def check_torch_counterpart(config: dict[str, Any]) -> None:
    """One line if a LanguageModel of ``config`` (ModelConfig.to_dict()) computes what no
    TorchLanguageModel can: a residual stack (torch's stacked layers cannot add a layer's input
    to its output). The training-only settings torch lacks (locked dropout …) pass: in eval mode
    the two compute the same."""
    from ..errors import GatedRNNError

    if config.get("residual"):
        raise GatedRNNError(
            "a model with residual=True has no PyTorch counterpart (torch's recurrent layers have no "
            "skip connections between layers); train it without --residual to move it to torch"
        )


def torch_language_model_class() -> Any:
    """The class ``TorchLanguageModel(config)``: gatedrnn's LanguageModel as a torch ``nn.Module``.

    ``to_torch(model)`` builds one from a LanguageModel. ``config`` is
    ``ModelConfig.to_dict()``, kept as ``module.config``. Parameters have the LanguageModel's
    names (``embed.weight``, ``rnn.weight_ih_l0`` …, ``decoder.weight`` unless tied,
    ``decoder.bias``), so state dicts move unchanged. ``forward(ids (N, T) int64, state=None)``
    returns ``(logits (N, T, V), state)``. With ``adaptive_softmax`` cutoffs in the config the
    decoder is ``torch.nn.AdaptiveLogSoftmaxWithLoss`` with ``div_value=config["adaptive_div_value"]``
    (4, torch's default, for a config written before that setting) (``decoder.head.weight``,
    ``decoder.tail.{k}.0.weight``, ``decoder.tail.{k}.1.weight``) and, as in the
    LanguageModel, forward returns the features (N, T, H) in training mode and the
    log-probabilities (N, T, V) in eval mode; ``module.loss(scores, targets)`` is the loss of
    either output. In eval mode it computes what the LanguageModel
    computes (tested to 1e-5); in training mode its dropout is torch's per element, so the
    settings torch has no layer for (locked_dropout, recurrent_dropout, weight_drop,
    embedding_dropout) are not applied, nor AR/TAR (activation_reg, temporal_activation_reg,
    terms of gatedrnn's training loss): fine-tune with them in gatedrnn. A config with
    ``residual`` is refused: torch's stacked layers have no skip connections, so the module
    would compute something else.
    """
    global _TORCH_LANGUAGE_MODEL
    if _TORCH_LANGUAGE_MODEL is None:
        _TORCH_LANGUAGE_MODEL = _make_torch_language_model(import_torch())
    return _TORCH_LANGUAGE_MODEL


def _make_torch_language_model(torch):
    from ..errors import GatedRNNError

    nn = torch.nn
    # Each registered cell that PyTorch has (gatedrnn.layers.registry): "lstm" → nn.LSTM, …
    recurrent = {name: getattr(nn, cell.torch_name) for name, cell in RECURRENT_LAYERS.items() if cell.torch_name}

    class TorchLanguageModel(nn.Module):
        __doc__ = torch_language_model_class.__doc__
        # Named where users find it, so that pickle (torch.save(module)) can find it again.
        __module__, __qualname__ = "gatedrnn.interop", "TorchLanguageModel"

        def __init__(self, config):
            super().__init__()
            self.config = dict(config)
            c = self.config
            if c["cell"] not in recurrent:
                raise GatedRNNError(f"unknown cell {c['cell']!r} in the config; use {', '.join(recurrent)}")
            check_torch_counterpart(c)
            self.embed = nn.Embedding(c["vocab_size"], c["embedding_size"])
            self.embed_dropout = nn.Dropout(c["dropout"])
            self.rnn = recurrent[c["cell"]](
                c["embedding_size"],
                c["hidden_size"],
                c["num_layers"],
                batch_first=True,
                dropout=c["dropout"] if c["num_layers"] > 1 else 0.0,
            )
            self.output_dropout = nn.Dropout(c["dropout"])
            self.adaptive = c.get("adaptive_softmax") is not None
            if self.adaptive and c["tie_weights"]:
                raise GatedRNNError("an adaptive softmax has no read-out matrix to tie; set tie_weights False")
            if self.adaptive:
                # a config written before the setting existed was built at torch's default
                self.decoder = nn.AdaptiveLogSoftmaxWithLoss(
                    c["hidden_size"],
                    c["vocab_size"],
                    list(c["adaptive_softmax"]),
                    div_value=float(c.get("adaptive_div_value", DEFAULT_DIV_VALUE)),
                )
            else:
                self.decoder = nn.Linear(c["hidden_size"], c["vocab_size"])
            if c["tie_weights"]:
                self.decoder.weight = self.embed.weight

        def forward(self, ids, state=None):
            hs, state = self.rnn(self.embed_dropout(self.embed(ids)), state)
            features = self.output_dropout(hs)
            if not self.adaptive:
                return self.decoder(features), state
            if self.training:
                return features, state
            return self.decoder.log_prob(features.reshape(-1, features.shape[-1])).reshape(*ids.shape, -1), state

        def loss(self, scores, targets, reduction="mean"):
            """The loss of forward's output against targets (N, T): cross-entropy of the logits; with an
            adaptive softmax -log p(target) from the module in training mode, from the log-probabilities
            in eval mode. ``reduction``: "mean" (per token) or "sum"."""
            functional = torch.nn.functional
            flat, targets = scores.reshape(-1, scores.shape[-1]), targets.reshape(-1)
            if not self.adaptive:
                return functional.cross_entropy(flat, targets, reduction=reduction)
            if self.training:
                output = self.decoder(flat, targets).output
                return -(output.mean() if reduction == "mean" else output.sum())
            return functional.nll_loss(flat, targets, reduction=reduction)

        def state_dict(self, *args, **kwargs):
            # A tied decoder.weight is the embedding: kept once, under the LanguageModel's name.
            state = super().state_dict(*args, **kwargs)
            if self.config["tie_weights"]:
                state.pop(kwargs.get("prefix", "") + "decoder.weight", None)
            return state

        def load_state_dict(self, state_dict, strict=True, **kwargs):
            state_dict = dict(state_dict)
            if self.config["tie_weights"]:
                state_dict["decoder.weight"] = state_dict["embed.weight"]
            return super().load_state_dict(state_dict, strict=strict, **kwargs)

    return TorchLanguageModel
