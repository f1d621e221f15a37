"""Parameter and Module: the two classes every layer is built from.

A :class:`Parameter` is an array of weights with a gradient array of the same shape beside
it. A :class:`Module` is anything that owns parameters or other modules; it finds them by
walking its attributes, so a layer only has to assign them (``self.weight = Parameter(...)``).

Backward passes *add* into ``Parameter.grad``. That is what makes a parameter used in two
places (a tied embedding and output weight) receive the sum of both gradients, with no
de-duplication step afterwards; it is also why ``zero_grad()`` must be called between updates.
``zero_grad()`` itself costs nothing: it only marks the gradient as zero, so the first
gradient added afterwards is written, not added, and no zero fill is needed; reading ``grad``
in between gives zeros, as expected. A layer that computes a gradient as a fresh array (a
matrix product, a sum) hands it over with :meth:`Parameter.add_to_grad_taking_ownership`,
which right after ``zero_grad()`` keeps that very array as the gradient — no pass over the
weight's memory at all; everyone else calls :meth:`Parameter.add_to_grad`, which never keeps
the caller's array.
"""

import functools
import math
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, TypeVar, cast

import numpy as np

from .errors import GatedRNNError
from .memory import available_bytes, describe_available, describe_bytes
from .typing import ArrayLike, DTypeLike, FloatArray, IntLike

ModuleT = TypeVar("ModuleT", bound="Module")

# Training holds each weight this many times: the weight, its gradient and the two buffers of
# Adam (SGD keeps fewer, but a refusal must not depend on the optimizer chosen later).
TRAINING_COPIES = 4
# Below this many bytes a Parameter is not measured against memory (reading the limits costs
# more than such an array).
MEASURED_BYTES = 1 << 26


def parameters_bytes(
    shapes: Iterable[tuple[IntLike, ...]], dtype: DTypeLike = np.float32, copies: int = TRAINING_COPIES
) -> int:
    """Bytes that weights of ``shapes`` (tuples of ints) need in training: their sizes × itemsize × ``copies``."""
    return sum(math.prod(int(n) for n in shape) for shape in shapes) * np.dtype(dtype).itemsize * copies


def check_parameters_fit(owner: str, shapes: Iterable[tuple[IntLike, ...]], dtype: DTypeLike = np.float32) -> None:
    """GatedRNNError, before anything is drawn, when weights of ``shapes`` would not fit in training.

    ``owner`` names the layer or model and its sizes ("LSTM(1000000, 1000000)"), so that the
    line says which setting to make smaller. Layers call this with the shapes they are about
    to allocate; every door that builds one (train, task, toy, lab, the Python API) then gets
    the same line.
    """
    shapes = list(shapes)
    needed, available = parameters_bytes(shapes, dtype), available_bytes()
    if available is not None and needed > available:
        count = sum(math.prod(int(n) for n in shape) for shape in shapes)
        raise GatedRNNError(
            f"{owner} would hold {count:,} weights, which need {describe_bytes(needed)} with their "
            f"gradients and the optimizer's buffers; {describe_available(available)}: choose smaller "
            "sizes"
        )


