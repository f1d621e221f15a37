"""Matmul-norms: push a gradient back through T steps of a plain RNN and watch its norm.

Backward through one step of h_t = tanh(h_{t-1} W_h + x_t W_x + b) (the row-vector
convention of Deep Learning from Scratch 2, chapter 6) takes the gradient dh reaching h_t to the one reaching h_{t-1}:

    dh_{t-1} = (dh_t ⊙ tanh′(a_t)) W_hᵀ,     tanh′(a_t) = 1 - h_t²

Leaving tanh′ out, T steps multiply dh by (W_hᵀ)^T. That is the power method: after a few
steps dh lines up with W_h's dominant eigen-direction and its norm changes by the spectral
radius ρ(W_h) per step, so it grows geometrically when ρ > 1 and shrinks when ρ < 1.
Scaling W_h by 0.5 halves ρ, which for a typical 3×3 N(0, 1) draw turns growth into decay.
With tanh′ ≤ 1 in the loop every step can only shrink the gradient further.

The book's sizes are the default: a batch of N = 2 gradients of ones, H = 3, T = 20, and
the norm reported as ‖dh‖_F / N. ``book=True`` (``gatedrnn lab matmul-norms --book``) also
takes its random numbers and axes (ch06/rnn_gradient_graph.py, figures 6-8 and 6-9): W_h is
the first H·H draws of NumPy's legacy generator seeded with 3 (``np.random.seed(3);
np.random.randn(H, H)``), once as drawn and once times 0.5, and each curve gets its own
linear axis, so that the printed norms are the book's digits.
"""

import numpy as np

from ..arguments import flag
from ..errors import GatedRNNError, signature_defaults
from ..figures import pyplot, save_figure
from ..rng import check_seed
from .checks import FLOAT_BYTES, LISTED_FLOAT_BYTES, check_counts, check_fits, is_positive_number

DEFAULT_SCALES = (1.0, 0.5)
BOOK_SEED = 3


def backward_norms(w_h, steps, batch_size=2, hidden_states=None):
    """‖dh‖_F / N after each of ``steps`` steps of dh ← (dh ⊙ tanh′) W_hᵀ, starting from ones (N, H).

    ``hidden_states`` (T, N, H) are the forward pass's h_t, newest last; with them each step
    first multiplies by 1 - h_t², without them the tanh′ factor is left out. Returns (steps,).
    """
    hidden = w_h.shape[0]
    dh = np.ones((batch_size, hidden))
    norms = []
    for k in range(steps):
        if hidden_states is not None:
            h = hidden_states[-1 - k]  # walking back in time from the last step
            dh = dh * (1.0 - h * h)
        dh = dh @ w_h.T
        norms.append(np.sqrt(np.sum(dh**2)) / batch_size)
    return np.array(norms)


def tanh_forward(w_h, w_x, xs):
    """h_t = tanh(h_{t-1} W_h + x_t W_x) from h_0 = 0, for xs (T, N, D); returns hs (T, N, H)."""
    h = np.zeros((xs.shape[1], w_h.shape[0]))
    hs = []
    for x in xs:
        h = np.tanh(h @ w_h + x @ w_x)
        hs.append(h)
    return np.stack(hs)


def growth_rate(norms):
    """The geometric mean of norm[k+1] / norm[k] over the second half of the steps: the rate per step
    once the power method has settled (complex eigenvalues make single ratios wobble)."""
    half = len(norms) // 2
    tail = np.log(norms[half:])
    return float(np.exp((tail[-1] - tail[0]) / (len(tail) - 1))) if len(tail) > 1 else float("nan")


@np.errstate(over="ignore", invalid="ignore", divide="ignore")  # divergence is a result here, not a warning
def run(steps=20, hidden_size=3, batch_size=2, scales=DEFAULT_SCALES, seed=0, book=False):
    """The norms for W_h ~ N(0, 1) times each scale, with and without tanh′; returns a dict.

    One W_h is drawn and scaled, so the curves differ only by the scale. For the tanh′
    curves the forward pass runs on inputs x_t ~ N(0, 1) through W_x ~ N(0, 1/H).
    ``book=True`` draws W_h as the book does (see the module's docstring); the sizes and
    scales must then be the defaults, which are the book's, and ``seed`` draws only W_x and the
    inputs of the tanh′ curves (the results say both seeds: ``seed`` and ``w_h_seed``).

    Per scale: ``norms`` and ``norms_with_tanh`` (steps,), ``spectral_radius`` of the scaled
    W_h, ``growth_rate`` per step measured from the norms (≈ the spectral radius), and
    ``growth_rate_with_tanh``.
    """
    defaults = signature_defaults(run)  # the examples a refusal gives
    check_counts(defaults, minimum=2, steps=steps, hidden_size=hidden_size, batch_size=batch_size)
    if not scales or not all(is_positive_number(s) for s in scales):
        raise GatedRNNError(f"scales must be positive numbers, got {list(scales)}; e.g. --scales 1.0 0.5")
    check_seed(seed)
    book = flag("book", book)  # "yes" or 1 would pass an if and be recorded as given
    if book:
        _check_book_setting(steps, hidden_size, batch_size, scales)
    check_fits(
        f"matmul-norms with steps {steps}, hidden_size {hidden_size}, batch_size {batch_size}",
        run_bytes(steps, hidden_size, batch_size, len(scales)),
        "use fewer steps or a smaller hidden_size or batch_size",
    )
    generator = np.random.default_rng(seed)
    base = generator.standard_normal((hidden_size, hidden_size))
    if book:  # the book's draw: np.random.seed(3); np.random.randn(H, H)
        base = np.random.RandomState(BOOK_SEED).standard_normal((hidden_size, hidden_size))
    w_x = generator.standard_normal((hidden_size, hidden_size)) / np.sqrt(hidden_size)
    xs = generator.standard_normal((steps, batch_size, hidden_size))
    curves = {}
    for scale in scales:
        w_h = scale * base
        with np.errstate(over="ignore", invalid="ignore"):  # a norm that overflows to inf is a result here
            plain = backward_norms(w_h, steps, batch_size)
            with_tanh = backward_norms(w_h, steps, batch_size, tanh_forward(w_h, w_x, xs))
        curves[f"{scale:g}"] = dict(
            scale=float(scale),
            norms=plain.tolist(),
            norms_with_tanh=with_tanh.tolist(),
            spectral_radius=float(np.max(np.abs(np.linalg.eigvals(w_h)))),
            growth_rate=growth_rate(plain),
            growth_rate_with_tanh=growth_rate(with_tanh),
        )
    return dict(
        experiment="matmul-norms",
        steps=steps,
        hidden_size=hidden_size,
        batch_size=batch_size,
        seed=seed,  # of W_x and the inputs x_t (the tanh′ curves), and of W_h unless book
        w_h_seed=BOOK_SEED if book else seed,
        book=book,
        curves=curves,
    )


