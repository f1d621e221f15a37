"""Optimizers: SGD (with momentum and Nesterov), Adagrad, RMSprop, Adam and AdamW.

Each one follows the update of its ``torch.optim`` namesake line by line (the single-tensor
code path, ``maximize=False``), so a gatedrnn run and a PyTorch run that start from the same
weights and see the same gradients end at the same weights, up to rounding.

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
from numbers import Real

import numpy as np

from .core import Parameter, distinct_parameters
from .errors import GatedRNNError, is_whole_number
from .parallel import for_row_blocks


# -- argument checks -------------------------------------------------------------------------
def _number(owner, name, value, low=None, high=None, low_open=False, high_open=False, hint=""):
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


def _shown(value, limit=40):
    """``repr(value)`` cut short, for a value read from a file."""
    text = repr(value) if not (isinstance(value, int) and value.bit_length() > 1000) else "a very large int"
    return text if len(text) <= limit else text[:limit - 3] + "..."


def _flag(owner, name, value):
    if not isinstance(value, (bool, np.bool_)):
        raise GatedRNNError(f"{owner} {name} must be True or False, got {value!r}; pass a bool")
    return bool(value)


def _unique_parameters(params, owner):
    """The distinct Parameters of ``params`` (tied weights once); never one bare Parameter or none."""
    if isinstance(params, (Parameter, np.ndarray)):
        raise GatedRNNError(f"{owner} needs an iterable of Parameters, got a single "
                            f"{type(params).__name__}; pass model.parameters() or [param]")
    unique = distinct_parameters(params, owner)
    if not unique:
        raise GatedRNNError(f"{owner} got an empty parameter list; pass model.parameters() of a "
                            f"model that has weights")
    return unique


def _add_scaled(target, source, alpha, scratch):
    """target += α · source, using ``scratch`` (which may be ``source``) for α · source.

    Over a large weight the two passes run on blocks of it on every core (gatedrnn.parallel).
    """
    arrays = (target, source, scratch)
    if not all(array.flags.c_contiguous for array in arrays):  # blocks need flat views
        np.multiply(source, alpha, out=scratch)
        target += scratch
        return
    flat_target, flat_source, flat_scratch = (array.reshape(-1) for array in arrays)

    def update(start, stop):
        np.multiply(flat_source[start:stop], alpha, out=flat_scratch[start:stop])
        flat_target[start:stop] += flat_scratch[start:stop]

    for_row_blocks(update, flat_target.size, flat_target.size)


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

    hyperparameter_names = ("lr",)
    # The buffers the optimizer may keep per parameter, each with whether it is kept under the
    # current hyperparameters (then every trainable parameter has it once a step is taken).
    state_buffers = None   # None: not declared (a subclass of your own): any buffer name loads, none is required

    def __init__(self, params, lr):
        self.params = _unique_parameters(params, type(self).__name__)
        self.lr = lr
        if self.lr == 0:  # 0 is where a schedule may end, not where training can start
            raise GatedRNNError(f"{type(self).__name__} lr must be > 0 to start with, got 0; "
                                "use a positive learning rate such as 1e-3")
        self.step_count = 0
        # state[name][i] is buffer ``name`` of parameter i, None until its first update
        self.state = {}
        self._workspaces = [None] * len(self.params)

    @property
    def lr(self):
        """The learning rate η, a finite float ≥ 0."""
        return self._lr

    @lr.setter
    def lr(self, value):
        self._lr = _number(type(self).__name__, "lr", value, low=0.0,
                           hint="use a positive learning rate such as 1e-3 (a schedule may lower it to 0, never below)")

    def _validate(self):
        """Check the hyperparameters (raising GatedRNNError) and normalise their types.

        ``lr`` needs nothing here: its setter has checked it. Subclasses check the rest.
        """

    # -- the update loop ---------------------------------------------------------------------
    def step(self, grad_scale=1.0):
        """Update every parameter in place from its current ``grad``.

        ``grad_scale`` c: update as if every gradient had first been multiplied by c, which
        is what gradient clipping does (``clip.clip_coefficient``). Where the update is
        linear in the gradient (SGD without momentum or weight decay) c joins the learning
        rate and the gradients are left as they are, saving a pass over every weight;
        otherwise the gradients are scaled in place first, exactly as ``clip_grad_norm``.
        """
        self._validate()  # a hyperparameter set since the last step is refused before any update
        lr = self.lr
        for i, param in enumerate(self.params):  # check all first: never half an update
            if param.grad.shape != param.data.shape:
                raise GatedRNNError(f"parameter {i} has grad shape {param.grad.shape} but data "
                                    f"shape {param.data.shape}; keep grad the same shape as data")
        self.step_count += 1
        folds_scale = self._folds_grad_scale()
        for i, param in enumerate(self.params):
            if param.requires_grad:  # a frozen parameter is skipped, as torch skips grad None
                if grad_scale != 1.0 and not folds_scale:
                    param.grad *= np.asarray(grad_scale, param.grad.dtype)
                self._update(i, param, lr * grad_scale if folds_scale else lr, self._workspace(i, param))

    def _folds_grad_scale(self):
        """True when an update with lr·c from g equals one with lr from c·g."""
        return False

    def _update(self, i, param, lr, work):
        raise NotImplementedError

    def zero_grad(self):
        """Set every parameter's gradient to zero (backward passes add into it)."""
        for param in self.params:
            param.zero_grad()

    def _workspace(self, i, param):
        """Two scratch arrays shaped like parameter i, reused at every step."""
        work = self._workspaces[i]
        if work is None or work[0].shape != param.data.shape or work[0].dtype != param.data.dtype:
            work = (np.empty_like(param.data), np.empty_like(param.data))
            self._workspaces[i] = work
        return work

    def _buffer(self, name, i, param, fill=0.0):
        """State buffer ``name`` of parameter i, created filled with ``fill`` on first use."""
        buffers = self.state.setdefault(name, [None] * len(self.params))
        if buffers[i] is None:
            buffers[i] = np.full_like(param.data, fill)
        return buffers[i]

    def _decayed_grad(self, param, weight_decay, out):
        """out ← g_t + λ θ_{t-1}: L2 weight decay folded into the gradient (a copy; grad is kept)."""
        if weight_decay == 0:
            np.copyto(out, param.grad)
        else:
            np.multiply(param.data, weight_decay, out=out)
            out += param.grad
        return out

    # -- checkpoints -------------------------------------------------------------------------
    def hyperparameters(self):
        """The hyperparameters as a dict of JSON values (tuples become lists)."""
        values = {}
        for name in self.hyperparameter_names:
            value = getattr(self, name)
            values[name] = list(value) if isinstance(value, tuple) else value
        return values

    def state_dict(self):
        """``{"hyperparameters": JSON dict, "arrays": {"<buffer>.<index>": ndarray}}``.

        Arrays are copies, so later steps do not change a saved state.
        """
        hyperparameters = {"optimizer": type(self).__name__, "num_parameters": len(self.params),
                           "step": self.step_count, **self.hyperparameters()}
        arrays = {}
        for name, buffers in self.state.items():
            for i, buffer in enumerate(buffers):
                if buffer is not None:
                    arrays[f"{name}.{i}"] = buffer.copy()
        return {"hyperparameters": hyperparameters, "arrays": arrays}

    def load_state_dict(self, state):
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
            raise GatedRNNError(f"optimizer state has step {_shown(step)}; expected a non-negative int, "
                                f"the checkpoint is corrupt")
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
            raise GatedRNNError(f"{owner}.load_state_dict needs the dict returned by state_dict() "
                                f"with keys 'hyperparameters' and 'arrays'")
        hyper, arrays = state["hyperparameters"], state["arrays"]
        if not isinstance(hyper, dict) or not isinstance(arrays, dict):
            raise GatedRNNError(f"{owner}.load_state_dict needs 'hyperparameters' and 'arrays' as dicts, got "
                                f"{type(hyper).__name__} and {type(arrays).__name__}; the checkpoint is corrupt")
        saved = hyper.get("optimizer")
        if saved != owner:
            raise GatedRNNError(f"optimizer state was saved from {_shown(saved)} but is loaded into {owner}; "
                                f"build the optimizer the checkpoint was saved with")
        if hyper.get("num_parameters") != len(self.params):
            raise GatedRNNError(f"optimizer state is for {_shown(hyper.get('num_parameters'))} parameters but "
                                f"this {owner} has {len(self.params)}; build it over the same model")
        unknown = sorted(str(key) for key in set(hyper) - {"optimizer", "num_parameters", "step",
                                                           *self.hyperparameter_names})
        if unknown:
            raise GatedRNNError(f"optimizer state has hyperparameters {owner} does not have: "
                                f"{', '.join(_shown(key) for key in unknown[:5])}; the checkpoint is corrupt")
        return hyper, arrays

    def _arrays_to_state(self, arrays):
        """Check names, indices and shapes of saved arrays; return a fresh ``state`` dict."""
        owner = type(self).__name__
        new_state = {}
        for key, value in arrays.items():
            name, _, index = str(key).rpartition(".")
            # "exp_avg.03" would be a second copy of "exp_avg.3": only the canonical index fits
            known = self.state_buffers is None or name in self.state_buffers
            if (not name or not known or not index.isdigit() or str(int(index)) != index
                    or int(index) >= len(self.params)):
                raise GatedRNNError(f"optimizer state has an array named {_shown(key)} that fits no "
                                    f"buffer of any parameter of this {owner}; the checkpoint is corrupt")
            param = self.params[int(index)]
            value = np.asarray(value)
            if value.shape != param.data.shape or value.dtype.kind not in "biuf":
                raise GatedRNNError(f"optimizer state array {key!r} has shape {value.shape} ({value.dtype}) but "
                                    f"parameter {index} has shape {param.data.shape}; build the "
                                    f"model and optimizer the checkpoint was saved with")
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
                    raise GatedRNNError(f"optimizer state lacks {name}.{i}, the {name} buffer of parameter {i} "
                                        f"(of {len(self.params)}), after {step} steps; the checkpoint is corrupt or "
                                        "was edited: resume from another copy or start the run again")

    def _load_hyperparameters(self, hyper):
        owner = type(self).__name__
        missing = [name for name in self.hyperparameter_names if name not in hyper]
        if missing:
            raise GatedRNNError(f"optimizer state lacks hyperparameters {missing}; the checkpoint is "
                                f"corrupt or from another optimizer than {owner}")
        old = {name: getattr(self, name) for name in self.hyperparameter_names}
        try:   # the lr setter checks as it sets, _validate the rest
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

    def __repr__(self):
        args = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.hyperparameter_names)
        return f"{type(self).__name__}({args})"