class Parameter:
    """A trainable array ``data`` and its gradient ``grad`` (same shape and dtype).

    ``requires_grad = False`` freezes it, as in PyTorch: optimizers leave it unchanged and
    gradient clipping leaves it out of the norm (torch sees a frozen tensor's grad as None).
    Backward passes still add into its ``grad``; nothing reads it.
    """

    data: FloatArray
    requires_grad: bool
    _grad: FloatArray
    _grad_is_zero: bool

    def __init__(self, data: ArrayLike, requires_grad: bool = True) -> None:
        _check_copy_fits(data)
        self.data = _float_array_copy(data)
        self.grad = np.zeros_like(self.data)
        if not isinstance(requires_grad, (bool, np.bool_)):
            raise GatedRNNError(f"Parameter requires_grad must be True or False, got {requires_grad!r}")
        self.requires_grad = bool(requires_grad)

    @property
    def grad(self) -> FloatArray:
        """dL/d(data), same shape and dtype; zeros after ``zero_grad()`` until a backward pass adds."""
        if self._grad_is_zero:
            self._grad[...] = 0
            self._grad_is_zero = False
        return self._grad

    @grad.setter
    def grad(self, value: FloatArray) -> None:
        self._grad = value
        self._grad_is_zero = False

    def add_to_grad(self, value: FloatArray | float) -> None:
        """grad += value, for an array (or scalar) ``value`` that broadcasts to grad's shape.

        ``value`` is only read: the parameter never keeps it, so the caller may go on using
        and writing to it. Right after ``zero_grad()`` it is copied into the gradient buffer
        (no zero fill first); otherwise added.
        """
        if self._grad_is_zero:
            np.copyto(self._grad, value, casting="same_kind")
            self._grad_is_zero = False
        else:
            self._grad += value

    def add_to_grad_taking_ownership(self, value: FloatArray | float) -> None:
        """grad += value, where the caller hands over a fresh array it will not touch again.

        Right after ``zero_grad()`` the array itself becomes the gradient (no copy, no zero
        fill) if it has grad's shape and dtype and is C-contiguous; later backward passes and
        optimizers may write to it. Otherwise it behaves as :meth:`add_to_grad`. For arrays
        nothing else holds, such as the result of a matrix product or a sum; never for an
        array that is also passed to another parameter, kept in a cache, or returned.
        """
        adoptable = (
            self._grad_is_zero
            and isinstance(value, np.ndarray)
            and value.shape == self._grad.shape
            and value.dtype == self._grad.dtype
            and value.flags.c_contiguous
            and value.flags.writeable
        )
        if adoptable:
            self.grad = cast(FloatArray, value)  # adoptable: an ndarray of grad's shape and dtype
        else:
            self.add_to_grad(value)

    @property
    def shape(self) -> tuple[int, ...]:
        """The shape of ``data`` (and of ``grad``)."""
        return self.data.shape

    @property
    def dtype(self) -> np.dtype[Any]:
        """The dtype of ``data`` (and of ``grad``): float32 or float64."""
        return self.data.dtype

    def zero_grad(self) -> None:
        """Mark the gradient as zero; the zeros are written only if it is read before a backward pass."""
        self._grad_is_zero = True

    def __repr__(self) -> str:
        frozen = "" if self.requires_grad else ", requires_grad=False"
        return f"Parameter(shape={self.data.shape}, dtype={self.data.dtype}{frozen})"


def _check_copy_fits(data: Any) -> None:
    """A large array is measured before it is copied and given a gradient (two more of its size)."""
    nbytes = getattr(data, "nbytes", 0)
    if nbytes >= MEASURED_BYTES:
        check_parameters_fit(f"a Parameter of shape {tuple(data.shape)}", [data.shape], data.dtype)


def _float_array_copy(data: Any) -> FloatArray:
    """A copy of ``data`` as a floating-point array; anything else cannot be trained."""
    try:
        array = np.array(data, copy=True)
    except (TypeError, ValueError):  # e.g. ragged nested lists
        array = None
    if array is None or array.dtype.kind != "f":
        got = type(data).__name__ if array is None else array.dtype
        raise GatedRNNError(
            f"Parameter data must be a floating-point array, got {got}; pass e.g. np.asarray(data, dtype=np.float32)"
        )
    return array


def _refusing_memory_errors(init: Callable[..., None]) -> Callable[..., None]:
    """``init`` with a MemoryError turned into GatedRNNError: the one door every layer and model passes."""
    if getattr(init, "_refuses_memory_errors", False):
        return init

    @functools.wraps(init)
    def checked_init(self: Any, *args: Any, **kwargs: Any) -> None:
        try:
            init(self, *args, **kwargs)
        except MemoryError as error:
            size = getattr(error, "_total_size", None)  # NumPy's _ArrayMemoryError says what it could not allocate
            asked = f" ({describe_bytes(size)} for one array)" if size else ""
            available = available_bytes()
            budget = f"; {describe_available(available)}" if available is not None else ""
            sizes = ", ".join(str(arg) for arg in args if isinstance(arg, (int, np.integer)))
            raise GatedRNNError(
                f"{type(self).__name__}({sizes}) ran out of memory while it was being built{asked}"
                f"{budget}: choose smaller sizes"
            ) from None

    checked_init._refuses_memory_errors = True  # type: ignore[attr-defined]
    return checked_init


