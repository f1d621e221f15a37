"""Clipping: the same training run twice, with and without clip_grad_norm, side by side.

By default an IRNN (ReLU, W_hh = I) is trained with plain SGD on the recall task. Its
forward pass does not squash, and its backward pass multiplies by W_hhᵀ on the active
units: once training pushes W_hh's largest singular value above 1, the gradient grows like
that value to the power of the length, and one update of lr · g throws the weights far off
— a spike in the loss that undoes what was learned, or nan. Clipping by the global norm (Pascanu et al. 2013)

    g ← g · min(1, c / ‖g‖)

keeps the direction and caps the length, so with SGD every update lr · g has norm at most
lr · c, however steep the cliff. Both runs start from the same weights and see the same
batches; the only difference is the clip.

With ``per_tensor=True`` a third run clips each parameter's gradient by its own norm
(Keras's ``clipnorm``, :func:`gatedrnn.clip.clip_grad_norm_per_tensor`)::

    g_i ← g_i · min(1, c / ‖g_i‖)       for each tensor i

Each of the k tensors is then at most c, so an update is at most lr · c · √k, and the
direction changes: when W_hh's gradient explodes it is cut back while the read-out's and
the biases' gradients keep their size.
"""

import math
import time

import numpy as np

from ..clip import clip_grad_norm_per_tensor, total_grad_norm
from ..errors import GatedRNNError, signature_defaults
from ..figures import pyplot, save_figure
from ..optim import SGD
from ..rng import check_seed
from ..training import StepResult
from .checks import check_compared_clip, check_counts, check_fits, check_positive, sequence_pass_bytes
from .models import LastStepModel, check_cell_kinds
from .tasks import get_task
from .training import criterion_for, training_step


def parameter_vector(model):
    """All parameters as one flat float64 vector, to measure how far an update moved them."""
    return np.concatenate([param.data.ravel().astype(np.float64) for param in model.parameters()])


def per_tensor_step(model, criterion, optimizer, task, batch_size, length, generator, clip):
    """One SGD update on a fresh batch with each gradient clipped by its own norm (Keras's clipnorm).

    backward_and_step's order (zero, backward, global norm, no update when it is not finite),
    with :func:`~gatedrnn.clip.clip_grad_norm_per_tensor` before the step instead of the
    global factor inside it. The norm reported is the global one before clipping, as for the
    other runs.
    """
    inputs, targets = task.generate(batch_size, length, generator)
    with np.errstate(over="ignore", invalid="ignore"):
        loss = criterion(model(inputs), targets)
        optimizer.zero_grad()
        model.backward(criterion.backward())
        norm = float(total_grad_norm(optimizer.params))
    if not (math.isfinite(loss) and math.isfinite(norm)):
        return StepResult(float(loss), norm, stepped=False)
    clip_grad_norm_per_tensor(optimizer.params, clip)
    optimizer.step()
    return StepResult(float(loss), norm, stepped=True)


def train_once(model, task, length, steps, lr, clip, generator, batch_size, progress=None, per_tensor=False):
    """SGD for ``steps`` updates; per step the loss, the gradient norm before clipping and ‖Δθ‖.

    ``clip`` is the max global gradient norm, or None for none; it is applied inside the
    update (``SGD.step(grad_scale=c)`` folds c into the learning rate), so every clipped
    update still has ‖Δθ‖ ≤ lr · clip. With ``per_tensor`` it is each tensor's max norm
    instead (:func:`per_tensor_step`). Stops at the first non-finite loss or gradient (that
    step is recorded with ‖Δθ‖ = nan, and no update is made).
    """
    optimizer = SGD(model.parameters(), lr=lr)
    criterion = criterion_for(task)
    losses, grad_norms, update_norms = [], [], []
    diverged_at = None
    for step in range(1, steps + 1):
        before = parameter_vector(model)  # backward_and_step updates in place: remember where we were
        with np.errstate(over="ignore", invalid="ignore"):  # divergence is what this experiment shows
            if per_tensor:
                result = per_tensor_step(model, criterion, optimizer, task, batch_size, length, generator, clip)
            else:
                result = training_step(model, criterion, optimizer, task, batch_size, length, generator, clip)
        losses.append(result.loss)
        grad_norms.append(result.grad_norm)
        if progress is not None:
            progress.update(1)
        if not result.stepped:
            update_norms.append(float("nan"))
            diverged_at = step
            break
        update_norms.append(float(np.linalg.norm(parameter_vector(model) - before)))
    if progress is not None:
        progress.update(steps - len(losses))
    return dict(losses=losses, grad_norms=grad_norms, update_norms=update_norms, diverged_at=diverged_at)


