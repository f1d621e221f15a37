"""Long-range: at which sequence length does each model stop learning a dependency that long?

For every task (adding, recall), model (rnn-tanh, irnn, lstm, gru), length (10 … 200) and
clipping setting (none, or a max global gradient norm), a fresh model is trained with Adam
on freshly generated batches for at most ``steps`` updates (stopping early once a held-out
batch is solved) and scored on another held-out batch. With and without clipping, a model
starts from the same weights and sees the same batches, so clipping is the only difference.

A plain tanh RNN's gradient shrinks by a factor of about ‖W_hh‖·tanh′ per step back, so the
signal from the answer never reaches the first step of a long sequence; the LSTM's cell and
the GRU's update gate give it a path where the factor per step is a gate near 1.
"""

import time

import numpy as np

from ..errors import GatedRNNError, is_whole_number, signature_defaults
from ..figures import pyplot, save_figure
from ..rng import check_seed
from .checks import check_compared_clip, check_counts, check_fits, check_positive, sequence_pass_bytes
from .models import CELL_KINDS, LastStepModel, check_cell_kinds, check_gate_init
from .tasks import LONG_RANGE_TASKS, get_task
from .training import score, train_on_task

DEFAULT_LENGTHS = (10, 25, 50, 100, 200)

EVAL_COUNT = 256  # sequences scored to decide when a run has solved its task


@np.errstate(over="ignore", invalid="ignore", divide="ignore")  # divergence is a result here, not a warning
def run(
    tasks=tuple(LONG_RANGE_TASKS),
    models=CELL_KINDS,
    lengths=DEFAULT_LENGTHS,
    clip=1.0,
    hidden_size=32,
    steps=800,
    batch_size=32,
    lr=3e-3,
    gate_init="chrono",
    test_count=1000,
    compare_unclipped=True,
    seed=0,
    progress=True,
):
    """Train every (task, model, length, clipping) combination; returns the scores as a dict.

    The defaults are the grid docs/gradients.md's table and figure were made with (80 runs of at
    most 800 Adam steps each), so ``run()`` and ``gatedrnn lab long-range`` reproduce them.

    ``clip`` is the max gradient norm of the clipped runs; with ``compare_unclipped`` each
    combination is also run without clipping. ``gate_init`` is the LSTM/GRU bias initialisation (see
    :mod:`gatedrnn.lab.models`); chrono's longest time scale is the sequence length.

    Returns ``runs``, one record per combination (score, solved, steps taken, diverged,
    seconds), ``table``: task → model → "clip"/"no clip" → {length: score}, and ``longest_solved``:
    task → model → setting → the longest length solved (None when none was).
    """
    from ..progress import bar as progress_bar

    tasks = [get_task(name) for name in tasks]
    models = check_cell_kinds(models)
    lengths = check_lengths(lengths)
    defaults = signature_defaults(run)  # the examples a refusal gives
    check_positive(defaults, lr=lr)
    check_compared_clip(defaults, clip)
    check_counts(defaults, hidden_size=hidden_size, steps=steps, batch_size=batch_size, test_count=test_count)
    check_gate_init(gate_init)  # now, not when the first LSTM is built minutes into the grid
    check_seed(seed)
    check_fits(
        f"long-range with lengths up to {lengths[-1]}, hidden_size {hidden_size}, batch_size {batch_size}, "
        f"test_count {test_count}",
        max(
            sequence_pass_bytes(max(batch_size, test_count, EVAL_COUNT), lengths[-1], task.input_size, hidden_size)
            for task in tasks
        ),
        "use shorter lengths or a smaller hidden_size, batch_size or test_count",
    )
    settings = [("no clip", None), ("clip", float(clip))] if compare_unclipped else [("clip", float(clip))]
    started = time.perf_counter()
    records = []
    total = len(tasks) * len(models) * len(lengths) * len(settings) * steps
    with progress_bar(total=total, desc="long-range", unit="step", progress=progress) as bar:
        for task in tasks:
            task_index = list(LONG_RANGE_TASKS).index(task.name)  # seeds by name, so a subset reruns the same runs
            for length in lengths:
                test_batch = task.generate(test_count, length, np.random.default_rng([seed, task_index, length, 2]))
                eval_batch = task.generate(EVAL_COUNT, length, np.random.default_rng([seed, task_index, length, 1]))
                for kind in models:
                    model_index = CELL_KINDS.index(kind)
                    for label, max_norm in settings:
                        bar.set_postfix_str(f"{task.name} {kind} T={length} {label}")
                        records.append(
                            train_and_score(
                                task,
                                kind,
                                length,
                                max_norm,
                                label,
                                hidden_size,
                                steps,
                                batch_size,
                                lr,
                                gate_init,
                                eval_batch,
                                test_batch,
                                seed=[seed, task_index, model_index, length],
                                bar=bar,
                            )
                        )
    return dict(
        experiment="long-range",
        tasks=[task.name for task in tasks],
        models=models,
        lengths=lengths,
        clip=float(clip),
        hidden_size=hidden_size,
        steps=steps,
        batch_size=batch_size,
        lr=lr,
        gate_init=gate_init,
        test_count=test_count,
        seed=seed,
        settings=[label for label, _ in settings],
        task_info={task.name: dict(metric=task.metric, chance=task.chance, solved_at=task.solved_at) for task in tasks},
        runs=records,
        table=score_table(records),
        longest_solved=longest_solved(records, tasks),
        seconds=time.perf_counter() - started,
    )


