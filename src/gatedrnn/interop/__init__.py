"""Move weights between gatedrnn and PyTorch, values unchanged.

PyTorch is imported only when a function here is called (``import gatedrnn.interop`` imports
no torch); it is not a dependency of gatedrnn. One idea per module:

    lazy_torch       import_torch(): the one place torch is imported
    torch_tensors    the gate on incoming tensors: float32/float64, dense, finite, plausible
    layers           nn.RNN (tanh, relu), nn.LSTM, nn.GRU (any num_layers, with or without
                     biases, batch-first or time-major, one or two directions; not proj_size),
                     nn.Embedding and nn.Linear, and what each side cannot represent
    language_model   TorchLanguageModel: a LanguageModel as an nn.Module with the same names
    convert          from_torch / to_torch for all of the above
    torch_file       the torch file of a whole language model (save / read, checked)
    export_import    the doors `gatedrnn export` and `gatedrnn import`
    torch_engine     `train --engine torch` and `auto`: the Trainer's steps on PyTorch (docs/scaling.md)

This package sits above gatedrnn.lm (docs/architecture.md): it is the bridge for everything
gatedrnn builds.
"""

from typing import Any

from .convert import from_torch, to_torch
from .export_import import export_checkpoint, import_torch_file
from .language_model import torch_language_model_class
from .lazy_torch import import_torch
from .torch_file import (
    TORCH_FILE_FORMAT,
    TORCH_FILE_VERSION,
    TorchFile,
    load_torch_language_model,
    read_torch_language_model,
    save_torch_language_model,
)

_torch = import_torch  # the name cli/lm.py and torch_engine import

__all__ = [
    "from_torch",
    "to_torch",
    "TorchLanguageModel",
    "save_torch_language_model",
    "load_torch_language_model",
    "read_torch_language_model",
    "TorchFile",
    "export_checkpoint",
    "import_torch_file",
    "import_torch",
    "TORCH_FILE_FORMAT",
    "TORCH_FILE_VERSION",
]


def __getattr__(name: str) -> Any:
    # ``gatedrnn.interop.TorchLanguageModel`` subclasses torch.nn.Module, so it is made on
    # first use: importing this package needs no torch.
    if name == "TorchLanguageModel":
        return torch_language_model_class()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