def run_bytes(steps, hidden_size, batch_size, curve_count):
    """Bytes :func:`run` needs, about: W_h, its scaled copy and W_x (H, H) with the eigenvalue work;
    the inputs, the hidden states and their stack (T, N, H); two listed norms per step and curve."""
    H, T, N = int(hidden_size), int(steps), int(batch_size)
    return FLOAT_BYTES * (6 * H * H + 3 * T * N * H) + LISTED_FLOAT_BYTES * 2 * T * curve_count


def _check_book_setting(steps, hidden_size, batch_size, scales):
    given = dict(steps=steps, hidden_size=hidden_size, batch_size=batch_size, scales=tuple(scales))
    book = dict(steps=20, hidden_size=3, batch_size=2, scales=DEFAULT_SCALES)
    differing = [name for name in book if given[name] != book[name]]
    if differing:
        shown = ", ".join(f"{name} {given[name]} (the book's: {book[name]})" for name in differing)
        raise GatedRNNError(
            f"book=True runs the book's exact setting, but {shown} was given; leave "
            f"{'them' if len(differing) > 1 else 'it'} out, or drop --book"
        )


def plot(results, path):
    """Left: norm against steps back, without tanh′ (the book's two figures, on one log axis).
    Right: the same with tanh′ in the loop. For a ``book`` run: the book's two figures."""
    if results.get("book"):
        return plot_book(results, path)
    plt = pyplot()
    figure, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2), dpi=110, sharey=True)
    steps = np.arange(1, results["steps"] + 1)
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for colour, curve in zip(colours, results["curves"].values(), strict=False):
        label = f"W_h × {curve['scale']:g} (ρ = {curve['spectral_radius']:.2f})"
        left.plot(
            steps, curve["norms"], "o-", markersize=3, color=colour, label=f"{label}, ×{curve['growth_rate']:.2f}/step"
        )
        right.plot(
            steps,
            curve["norms_with_tanh"],
            "o-",
            markersize=3,
            color=colour,
            label=f"{label}, ×{curve['growth_rate_with_tanh']:.2f}/step",
        )
    for ax, title in ((left, "dh ← dh W_hᵀ"), (right, "dh ← (dh ⊙ tanh′) W_hᵀ")):
        ax.set_yscale("log")
        ax.axhline(1.0, color="grey", linewidth=0.8, linestyle=":")
        ax.set_xlabel("steps back in time")
        ax.xaxis.get_major_locator().set_params(integer=True)
        ax.set_title(title)
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=8)
    left.set_ylabel("‖dh‖ / N")
    figure.suptitle(
        f"W_h ~ N(0, 1), H = {results['hidden_size']}, N = {results['batch_size']}, seed {results['seed']}", fontsize=10
    )
    figure.tight_layout()
    save_figure(figure, path)


def plot_book(results, path):
    """Figures 6-8 and 6-9 as the book draws them: one curve each, norm on a linear axis."""
    plt = pyplot()
    curves = list(results["curves"].values())
    figure, axes = plt.subplots(1, len(curves), figsize=(5.2 * len(curves), 4), dpi=110)
    steps = np.arange(1, results["steps"] + 1)
    for number, (ax, curve) in enumerate(zip(np.atleast_1d(axes), curves, strict=True)):
        ax.plot(steps, curve["norms"])
        ax.set_xticks([1, 5, 10, 15, 20])
        ax.set_xlabel("time step")
        ax.set_ylabel("norm")
        scale = "" if curve["scale"] == 1.0 else f" × {curve['scale']:g}"
        ax.set_title(f"figure 6-{8 + number}: W_h = randn(3, 3){scale}", fontsize=10)
        ax.grid(True, alpha=0.3)
    figure.suptitle("the book's setting: np.random.seed(3), N = 2, H = 3, T = 20", fontsize=10)
    figure.tight_layout()
    save_figure(figure, path)
