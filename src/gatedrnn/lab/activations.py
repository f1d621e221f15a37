"""Activations: tanh, sigmoid and ReLU, their derivatives, and what T steps of them do to a gradient.

Every step back through a recurrent layer multiplies the gradient by the activation's
derivative at that step:

    tanh′(x) = 1 - tanh²(x)       at most 1, at x = 0
    σ′(x)    = σ(x) (1 - σ(x))    at most 1/4, at x = 0
    relu′(x) = 1 if x > 0 else 0  exactly 1 wherever the unit is active

So even in the best case a sigmoid RNN loses a factor 4 per step (4⁻¹⁰ ≈ 10⁻⁶ after ten
steps), while tanh can at least pass a gradient unchanged near 0 — the usual reason for
tanh. ReLU passes it unchanged on its active side and kills it on the other; it does not
squash, so the forward state can blow up instead, which is why the IRNN pairs it with an
identity W_hh and clipping.
"""

import numpy as np

from ..errors import GatedRNNError, signature_defaults
from ..figures import pyplot, save_figure
from ..functional import sigmoid
from ..rng import check_seed
from .checks import FLOAT_BYTES, LISTED_FLOAT_BYTES, check_counts, check_fits, check_positive

ACTIVATIONS = ("tanh", "sigmoid", "relu")


def values_and_derivatives(name, x):
    """φ(x) and φ′(x) for φ in :data:`ACTIVATIONS`, elementwise over ``x``."""
    if name == "tanh":
        y = np.tanh(x)
        return y, 1.0 - y * y
    if name == "sigmoid":
        y = sigmoid(np.asarray(x, dtype=np.float64))
        return y, y * (1.0 - y)
    if name == "relu":
        return np.maximum(x, 0.0), (x > 0).astype(np.float64)
    raise GatedRNNError(f"unknown activation {name!r}; choose one of {', '.join(ACTIVATIONS)}")


def run(limit=6.0, points=601, steps=20, samples=200_000, seed=0):
    """Curves of each activation and its derivative on [-limit, limit], and gradient retention.

    For each activation: ``max_derivative``; ``mean_derivative`` = E[φ′(x)] for x ~ N(0, 1), a
    typical per-step factor; ``best_case`` = max φ′ᵗ and ``typical`` = E[φ′]ᵗ for t = 1 … steps,
    what is left of a gradient after t steps through φ′ alone (W_hh aside); and
    ``steps_to_1e-6`` for the best case (None when it never gets there).
    """
    defaults = signature_defaults(run)  # the examples a refusal gives
    check_positive(defaults, limit=limit)
    check_counts(defaults, minimum=3, points=points)
    check_counts(defaults, steps=steps, samples=samples)
    check_seed(seed)
    check_fits(
        f"activations with steps {steps}, points {points}, samples {samples}",
        run_bytes(points, steps, samples),
        "use fewer steps, points or samples",
    )
    x = np.linspace(-limit, limit, points)
    normal = np.random.default_rng(seed).standard_normal(samples)
    t = np.arange(1, steps + 1)
    curves = {}
    for name in ACTIVATIONS:
        y, dy = values_and_derivatives(name, x)
        peak = float(dy.max())
        mean = float(values_and_derivatives(name, normal)[1].mean())
        best = peak**t
        below = np.nonzero(best < 1e-6)[0]
        curves[name] = dict(
            values=y.tolist(),
            derivatives=dy.tolist(),
            max_derivative=peak,
            mean_derivative=mean,
            best_case=best.tolist(),
            typical=(mean**t).tolist(),
            **{"steps_to_1e-6": int(t[below[0]]) if below.size else None},
        )
    return dict(experiment="activations", x=x.tolist(), steps=steps, samples=samples, seed=seed, curves=curves)


def run_bytes(points, steps, samples):
    """Bytes :func:`run` needs, about: the samples and their derivatives, and per activation
    the listed curves (2 per point, 2 per step)."""
    per_activation = LISTED_FLOAT_BYTES * (2 * int(points) + 2 * int(steps))
    return FLOAT_BYTES * 4 * (int(samples) + int(points) + int(steps)) + len(ACTIVATIONS) * per_activation


COLOURS = {"tanh": "tab:blue", "sigmoid": "tab:orange", "relu": "tab:green"}


def plot(results, path):
    """Left: each φ (solid) and φ′ (dashed). Right: max φ′ᵗ and E[φ′]ᵗ against t, log scale."""
    plt = pyplot()
    figure, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2), dpi=110)
    x = np.array(results["x"])
    for name, curve in results["curves"].items():
        colour = COLOURS[name]
        left.plot(x, curve["values"], color=colour, label=name)
        left.plot(x, curve["derivatives"], "--", color=colour, label=f"{name}′ (max {curve['max_derivative']:.2f})")
    left.set_ylim(-1.1, 1.6)
    left.axhline(0, color="grey", linewidth=0.6)
    left.set_xlabel("x")
    left.set_title("activations (solid) and their derivatives (dashed)")
    left.legend(fontsize=8, loc="upper left")
    left.grid(True, alpha=0.3)
    t = np.arange(1, results["steps"] + 1)
    for name, curve in results["curves"].items():
        colour = COLOURS[name]
        if curve["max_derivative"] < 1:  # tanh's and relu's best case is 1 at every step: the line at the top
            right.plot(t, curve["best_case"], "-", color=colour, label=f"max {name}′ᵗ = {curve['max_derivative']:.2f}ᵗ")
        right.plot(t, curve["typical"], ":", color=colour, label=f"E[{name}′]ᵗ = {curve['mean_derivative']:.2f}ᵗ")
    right.axhline(1.0, color="black", linewidth=1.0, label="max tanh′ᵗ = max relu′ᵗ = 1")
    right.set_yscale("log")
    right.set_xlabel("steps back t")
    right.set_ylabel("factor left of the gradient")
    right.set_title("what t steps of φ′ leave (mean: x ~ N(0, 1) drawn anew each step)", fontsize=10)
    right.xaxis.get_major_locator().set_params(integer=True)
    right.legend(fontsize=8, loc="lower left")
    right.grid(True, which="both", alpha=0.3)
    figure.tight_layout()
    save_figure(figure, path)
