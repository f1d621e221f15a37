"""``gatedrnn task forecast``: train a SequenceRegressor on noisy sines with MSELoss, and score it
against the two forecasts that need no learning.

    last value      x̂_{t+1} = x_t           (persistence: good when the signal moves slowly)
    training mean   x̂_{t+1} = mean of the training targets (a constant, near 0 here)

and against the noise floor σ², which no forecast can beat (gatedrnn.seq.forecast_data).
The update is gatedrnn.training's guarded_step, the step every task takes.
"""

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

from .. import rng as _rng
from ..arguments import choice, such_as
from ..errors import GatedRNNError, is_finite_number, short_repr, signature_defaults
from ..files import check_output_file
from ..layers import MSELoss
from ..optim import Adam, Optimizer
from ..own_files import check_replaceable
from ..training import NonFiniteGuard, check_finite_weights, guarded_step
from ..typing import FloatArray, FloatLike, IntLike
from .arguments import activation_bytes, check_common, check_loop, check_memory, recurrent_bytes
from .data_budget import check_examples_fit
from .forecast_data import MODES, MOST_COMPONENTS, MOST_NOISE, forecast_pairs, last_value_forecast, noisy_sines
from .regressor import SequenceRegressor
from .training import where_in_run

FORECAST_TASKS = ("forecast",)
EXAMPLES_KEPT = 3  # test sequences whose predictions go into the results (and the figure)


def batches(
    inputs: FloatArray, targets: FloatArray, batch_size: int, generator: np.random.Generator | None = None
) -> Iterator[tuple[FloatArray, FloatArray]]:
    """(inputs, targets) in slices of ``batch_size`` sequences; shuffled when a generator is given."""
    order = generator.permutation(len(inputs)) if generator is not None else np.arange(len(inputs))
    for start in range(0, len(order), batch_size):
        chosen = order[start : start + batch_size]
        yield inputs[chosen], targets[chosen]


def mean_squared_error(model: SequenceRegressor, inputs: FloatArray, targets: FloatArray, batch_size: int) -> float:
    """The model's MSE over every target (a Python float), computed in eval mode in batches."""
    was_training = model.training
    model.eval()
    criterion = MSELoss(reduction="sum")
    total = sum(float(criterion(model(x), y)) for x, y in batches(inputs, targets, batch_size))
    model.train(was_training)
    return total / targets.size


def predictions(model: SequenceRegressor, inputs: FloatArray, batch_size: int) -> FloatArray:
    """The model's forecasts for ``inputs`` (N, T, 1), computed in eval mode in batches: (N, 1) or (N, T, 1)."""
    was_training = model.training
    model.eval()
    out = np.concatenate([model(x) for x, _ in batches(inputs, inputs, batch_size)])
    model.train(was_training)
    return out


def test_scores(
    model: SequenceRegressor,
    test: tuple[FloatArray, FloatArray],
    train_targets: FloatArray,
    noise: float,
    mode: str,
    batch_size: int,
) -> dict[str, float]:
    """The test MSE of the model and of the two baselines, the noise floor, and the model's MSE at
    the last step alone (many-to-many: its forecast of x_T, made with as much to read as many-to-one's)."""
    inputs, targets = test
    forecasts = predictions(model, inputs, batch_size)

    def mse(predicted: Any, true: FloatArray) -> float:
        return float(np.mean(np.square(predicted - true, dtype=np.float64)))

    return dict(
        test_mse=mse(forecasts, targets),
        final_step_mse=mse(forecasts[:, -1], targets[:, -1]),
        last_value_mse=mse(last_value_forecast(inputs, mode), targets),
        mean_mse=mse(float(np.mean(train_targets, dtype=np.float64)), targets),
        noise_variance=noise**2,
    )


def first_examples(model: SequenceRegressor, test: tuple[FloatArray, FloatArray], batch_size: int) -> dict[str, Any]:
    """The first EXAMPLES_KEPT test sequences as lists: inputs (T values each), targets and the model's
    predictions (1 value each many-to-one, T many-to-many), for the results and the figure."""
    inputs, targets = (part[:EXAMPLES_KEPT] for part in test)
    count = len(inputs)
    return dict(
        inputs=inputs[:, :, 0].tolist(),
        targets=targets.reshape(count, -1).tolist(),
        predictions=predictions(model, inputs, batch_size).reshape(count, -1).tolist(),
    )


