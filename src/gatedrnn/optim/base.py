"""Optimizer: what every update rule shares — parameters, learning rate, state buffers, checkpoints.

A rule (one module each: sgd, adagrad, rmsprop, adam) subclasses :class:`Optimizer`, lists its
hyperparameters in ``hyperparameter_names``, checks them in ``_validate`` (with
:func:`checked_number` and :func:`checked_flag`) and writes ``_update(i, param, lr, work)`` for
one parameter, in place, with :func:`add_scaled` for every θ += α·x over a large array.

Notation used in the docstrings: θ is a parameter, g_t its gradient at step t (after weight
decay when that is folded into the gradient), η the learning rate ``lr``, λ the weight decay.

Updates are written in place into ``param.data`` with NumPy ``out=`` arithmetic, so they keep
the parameter's dtype (float32 or float64) and, after the first step, allocate nothing beyond
the optimizer's own state: every temporary lives in a two-array workspace per parameter.

Checkpointing: :meth:`Optimizer.state_dict` returns ``{"hyperparameters": {...}, "arrays":
{...}}``; the first holds only JSON values (floats, ints, bools, lists, strings), the second
only NumPy arrays named ``"<buffer>.<parameter index>"`` (``"exp_avg.0"``), ready for ``.npz``.
"""

import math
from collections.abc import Callable, Iterable
from numbers import Real
from typing import Any

import numpy as np

from ..core import Parameter, distinct_parameters
from ..errors import GatedRNNError, is_whole_number, signature_defaults
from ..parallel import for_row_blocks
from ..typing import FloatArray, FloatLike


# -- argument checks -------------------------------------------------------------------------
def checked_number(
    owner: str,
    name: str,
    value: Any,
    low: float | None = None,
    high: float | None = None,
    low_open: bool = False,
    high_open: bool = False,
    hint: str = "",
) -> float:
    """Return ``value`` as a float after checking it is a finite real within [low, high]."""
    if isinstance(value, bool) or not isinstance(value, Real) or not math.isfinite(value):
        raise GatedRNNError(f"{owner} {name} must be a finite number, got {value!r}; {hint}")
    value = float(value)
    too_low = low is not None and (value <= low if low_open else value < low)
    too_high = high is not None and (value >= high if high_open else value > high)
    if too_low or too_high:
        left = "(" if low_open else "["
        right = ")" if high_open else "]"
        span = f"{left}{'-inf' if low is None else low}, {'inf' if high is None else high}{right}"
        raise GatedRNNError(f"{owner} {name} must be in {span}, got {value}; {hint}")
    return value


def checked_eps(optimizer: Any, value: Any) -> float:
    """eps > 0 for a rule that divides by √v + eps; the example in the message is the class's own default.

    torch allows eps = 0, but then a parameter whose gradient has been zero so far gets
    0 / 0 and every weight of it turns nan at the first step; refusing it costs nothing.
    """
    owner = type(optimizer).__name__
    default = signature_defaults(type(optimizer).__init__).get("eps", 1e-8)
    return checked_number(
        owner,
        "eps",
        value,
        low=0.0,
        low_open=True,
        hint=f"eps keeps the division by √v + eps finite when a gradient is zero (stricter than torch, "
        f"where 0 gives nan); use a small value such as {default:g}, the default",
    )


def _shown(value: Any, limit: int = 40) -> str:
    """``repr(value)`` cut short, for a value read from a file."""
    text = repr(value) if not (isinstance(value, int) and value.bit_length() > 1000) else "a very large int"
    return text if len(text) <= limit else text[: limit - 3] + "..."


def checked_flag(owner: str, name: str, value: Any) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise GatedRNNError(f"{owner} {name} must be True or False, got {value!r}; pass a bool")
    return bool(value)


def _unique_parameters(params: Parameter | Iterable[Parameter], owner: str) -> list[Parameter]:
    """The distinct Parameters of ``params`` (tied weights once); never one bare Parameter or none."""
    if isinstance(params, (Parameter, np.ndarray)):
        raise GatedRNNError(
            f"{owner} needs an iterable of Parameters, got a single "
            f"{type(params).__name__}; pass model.parameters() or [param]"
        )
    unique = distinct_parameters(params, owner)
    if not unique:
        raise GatedRNNError(f"{owner} got an empty parameter list; pass model.parameters() of a model that has weights")
    return unique