# -- the optimizers --------------------------------------------------------------------------
class SGD(Optimizer):
    """Stochastic gradient descent with optional momentum, dampening, Nesterov and L2 decay.

    With momentum μ and dampening τ, as ``torch.optim.SGD``::

        g_t = ∇θ + λ θ_{t-1}
        b_1 = g_1                                  (no dampening on the first step)
        b_t = μ b_{t-1} + (1 - τ) g_t
        d_t = g_t + μ b_t    if nesterov    else    b_t
        θ_t = θ_{t-1} - η d_t

    Without momentum d_t = g_t. Buffers: ``momentum_buffer`` (shape of each parameter).
    """

    hyperparameter_names = ("lr", "momentum", "dampening", "weight_decay", "nesterov")
    state_buffers = {"momentum_buffer": lambda self: self.momentum != 0}

    def __init__(self, params, lr, momentum=0.0, dampening=0.0, weight_decay=0.0, nesterov=False):
        super().__init__(params, lr)
        self.momentum = momentum
        self.dampening = dampening
        self.weight_decay = weight_decay
        self.nesterov = nesterov
        self._validate()

    def _validate(self):
        super()._validate()
        self.momentum = _number("SGD", "momentum", self.momentum, low=0.0,
                                hint="use 0 for plain SGD or a value such as 0.9")
        self.dampening = _number("SGD", "dampening", self.dampening, low=0.0, high=1.0,
                                 hint="use 0 for no dampening")
        self.weight_decay = _number("SGD", "weight_decay", self.weight_decay, low=0.0,
                                    hint="use 0 or a small value such as 1e-4")
        self.nesterov = _flag("SGD", "nesterov", self.nesterov)
        if self.nesterov and (self.momentum <= 0 or self.dampening != 0):
            raise GatedRNNError("SGD nesterov=True needs momentum > 0 and dampening = 0; set e.g. "
                                "momentum=0.9, dampening=0, or use nesterov=False")

    def _folds_grad_scale(self):
        return self.momentum == 0 and self.weight_decay == 0

    def _update(self, i, param, lr, work):
        work_grad, scratch = work
        # Without weight decay the gradient is only read, so it is used where it is: copying
        # it would be one more pass over every weight at every step.
        grad = param.grad if self.weight_decay == 0 else self._decayed_grad(param, self.weight_decay, work_grad)
        if self.momentum != 0:
            buffers = self.state.setdefault("momentum_buffer", [None] * len(self.params))
            if buffers[i] is None:
                buffers[i] = grad.copy()  # torch starts the buffer at the gradient, not at zero
            else:
                buffers[i] *= self.momentum
                _add_scaled(buffers[i], grad, 1.0 - self.dampening, scratch)
            if self.nesterov:
                if grad is param.grad:  # g + μ·buf must not change param.grad
                    np.copyto(work_grad, grad)
                    grad = work_grad
                _add_scaled(grad, buffers[i], self.momentum, scratch)
            else:
                grad = buffers[i]
        _add_scaled(param.data, grad, -lr, scratch)