def train_and_score(
    task,
    kind,
    length,
    max_norm,
    label,
    hidden_size,
    steps,
    batch_size,
    lr,
    gate_init,
    eval_batch,
    test_batch,
    seed,
    bar=None,
):
    """One run: build, train, score on ``test_batch``; returns its record."""
    started = time.perf_counter()
    model = LastStepModel(
        kind,
        task.input_size,
        hidden_size,
        task.output_size,
        gate_init=gate_init,
        max_span=max(length, 3),
        generator=np.random.default_rng(seed),
    )
    with np.errstate(over="ignore", invalid="ignore"):  # a diverging run stops and is reported as such
        history = train_on_task(
            model,
            task,
            length,
            steps,
            np.random.default_rng(seed + [7]),
            lr=lr,
            batch_size=batch_size,
            clip=max_norm,
            eval_batch=eval_batch,
            progress=bar,
        )
    with np.errstate(over="ignore", invalid="ignore"):
        final = float("nan") if history["diverged"] else score(model, task, *test_batch)
    return dict(
        task=task.name,
        model=kind,
        length=length,
        clipping=label,
        score=final,
        solved=task.solved(final),
        steps=history["steps"],
        diverged=history["diverged"],
        max_grad_norm=float(np.max(history["grad_norms"])),
        seconds=time.perf_counter() - started,
    )


def score_table(records):
    """task → model → setting → {length: score} from the run records."""
    table = {}
    for r in records:
        table.setdefault(r["task"], {}).setdefault(r["model"], {}).setdefault(r["clipping"], {})[r["length"]] = r[
            "score"
        ]
    return table


def longest_solved(records, tasks):
    """task → model → setting → the longest length whose run solved the task (None: none did)."""
    longest = {}
    for task in tasks:
        for r in (r for r in records if r["task"] == task.name):
            entry = longest.setdefault(task.name, {}).setdefault(r["model"], {}).setdefault(r["clipping"], None)
            if r["solved"] and (entry is None or r["length"] > entry):
                longest[task.name][r["model"]][r["clipping"]] = r["length"]
    return longest


def check_lengths(lengths):
    """The distinct lengths, sorted, each an integer of at least 2 (the adding problem needs two halves)."""
    lengths = sorted(set(lengths))
    if not lengths or any(not is_whole_number(n, 2) for n in lengths):
        raise GatedRNNError(f"lengths must be integers of at least 2, got {lengths}; e.g. --lengths 10 50 100")
    return [int(n) for n in lengths]


