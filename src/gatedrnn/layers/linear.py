"""Linear: an affine map over the last dimension, optionally tied to an Embedding."""

from typing import Any

import numpy as np

from .. import rng as _rng
from ..core import Module, Parameter, check_parameters_fit
from ..functional import column_sums
from ..parallel import for_row_blocks
from ..typing import DTypeLike, FloatArray, IntLike
from ._checks import (
    backward_done,
    check_backward_ready,
    check_flag,
    check_float_array,
    check_float_dtype,
    check_generator,
    check_gradient,
    check_whole_number,
    forward_done,
)
from .embedding import Embedding


class Linear(Module):
    """y = x Wᵀ + b over the last dimension, any leading dimensions.

    Shapes: ``weight`` (out_features, in_features), ``bias`` (out_features,);
    x (..., in_features) → y (..., out_features). The layout is PyTorch's, so that
    weights move between the two unchanged.

    Initialised as ``torch.nn.Linear``: weight and bias from U(-1/√in, 1/√in).

    Backward: dW += dyᵀ x and db += Σ dy over all leading positions; dx = dy W.
    """

    bias: Parameter | None

    def __init__(
        self,
        in_features: IntLike,
        out_features: IntLike,
        bias: bool = True,
        dtype: DTypeLike = np.float32,
        rng: np.random.Generator | None = None,
    ) -> None:
        check_whole_number("Linear", "in_features", in_features)
        check_whole_number("Linear", "out_features", out_features)
        check_flag("Linear", "bias", bias, ("in_features", "out_features", "bias", "dtype", "rng"))
        dtype = check_float_dtype("Linear", dtype)
        check_generator("Linear", rng)
        rng = rng or _rng.generator()
        bound = 1.0 / np.sqrt(in_features)
        self.in_features = int(in_features)
        self.out_features = int(out_features)
        check_parameters_fit(
            f"Linear({in_features}, {out_features})",
            [(out_features, in_features)] + ([(out_features,)] if bias else []),
            dtype,
        )
        self.weight = Parameter(rng.uniform(-bound, bound, (out_features, in_features)).astype(dtype))
        self.bias = Parameter(rng.uniform(-bound, bound, out_features).astype(dtype)) if bias else None
        self._x: Any = None  # the input of the last forward, for backward

    @classmethod
    def tied_to(cls, embedding: Embedding, bias: bool = True, rng: np.random.Generator | None = None) -> "Linear":
        """An output layer that reuses ``embedding.weight`` as its own weight (weight tying).

        The embedding's table (V, D) is exactly a Linear(D → V) weight in this layout:
        y = h Eᵀ + b scores every word by the dot product of h with its embedding row.
        Both layers hold the *same* Parameter, so their gradients add into one ``grad``
        and the optimizer updates it once (Press & Wolf 2017; Inan et al. 2017).
        """
        vocab_size, dim = embedding.weight.shape
        layer = cls(dim, vocab_size, bias=bias, dtype=embedding.weight.dtype, rng=rng)
        layer.weight = embedding.weight
        return layer

    def forward(self, x: FloatArray) -> FloatArray:
        """x (..., in_features) → y (..., out_features), in the weights' dtype (x must have it)."""
        check_float_array("Linear input", x, None, self.in_features, self.weight.dtype)
        self._x = x
        forward_done(self)
        # One 2-D product over all leading positions: a 3-D @ 2-D matmul would run one
        # small GEMM per batch row instead.
        y = x.reshape(-1, self.in_features) @ self.weight.data.T
        if self.bias is not None:  # a pass over all of y: on row blocks in parallel (gatedrnn.parallel)
            bias = self.bias.data
            for_row_blocks(lambda start, stop: np.add(y[start:stop], bias, out=y[start:stop]), len(y), y.size)
        return y.reshape(x.shape[:-1] + (self.out_features,))

    def backward(self, dy: FloatArray) -> FloatArray:
        """dL/dy (..., out_features) → dL/dx (..., in_features); adds into weight.grad and bias.grad."""
        check_backward_ready(self, self._x)
        check_gradient("Linear output gradient", dy, self._x.shape[:-1] + (self.out_features,))
        backward_done(self)
        x2 = self._x.reshape(-1, self.in_features)
        dy2 = dy.reshape(-1, self.out_features)
        self.weight.add_to_grad_taking_ownership(dy2.T @ x2)  # fresh products, nothing else holds them
        if self.bias is not None:
            self.bias.add_to_grad_taking_ownership(column_sums(dy2))
        return (dy2 @ self.weight.data).reshape(self._x.shape)

    def extra_repr(self) -> str:
        return f"{self.in_features}, {self.out_features}, bias={self.bias is not None}"