class Adagrad(Optimizer):
    """Adagrad: each weight's step shrinks with the sum of its squared gradients.

    As ``torch.optim.Adagrad``, with s_0 = ``initial_accumulator_value`` and decay δ::

        g_t = ∇θ + λ θ_{t-1}
        η_t = η / (1 + (t - 1) δ)
        s_t = s_{t-1} + g_t²
        θ_t = θ_{t-1} - η_t g_t / (√s_t + ε)

    Buffers: ``sum``.
    """

    hyperparameter_names = ("lr", "lr_decay", "weight_decay", "initial_accumulator_value", "eps")
    state_buffers = {"sum": lambda self: True}

    def __init__(self, params, lr=0.01, lr_decay=0.0, weight_decay=0.0,
                 initial_accumulator_value=0.0, eps=1e-10):
        super().__init__(params, lr)
        self.lr_decay = lr_decay
        self.weight_decay = weight_decay
        self.initial_accumulator_value = initial_accumulator_value
        self.eps = eps
        self._validate()

    def _validate(self):
        super()._validate()
        self.lr_decay = _number("Adagrad", "lr_decay", self.lr_decay, low=0.0,
                                hint="use 0 for a constant base rate")
        self.weight_decay = _number("Adagrad", "weight_decay", self.weight_decay, low=0.0,
                                    hint="use 0 or a small value such as 1e-4")
        self.initial_accumulator_value = _number(
            "Adagrad", "initial_accumulator_value", self.initial_accumulator_value, low=0.0,
            hint="use 0 or a small positive value such as 0.1")
        self.eps = _number("Adagrad", "eps", self.eps, low=0.0, hint="use a small value such as 1e-10")

    def _update(self, i, param, lr, work):
        grad, scratch = work
        grad = self._decayed_grad(param, self.weight_decay, grad)
        step_lr = lr / (1 + (self.step_count - 1) * self.lr_decay)
        total = self._buffer("sum", i, param, fill=self.initial_accumulator_value)
        np.multiply(grad, grad, out=scratch)
        total += scratch
        denom = scratch
        np.sqrt(total, out=denom)
        denom += self.eps
        np.divide(grad, denom, out=grad)
        _add_scaled(param.data, grad, -step_lr, scratch)