def run(
    model="irnn",
    task="recall",
    length=20,
    hidden_size=32,
    steps=600,
    lr=0.01,
    clip=5.0,
    batch_size=32,
    spike_factor=10.0,
    per_tensor=False,
    seed=0,
    progress=True,
):
    """Train twice from the same start, unclipped and clipped at ``clip``; returns both records.

    Besides the curves: ``max_update_norm`` per run and its bound lr · clip for the clipped
    one; ``spikes``: steps whose gradient norm exceeds ``spike_factor`` times the median so far.
    With ``per_tensor`` a third run, ``"clip per tensor"``, clips each tensor at ``clip``
    (Keras's clipnorm); its bound is lr · clip · √(number of tensors).
    """
    from ..progress import bar as progress_bar

    check_cell_kinds([model])
    task = get_task(task)
    defaults = signature_defaults(run)  # the examples a refusal gives
    check_positive(defaults, lr=lr, spike_factor=spike_factor)
    check_compared_clip(defaults, clip)
    check_counts(defaults, steps=steps, hidden_size=hidden_size, batch_size=batch_size)
    task.check_length(length)
    check_seed(seed)
    if not isinstance(per_tensor, (bool, np.bool_)):
        raise GatedRNNError(f"per_tensor must be True or False, got {per_tensor!r}")
    if not math.isfinite(lr * clip):
        raise GatedRNNError(
            f"lr {lr:g} times clip {clip:g} overflows (the clipped run's bound on an update, lr · clip); "
            "use a smaller lr or clip"
        )
    check_fits(
        f"clipping with length {length}, hidden_size {hidden_size}, batch_size {batch_size}",
        sequence_pass_bytes(batch_size, length, task.input_size, hidden_size),
        "use a shorter length or a smaller hidden_size or batch_size",
    )
    started = time.perf_counter()
    runs = {}
    settings = [("no clip", None), ("clip", clip)] + ([("clip per tensor", clip)] if per_tensor else [])
    with progress_bar(total=len(settings) * steps, desc="clipping", unit="step", progress=progress) as bar:
        for label, max_norm in settings:
            network = LastStepModel(
                model,
                task.input_size,
                hidden_size,
                task.output_size,
                max_span=max(length, 3),
                generator=np.random.default_rng([seed, 1]),
            )
            record = train_once(
                network,
                task,
                length,
                steps,
                lr,
                max_norm,
                np.random.default_rng([seed, 2]),
                batch_size,
                progress=bar,
                per_tensor=label == "clip per tensor",
            )
            tensor_count = len(network.parameters())
            finite = [u for u in record["update_norms"] if np.isfinite(u)]
            record.update(
                max_update_norm=max(finite) if finite else None,
                spikes=spike_steps(record["grad_norms"], spike_factor),
                final_loss=record["losses"][-1],
                mean_loss_last_50=float(np.mean(record["losses"][-50:])),
            )
            runs[label] = record
    runs["clip"]["update_bound"] = lr * clip
    if per_tensor:
        runs["clip per tensor"]["update_bound"] = lr * clip * math.sqrt(tensor_count)
        runs["clip per tensor"]["tensors"] = tensor_count
    return dict(
        experiment="clipping",
        model=model,
        task=task.name,
        length=length,
        hidden_size=hidden_size,
        steps=steps,
        lr=lr,
        clip=clip,
        batch_size=batch_size,
        seed=seed,
        spike_factor=spike_factor,
        per_tensor=bool(per_tensor),
        runs=runs,
        seconds=time.perf_counter() - started,
    )


