"""Move weights between gatedrnn layers and PyTorch modules, values unchanged.

gatedrnn keeps PyTorch's parameter names and layouts (gate order i, f, g, o for the LSTM and
r, z, n for the GRU; weights shaped (out, in)), so a conversion is a copy of each array under
the same name. PyTorch is imported only when these functions are called; it is not a
dependency of gatedrnn.

Supported: ``nn.RNN`` (tanh, relu), ``nn.LSTM``, ``nn.GRU`` (any num_layers, with or without
biases, batch-first or time-major, one or two directions; not ``proj_size``), ``nn.Embedding``
and ``nn.Linear``; and whole language models: ``to_torch(LanguageModel)`` gives a
:class:`TorchLanguageModel` (an ``nn.Module`` built from the model's configuration, with the
same parameter names), and ``from_torch`` takes one back. This module therefore sits above
gatedrnn.lm in the package (docs/architecture.md): it is the bridge for everything gatedrnn builds.
"""
import numpy as np

from ..errors import GatedRNNError
from ..layers import GRU, LSTM, RNN, Embedding, Linear

_TORCH_DTYPES = {np.dtype(np.float32): "float32", np.dtype(np.float64): "float64"}


def _torch():
    try:
        import torch
    except ImportError:  # pragma: no cover - depends on the environment
        raise GatedRNNError("PyTorch is not installed; install it with `pip install gatedrnn[torch]` (or "
                             "`pip install torch`) to use gatedrnn.interop and --engine torch") from None
    return torch


def from_torch(module):
    """A gatedrnn layer (or LanguageModel) with the configuration and weights of a PyTorch ``module``.

    The layer's dtype follows the module's (float32 or float64).
    """
    torch = _torch()
    nn = torch.nn
    weights = {name: tensor.detach().cpu().numpy() for name, tensor in module.state_dict().items()}
    dtype = next(iter(weights.values())).dtype if weights else np.float32
    if isinstance(module, _torch_language_model_class()):
        from ..lm import LanguageModel, ModelConfig
        model = LanguageModel(ModelConfig.from_dict(dict(module.config), source="the module's config"), dtype=dtype)
        model.load_state_dict(weights)
        return model
    if isinstance(module, (nn.RNN, nn.LSTM, nn.GRU)):
        layer = _recurrent_from_torch(module, dtype)
    elif isinstance(module, nn.Embedding):
        layer = Embedding(module.num_embeddings, module.embedding_dim, dtype=dtype)
    elif isinstance(module, nn.Linear):
        layer = Linear(module.in_features, module.out_features, bias=module.bias is not None, dtype=dtype)
    else:
        raise GatedRNNError(f"from_torch does not support {type(module).__name__}; supported: RNN, LSTM, GRU, Embedding, Linear")
    layer.load_state_dict(weights)
    return layer


def _recurrent_from_torch(module, dtype):
    if getattr(module, "proj_size", 0):
        raise GatedRNNError(f"cannot convert this {type(module).__name__}: proj_size is not supported; "
                            "build it with proj_size=0")
    kwargs = dict(num_layers=module.num_layers, bias=bool(module.bias), batch_first=bool(module.batch_first),
                  dropout=module.dropout, bidirectional=bool(module.bidirectional), dtype=dtype)
    if type(module).__name__ == "RNN":
        return RNN(module.input_size, module.hidden_size, nonlinearity=module.nonlinearity, **kwargs)
    cls = LSTM if type(module).__name__ == "LSTM" else GRU
    return cls(module.input_size, module.hidden_size, **kwargs)