class RMSprop(Optimizer):
    """RMSprop: divide the step by a running root-mean-square of the gradient.

    As ``torch.optim.RMSprop``, with smoothing α and momentum μ::

        g_t = ∇θ + λ θ_{t-1}
        v_t = α v_{t-1} + (1 - α) g_t²
        ḡ_t = α ḡ_{t-1} + (1 - α) g_t              (centered only)
        r_t = √(v_t - ḡ_t²) + ε    if centered    else    √v_t + ε
        b_t = μ b_{t-1} + g_t / r_t,   θ_t = θ_{t-1} - η b_t      (μ > 0)
        θ_t = θ_{t-1} - η g_t / r_t                               (μ = 0)

    All buffers start at zero. Buffers: ``square_avg``, ``grad_avg``, ``momentum_buffer``.
    """

    hyperparameter_names = ("lr", "alpha", "eps", "weight_decay", "momentum", "centered")
    state_buffers = {"square_avg": lambda self: True, "grad_avg": lambda self: self.centered,
                     "momentum_buffer": lambda self: self.momentum > 0}

    def __init__(self, params, lr=0.01, alpha=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0,
                 centered=False):
        super().__init__(params, lr)
        self.alpha = alpha
        self.eps = eps
        self.weight_decay = weight_decay
        self.momentum = momentum
        self.centered = centered
        self._validate()

    def _validate(self):
        super()._validate()
        self.alpha = _number("RMSprop", "alpha", self.alpha, low=0.0, high=1.0,
                             hint="use a value such as 0.99")
        self.eps = _number("RMSprop", "eps", self.eps, low=0.0, hint="use a small value such as 1e-8")
        self.weight_decay = _number("RMSprop", "weight_decay", self.weight_decay, low=0.0,
                                    hint="use 0 or a small value such as 1e-4")
        self.momentum = _number("RMSprop", "momentum", self.momentum, low=0.0,
                                hint="use 0 or a value such as 0.9")
        self.centered = _flag("RMSprop", "centered", self.centered)

    def _update(self, i, param, lr, work):
        grad, scratch = work
        grad = self._decayed_grad(param, self.weight_decay, grad)
        square_avg = self._buffer("square_avg", i, param)
        square_avg *= self.alpha
        np.multiply(grad, grad, out=scratch)
        _add_scaled(square_avg, scratch, 1.0 - self.alpha, scratch)
        rms = scratch
        if self.centered:
            grad_avg = self._buffer("grad_avg", i, param)
            # ḡ += (1 - α)(g - ḡ): the form torch's lerp_ uses for a small weight
            np.subtract(grad, grad_avg, out=scratch)
            _add_scaled(grad_avg, scratch, 1.0 - self.alpha, scratch)
            np.multiply(grad_avg, grad_avg, out=rms)
            np.subtract(square_avg, rms, out=rms)
            np.sqrt(rms, out=rms)
        else:
            np.sqrt(square_avg, out=rms)
        rms += self.eps
        np.divide(grad, rms, out=grad)
        if self.momentum > 0:
            buffer = self._buffer("momentum_buffer", i, param)
            buffer *= self.momentum
            buffer += grad
            grad = buffer
        _add_scaled(param.data, grad, -lr, scratch)