def spike_steps(grad_norms, factor):
    """1-based steps whose gradient norm is non-finite or above ``factor`` × the median of the steps before it."""
    spikes = []
    for step in range(1, len(grad_norms)):
        norm = grad_norms[step]
        if not np.isfinite(norm) or norm > factor * np.median(grad_norms[:step]):
            spikes.append(step + 1)
    return spikes


def describe_norm(norm):
    """A norm for the figure and the summary: '0.123', or 'none finite' (a run that diverged at once)."""
    return "none finite" if norm is None or not math.isfinite(norm) else f"{norm:.3g}"


COLUMNS = {
    "no clip": ("tab:red", "without clipping"),
    "clip": ("tab:blue", "clip_grad_norm(max_norm={clip:g})"),
    "clip per tensor": ("tab:green", "clip_grad_norm_per_tensor(max_norm={clip:g})"),
}


def plot(results, path):
    """Top: the runs' losses side by side. Bottom: their gradient norms (before clipping), log scale."""
    plt = pyplot()
    labels = [label for label in COLUMNS if label in results["runs"]]
    figure, axes = plt.subplots(2, len(labels), figsize=(5.5 * len(labels), 6.4), dpi=110, sharex=True)
    for column, label in enumerate(labels):
        record = results["runs"][label]
        steps = np.arange(1, len(record["losses"]) + 1)
        colour, title = COLUMNS[label]
        title = title.format(clip=results["clip"])
        loss_ax, norm_ax = axes[0][column], axes[1][column]
        loss_ax.plot(steps, record["losses"], color=colour, linewidth=0.9)
        loss_ax.set_yscale("log")
        loss_ax.set_title(title)
        loss_ax.set_ylabel("training loss (MSE)" if results["task"] == "adding" else "training loss")
        norm_ax.plot(steps, record["grad_norms"], color=colour, linewidth=0.9, label="‖g‖ before clipping")
        if label == "clip":
            norm_ax.axhline(results["clip"], color="black", linestyle="--", linewidth=0.8, label="clip threshold")
        if label == "clip per tensor":
            norm_ax.axhline(
                record["update_bound"] / results["lr"],
                color="black",
                linestyle="--",
                linewidth=0.8,
                label=f"clip · √{record['tensors']} (each tensor ≤ clip)",
            )
        if record["spikes"]:
            spikes = np.array(record["spikes"])
            norm_ax.plot(
                spikes, np.array(record["grad_norms"])[spikes - 1], "v", color="black", markersize=5, label="spike"
            )
        if record["diverged_at"]:
            loss_ax.annotate(
                f"nan at step {record['diverged_at']}",
                xy=(0.5, 0.9),
                xycoords="axes fraction",
                ha="center",
                color=colour,
            )
        norm_ax.set_yscale("log")
        norm_ax.set_xlabel("SGD step")
        norm_ax.set_ylabel("global gradient norm")
        norm_ax.legend(fontsize=8, loc="best")
        norm_ax.text(
            0.99,
            0.95,
            f"largest update ‖Δθ‖ = {describe_norm(record['max_update_norm'])}",
            transform=norm_ax.transAxes,
            ha="right",
            va="top",
            fontsize=8,
        )
        for ax in (loss_ax, norm_ax):
            ax.grid(True, which="both", alpha=0.3)
    task_name = "adding problem" if results["task"] == "adding" else "recall task"
    figure.suptitle(
        f"{results['model']} on the {task_name}, T = {results['length']}, SGD lr "
        f"{results['lr']:g}; spike: gradient norm > {results['spike_factor']:g}× the "
        "median of the steps before",
        fontsize=10,
    )
    figure.tight_layout()
    save_figure(figure, path)