def to_torch(layer):
    """A PyTorch module with the configuration and weights of the gatedrnn ``layer``.

    Its ``state_dict()`` has PyTorch's own names; its dtype follows the layer's.
    """
    torch = _torch()
    nn = torch.nn
    dtype = getattr(torch, _TORCH_DTYPES.get(np.dtype(layer.dtype), "float32"))
    if _is_language_model(layer):
        module = _torch_language_model_class()(layer.config.to_dict())
        module.to(dtype)
    elif isinstance(layer, (RNN, LSTM, GRU)):
        if getattr(layer, "locked_dropout", False) and layer.dropout:
            raise GatedRNNError("PyTorch's recurrent layers have no locked dropout; build the gatedrnn layer with locked_dropout=False to convert it")
        if not getattr(layer, "reset_after", True):
            raise GatedRNNError("torch.nn.GRU applies the reset gate after W_hn only; a GRU(reset_after=False) has no "
                                "PyTorch counterpart to convert to")
        kwargs = dict(num_layers=layer.num_layers, bias=layer.bias, batch_first=layer.batch_first,
                      dropout=layer.dropout, bidirectional=layer.bidirectional, dtype=dtype)
        if isinstance(layer, RNN):
            module = nn.RNN(layer.input_size, layer.hidden_size, nonlinearity=layer.nonlinearity, **kwargs)
        else:
            module = (nn.LSTM if isinstance(layer, LSTM) else nn.GRU)(layer.input_size, layer.hidden_size, **kwargs)
    elif isinstance(layer, Embedding):
        module = nn.Embedding(layer.num_embeddings, layer.embedding_dim, dtype=dtype)
    elif isinstance(layer, Linear):
        module = nn.Linear(layer.in_features, layer.out_features, bias=layer.bias is not None, dtype=dtype)
    else:
        raise GatedRNNError(f"to_torch does not support {type(layer).__name__}; supported: RNN, LSTM, GRU, Embedding, Linear")
    state = {name: torch.from_numpy(array.copy()) for name, array in layer.state_dict().items()}
    module.load_state_dict(state, strict=True)
    return module


# -- whole language models ------------------------------------------------------------------
def _is_language_model(obj):
    from ..lm import LanguageModel
    return isinstance(obj, LanguageModel)


_TORCH_LANGUAGE_MODEL = None


def __getattr__(name):
    # ``gatedrnn.interop.TorchLanguageModel`` is made on first use, so that importing this
    # module needs no torch.
    if name == "TorchLanguageModel":
        return _torch_language_model_class()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _torch_language_model_class():
    """The class ``TorchLanguageModel(config)``: gatedrnn's LanguageModel as a torch ``nn.Module``.

    ``to_torch(model)`` builds one from a LanguageModel. ``config`` is
    ``ModelConfig.to_dict()``, kept as ``module.config``. Parameters have the LanguageModel's
    names (``embed.weight``, ``rnn.weight_ih_l0`` …, ``decoder.weight`` unless tied,
    ``decoder.bias``), so state dicts move unchanged. ``forward(ids (N, T) int64, state=None)``
    returns ``(logits (N, T, V), state)``. In eval mode it computes what the LanguageModel
    computes (tested to 1e-5); in training mode its dropout is torch's per element, so the
    settings torch has no layer for (locked_dropout, recurrent_dropout, weight_drop,
    embedding_dropout) are not applied: fine-tune with them in gatedrnn.
    """
    global _TORCH_LANGUAGE_MODEL
    if _TORCH_LANGUAGE_MODEL is None:
        _TORCH_LANGUAGE_MODEL = _make_torch_language_model(_torch())
    return _TORCH_LANGUAGE_MODEL


def _make_torch_language_model(torch):
    nn = torch.nn
    recurrent = {"lstm": nn.LSTM, "gru": nn.GRU, "rnn": nn.RNN}

    class TorchLanguageModel(nn.Module):
        __doc__ = _torch_language_model_class.__doc__

        def __init__(self, config):
            super().__init__()
            self.config = dict(config)
            c = self.config
            if c["cell"] not in recurrent:
                raise GatedRNNError(f"unknown cell {c['cell']!r} in the config; use lstm, gru or rnn")
            self.embed = nn.Embedding(c["vocab_size"], c["embedding_size"])
            self.embed_dropout = nn.Dropout(c["dropout"])
            self.rnn = recurrent[c["cell"]](c["embedding_size"], c["hidden_size"], c["num_layers"], batch_first=True,
                                            dropout=c["dropout"] if c["num_layers"] > 1 else 0.0)
            self.output_dropout = nn.Dropout(c["dropout"])
            self.decoder = nn.Linear(c["hidden_size"], c["vocab_size"])
            if c["tie_weights"]:
                self.decoder.weight = self.embed.weight

        def forward(self, ids, state=None):
            hs, state = self.rnn(self.embed_dropout(self.embed(ids)), state)
            return self.decoder(self.output_dropout(hs)), state

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


