"""Gradient-flow: how much of the loss's gradient at the last step reaches each earlier hidden state.

The loss L_T is read from the last hidden state only (the recall task's cross-entropy), so
∂L_T/∂h_t is the gradient that has travelled T - t steps back. The layers' backward passes
keep those per-step gradients to themselves, so they are measured by splitting the sequence:
run the layer on steps 1 … t to get the state s_t, run it again on steps t+1 … T *starting
from s_t*, and call its backward with the gradient at the last step only
(``dys = None, dstate = ∂L_T/∂h_T``). The gradient it returns for its initial state is
exactly ∂L_T/∂s_t: the same numbers BPTT computes on the way back, read off at step t.
(For the LSTM the state is (h_t, c_t); both parts are reported.)

Each model is measured twice: as initialised, and after a short Adam training on the task.
"""

import time

import numpy as np

from ..errors import signature_defaults
from ..figures import pyplot, save_figure
from ..rng import check_seed
from ..training import check_clip
from .checks import check_counts, check_fits, check_positive, sequence_pass_bytes
from .models import LastStepModel, check_cell_kinds, check_gate_init, last_hidden
from .tasks import get_task
from .training import criterion_for, score, train_on_task

DEFAULT_MODELS = ("rnn-tanh", "lstm", "gru")

TEST_COUNT = 500  # held-out sequences scored after training


def states_along(rnn, xs):
    """The state after every step of ``xs`` (N, T, D), one step at a time: a list of T states."""
    states, state = [], None
    for t in range(xs.shape[1]):
        _, state = rnn(xs[:, t : t + 1], state)
        states.append(state)
    return states


def state_gradients(model, criterion, xs, targets):
    """∂L_T/∂h_t for t = 1 … T: returns dh (T, N, H) and, for the LSTM, dc (T, N, H) (else None), newest last.

    L_T is ``criterion`` on the model's output after the last step. Row t - 1 is the gradient
    reaching the state after step t; row T - 1 is ∂L_T/∂h_T itself (and dc there is 0: L_T
    reads h_T only, and c_T reaches it through h_T).
    """
    states = states_along(model.rnn, xs)
    steps = xs.shape[1]
    dh = np.zeros((steps, xs.shape[0], model.rnn.hidden_size))
    dc = np.zeros_like(dh) if isinstance(states[0], tuple) else None
    criterion(model.head(last_hidden(states[-1])), targets)
    dh[-1] = model.head.backward(criterion.backward())
    for t in range(steps - 1):
        criterion(model(xs[:, t + 1 :], states[t]), targets)
        dstate = model.backward(criterion.backward())
        if dc is None:
            dh[t] = dstate[0]
        else:
            dh[t], dc[t] = dstate[0][0], dstate[1][0]
    model.zero_grad()  # the splits added parameter gradients nobody asked for
    return dh, dc


def profile(model, task, xs, targets):
    """Mean over the batch of ‖∂L_T/∂h_t‖ (and of ‖∂L_T/∂c_t‖), indexed by distance T - t = 0 … T - 1."""
    dh, dc = state_gradients(model, criterion_for(task), xs, targets)
    result = dict(h=np.linalg.norm(dh, axis=-1).mean(axis=1)[::-1].tolist())
    if dc is not None:
        result["c"] = np.linalg.norm(dc, axis=-1).mean(axis=1)[::-1].tolist()
    return result


