"""Init: what the initial weights do to a gradient travelling back through time.

The lecture notes name Xavier and He initialisation as remedies for vanishing gradients.
This experiment measures ‖∂L_T/∂h_t‖ against the distance T − t, as
:mod:`~gatedrnn.lab.gradient_flow` does (the same split through the layers' backward, on
the recall task, untrained), for a plain tanh RNN and an LSTM started four ways, each
written as the ``gatedrnn.init`` call (torch's ``nn.init``) one would make on the layer's
stacked matrices (W_ih (G·H, D), W_hh (G·H, H), G = 1 for the RNN, 4 for the LSTM):

    xavier       xavier_uniform_ on W_ih and W_hh: U(±√(6 / (fan_in + fan_out))); biases 0
    kaiming      kaiming_uniform_(nonlinearity="relu") on both (He): U(±√(6 / fan_in)); biases 0
    orthogonal   orthogonal_ on W_hh, xavier_uniform_ on W_ih (Keras's default pairing); biases 0
    pytorch      default_uniform_: U(±1/√H) for every weight and bias, the layers' own start

For the LSTM each start is run with the forget gate's bias b_f shifted by each value of
``forget_biases``: 0 leaves it centred at 0, so σ(b_f) ≈ 0.5 and the cell path
c_{t-1} → c_t halves the gradient per step; +1 (Jozefowicz et al. 2015, Keras's
``unit_forget_bias``) gives σ(1) ≈ 0.73.

For the RNN, besides the measured curve (with tanh′), ``linear`` is what W_hh alone does:
ones pushed back through dh ← dh W_hh (:func:`gatedrnn.lab.matmul_norms.backward_norms`), a
linear RNN's gradient. An orthogonal W_hh keeps that norm exactly, step after step; tanh′ ≤ 1
then only takes away.
"""

import time

import numpy as np

from .. import init
from ..errors import GatedRNNError, signature_defaults
from ..figures import pyplot, save_figure
from ..rng import check_seed
from .checks import check_choices, check_counts, check_fits, sequence_pass_bytes
from .gradient_flow import decay_per_step, profile, relative
from .matmul_norms import backward_norms
from .models import LastStepModel
from .tasks import get_task

INIT_SCHEMES = ("xavier", "kaiming", "orthogonal", "pytorch")
INIT_MODELS = ("rnn-tanh", "lstm")
DEFAULT_FORGET_BIASES = (0.0, 1.0)


def initialise_(layer, scheme, generator):
    """Fill a one-layer RNN or LSTM's weights and biases by ``scheme`` (see the module docstring), in place."""
    weight_ih, weight_hh = layer.weight_ih_l0, layer.weight_hh_l0
    biases = (layer.bias_ih_l0, layer.bias_hh_l0)
    if scheme == "pytorch":
        for param in (weight_ih, weight_hh, *biases):
            init.default_uniform_(param, layer.hidden_size, rng=generator)
        return layer
    if scheme == "kaiming":
        for param in (weight_ih, weight_hh):
            init.kaiming_uniform_(param, nonlinearity="relu", rng=generator)
    else:
        init.xavier_uniform_(weight_ih, rng=generator)
        (init.orthogonal_ if scheme == "orthogonal" else init.xavier_uniform_)(weight_hh, rng=generator)
    for bias in biases:
        init.zeros_(bias)
    return layer


def shift_forget_bias_(lstm, shift):
    """b_f ← b_f + ``shift`` on the LSTM's forget rows [H, 2H) of bias_ih (only b_ih + b_hh enters σ)."""
    hidden = lstm.hidden_size
    lstm.bias_ih_l0.data[hidden : 2 * hidden] += shift


def check_forget_biases(values):
    """A non-empty tuple of finite numbers (bool refused), as floats."""
    values = tuple(values)
    finite = all(
        isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool) and np.isfinite(v)
        for v in values
    )
    if not values or not finite:
        raise GatedRNNError(f"forget biases must be finite numbers, got {values!r}; pass e.g. 0 1")
    return tuple(float(v) for v in values)


def build(kind, scheme, forget_bias, task, hidden_size, generator):
    """A LastStepModel of ``kind`` started by ``scheme`` (and, for the LSTM, b_f shifted by ``forget_bias``)."""
    model = LastStepModel(
        kind, task.input_size, hidden_size, task.output_size, gate_init="pytorch", generator=generator
    )
    initialise_(model.rnn, scheme, generator)
    if kind == "lstm":
        shift_forget_bias_(model.rnn, forget_bias)
    return model


def curve_label(kind, scheme, forget_bias):
    """'rnn-tanh xavier', or 'lstm xavier, b_f +1'."""
    return f"{kind} {scheme}" + (f", b_f {forget_bias:+g}" if kind == "lstm" else "")


