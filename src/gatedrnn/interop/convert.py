"""``from_torch`` and ``to_torch``: a PyTorch module to a gatedrnn layer or LanguageModel, and back.

Both copy the weights unchanged under their names; the configuration is built by
:mod:`.layers` (single layers) or :mod:`.language_model` (whole language models). From
torch, every tensor first passes the gate of :mod:`.torch_tensors` (float32/float64, dense,
finite), and every setting gatedrnn cannot represent is refused in one line.
"""

from typing import Any

from ..core import Module
from ..errors import GatedRNNError
from .language_model import (
    is_language_model,
    is_torch_language_model,
    language_model_from_torch,
    language_model_to_torch,
)
from .layers import layer_from_torch, layer_to_torch
from .lazy_torch import import_torch
from .torch_tensors import arrays_from_state_dict


def from_torch(module: Any) -> Module:
    """A gatedrnn layer (or LanguageModel) with the configuration, weights and train/eval mode of
    a PyTorch ``module``.

    ``module``: a ``torch.nn.Module`` (RNN, LSTM, GRU, their cells, Embedding, Linear,
    AdaptiveLogSoftmaxWithLoss, or a TorchLanguageModel). The layer's dtype follows the
    module's (float32 or float64; convert a bfloat16 or float16 module with ``module.float()``
    or ``module.double()`` first).
    """
    torch = import_torch()
    if not isinstance(module, torch.nn.Module):
        raise GatedRNNError(
            f"from_torch takes a torch.nn.Module, got {type(module).__name__}; for a state_dict, "
            "build the gatedrnn layer and call its load_state_dict"
        )
    owner = f"this {type(module).__name__}"
    arrays, dtype = arrays_from_state_dict(module.state_dict(), owner, "module.float() or module.double()")
    if is_torch_language_model(module):
        return language_model_from_torch(module, arrays, dtype)
    return layer_from_torch(module, arrays, dtype)


def to_torch(layer: Module) -> Any:
    """A PyTorch module with the configuration and weights of the gatedrnn ``layer`` (or LanguageModel).

    Returns a ``torch.nn.Module`` (typed Any: torch is optional). Its ``state_dict()`` has
    PyTorch's own names; its dtype follows the layer's.
    """
    torch = import_torch()
    module = language_model_to_torch(layer) if is_language_model(layer) else layer_to_torch(layer)
    state = {name: torch.from_numpy(array.copy()) for name, array in layer.state_dict().items()}
    module.load_state_dict(state, strict=True)
    return module
