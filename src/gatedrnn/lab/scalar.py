"""Scalar: the vanishing and exploding gradient in one number, as in the lecture notes.

Take a plain RNN with one unit, so that every weight is a number:

    h_t = tanh(w_xh · x_t + w_hh · h_{t-1} + b)

One step back multiplies the gradient by ∂h_t/∂h_{t-1} = w_hh · tanh′(a_t), with
tanh′(a_t) = 1 − h_t², so over k steps

    ∂h_T/∂h_{T-k} = ∏_{s=T-k+1}^{T} w_hh · (1 − h_s²)

The notes' example leaves tanh′ out: the factor is then w_hh^k, and with w_hh = 3 the
gradient from h_3 back to h_1 is 3² = 9 and grows as 3^k, while with w_hh = 0.2 it is
0.2² = 0.04 and shrinks as 0.2^k. Putting tanh′ back can only lower each factor (tanh′ ≤ 1),
and with w_hh = 3 it does more than that: the state is pushed into tanh's flat tails, where
1 − h² is small, and w_hh · tanh′ falls below 1 — the "exploding" weight gives a vanishing
gradient. The figure shows all four curves on one log axis.

The factors with tanh′ are measured through gatedrnn's own RNN layer (one unit, float64):
the gradient-flow experiment's split (:func:`gatedrnn.lab.gradient_flow.state_gradients`)
runs the layer from h_t to h_T and its backward returns ∂h_T/∂h_t. The tests check them
against the product above along the computed trajectory, and the ones without against w^k.
"""

import numpy as np

from ..errors import GatedRNNError, signature_defaults
from ..figures import pyplot, save_figure
from ..rng import check_seed
from .checks import check_counts
from .gradient_flow import state_gradients, states_along
from .models import LastStepModel

DEFAULT_WEIGHTS = (3.0, 0.2)  # the notes' w_hh: one that explodes, one that vanishes
NOTES_SPAN = 2  # the notes' ∂h_3/∂h_1: two steps back
MAX_STEPS = 1000  # the split measurement runs about T²/2 steps of the layer


class ReadOut:
    """The "loss" L = Σ outputs, so that the gradient fed back is ∂h_T itself (dL/dy = 1)."""

    def __call__(self, outputs, targets):
        self._shape = outputs.shape
        return float(np.sum(outputs))

    def backward(self, scale=1.0):
        return np.full(self._shape, scale)


def scalar_rnn(w_hh, w_xh, bias):
    """A one-unit tanh RNN in float64 with these weights, and a read-out y = h_T (weight 1, bias 0)."""
    model = LastStepModel("rnn-tanh", 1, 1, 1, generator=np.random.default_rng(0))
    model.rnn.to(np.float64), model.head.to(np.float64)
    model.rnn.weight_hh_l0.data[...] = w_hh
    model.rnn.weight_ih_l0.data[...] = w_xh
    model.rnn.bias_ih_l0.data[...] = bias
    model.rnn.bias_hh_l0.data[...] = 0.0
    model.head.weight.data[...] = 1.0
    model.head.bias.data[...] = 0.0
    return model


def trajectory(model, xs):
    """h_1 … h_T (T,) of the one-unit model on xs (1, T, 1), from h_0 = 0."""
    return np.array([state[0, 0, 0] for state in states_along(model.rnn, xs)])


def gradient_factors(model, xs):
    """∂h_T/∂h_{T-k} for k = 1 … T-1, measured by the layer's backward (gradient_flow's split); (T-1,)."""
    dh, _ = state_gradients(model, ReadOut(), xs, None)  # row t-1: ∂h_T/∂h_t
    return dh[:-1, 0, 0][::-1].copy()


def check_weights(weights):
    """A non-empty tuple of finite real numbers (bool refused), as floats."""
    values = tuple(weights) if isinstance(weights, (tuple, list)) else (weights,)
    if not values or not all(_is_finite_real(value) for value in values):
        raise GatedRNNError(f"weights must be finite numbers, got {weights!r}; pass e.g. 3.0 0.2")
    return tuple(float(value) for value in values)


def check_number(value, name):
    """One finite real number (bool refused), as a float."""
    if not _is_finite_real(value):
        raise GatedRNNError(f"{name} must be a finite number, got {value!r}; pass e.g. 1.0")
    return float(value)


def _is_finite_real(value):
    return (
        isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool) and np.isfinite(value)
    )


