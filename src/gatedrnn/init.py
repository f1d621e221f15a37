"""Weight initialisers, filling an array in place, as ``torch.nn.init``.

Each function takes a :class:`~gatedrnn.core.Parameter` (its ``data`` is filled) or a float
NumPy array, and returns the filled array. Random ones draw from ``rng`` (a
``numpy.random.Generator``), by default the library's generator (:mod:`gatedrnn.rng`), so one
``gatedrnn.seed(n)`` makes a whole model reproducible. Samples are drawn in float64 and
rounded once into the array's dtype.

Why the scales: with fan_in inputs of unit variance, a layer y = W x has
Var(y_i) = fan_in · Var(W). Xavier/Glorot (2010) picks Var(W) = 2 / (fan_in + fan_out) to
keep both the forward activations and the backward gradients at unit scale; Kaiming/He
(2015) picks Var(W) = gain² / fan_in for the forward pass alone, with the gain making up for
what the nonlinearity removes (√2 for ReLU, which zeroes half its inputs).
"""

import math
from numbers import Real
from typing import Any

import numpy as np

from .core import Parameter
from .errors import GatedRNNError, check_whole_number
from .rng import generator as _library_generator
from .typing import FloatArray, FloatLike, IntLike

# What every init function fills in place: a Parameter (its data) or a float array.
Tensor = Parameter | FloatArray

_LINEAR = (
    "linear",
    "conv1d",
    "conv2d",
    "conv3d",
    "conv_transpose1d",
    "conv_transpose2d",
    "conv_transpose3d",
    "sigmoid",
)


# -- helpers ---------------------------------------------------------------------------------
def _array(x: Tensor, caller: str) -> FloatArray:
    """The float ndarray to fill: ``x.data`` for a Parameter, ``x`` itself for an ndarray."""
    array = x.data if isinstance(x, Parameter) else x
    if not isinstance(array, np.ndarray) or array.dtype.kind != "f":
        got = f"an array of {array.dtype}" if isinstance(array, np.ndarray) else type(x).__name__
        raise GatedRNNError(
            f"{caller} fills a Parameter or a float ndarray in place, got {got}; "
            f"pass e.g. np.empty((out, in), dtype=np.float32)"
        )
    if not array.flags.writeable:
        raise GatedRNNError(f"{caller} got a read-only array; pass a writeable copy (array.copy())")
    return array


def _generator(rng: np.random.Generator | None) -> np.random.Generator:
    if rng is None:
        return _library_generator()
    if not isinstance(rng, np.random.Generator):
        raise GatedRNNError(
            f"rng must be a numpy.random.Generator or None, got {type(rng).__name__}; pass np.random.default_rng(seed)"
        )
    return rng


def _real(value: Any, name: str, caller: str) -> float:
    if isinstance(value, bool) or not isinstance(value, Real) or not math.isfinite(value):
        raise GatedRNNError(f"{caller} {name} must be a finite number, got {value!r}; pass a float")
    return float(value)


def _gain(value: Any, caller: str) -> float:
    """A finite gain ≥ 0: it scales a bound or a standard deviation, which cannot be negative."""
    gain = _real(value, "gain", caller)
    if gain < 0:
        raise GatedRNNError(f"{caller} gain must be ≥ 0, got {gain}; pass e.g. calculate_gain('tanh'), or 1.0")
    return gain


def _fill(array: FloatArray, values: FloatArray | float) -> FloatArray:
    array[...] = values  # one rounding from float64 into the array's dtype
    return array


def _calculate_fan_in_and_fan_out(array: FloatArray, caller: str = "fan computation") -> tuple[int, int]:
    """(fan_in, fan_out) of a weight shaped (out, in, *kernel), as torch computes them.

    fan_in = in · ∏kernel and fan_out = out · ∏kernel; a 2-D (out, in) matrix has no kernel.
    """
    if array.ndim < 2:
        raise GatedRNNError(
            f"{caller} needs fan-in and fan-out, which a {array.ndim}-D array of "
            f"shape {array.shape} does not have; use it on a weight matrix "
            f"(out, in), or use uniform_/normal_/zeros_ for biases"
        )
    receptive_field = math.prod(array.shape[2:])
    return array.shape[1] * receptive_field, array.shape[0] * receptive_field


