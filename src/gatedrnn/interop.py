"""Move weights between gatedrnn layers and PyTorch modules, values unchanged.

gatedrnn keeps PyTorch's parameter names and layouts (gate order i, f, g, o for the LSTM and
r, z, n for the GRU; weights shaped (out, in)), so a conversion is a copy of each array under
the same name. PyTorch is imported only when these functions are called; it is not a
dependency of gatedrnn.

Supported: ``nn.RNN`` (tanh, relu), ``nn.LSTM``, ``nn.GRU`` (any num_layers, with or without
biases, batch-first or time-major, one or two directions; not ``proj_size``), ``nn.Embedding``
and ``nn.Linear``.
"""
import numpy as np

from .errors import GatedRNNError
from .layers import GRU, LSTM, RNN, Embedding, Linear

_TORCH_DTYPES = {np.dtype(np.float32): "float32", np.dtype(np.float64): "float64"}


def _torch():
    try:
        import torch
    except ImportError:  # pragma: no cover - depends on the environment
        raise GatedRNNError("PyTorch is not installed; install it with `pip install torch` to use gatedrnn.interop") from None
    return torch


def from_torch(module):
    """A gatedrnn layer with the configuration and weights of a PyTorch ``module``.

    The layer's dtype follows the module's (float32 or float64).
    """
    torch = _torch()
    nn = torch.nn
    weights = {name: tensor.detach().cpu().numpy() for name, tensor in module.state_dict().items()}
    dtype = next(iter(weights.values())).dtype if weights else np.float32
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
    if isinstance(layer, (RNN, LSTM, GRU)):
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