def run(weights=DEFAULT_WEIGHTS, steps=20, input_weight=1.0, bias=0.0, seed=0):
    """The factor ∂h_T/∂h_{T-k} for k = 1 … steps, for each w_hh in ``weights``; returns a dict.

    The inputs x_t ~ N(0, 1) are drawn once from ``seed`` and shared by every w_hh; h_0 = 0;
    ``input_weight`` is w_xh and ``bias`` is b. The sequence has steps + 1 steps, so that the
    last factor reaches back ``steps`` steps.

    Per w_hh: ``without_tanh`` (w^k, k = 1 … steps), ``with_tanh`` (measured), the trajectory
    ``hidden`` (h_1 … h_{steps+1}), ``per_step`` (the geometric mean of w · tanh′ over the span)
    and ``notes``: the notes' ∂h_3/∂h_1, from the first three steps, without tanh′ (w²) and with it.
    """
    weights = check_weights(weights)
    input_weight, bias = check_number(input_weight, "input weight"), check_number(bias, "bias")
    defaults = signature_defaults(run)  # the examples a refusal gives
    check_counts(defaults, minimum=NOTES_SPAN, steps=steps)
    if steps > MAX_STEPS:
        raise GatedRNNError(
            f"steps must be at most {MAX_STEPS} (the measurement runs about steps²/2 RNN steps), got {steps!r}"
        )
    check_seed(seed)
    steps, seed = int(steps), int(seed)
    xs = np.random.default_rng(seed).standard_normal((1, steps + 1, 1))
    curves = {}
    for w in weights:
        model = scalar_rnn(w, input_weight, bias)
        with np.errstate(over="ignore", under="ignore"):
            with_tanh = gradient_factors(model, xs)
            without = w ** np.arange(1, steps + 1, dtype=np.float64)
        curves[f"{w:g}"] = dict(
            w_hh=w,
            without_tanh=without.tolist(),
            with_tanh=with_tanh.tolist(),
            hidden=trajectory(model, xs).tolist(),
            per_step=per_step(with_tanh),
            notes=dict(
                without_tanh=float(without[NOTES_SPAN - 1]),
                with_tanh=float(gradient_factors(model, xs[:, : NOTES_SPAN + 1])[NOTES_SPAN - 1]),
            ),
        )
    return dict(
        experiment="scalar",
        weights=list(weights),
        steps=steps,
        input_weight=input_weight,
        bias=bias,
        seed=seed,
        inputs=xs[0, :, 0].tolist(),
        curves=curves,
    )


def per_step(factors):
    """|factor over k steps|^(1/k) at the longest span: the mean size of w · tanh′ per step (0 if it underflowed)."""
    last = abs(float(factors[-1]))
    return float(last ** (1.0 / len(factors))) if last > 0 else 0.0


def plot(results, path):
    """|∂h_T/∂h_{T-k}| against k on a log axis: dashed w^k, solid with tanh′; squares: the notes'
    ∂h_3/∂h_1 with tanh′ (from the first three steps); right, the trajectory h_t."""
    plt = pyplot()
    figure, (factors_ax, states_ax) = plt.subplots(1, 2, figsize=(11, 4.6), dpi=110, width_ratios=(3, 2))
    colours = ["tab:red", "tab:blue", "tab:green", "tab:orange", "tab:purple"]
    span = np.arange(1, results["steps"] + 1)
    for colour, curve in zip(colours * len(results["curves"]), results["curves"].values(), strict=False):
        w = curve["w_hh"]
        factors_ax.plot(span, np.abs(curve["without_tanh"]), "--", color=colour, label=f"w_hh = {w:g}: w^k")
        factors_ax.plot(
            span,
            np.abs(curve["with_tanh"]),
            "-",
            color=colour,
            label=f"w_hh = {w:g}: ∏ w·tanh′ (×{curve['per_step']:.3g}/step)",
        )
        value = abs(curve["notes"]["with_tanh"])
        if value > 0:
            factors_ax.plot(NOTES_SPAN, value, "s", color=colour, markersize=5)
        steps = np.arange(1, len(curve["hidden"]) + 1)
        states_ax.plot(steps, curve["hidden"], ".-", color=colour, label=f"w_hh = {w:g}")
    factors_ax.axhline(1.0, color="black", linewidth=0.8)
    factors_ax.axvline(NOTES_SPAN, color="grey", linestyle=":", linewidth=0.8)
    factors_ax.annotate(
        "■ ∂h₃/∂h₁ from h_0 = 0", xy=(NOTES_SPAN, 1.0), xytext=(4, 6), textcoords="offset points", fontsize=8
    )
    factors_ax.set_yscale("log")
    factors_ax.set_xlabel("k, steps back")
    factors_ax.set_ylabel("|∂h_T/∂h_{T−k}|")
    factors_ax.set_title("the gradient factor over k steps", fontsize=10)
    factors_ax.legend(fontsize=8)
    factors_ax.grid(True, which="both", alpha=0.3)
    states_ax.set_xlabel("t")
    states_ax.set_ylabel("h_t")
    states_ax.set_ylim(-1.05, 1.05)
    states_ax.set_title("the trajectory: where tanh′ = 1 − h_t² is read", fontsize=10)
    states_ax.legend(fontsize=8)
    states_ax.grid(True, alpha=0.3)
    figure.suptitle(
        f"one unit: h_t = tanh({results['input_weight']:g}·x_t + w_hh·h_(t−1) + {results['bias']:g}), "
        f"x_t ~ N(0, 1) (seed {results['seed']}), h_0 = 0",
        fontsize=10,
    )
    figure.tight_layout()
    save_figure(figure, path)