def _fan(array: FloatArray, mode: str, caller: str) -> int:
    if mode not in ("fan_in", "fan_out"):
        raise GatedRNNError(
            f"{caller} mode must be 'fan_in' or 'fan_out', got {mode!r}; use 'fan_in' to preserve the forward scale"
        )
    fan_in, fan_out = _calculate_fan_in_and_fan_out(array, caller)
    return fan_in if mode == "fan_in" else fan_out


# -- gains -----------------------------------------------------------------------------------
def calculate_gain(nonlinearity: str, param: FloatLike | None = None) -> float:
    """The factor by which to scale weights feeding ``nonlinearity``, as torch's table.

    linear, conv*, sigmoid → 1;  tanh → 5/3;  relu → √2;  selu → 3/4;
    leaky_relu with negative slope a (``param``, default 0.01) → √(2 / (1 + a²)).
    """
    if nonlinearity in _LINEAR:
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "selu":
        return 3.0 / 4
    if nonlinearity == "leaky_relu":
        slope = 0.01 if param is None else _real(param, "negative slope", "calculate_gain")
        return math.sqrt(2.0 / (1 + slope**2))
    raise GatedRNNError(
        f"calculate_gain does not know nonlinearity {nonlinearity!r}; use one of "
        f"linear, sigmoid, tanh, relu, leaky_relu, selu"
    )


# -- constant fills --------------------------------------------------------------------------
def constant_(x: Tensor, val: FloatLike) -> FloatArray:
    """Fill with ``val`` everywhere.

    Every init function fills ``x`` (a Parameter's data, or a float array of any shape) in
    place, keeping its shape and dtype, and returns that array.
    """
    array = _array(x, "constant_")
    return _fill(array, _real(val, "val", "constant_"))


def zeros_(x: Tensor) -> FloatArray:
    """Fill with 0 (the usual bias initialisation)."""
    return _fill(_array(x, "zeros_"), 0.0)


def ones_(x: Tensor) -> FloatArray:
    """Fill with 1."""
    return _fill(_array(x, "ones_"), 1.0)


# -- plain distributions ---------------------------------------------------------------------
def uniform_(x: Tensor, a: FloatLike = 0.0, b: FloatLike = 1.0, rng: np.random.Generator | None = None) -> FloatArray:
    """Fill with samples of U(a, b)."""
    array = _array(x, "uniform_")
    a, b = _real(a, "a", "uniform_"), _real(b, "b", "uniform_")
    if a > b:
        raise GatedRNNError(f"uniform_ needs a <= b, got a={a} > b={b}; swap the bounds")
    return _fill(array, _generator(rng).uniform(a, b, size=array.shape))


def normal_(
    x: Tensor, mean: FloatLike = 0.0, std: FloatLike = 1.0, rng: np.random.Generator | None = None
) -> FloatArray:
    """Fill with samples of N(mean, std²)."""
    array = _array(x, "normal_")
    mean, std = _real(mean, "mean", "normal_"), _real(std, "std", "normal_")
    if std < 0:
        raise GatedRNNError(f"normal_ needs std >= 0, got {std}; pass a non-negative std")
    return _fill(array, _generator(rng).normal(mean, std, size=array.shape))


def default_uniform_(x: Tensor, hidden_size: IntLike, rng: np.random.Generator | None = None) -> FloatArray:
    """U(-1/√H, 1/√H): PyTorch's default for every weight and bias of RNN, LSTM and GRU."""
    check_whole_number("default_uniform_ hidden_size", hidden_size, 1, ", the layer's hidden size")
    bound = 1.0 / math.sqrt(hidden_size)
    return uniform_(x, -bound, bound, rng=rng)


# -- scaled by fan-in / fan-out --------------------------------------------------------------
def xavier_uniform_(x: Tensor, gain: FloatLike = 1.0, rng: np.random.Generator | None = None) -> FloatArray:
    """Glorot uniform: U(-b, b) with b = gain · √(6 / (fan_in + fan_out)).

    That is std = gain · √(2 / (fan_in + fan_out)), as U(-b, b) has std b/√3.
    """
    array = _array(x, "xavier_uniform_")
    fan_in, fan_out = _calculate_fan_in_and_fan_out(array, "xavier_uniform_")
    std = _gain(gain, "xavier_uniform_") * math.sqrt(2.0 / (fan_in + fan_out))
    bound = math.sqrt(3.0) * std
    return _fill(array, _generator(rng).uniform(-bound, bound, size=array.shape))