def distinct_parameters(parameters: "Parameter | Iterable[Parameter]", caller: str) -> list[Parameter]:
    """A Parameter or an iterable of them → a list in first-seen order, each object once.

    Listing a tied parameter once is what keeps clipping and optimizers from scaling or
    updating it twice. ``caller`` names the function in error messages.
    """
    if isinstance(parameters, Parameter):
        return [parameters]
    try:
        parameters = list(parameters)
    except TypeError:
        raise GatedRNNError(
            f"{caller} needs a Parameter or an iterable of Parameters, got "
            f"{type(parameters).__name__}; pass model.parameters()"
        ) from None
    unique: list[Parameter] = []
    seen: set[int] = set()
    for param in parameters:
        if not isinstance(param, Parameter):
            raise GatedRNNError(
                f"{caller} got a {type(param).__name__} among its parameters; "
                f"pass gatedrnn Parameters, e.g. model.parameters()"
            )
        if id(param) not in seen:
            seen.add(id(param))
            unique.append(param)
    return unique


class Module:
    """Base class of layers and models.

    Subclasses set parameters and sub-modules as attributes (lists and tuples of modules
    are walked too) and implement ``forward``; calling the module calls ``forward``.

    Building one never ends in a MemoryError traceback: a subclass's ``__init__`` that runs
    out of memory (NumPy refusing weights of 29 TiB) is one GatedRNNError line naming the
    class and the size asked for (:func:`_refusing_memory_errors`).
    """

    training = True

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "__init__" in vars(cls):
            cls.__init__ = _refusing_memory_errors(cls.__init__)  # type: ignore[method-assign]

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.forward(*args, **kwargs)

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__} does not define forward()")

    # -- walking the tree ------------------------------------------------------------------
    def named_children(self) -> Iterator[tuple[str, "Module"]]:
        """Yield ``(name, module)`` for direct sub-modules, in attribute order."""
        for name, value in vars(self).items():
            if isinstance(value, Module):
                yield name, value
            elif isinstance(value, (list, tuple)):
                for i, item in enumerate(value):
                    if isinstance(item, Module):
                        yield f"{name}.{i}", item

    def modules(self) -> Iterator["Module"]:
        """Yield this module and every module below it, each once."""
        seen: set[int] = set()
        stack: list[Module] = [self]
        while stack:
            module = stack.pop(0)
            if id(module) in seen:
                continue
            seen.add(id(module))
            yield module
            stack[:0] = [child for _, child in module.named_children()]

    def named_parameters(self, prefix: str = "") -> Iterator[tuple[str, Parameter]]:
        """Yield ``(dotted_name, Parameter)`` for every parameter, each object once.

        A parameter shared by two modules (weight tying) is reported under the first name
        it is found by, so optimizers and clipping see it exactly once.
        """
        seen: set[int] = set()
        for name, param in self._walk_parameters(prefix):
            if id(param) not in seen:
                seen.add(id(param))
                yield name, param

    def _walk_parameters(self, prefix: str) -> Iterator[tuple[str, Parameter]]:
        for name, value in vars(self).items():
            if isinstance(value, Parameter):
                yield prefix + name, value
        for name, child in self.named_children():
            yield from child._walk_parameters(f"{prefix}{name}.")

    def parameters(self) -> list[Parameter]:
        """A list of the module's distinct parameters (tied ones appear once)."""
        return [param for _, param in self.named_parameters()]

    def num_parameters(self) -> int:
        """The number of distinct trainable scalars."""
        return sum(param.data.size for param in self.parameters())

    def zero_grad(self) -> None:
        """Mark every parameter's gradient as zero (:meth:`Parameter.zero_grad`)."""
        for param in self.parameters():
            param.zero_grad()

    # -- modes and dtype -------------------------------------------------------------------
    def train(self: ModuleT, mode: bool = True) -> ModuleT:
        """Switch dropout on (``mode=True``) or off, here and in every sub-module."""
        if not isinstance(mode, (bool, np.bool_)):
            raise GatedRNNError(f"train() takes True or False, got {mode!r}; use .train() or .eval()")
        mode = bool(mode)
        for module in self.modules():
            module.training = mode
        return self

    def eval(self: ModuleT) -> ModuleT:
        """Switch dropout off here and in every sub-module; returns self."""
        return self.train(False)

    def to(self: ModuleT, dtype: DTypeLike) -> ModuleT:
        """Convert every parameter (and its gradient) to ``dtype`` (float32 or float64, the two
        every layer is built in) in place; returns self."""
        try:
            resolved = None if dtype is None else np.dtype(dtype)  # np.dtype(None) would be float64
        except (TypeError, ValueError):
            resolved = None
        # None is tested first, as NumPy finds float64 == None true; float16 is refused too: no
        # layer is built in it, and a checkpoint or an import would refuse it later.
        if resolved is None or resolved not in (np.dtype(np.float32), np.dtype(np.float64)):
            shown = repr(dtype) if resolved is None else resolved
            raise GatedRNNError(f"to() needs float32 or float64, got {shown}; use np.float32 or np.float64")
        for param in self.parameters():
            param.data = param.data.astype(resolved)
            param.grad = param.grad.astype(resolved)
        return self

    @property
    def dtype(self) -> np.dtype[Any]:
        """The dtype of the first parameter (float32 for a module without parameters)."""
        params = self.parameters()
        return params[0].data.dtype if params else np.dtype(np.float32)

    # -- saving and loading ----------------------------------------------------------------
    def state_dict(self) -> dict[str, FloatArray]:
        """A dict from dotted parameter name to a copy of its array (tied ones once)."""
        return {name: param.data.copy() for name, param in self.named_parameters()}

    def load_state_dict(self, state: Mapping[str, ArrayLike], strict: bool = True) -> None:
        """Copy arrays from ``state`` into the parameters, checking names and shapes.

        With ``strict=True`` every parameter must be present and no extra name allowed.
        Values are cast to each parameter's dtype.
        """
        if not isinstance(state, Mapping):
            raise GatedRNNError(
                f"load_state_dict needs a dict from parameter name to array, got "
                f"{type(state).__name__}; pass what state_dict() returned"
            )
        if not isinstance(strict, (bool, np.bool_)):
            raise GatedRNNError(f"load_state_dict strict must be True or False, got {strict!r}")
        own = dict(self.named_parameters())
        missing = [name for name in own if name not in state]
        unexpected = [name for name in state if name not in own]
        if strict and (missing or unexpected):
            raise GatedRNNError(
                f"state dict does not fit {type(self).__name__}: missing {missing}, unexpected "
                f"{unexpected}; build the model with the configuration the weights were saved from"
            )
        for name, param in own.items():
            if name not in state:
                continue
            value = np.asarray(state[name])
            if value.dtype.kind != "f":
                raise GatedRNNError(
                    f"parameter {name!r} holds {value.dtype} values in the state dict; weights must "
                    "be floating point: the file is corrupted or not a gatedrnn model"
                )
            if value.shape != param.data.shape:
                raise GatedRNNError(
                    f"parameter {name!r} has shape {param.data.shape} but the state dict holds "
                    f"{value.shape}; build the model with the configuration the weights were saved from"
                )
            param.data[...] = value.astype(param.data.dtype)

    def extra_repr(self) -> str:
        """What ``repr`` shows between the parentheses (the layer's sizes and options)."""
        return ""

    def __repr__(self) -> str:
        children = list(self.named_children())
        head = f"{type(self).__name__}({self.extra_repr()}"
        if not children:
            return head + ")"
        lines = [head]
        for name, child in children:
            body = repr(child).replace("\n", "\n  ")
            lines.append(f"  ({name}): {body}")
        return "\n".join(lines) + "\n)"