# -- the torch file of a whole language model ------------------------------------------------
TORCH_FILE_FORMAT = "gatedrnn-language-model"
TORCH_FILE_VERSION = 1


def save_torch_language_model(model, vocab, path, training=None):
    """Write ``model`` as a self-contained torch file: its state_dict, config, vocabulary and
    training settings, readable with ``torch.load(path, weights_only=True)`` (no pickled code).

    ``TorchLanguageModel(saved["config"])`` rebuilds it in PyTorch alone; the vocabulary is
    ``saved["vocab"]["tokens"]`` in id order. Written atomically.
    """
    import io
    from ..files import atomic_write_bytes
    torch = _torch()
    state = {name: torch.from_numpy(array.copy()) for name, array in model.state_dict().items()}
    document = dict(format=TORCH_FILE_FORMAT, format_version=TORCH_FILE_VERSION, config=model.config.to_dict(),
                    vocab=vocab.to_dict(), training=None if training is None else training.to_dict(),
                    state_dict=state)
    buffer = io.BytesIO()
    torch.save(document, buffer)
    atomic_write_bytes(path, buffer.getvalue())


def load_torch_language_model(path):
    """``(model, vocab, training)`` from a file written by :func:`save_torch_language_model`.

    Read with ``torch.load(weights_only=True)``: tensors and plain data only, so a crafted
    file cannot run code. ``training`` is a TrainConfig or None.
    """
    from ..data import Vocabulary
    from ..lm import LanguageModel, ModelConfig, TrainConfig
    torch = _torch()
    try:
        document = torch.load(path, map_location="cpu", weights_only=True)
    except FileNotFoundError:
        raise GatedRNNError(f"{path} does not exist; give a file written by `gatedrnn export`") from None
    except Exception as error:   # torch raises many kinds for a file that is not its format
        raise GatedRNNError(f"{path} is not a torch file that weights_only loading accepts "
                            f"({type(error).__name__}); give a file written by `gatedrnn export`") from None
    if not isinstance(document, dict) or document.get("format") != TORCH_FILE_FORMAT:
        raise GatedRNNError(f"{path} is not a gatedrnn language model (no format {TORCH_FILE_FORMAT!r}); give a "
                            "file written by `gatedrnn export`")
    if document.get("format_version") != TORCH_FILE_VERSION:
        raise GatedRNNError(f"{path} has format version {document.get('format_version')!r}; this gatedrnn reads "
                            f"version {TORCH_FILE_VERSION}")
    config = ModelConfig.from_dict(document.get("config"), source=f"{path}'s config")
    vocab = Vocabulary.from_dict(document.get("vocab"))
    if config.vocab_size != len(vocab):
        raise GatedRNNError(f"{path}: its config says {config.vocab_size} tokens but its vocabulary has {len(vocab)}")
    state = document.get("state_dict")
    if not isinstance(state, dict) or not all(isinstance(t, torch.Tensor) for t in state.values()):
        raise GatedRNNError(f"{path} has no state_dict of tensors; the file is corrupt")
    arrays = {name: tensor.detach().cpu().numpy() for name, tensor in state.items()}
    dtype = next(iter(arrays.values())).dtype if arrays else np.float32
    model = LanguageModel(config, dtype=dtype)
    model.load_state_dict(arrays)
    training = document.get("training")
    training = None if training is None else TrainConfig.from_dict(training, source=f"{path}'s training settings")
    return model, vocab, training