def xavier_normal_(x: Tensor, gain: FloatLike = 1.0, rng: np.random.Generator | None = None) -> FloatArray:
    """Glorot normal: N(0, σ²) with σ = gain · √(2 / (fan_in + fan_out))."""
    array = _array(x, "xavier_normal_")
    fan_in, fan_out = _calculate_fan_in_and_fan_out(array, "xavier_normal_")
    std = _gain(gain, "xavier_normal_") * math.sqrt(2.0 / (fan_in + fan_out))
    return _fill(array, _generator(rng).normal(0.0, std, size=array.shape))


def _kaiming_std(array: FloatArray, a: FloatLike, mode: str, nonlinearity: str, caller: str) -> float:
    """σ = gain / √fan with gain = calculate_gain(nonlinearity, a)."""
    fan = _fan(array, mode, caller)
    return calculate_gain(nonlinearity, a) / math.sqrt(fan)


def kaiming_uniform_(
    x: Tensor,
    a: FloatLike = 0,
    mode: str = "fan_in",
    nonlinearity: str = "leaky_relu",
    rng: np.random.Generator | None = None,
) -> FloatArray:
    """He uniform: U(-b, b) with b = √3 · gain / √fan (fan = fan_in or fan_out by ``mode``).

    ``a`` is the negative slope used when ``nonlinearity='leaky_relu'``; the default a = 0
    gives gain √2, the ReLU value.
    """
    array = _array(x, "kaiming_uniform_")
    if array.size == 0:  # torch leaves zero-element tensors alone (their fan may be 0)
        return array
    bound = math.sqrt(3.0) * _kaiming_std(array, a, mode, nonlinearity, "kaiming_uniform_")
    return _fill(array, _generator(rng).uniform(-bound, bound, size=array.shape))


def kaiming_normal_(
    x: Tensor,
    a: FloatLike = 0,
    mode: str = "fan_in",
    nonlinearity: str = "leaky_relu",
    rng: np.random.Generator | None = None,
) -> FloatArray:
    """He normal: N(0, σ²) with σ = gain / √fan (fan = fan_in or fan_out by ``mode``)."""
    array = _array(x, "kaiming_normal_")
    if array.size == 0:
        return array
    std = _kaiming_std(array, a, mode, nonlinearity, "kaiming_normal_")
    return _fill(array, _generator(rng).normal(0.0, std, size=array.shape))


def orthogonal_(x: Tensor, gain: FloatLike = 1.0, rng: np.random.Generator | None = None) -> FloatArray:
    """A (semi-)orthogonal matrix times ``gain``, as torch (Saxe et al. 2014).

    The array is viewed as (rows, cols) = (shape[0], size / shape[0]). Draw A ~ N(0, 1) of
    that shape (transposed when wide, so QR sees a tall matrix), take A = QR and multiply
    each column of Q by sign(R_ii): without that correction Q is not uniformly (Haar)
    distributed. Result: QᵀQ = I for tall, QQᵀ = I for wide matrices. For a recurrent
    W_hh an orthogonal start has all singular values 1, so early gradients neither vanish
    nor explode through time.
    """
    array = _array(x, "orthogonal_")
    if array.ndim < 2:
        raise GatedRNNError(
            f"orthogonal_ needs an array of 2 or more dimensions, got shape "
            f"{array.shape}; use it on a weight matrix (out, in)"
        )
    gain = _real(gain, "gain", "orthogonal_")
    if array.size == 0:
        return array
    rows = array.shape[0]
    cols = array.size // rows
    flat = _generator(rng).normal(0.0, 1.0, size=(rows, cols))
    if rows < cols:
        flat = flat.T
    q, r = np.linalg.qr(flat)
    q *= np.sign(np.diag(r))
    if rows < cols:
        q = q.T
    return _fill(array, gain * q.reshape(array.shape))
