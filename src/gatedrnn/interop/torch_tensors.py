"""The gate on weights coming from PyTorch: a state_dict's tensors as NumPy arrays, or one line.

gatedrnn computes in float32 or float64 on dense arrays, and its checkpoint reader refuses
NaN, infinity and weights beyond ``LARGEST_PLAUSIBLE_WEIGHT``. A tensor that cannot be one of
those arrays (bfloat16, float16, sparse, quantized, on the meta device, a lazy module's
uninitialised parameter) or holds values gatedrnn would refuse later is refused here, at the
door, with the tensor's name and the fix, instead of a TypeError or a silent cast.
"""

import math

import numpy as np

from ..errors import GatedRNNError
from .lazy_torch import import_torch

DTYPES = {"torch.float32": np.dtype(np.float32), "torch.float64": np.dtype(np.float64)}


def arrays_from_state_dict(state, owner, convert):
    """``({name: ndarray}, dtype)`` from a torch ``state`` dict, every tensor checked.

    owner: who holds the tensors, for the message ("this LSTM", "model.pt's state_dict").
    convert: how the user turns a tensor into float32/float64 there ("module.float() …").
    The arrays share memory with the tensors (moved to the CPU first); all have one dtype,
    float32 or float64, and only finite values. An empty state gives float32.
    """
    torch = import_torch()
    arrays = {}
    for name, tensor in state.items():
        _check_tensor(torch, tensor, f"{owner}: {name}", convert)
        arrays[name] = tensor.detach().cpu().resolve_neg().numpy()
    dtypes = sorted({str(array.dtype) for array in arrays.values()})
    if len(dtypes) > 1:
        raise GatedRNNError(
            f"{owner} mixes dtypes {', '.join(dtypes)}; gatedrnn keeps one dtype per model: convert "
            f"every tensor to one ({convert})"
        )
    for name, array in arrays.items():
        check_finite(array, f"{owner}: {name}")
    dtype = next(iter(arrays.values())).dtype if arrays else np.dtype(np.float32)
    return arrays, dtype


def _check_tensor(torch, tensor, where, convert):
    if not isinstance(tensor, torch.Tensor):
        raise GatedRNNError(f"{where} is a {type(tensor).__name__}, not a tensor; the state_dict is corrupt")
    if torch.nn.parameter.is_lazy(tensor):
        raise GatedRNNError(
            f"{where} is not initialised yet (a lazy module); run one forward pass first so that it "
            "has a shape and values"
        )
    if tensor.layout != torch.strided:
        raise GatedRNNError(
            f"{where} is a sparse tensor ({tensor.layout}); gatedrnn's weights are dense: convert it with .to_dense()"
        )
    if tensor.is_quantized:
        raise GatedRNNError(
            f"{where} is quantized ({tensor.dtype}); gatedrnn computes in float32 or float64: "
            "dequantize it first (.dequantize())"
        )
    if tensor.is_meta:
        raise GatedRNNError(f"{where} is on the meta device and has no values; load or initialise the weights first")
    if str(tensor.dtype) not in DTYPES:
        raise GatedRNNError(
            f"{where} is {tensor.dtype}; gatedrnn computes in float32 or float64: convert it with {convert}"
        )


def check_finite(array, where):
    """GatedRNNError if ``array`` holds NaN or infinity (min/max: no temporary array)."""
    if array.size and not (math.isfinite(float(array.min())) and math.isfinite(float(array.max()))):
        raise GatedRNNError(
            f"{where} holds NaN or infinite values, which gatedrnn refuses (the model had diverged "
            "or the weights are damaged); use weights from before it diverged"
        )


def check_plausible(arrays, owner):
    """GatedRNNError for a weight beyond what gatedrnn's checkpoint reader accepts for a language model.

    Such a model could be built but never saved and read back (gatedrnn.lm.run_checkpoint).
    """
    from ..lm.config import LARGEST_PLAUSIBLE_WEIGHT

    for name, array in arrays.items():
        largest = max(abs(float(array.min())), abs(float(array.max()))) if array.size else 0.0
        if largest > LARGEST_PLAUSIBLE_WEIGHT:
            raise GatedRNNError(
                f"{owner}: {name} holds a weight of {largest:.3g}, beyond the "
                f"±{LARGEST_PLAUSIBLE_WEIGHT:g} gatedrnn's checkpoints accept (no trained language "
                "model has one); the weights are damaged or crafted"
            )