def run(
    models=INIT_MODELS,
    inits=INIT_SCHEMES,
    forget_biases=DEFAULT_FORGET_BIASES,
    length=50,
    hidden_size=32,
    batch_size=32,
    seed=0,
):
    """‖∂L_T/∂h_t‖ by distance for every model × start (× forget-gate bias for the LSTM); returns a dict.

    Every model sees the same ``batch_size`` recall sequences of ``length`` steps. Per curve
    (keyed by :func:`curve_label`): the profile ``h`` (and ``c`` for the LSTM), relative to
    the value at distance 0 as well as absolute, ``decay_per_step`` (the geometric-mean
    factor per step back), ``spectral_radius`` and largest singular value of W_hh (the RNN's
    whole matrix; the LSTM's per-gate blocks are not one linear map), and for the RNN
    ``linear``: the norm of ones pushed back through W_hh alone, and its ``linear_decay_per_step``.
    """
    models = check_choices(models, INIT_MODELS, "model")
    inits = check_choices(inits, INIT_SCHEMES, "initialisation")
    forget_biases = check_forget_biases(forget_biases)
    defaults = signature_defaults(run)  # the examples a refusal gives
    check_counts(defaults, minimum=3, length=length)
    check_counts(defaults, hidden_size=hidden_size, batch_size=batch_size)
    check_seed(seed)
    task = get_task("recall")
    check_fits(
        f"init with length {length}, hidden_size {hidden_size}, batch_size {batch_size}",
        sequence_pass_bytes(batch_size, length, task.input_size, hidden_size),
        "use a shorter length or a smaller hidden_size or batch_size",
    )
    length, hidden_size, batch_size, seed = int(length), int(hidden_size), int(batch_size), int(seed)
    started = time.perf_counter()
    xs, targets = task.generate(batch_size, length, np.random.default_rng([seed, 1]))
    curves = {}
    for kind in models:
        for index, scheme in enumerate(inits):
            for forget_bias in forget_biases if kind == "lstm" else (None,):
                # the same draw for both forget biases: the shift is the only difference
                model = build(kind, scheme, forget_bias, task, hidden_size, np.random.default_rng([seed, 2, index]))
                with np.errstate(over="ignore", under="ignore"):
                    measured = profile(model, task, xs, targets)
                curve = dict(
                    model=kind,
                    init=scheme,
                    forget_bias=forget_bias,
                    absolute=measured,
                    relative=relative(measured),
                    decay_per_step=decay_per_step(measured["h"]),
                )
                if kind == "rnn-tanh":
                    curve.update(_recurrent_matrix(model.rnn.weight_hh_l0.data.astype(np.float64), length))
                curves[curve_label(kind, scheme, forget_bias)] = curve
    return dict(
        experiment="init",
        task=task.name,
        models=models,
        inits=inits,
        forget_biases=list(forget_biases),
        length=length,
        hidden_size=hidden_size,
        batch_size=batch_size,
        seed=seed,
        curves=curves,
        seconds=time.perf_counter() - started,
    )


def _recurrent_matrix(w_hh, length):
    """W_hh's spectral radius and largest singular value, and ones pushed back through dh ← dh W_hh."""
    with np.errstate(over="ignore", invalid="ignore"):
        # backward_norms takes the book's W_h (h_t = h_{t-1} W_h), which is W_hhᵀ here
        linear = backward_norms(w_hh.T, length - 1, batch_size=1)
    linear = np.concatenate([[np.sqrt(w_hh.shape[0])], linear])  # distance 0: ‖ones‖ itself
    return dict(
        spectral_radius=float(np.max(np.abs(np.linalg.eigvals(w_hh)))),
        largest_singular_value=float(np.linalg.norm(w_hh, ord=2)),
        linear=(linear / linear[0]).tolist(),
        linear_decay_per_step=decay_per_step(linear.tolist()),
    )


COLOURS = {"xavier": "tab:blue", "kaiming": "tab:red", "orthogonal": "tab:green", "pytorch": "tab:gray"}


def plot(results, path):
    """One panel per model: ‖∂L_T/∂h_t‖ / ‖∂L_T/∂h_T‖ against T − t, a colour per start.

    RNN: solid measured, dotted W_hh alone (a linear RNN). LSTM: solid with the largest
    forget-bias shift, dashed, dash-dotted … with the smaller ones.
    """
    plt = pyplot()
    figure, axes = plt.subplots(1, len(results["models"]), figsize=(6 * len(results["models"]), 5), dpi=110)
    axes = np.atleast_1d(axes)
    distance = np.arange(results["length"])
    styles = ["-", "--", "-.", ":"]
    shifts = sorted(results["forget_biases"], reverse=True)
    for ax, kind in zip(axes, results["models"], strict=True):
        for curve in results["curves"].values():
            if curve["model"] != kind:
                continue
            colour = COLOURS[curve["init"]]
            style = "-" if kind == "rnn-tanh" else styles[shifts.index(curve["forget_bias"]) % len(styles)]
            label = curve["init"] + (f", b_f {curve['forget_bias']:+g}" if kind == "lstm" else "")
            ax.plot(
                distance, curve["relative"]["h"], style, color=colour, label=f"{label} (×{curve['decay_per_step']:.3f})"
            )
            if kind == "rnn-tanh":
                ax.plot(distance, curve["linear"], ":", color=colour, alpha=0.8, label=f"{label}: W_hh alone")
        ax.set_yscale("log")
        ax.set_xlabel("distance T − t (steps back from the loss)")
        ax.set_ylabel("‖∂L_T/∂h_t‖ / ‖∂L_T/∂h_T‖")
        ax.set_title(f"{kind} (in the legend: the factor per step back)", fontsize=10)
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=7)
    figure.suptitle(
        f"untrained, recall task, T = {results['length']}, H = {results['hidden_size']}, "
        f"batch {results['batch_size']}, seed {results['seed']}",
        fontsize=10,
    )
    figure.tight_layout()
    save_figure(figure, path)
