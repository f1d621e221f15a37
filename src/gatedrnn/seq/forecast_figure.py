"""The forecast task's figure: a few test sequences, their true next values and the model's forecasts."""

from typing import Any

import numpy as np


def plot_forecast(result: dict[str, Any], path: str) -> None:
    """Draw ``result["examples"]`` of run_forecast into the PNG ``path``, one panel per sequence.

    Many-to-one: the values read (a line), the true next value (a circle) and the forecast (a
    cross). Many-to-many: the true next value at every step (a line) and the forecast made at
    every step (dots): early forecasts, made from few values, are the loose ones.
    """
    from ..figures import pyplot, save_figure

    plt = pyplot()
    examples = result["examples"]
    count = len(examples["inputs"])
    figure, axes = plt.subplots(count, 1, figsize=(8, 2.2 * count), sharex=True, squeeze=False)
    for index, ax in enumerate(axes[:, 0]):
        inputs = np.asarray(examples["inputs"][index])
        targets = np.asarray(examples["targets"][index])
        forecasts = np.asarray(examples["predictions"][index])
        steps = np.arange(len(inputs))
        if result["mode"] == "many-to-one":
            ax.plot(steps, inputs, color="0.5", label="values read x_0 … x_(T-1)")
            ax.plot([len(inputs)], targets, "o", color="tab:blue", label="true x_T")
            ax.plot([len(inputs)], forecasts, "x", color="tab:red", markersize=9, mew=2, label="forecast")
        else:
            ax.plot(steps + 1, targets, color="tab:blue", label="true x_(t+1)")
            ax.plot(steps + 1, forecasts, ".", color="tab:red", label="forecast made at step t")
        ax.set_ylabel(f"test sequence {index + 1}")
    axes[0, 0].legend(loc="upper left", fontsize="small", ncol=3)
    axes[-1, 0].set_xlabel("step")
    figure.suptitle(
        f"forecast ({result['mode']}), {result['model']['cell'].upper()} {result['model']['hidden_size']}: "
        f"test MSE {result['test_mse']:.4f}, last value {result['last_value_mse']:.4f}, "
        f"noise σ² {result['noise_variance']:.4f}"
    )
    figure.tight_layout()
    save_figure(figure, path)
