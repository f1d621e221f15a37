"""The type names the library's signatures use, so that a hint reads as what it means.

Arrays are ``numpy.typing.NDArray``; the element type says what the library checks at run
time (a layer refuses an input of the wrong dtype with a GatedRNNError, whatever the hint):

    FloatArray   float32 or float64 values: inputs, outputs, weights, gradients
    IntArray     integer values: token ids, targets, lengths (any integer dtype is accepted)
    BoolArray    masks given as booleans
    RecurrentState  a recurrent layer's state: one array, or a tuple (h, c) for the LSTM

Scalars: wherever a Python int or float is accepted, a NumPy one is too (it is converted), so
the hints say so — ``IntLike`` for an int, ``FloatLike`` for a real number (an int included,
as ``float`` does in a hint). ``DTypeLike`` is NumPy's: ``np.float32``, ``"float64"``, a dtype.

Only names used by hints live here; importing it costs NumPy, which the library imports anyway.
"""

from typing import Any, TypeAlias

import numpy as np
from numpy.typing import ArrayLike, DTypeLike, NDArray

FloatArray: TypeAlias = NDArray[np.floating[Any]]
IntArray: TypeAlias = NDArray[np.integer[Any]]
BoolArray: TypeAlias = NDArray[np.bool_]
IntLike: TypeAlias = int | np.integer[Any]
FloatLike: TypeAlias = float | np.floating[Any] | np.integer[Any]


# A recurrent layer's state: one (L·dirs, N, H) array (RNN, GRU), or a tuple (h, c) (LSTM).
RecurrentState: TypeAlias = FloatArray | tuple[FloatArray, ...]

__all__ = [
    "ArrayLike",
    "BoolArray",
    "DTypeLike",
    "FloatArray",
    "FloatLike",
    "IntArray",
    "IntLike",
    "NDArray",
    "RecurrentState",
]