def add_scaled(target: FloatArray, source: FloatArray, alpha: FloatLike, scratch: FloatArray) -> None:
    """target += α · source, using ``scratch`` (which may be ``source``) for α · source.

    Over a large weight the two passes run on blocks of it on every core (gatedrnn.parallel).
    """
    arrays = (target, source, scratch)
    if not all(array.flags.c_contiguous for array in arrays):  # blocks need flat views
        np.multiply(source, alpha, out=scratch)
        target += scratch
        return
    flat_target, flat_source, flat_scratch = (array.reshape(-1) for array in arrays)

    def update(start: int, stop: int) -> None:
        np.multiply(flat_source[start:stop], alpha, out=flat_scratch[start:stop])
        flat_target[start:stop] += flat_scratch[start:stop]

    for_row_blocks(update, flat_target.size, flat_target.size)


def _check_grad_scale(owner: str, grad_scale: Any) -> None:
    """Refuse a ``step(grad_scale=c)`` outside [0, 1]; c itself is used as given (its dtype kept)."""
    checked_number(
        f"{owner}.step",
        "grad_scale",
        grad_scale,
        low=0.0,
        high=1.0,
        hint="pass the clipping factor clip_coefficient(total_grad_norm(params), max_norm), "
        "or 1.0 for no clipping (to scale gradients up, scale the loss instead)",
    )