def fit_regressor(
    model: SequenceRegressor,
    optimizer: Optimizer,
    train: tuple[FloatArray, FloatArray],
    valid: tuple[FloatArray, FloatArray],
    epochs: int,
    batch_size: int,
    clip: FloatLike | None = 1.0,
    seed: int = 0,
    echo: Callable[[str], object] = print,
    progress: bool = True,
    on_nonfinite: str = "error",
) -> list[dict[str, Any]]:
    """Train on ``train`` (inputs, targets) for ``epochs`` shuffled passes; one record per epoch:
    epoch, train_mse (the mean over the updates made), valid_mse, skipped_updates, seconds.
    ``clip``: the global gradient norm's bound; None or 0 turns clipping off, as train's ``--clip 0``.
    Every argument is checked before the first step (seq.arguments.check_loop)."""
    from ..progress import bar

    checked = check_loop(
        signature_defaults(fit_regressor),
        epochs=epochs,
        batch_size=batch_size,
        clip=clip,
        seed=seed,
        echo=echo,
        progress=progress,
        on_nonfinite=on_nonfinite,
    )
    epochs, batch_size, clip, seed = (checked[name] for name in ("epochs", "batch_size", "clip", "seed"))
    criterion = MSELoss()
    guard = NonFiniteGuard(on_nonfinite)
    generator = np.random.default_rng(seed)
    per_epoch = -(-len(train[0]) // batch_size)
    history: list[dict[str, Any]] = []
    for epoch in range(1, epochs + 1):
        started, losses = time.perf_counter(), []
        for number, (inputs, targets) in enumerate(
            bar(
                batches(*train, batch_size, generator),
                total=per_epoch,
                desc=f"epoch {epoch}/{epochs}",
                progress=progress,
                leave=False,
            )
        ):

            def forward(inputs: FloatArray = inputs, targets: FloatArray = targets) -> float:  # this batch, bound now
                return criterion(model(inputs), targets)

            result = guarded_step(
                model, criterion, optimizer, forward, guard, where_in_run(epoch, number, per_epoch), max_norm=clip
            )
            if result.stepped:
                losses.append(result.loss)
        check_finite_weights(optimizer.params, f"in epoch {epoch}")
        record = dict(
            epoch=epoch,
            train_mse=float(np.mean(losses)) if losses else float("nan"),
            valid_mse=mean_squared_error(model, *valid, batch_size),
            skipped_updates=guard.skipped,
            seconds=time.perf_counter() - started,
        )
        history.append(record)
        echo(f"epoch {epoch:3d} | train MSE {record['train_mse']:.4f} | valid MSE {record['valid_mse']:.4f}")
    return history


def check_forecast_options(**options: Any) -> dict[str, Any]:
    """run_forecast's arguments, checked in one line each (as seq.arguments does for the other tasks)."""
    options["task"] = choice("task", options["task"], FORECAST_TASKS)
    options["mode"] = choice("mode", options["mode"], MODES)
    defaults = signature_defaults(run_forecast)
    check_common(
        options,
        dict(hidden_size=1, length=1, components=1, epochs=1, batch_size=1),
        defaults,
        flags=("progress",),
        positives=("lr",),
    )
    if not (is_finite_number(options["noise"]) and 0 <= options["noise"] <= MOST_NOISE):
        raise GatedRNNError(
            f"noise must be a number from 0 to {MOST_NOISE:g} (σ of the added noise; the signal's amplitude is "
            f"at most 1), got {short_repr(options['noise'])}; "
            f"pass one{such_as(defaults['noise'])}"
        )
    options["noise"] = float(options["noise"])
    if options["components"] > MOST_COMPONENTS:
        raise GatedRNNError(
            f"components must be at most {MOST_COMPONENTS} sines per sequence, got {options['components']}; "
            f"pass one{such_as(defaults['components'])}"
        )
    counts = {name: options[name] for name in ("train_count", "valid_count", "test_count")}
    options.update(
        zip(counts, check_examples_fit("forecast", counts, options["length"], options["length"]), strict=True)
    )
    options["plot"] = check_plot_path(options["plot"])
    check_memory(
        "forecast",
        recurrent_bytes(options["cell"], 1, options["hidden_size"], 1),
        activation_bytes(options["cell"], options["batch_size"], options["length"], options["hidden_size"]),
    )
    return options


def check_plot_path(path: Any, option: str = "plot") -> str | None:
    """None, or a writable path ending in .png (as a str); else GatedRNNError naming the fix.

    ``option``: the setting's name in the message, the keyword, or "--plot" from the command line."""
    if path is None:
        return None
    if not isinstance(path, (str, Path)) or not str(path):
        raise GatedRNNError(f"{option} must be a path to a .png file, got {short_repr(path)}")
    if Path(path).is_dir():
        raise GatedRNNError(f"{option} {path} is a directory; name a .png file, e.g. {Path(path) / 'forecast.png'}")
    if Path(path).suffix.lower() != ".png":
        raise GatedRNNError(f"{option} {path} must end in .png (the figure is written as PNG); e.g. forecast.png")
    check_output_file(path, option)
    check_replaceable(path, option, "figure")
    return str(path)


def run_forecast(
    task: str = "forecast",
    mode: str = "many-to-one",
    cell: str = "lstm",
    hidden_size: IntLike = 32,
    length: IntLike = 40,
    components: IntLike = 2,
    noise: FloatLike = 0.1,
    epochs: IntLike = 20,
    lr: FloatLike = 0.01,
    batch_size: IntLike = 32,
    clip: FloatLike = 1.0,
    train_count: IntLike = 2000,
    valid_count: IntLike = 500,
    test_count: IntLike = 500,
    on_nonfinite: str = "error",
    seed: IntLike = 0,
    plot: str | None = None,
    echo: Callable[[str], object] = print,
    progress: bool = True,
) -> dict[str, Any]:
    """Train a SequenceRegressor to forecast noisy sines (gatedrnn.seq.forecast_data); returns a results dict.

    The single source of ``gatedrnn task forecast``'s defaults. ``mode``: "many-to-one" (read
    ``length`` values, predict the next) or "many-to-many" (predict the next value at every
    step). The results hold the test MSE beside the two baselines' and the noise variance,
    and the first few test sequences' predictions; ``plot`` (a .png path) draws those.
    """
    options = check_forecast_options(**locals())  # every argument, by name, checked
    run_seed: int = options["seed"]
    splits = {
        split: forecast_pairs(
            noisy_sines(
                options[f"{split}_count"],
                options["length"],
                options["components"],
                options["noise"],
                run_seed * 3 + offset,
            ),
            options["mode"],
        )
        for offset, split in enumerate(("train", "valid", "test"))
    }
    _rng.seed(run_seed)
    model = SequenceRegressor(1, options["hidden_size"], 1, cell=options["cell"], mode=options["mode"])
    say = options["echo"]
    say(
        f"forecast ({options['mode']}): {options['cell'].upper()} {options['hidden_size']} → Linear 1, "
        f"{model.num_parameters():,} parameters, {options['train_count']} training sequences "
        f"of {options['length']} steps"
    )
    started = time.perf_counter()
    history = fit_regressor(
        model,
        Adam(model.parameters(), lr=options["lr"]),
        splits["train"],
        splits["valid"],
        options["epochs"],
        options["batch_size"],
        clip=options["clip"],
        seed=run_seed,
        echo=say,
        progress=options["progress"],
        on_nonfinite=options["on_nonfinite"],
    )
    scores = test_scores(
        model, splits["test"], splits["train"][1], options["noise"], options["mode"], options["batch_size"]
    )
    say(
        f"test MSE {scores['test_mse']:.4f} | predict the last value {scores['last_value_mse']:.4f} | "
        f"predict the training mean {scores['mean_mse']:.4f} | noise variance {scores['noise_variance']:.4f}"
        + (f" | last step alone {scores['final_step_mse']:.4f}" if options["mode"] == "many-to-many" else "")
    )
    recorded = ("task", "mode", "length", "components", "noise", "epochs", "lr", "batch_size", "clip", "seed")
    result = dict(
        **{name: options[name] for name in recorded},
        model=model.config,
        on_nonfinite=options["on_nonfinite"],
        **{name: options[name] for name in ("train_count", "valid_count", "test_count")},
        history=history,
        **scores,
        examples=first_examples(model, splits["test"], options["batch_size"]),
        seconds=time.perf_counter() - started,
    )
    if options["plot"] is not None:
        from .forecast_figure import plot_forecast

        plot_forecast(result, options["plot"])
    return result
