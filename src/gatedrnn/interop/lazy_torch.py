"""The one place gatedrnn imports PyTorch: on first use, never at ``import gatedrnn.interop``.

PyTorch is not a dependency of gatedrnn; without it, every door that needs it says how to
install it in one line.
"""

from typing import Any

from ..errors import GatedRNNError


def import_torch() -> Any:
    """The ``torch`` module, or GatedRNNError saying how to install it."""
    try:
        import torch
    except ImportError:  # pragma: no cover - depends on the environment
        raise GatedRNNError(
            "PyTorch is not installed; install it with `pip install gatedrnn[torch]` (or "
            "`pip install torch`) to use gatedrnn.interop and --engine torch"
        ) from None
    return torch