# -- base class ------------------------------------------------------------------------------
class Optimizer:
    """Holds the parameters, the learning rate and the per-parameter state buffers.

    Subclasses list their hyperparameters in ``hyperparameter_names``, check them in
    ``_validate`` and implement ``_update(i, param, lr, work)`` for one parameter.

    ``lr`` is a float that a schedule may change between steps; it is checked when set (a
    schedule may lower it to exactly 0, never below). The other hyperparameters are plain
    attributes, checked at construction and again at every ``step()``, so a value set in
    between is refused before it can change a weight. ``step_count`` is the number of steps
    taken (t in the equations, starting at 1 on the first step).
    """

    name: str | None = None  # the name OPTIMIZERS knows it by (gatedrnn.optim), set by each registered rule
    hyperparameter_names: tuple[str, ...] = ("lr",)
    # The buffers the optimizer may keep per parameter, each with whether it is kept under the
    # current hyperparameters (then every trainable parameter has it once a step is taken).
    # None: not declared (a subclass of your own): any buffer name loads, none is required.
    state_buffers: dict[str, Callable[[Any], bool]] | None = None

    def __init__(self, params: Parameter | Iterable[Parameter], lr: FloatLike) -> None:
        """``params``: a Parameter or an iterable of them (``model.parameters()``); ``lr`` > 0."""
        self.params = _unique_parameters(params, type(self).__name__)
        self.lr = lr
        if self.lr == 0:  # 0 is where a schedule may end, not where training can start
            raise GatedRNNError(
                f"{type(self).__name__} lr must be > 0 to start with, got 0; use a positive learning rate such as 1e-3"
            )
        self.step_count = 0
        # state[name][i] is buffer ``name`` of parameter i, None until its first update
        self.state: dict[str, list[FloatArray | None]] = {}
        self._workspaces: list[tuple[FloatArray, FloatArray] | None] = [None] * len(self.params)

    @property
    def lr(self) -> float:
        """The learning rate η, a finite float ≥ 0."""
        return self._lr

    @lr.setter
    def lr(self, value: FloatLike) -> None:
        self._lr = checked_number(
            type(self).__name__,
            "lr",
            value,
            low=0.0,
            hint="use a positive learning rate such as 1e-3 (a schedule may lower it to 0, never below)",
        )

    def _validate(self) -> None:
        """Check the hyperparameters (raising GatedRNNError) and normalise their types.

        ``lr`` needs nothing here: its setter has checked it. Subclasses check the rest.
        """

    # -- the update loop ---------------------------------------------------------------------
    def step(self, grad_scale: FloatLike = 1.0) -> None:
        """Update every parameter in place from its current ``grad``.

        ``grad_scale`` c: update as if every gradient had first been multiplied by c, which
        is what gradient clipping does (``clip.clip_coefficient``). Where the update is
        linear in the gradient (SGD without momentum or weight decay) c joins the learning
        rate and the gradients are left as they are, saving a pass over every weight;
        otherwise the gradients are scaled in place first, exactly as ``clip_grad_norm``.
        c must be a finite number in [0, 1]: every factor clipping gives is one, and nan, a
        negative c (gradient ascent) or a large one would move every weight the wrong way.
        """
        self._validate()  # a hyperparameter set since the last step is refused before any update
        _check_grad_scale(type(self).__name__, grad_scale)
        lr = self.lr
        for i, param in enumerate(self.params):  # check all first: never half an update
            if param.grad.shape != param.data.shape:
                raise GatedRNNError(
                    f"parameter {i} has grad shape {param.grad.shape} but data "
                    f"shape {param.data.shape}; keep grad the same shape as data"
                )
        self.step_count += 1
        folds_scale = self._folds_grad_scale()
        for i, param in enumerate(self.params):
            if param.requires_grad:  # a frozen parameter is skipped, as torch skips grad None
                if grad_scale != 1.0 and not folds_scale:
                    param.grad *= np.asarray(grad_scale, param.grad.dtype)
                self._update(i, param, lr * grad_scale if folds_scale else lr, self._workspace(i, param))

    def _folds_grad_scale(self) -> bool:
        """True when an update with lr·c from g equals one with lr from c·g."""
        return False

    def _update(self, i: int, param: Parameter, lr: FloatLike, work: tuple[FloatArray, FloatArray]) -> None:
        raise NotImplementedError

    def zero_grad(self) -> None:
        """Set every parameter's gradient to zero (backward passes add into it)."""
        for param in self.params:
            param.zero_grad()

    def _workspace(self, i: int, param: Parameter) -> tuple[FloatArray, FloatArray]:
        """Two scratch arrays shaped like parameter i, reused at every step."""
        work = self._workspaces[i]
        if work is None or work[0].shape != param.data.shape or work[0].dtype != param.data.dtype:
            work = (np.empty_like(param.data), np.empty_like(param.data))
            self._workspaces[i] = work
        return work

    def _buffer(self, name: str, i: int, param: Parameter, fill: FloatLike = 0.0) -> FloatArray:
        """State buffer ``name`` of parameter i, created filled with ``fill`` on first use."""
        buffers = self.state.setdefault(name, [None] * len(self.params))
        buffer = buffers[i]
        if buffer is None:
            buffer = buffers[i] = np.full_like(param.data, fill)
        return buffer

    def _decayed_grad(self, param: Parameter, weight_decay: FloatLike, out: FloatArray) -> FloatArray:
        """out ← g_t + λ θ_{t-1}: L2 weight decay folded into the gradient (a copy; grad is kept)."""
        if weight_decay == 0:
            np.copyto(out, param.grad)
        else:
            np.multiply(param.data, weight_decay, out=out)
            out += param.grad
        return out

    # -- checkpoints -------------------------------------------------------------------------
    def hyperparameters(self) -> dict[str, Any]:
        """The hyperparameters as a dict of JSON values (tuples become lists)."""
        values: dict[str, Any] = {}
        for name in self.hyperparameter_names:
            value = getattr(self, name)
            values[name] = list(value) if isinstance(value, tuple) else value
        return values

    def state_dict(self) -> dict[str, Any]:
        """``{"hyperparameters": JSON dict, "arrays": {"<buffer>.<index>": ndarray}}``.

        Arrays are copies, so later steps do not change a saved state.
        """
        hyperparameters = {
            "optimizer": type(self).__name__,
            "num_parameters": len(self.params),
            "step": self.step_count,
            **self.hyperparameters(),
        }
        arrays: dict[str, FloatArray] = {}
        for name, buffers in self.state.items():
            for i, buffer in enumerate(buffers):
                if buffer is not None:
                    arrays[f"{name}.{i}"] = buffer.copy()
        return {"hyperparameters": hyperparameters, "arrays": arrays}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore hyperparameters, step count and buffers saved by :meth:`state_dict`.

        The optimizer must be the same class over the same number of parameters with the same
        shapes; arrays are cast to each parameter's dtype. Once the saved optimizer has taken
        a step, every trainable parameter must have each buffer this optimizer keeps (see
        ``state_buffers``): a missing one would silently restart from zero. Anything wrong
        raises GatedRNNError and leaves the optimizer as it was.
        """
        hyper, arrays = self._split_state(state)
        new_state = self._arrays_to_state(arrays)
        step = hyper.get("step")
        if not is_whole_number(step, 0):
            raise GatedRNNError(
                f"optimizer state has step {_shown(step)}; expected a non-negative int, the checkpoint is corrupt"
            )
        old = {name: getattr(self, name) for name in self.hyperparameter_names}
        self._load_hyperparameters(hyper)
        try:
            self._check_complete(new_state, int(step))
        except GatedRNNError:
            self._restore_hyperparameters(old)
            raise
        self.step_count = int(step)
        self.state = new_state

    def _split_state(self, state):
        owner = type(self).__name__
        if not isinstance(state, dict) or set(state) != {"hyperparameters", "arrays"}:
            raise GatedRNNError(
                f"{owner}.load_state_dict needs the dict returned by state_dict() "
                f"with keys 'hyperparameters' and 'arrays'"
            )
        hyper, arrays = state["hyperparameters"], state["arrays"]
        if not isinstance(hyper, dict) or not isinstance(arrays, dict):
            raise GatedRNNError(
                f"{owner}.load_state_dict needs 'hyperparameters' and 'arrays' as dicts, got "
                f"{type(hyper).__name__} and {type(arrays).__name__}; the checkpoint is corrupt"
            )
        saved = hyper.get("optimizer")
        if saved != owner:
            raise GatedRNNError(
                f"optimizer state was saved from {_shown(saved)} but is loaded into {owner}; "
                f"build the optimizer the checkpoint was saved with"
            )
        if hyper.get("num_parameters") != len(self.params):
            raise GatedRNNError(
                f"optimizer state is for {_shown(hyper.get('num_parameters'))} parameters but "
                f"this {owner} has {len(self.params)}; build it over the same model"
            )
        unknown = sorted(
            str(key) for key in set(hyper) - {"optimizer", "num_parameters", "step", *self.hyperparameter_names}
        )
        if unknown:
            raise GatedRNNError(
                f"optimizer state has hyperparameters {owner} does not have: "
                f"{', '.join(_shown(key) for key in unknown[:5])}; the checkpoint is corrupt"
            )
        return hyper, arrays

    def _arrays_to_state(self, arrays: Any) -> dict[str, list[FloatArray | None]]:
        """Check names, indices and shapes of saved arrays; return a fresh ``state`` dict."""
        owner = type(self).__name__
        new_state: dict[str, list[FloatArray | None]] = {}
        for key, value in arrays.items():
            name, _, index = str(key).rpartition(".")
            # "exp_avg.03" would be a second copy of "exp_avg.3": only the canonical index fits
            known = self.state_buffers is None or name in self.state_buffers
            if (
                not name
                or not known
                or not index.isdigit()
                or str(int(index)) != index
                or int(index) >= len(self.params)
            ):
                raise GatedRNNError(
                    f"optimizer state has an array named {_shown(key)} that fits no "
                    f"buffer of any parameter of this {owner}; the checkpoint is corrupt"
                )
            param = self.params[int(index)]
            value = np.asarray(value)
            if value.shape != param.data.shape or value.dtype.kind not in "biuf":
                raise GatedRNNError(
                    f"optimizer state array {key!r} has shape {value.shape} ({value.dtype}) but "
                    f"parameter {index} has shape {param.data.shape}; build the "
                    f"model and optimizer the checkpoint was saved with"
                )
            buffers = new_state.setdefault(name, [None] * len(self.params))
            buffers[int(index)] = value.astype(param.data.dtype, copy=True)
        return new_state

    def _check_complete(self, new_state, step):
        """After a step, every trainable parameter has each buffer kept under these hyperparameters."""
        if step == 0 or self.state_buffers is None:
            return
        kept = [name for name, is_kept in self.state_buffers.items() if is_kept(self)]
        for name in kept:
            buffers = new_state.get(name, [None] * len(self.params))
            for i, param in enumerate(self.params):
                if param.requires_grad and buffers[i] is None:
                    raise GatedRNNError(
                        f"optimizer state lacks {name}.{i}, the {name} buffer of parameter {i} "
                        f"(of {len(self.params)}), after {step} steps; the checkpoint is corrupt or "
                        "was edited: resume from another copy or start the run again"
                    )

    def _load_hyperparameters(self, hyper):
        owner = type(self).__name__
        missing = [name for name in self.hyperparameter_names if name not in hyper]
        if missing:
            raise GatedRNNError(
                f"optimizer state lacks hyperparameters {missing}; the checkpoint is "
                f"corrupt or from another optimizer than {owner}"
            )
        old = {name: getattr(self, name) for name in self.hyperparameter_names}
        try:  # the lr setter checks as it sets, _validate the rest
            for name in self.hyperparameter_names:
                value = hyper[name]
                setattr(self, name, tuple(value) if isinstance(value, list) else value)
            self._validate()
        except GatedRNNError:
            self._restore_hyperparameters(old)
            raise

    def _restore_hyperparameters(self, old):
        for name, value in old.items():
            setattr(self, name, value)

    def __repr__(self) -> str:
        args = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.hyperparameter_names)
        return f"{type(self).__name__}({args})"