def markdown_table(results):
    """The scores as Markdown, one table per task: a row per model and setting, a column per length."""
    lines = []
    for task in results["tasks"]:
        info = results["task_info"][task]
        lines.append(
            f"**{task}** ({info['metric']}; chance {info['chance']:.3g}, solved at "
            f"{'≤' if info['metric'] == 'mse' else '≥'} {info['solved_at']:g}; * = solved)\n"
        )
        lines.append("| model | clipping | " + " | ".join(f"T={n}" for n in results["lengths"]) + " |")
        lines.append("|---|---|" + "---|" * len(results["lengths"]))
        for model in results["models"]:
            for setting in results["settings"]:
                cells = [
                    format_score(r)
                    for n in results["lengths"]
                    for r in results["runs"]
                    if (r["task"], r["model"], r["clipping"], r["length"]) == (task, model, setting, n)
                ]
                label = setting if setting == "no clip" else f"norm ≤ {results['clip']:g}"
                lines.append(f"| {model} | {label} | " + " | ".join(cells) + " |")
        lines.append("")
    return "\n".join(lines)


def format_score(record):
    if record["diverged"] or record["score"] is None or not np.isfinite(record["score"]):
        return "diverged"
    regression = LONG_RANGE_TASKS[record["task"]].kind == "regression"
    digits = 4 if regression else 3  # MSE near the 0.01 threshold needs more
    return f"{record['score']:.{digits}f}" + ("*" if record["solved"] else "")


COLOURS = {"rnn-tanh": "tab:red", "irnn": "tab:orange", "lstm": "tab:blue", "gru": "tab:green"}


def plot(results, path):
    """One panel per task: the score against sequence length, a line per model, dashed unclipped."""
    plt = pyplot()
    tasks = results["tasks"]
    figure, axes = plt.subplots(1, len(tasks), figsize=(6.2 * len(tasks), 4.4), dpi=110, squeeze=False)
    for ax, task in zip(axes[0], tasks, strict=True):
        info = results["task_info"][task]
        for model in results["models"]:
            for setting, style in (("clip", "-"), ("no clip", "--")):
                if setting not in results["settings"]:
                    continue
                runs = sorted(
                    (r for r in results["runs"] if (r["task"], r["model"], r["clipping"]) == (task, model, setting)),
                    key=lambda r: r["length"],
                )
                xs = [r["length"] for r in runs]
                ys = [r["score"] if r["score"] is not None and np.isfinite(r["score"]) else np.nan for r in runs]
                label = f"{model}, {'clip ' + format(results['clip'], 'g') if setting == 'clip' else 'no clip'}"
                ax.plot(
                    xs,
                    ys,
                    style,
                    marker="o",
                    markersize=4,
                    color=COLOURS.get(model),
                    label=label,
                    alpha=1.0 if setting == "clip" else 0.6,
                )
                for x, r in zip(xs, runs, strict=True):
                    if r["diverged"]:
                        ax.plot([x], [info["chance"]], "x", color=COLOURS.get(model), markersize=9)
        ax.axhline(info["chance"], color="grey", linewidth=1, linestyle=":", label="chance / baseline")
        ax.axhline(info["solved_at"], color="black", linewidth=0.8, linestyle="-.", label="solved threshold")
        ax.set_xscale("log")
        ax.set_xticks(results["lengths"])
        ax.set_xticklabels([str(n) for n in results["lengths"]])
        ax.set_xlabel("sequence length T (the span of the dependency)")
        if info["metric"] == "mse":
            ax.set_yscale("log")
            ax.set_ylabel("test MSE (lower is better)")
            ax.set_title("adding problem")
        else:
            ax.set_ylim(0, 1.05)
            ax.set_ylabel("test accuracy")
            ax.set_title("recall the first token")
        ax.grid(True, which="both", alpha=0.3)
    axes[0][-1].legend(fontsize=7, loc="best")
    figure.suptitle(
        f"{results['steps']} Adam steps at most (lr {results['lr']:g}), hidden {results['hidden_size']}, "
        f"LSTM/GRU gate biases {results['gate_init']}; solid: clipped, dashed: not; × = diverged",
        fontsize=10,
    )
    figure.tight_layout()
    save_figure(figure, path)