@np.errstate(over="ignore", invalid="ignore", divide="ignore")  # divergence is a result here, not a warning
def run(
    models=DEFAULT_MODELS,
    length=50,
    hidden_size=32,
    train_steps=300,
    batch_size=32,
    lr=3e-3,
    clip=1.0,
    gate_init="chrono",
    task="recall",
    seed=0,
    progress=True,
):
    """Gradient profiles of each model before and after ``train_steps`` updates on ``task``; returns a dict.

    Per model: ``untrained`` and ``trained`` profiles (see :func:`profile`), the test score
    after training, and ``decay_per_step``: the geometric-mean factor by which ‖∂L_T/∂h_t‖
    changes per step back over the whole span, before and after training. ``clip`` is the
    max gradient norm in training, or None (or 0) for none.
    """
    from ..progress import bar as progress_bar

    models = check_cell_kinds(models)
    task = get_task(task)
    defaults = signature_defaults(run)  # the examples a refusal gives
    check_counts(defaults, minimum=3, length=length)  # a decay per step needs a few steps to measure
    check_counts(defaults, minimum=0, train_steps=train_steps)
    check_counts(defaults, hidden_size=hidden_size, batch_size=batch_size)
    check_positive(defaults, lr=lr)
    if clip is not None:  # a trainer's clip: None or 0 turns it off
        clip = check_clip(clip, defaults["clip"])
    check_gate_init(gate_init)
    check_seed(seed)
    check_fits(
        f"gradient-flow with length {length}, hidden_size {hidden_size}, batch_size {batch_size}",
        sequence_pass_bytes(max(batch_size, TEST_COUNT), length, task.input_size, hidden_size),
        "use a shorter length or a smaller hidden_size or batch_size",
    )
    started = time.perf_counter()
    probe = task.generate(64, length, np.random.default_rng([seed, 1]))
    test = task.generate(TEST_COUNT, length, np.random.default_rng([seed, 2]))
    report = {}
    with progress_bar(total=len(models) * train_steps, desc="gradient-flow", unit="step", progress=progress) as bar:
        for index, kind in enumerate(models):
            model = LastStepModel(
                kind,
                task.input_size,
                hidden_size,
                task.output_size,
                gate_init=gate_init,
                max_span=length,
                generator=np.random.default_rng([seed, 3, index]),
            )
            before = profile(model, task, *probe)
            with np.errstate(over="ignore", invalid="ignore"):  # a diverging run stops and is reported as such
                history = train_on_task(
                    model,
                    task,
                    length,
                    train_steps,
                    np.random.default_rng([seed, 4, index]),
                    lr=lr,
                    batch_size=batch_size,
                    clip=clip,
                    eval_batch=None,
                    progress=bar,
                )
            after = profile(model, task, *probe)
            report[kind] = dict(
                untrained=before,
                trained=after,
                score=score(model, task, *test),
                final_loss=history["losses"][-1] if history["losses"] else None,
                decay_per_step=dict(untrained=decay_per_step(before["h"]), trained=decay_per_step(after["h"])),
            )
    return dict(
        experiment="gradient-flow",
        task=task.name,
        metric=task.metric,
        length=length,
        hidden_size=hidden_size,
        train_steps=train_steps,
        lr=lr,
        clip=clip,
        gate_init=gate_init,
        seed=seed,
        models=report,
        seconds=time.perf_counter() - started,
    )


def decay_per_step(norms):
    """(‖g at distance T-1‖ / ‖g at distance 0‖)^(1/(T-1)): the average factor per step back."""
    first, last = norms[0], norms[-1]
    if first <= 0 or last <= 0:
        return 0.0
    return float(np.exp(np.log(last / first) / (len(norms) - 1)))


def relative(profile_):
    """A profile divided by its gradient norm at distance 0, so every curve starts at 1."""
    scale = profile_["h"][0] or 1.0
    return {part: (np.array(values) / scale).tolist() for part, values in profile_.items()}


COLOURS = {"rnn-tanh": "tab:red", "irnn": "tab:orange", "lstm": "tab:blue", "gru": "tab:green"}


def plot(results, path):
    """‖∂L_T/∂h_t‖ relative to ‖∂L_T/∂h_T‖ against T - t on a log axis: dashed untrained, solid trained;
    dotted the LSTM's cell gradient. Dividing by the value at the loss puts a model whose loss is
    already small (so all its gradients are) on the same footing as one that is still far off."""
    plt = pyplot()
    figure, ax = plt.subplots(figsize=(8, 5), dpi=110)
    distance = np.arange(results["length"])
    for kind, entry in results["models"].items():
        colour = COLOURS.get(kind)
        before, after = relative(entry["untrained"]), relative(entry["trained"])
        ax.plot(
            distance,
            before["h"],
            "--",
            color=colour,
            alpha=0.7,
            label=f"{kind} untrained (×{entry['decay_per_step']['untrained']:.2f}/step)",
        )
        ax.plot(
            distance,
            after["h"],
            "-",
            color=colour,
            label=f"{kind} trained (×{entry['decay_per_step']['trained']:.2f}/step; "
            f"{results['metric']} {entry['score']:.2f})",
        )
        if "c" in after:
            ax.plot(distance[1:], after["c"][1:], ":", color=colour, label=f"{kind} trained, ‖∂L_T/∂c_t‖")
    ax.set_yscale("log")
    ax.set_xlabel("distance T - t (steps back from the loss)")
    ax.set_ylabel("mean ‖∂L_T/∂h_t‖ / mean ‖∂L_T/∂h_T‖")
    ax.set_title(
        f"{results['task']} task, T = {results['length']}, H = {results['hidden_size']}, gate biases "
        f"{results['gate_init']}: untrained and after {results['train_steps']} Adam steps",
        fontsize=10,
    )
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    figure.tight_layout()
    save_figure(figure, path)