class Adam(Optimizer):
    """Adam: momentum on the gradient, divided by the RMS of the gradient, bias-corrected.

    As ``torch.optim.Adam`` (Kingma & Ba 2015), with L2 decay folded into the gradient::

        g_t = ∇θ + λ θ_{t-1}
        m_t = β1 m_{t-1} + (1 - β1) g_t
        v_t = β2 v_{t-1} + (1 - β2) g_t²
        v̂_t = max(v̂_{t-1}, v_t)    if amsgrad    else    v_t
        θ_t = θ_{t-1} - η/(1 - β1ᵗ) · m_t / (√v̂_t / √(1 - β2ᵗ) + ε)

    Buffers: ``exp_avg`` (m), ``exp_avg_sq`` (v), ``max_exp_avg_sq`` (v̂, amsgrad only).
    """

    hyperparameter_names = ("lr", "betas", "eps", "weight_decay", "amsgrad")
    state_buffers = {"exp_avg": lambda self: True, "exp_avg_sq": lambda self: True,
                     "max_exp_avg_sq": lambda self: self.amsgrad}
    decoupled_weight_decay = False

    def __init__(self, params, lr=0.001, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0,
                 amsgrad=False):
        super().__init__(params, lr)
        self.betas = betas
        self.eps = eps
        self.weight_decay = weight_decay
        self.amsgrad = amsgrad
        self._validate()

    def _validate(self):
        super()._validate()
        owner = type(self).__name__
        if not isinstance(self.betas, (tuple, list)) or len(self.betas) != 2:
            raise GatedRNNError(f"{owner} betas must be a pair (β1, β2), got {self.betas!r}; "
                                f"use e.g. betas=(0.9, 0.999)")
        self.betas = tuple(
            _number(owner, f"betas[{k}]", beta, low=0.0, high=1.0, high_open=True,
                    hint="use e.g. betas=(0.9, 0.999)")
            for k, beta in enumerate(self.betas))
        self.eps = _number(owner, "eps", self.eps, low=0.0, hint="use a small value such as 1e-8")
        self.weight_decay = _number(owner, "weight_decay", self.weight_decay, low=0.0,
                                    hint="use 0 or a small value such as 0.01")
        self.amsgrad = _flag(owner, "amsgrad", self.amsgrad)

    def _update(self, i, param, lr, work):
        beta1, beta2 = self.betas
        grad, scratch = work
        if self.decoupled_weight_decay:
            param.data *= 1 - lr * self.weight_decay  # decay the weight, not the gradient
            grad = param.grad
        else:
            grad = self._decayed_grad(param, self.weight_decay, grad)
        exp_avg = self._buffer("exp_avg", i, param)
        exp_avg_sq = self._buffer("exp_avg_sq", i, param)
        # m += (1 - β1)(g - m): the form torch's lerp_ uses for a small weight
        np.subtract(grad, exp_avg, out=scratch)
        _add_scaled(exp_avg, scratch, 1.0 - beta1, scratch)
        exp_avg_sq *= beta2
        np.multiply(grad, grad, out=scratch)
        _add_scaled(exp_avg_sq, scratch, 1.0 - beta2, scratch)
        second_moment = exp_avg_sq
        if self.amsgrad:
            # the running maximum keeps the effective step from growing when v_t falls
            second_moment = self._buffer("max_exp_avg_sq", i, param)
            np.maximum(second_moment, exp_avg_sq, out=second_moment)

        t = self.step_count
        step_size = lr / (1 - beta1 ** t)
        denom = scratch
        np.sqrt(second_moment, out=denom)
        denom /= (1 - beta2 ** t) ** 0.5
        denom += self.eps
        np.divide(exp_avg, denom, out=denom)
        _add_scaled(param.data, denom, -step_size, denom)


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter 2019), as ``torch.optim.AdamW``.

    The weight shrinks directly instead of through the gradient, so the decay is not divided
    by √v̂ and acts equally on every weight::

        θ'      = θ_{t-1} (1 - η λ)
        m_t, v_t, v̂_t as Adam with g_t = ∇θ (no λ term)
        θ_t = θ' - η/(1 - β1ᵗ) · m_t / (√v̂_t / √(1 - β2ᵗ) + ε)
    """

    decoupled_weight_decay = True

    def __init__(self, params, lr=0.001, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01,
                 amsgrad=False):
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad)
