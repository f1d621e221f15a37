"""The forecast task's data: noisy sums of sines, each sequence with its own frequencies and phases.

    x_t = Σ_k a_k sin(2π f_k t + φ_k) + σ ε_t,     t = 0 … T,   ε_t ~ N(0, 1)

with K components per sequence, f_k ~ U(1/40, 1/8) cycles per step (periods of 8 to 40
steps), φ_k ~ U(0, 2π) and a_k ~ U(0.5, 1) / √K, so that every sequence is a different
signal and the model has to read its frequencies from the values it is given. Two shapes:

* many-to-one: read x_0 … x_{T-1}, predict x_T                 inputs (N, T, 1) → targets (N, 1)
* many-to-many: at every step t predict x_{t+1}                inputs (N, T, 1) → targets (N, T, 1)

The noise sets a floor: no forecast of x_{t+1} can have a mean squared error below σ², the
variance of the part that is not in the past.
"""

import numpy as np

from ..errors import GatedRNNError
from ..typing import FloatArray, IntLike

MODES = ("many-to-one", "many-to-many")
MOST_COMPONENTS = 64  # sines per sequence: more would be noise of its own, and memory
LOWEST_FREQUENCY, HIGHEST_FREQUENCY = 1 / 40, 1 / 8  # cycles per step
# σ at most a million times the signal (whose amplitude is ≤ 1): past that the series is noise
# alone, and near σ ≈ 1e19 the squares the MSE and the clipping norm add up overflow float32.
MOST_NOISE = 1e6


def noisy_sines(
    count: IntLike, length: IntLike, components: IntLike = 2, noise: float = 0.1, seed: int | None = 0
) -> FloatArray:
    """``count`` sequences of ``length`` + 1 values, float32 (count, length + 1), as the module docstring says."""
    generator = np.random.default_rng(seed)
    shape = (int(count), int(components))
    frequencies = generator.uniform(LOWEST_FREQUENCY, HIGHEST_FREQUENCY, shape)
    phases = generator.uniform(0.0, 2 * np.pi, shape)
    amplitudes = generator.uniform(0.5, 1.0, shape) / np.sqrt(components)
    steps = np.arange(int(length) + 1)
    clean = np.zeros((int(count), int(length) + 1))
    for k in range(int(components)):  # one component at a time: memory does not grow with their number
        clean += amplitudes[:, k, None] * np.sin(2 * np.pi * frequencies[:, k, None] * steps + phases[:, k, None])
    return (clean + noise * generator.standard_normal(clean.shape)).astype(np.float32)


def forecast_pairs(series: FloatArray, mode: str) -> tuple[FloatArray, FloatArray]:
    """series (N, T + 1) → (inputs (N, T, 1), targets): (N, 1) many-to-one, (N, T, 1) many-to-many."""
    inputs = series[:, :-1, None]
    if mode == "many-to-one":
        return inputs, series[:, -1:]
    if mode == "many-to-many":
        return inputs, series[:, 1:, None]
    raise GatedRNNError(f"unknown mode {mode!r}; choose one of {', '.join(MODES)}")


def last_value_forecast(inputs: FloatArray, mode: str) -> FloatArray:
    """The persistence baseline, x̂_{t+1} = x_t: the predictions, shaped as forecast_pairs' targets."""
    return inputs[:, -1] if mode == "many-to-one" else inputs
