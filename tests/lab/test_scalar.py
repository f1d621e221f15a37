"""lab scalar: the one-unit RNN's gradient factor against its closed forms."""

import json

import numpy as np
import pytest

from gatedrnn.errors import GatedRNNError
from gatedrnn.lab import run_experiment, scalar, summary


def test_without_tanh_the_factor_is_w_to_the_k_and_the_notes_numbers_are_9_and_0_04():
    results = scalar.run()
    three, fifth = results["curves"]["3"], results["curves"]["0.2"]
    k = np.arange(1, results["steps"] + 1)
    np.testing.assert_allclose(three["without_tanh"], 3.0**k, rtol=1e-12)
    np.testing.assert_allclose(fifth["without_tanh"], 0.2**k, rtol=1e-12)
    assert three["notes"]["without_tanh"] == pytest.approx(9.0)
    assert fifth["notes"]["without_tanh"] == pytest.approx(0.04)


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("w", [3.0, 0.2, -1.5])
def test_with_tanh_the_layer_gives_the_product_of_w_times_tanh_prime_along_the_trajectory(seed, w):
    results = scalar.run(weights=(w,), steps=12, input_weight=0.7, bias=0.3, seed=seed)
    curve = results["curves"][f"{w:g}"]
    x = np.array(results["inputs"])
    h, hs = 0.0, []
    for x_t in x:  # the forward pass written out: h_t = tanh(w_xh x_t + w h_{t-1} + b)
        h = np.tanh(0.7 * x_t + w * h + 0.3)
        hs.append(h)
    hs = np.array(hs)
    np.testing.assert_allclose(curve["hidden"], hs, rtol=1e-12)
    T = len(hs)
    expected = [np.prod(w * (1.0 - hs[T - k :] ** 2)) for k in range(1, T)]
    np.testing.assert_allclose(curve["with_tanh"], expected, rtol=1e-10)
    assert curve["notes"]["with_tanh"] == pytest.approx(w * (1 - hs[1] ** 2) * w * (1 - hs[2] ** 2), rel=1e-10)


def test_with_tanh_matches_a_finite_difference_of_the_forward_pass():
    results = scalar.run(weights=(3.0,), steps=6, seed=4)
    x = np.array(results["inputs"])

    def h_last(h_start, start):
        h = h_start
        for x_t in x[start:]:
            h = np.tanh(x_t + 3.0 * h)
        return h

    hs = results["curves"]["3"]["hidden"]
    eps = 1e-7
    for k in range(1, len(x)):
        t = len(x) - k  # h_t is hs[t - 1]; h_T depends on it through x[t:]
        numeric = (h_last(hs[t - 1] + eps, t) - h_last(hs[t - 1] - eps, t)) / (2 * eps)
        assert results["curves"]["3"]["with_tanh"][k - 1] == pytest.approx(
            numeric, rel=1e-5, abs=1e-8
        )  # round-off of h near ±1


def test_saturation_turns_the_exploding_weight_into_a_vanishing_gradient():
    results = scalar.run()
    three = results["curves"]["3"]
    assert three["without_tanh"][-1] > 1e9 and abs(three["with_tanh"][-1]) < 1e-10
    assert 0 < three["per_step"] < 1  # w · tanh′ below 1 on average: the units sit in tanh's tails
    assert max(abs(h) for h in three["hidden"][5:]) > 0.99


def test_scalar_writes_figure_json_and_summary(tmp_path):
    results, paths = run_experiment("scalar", tmp_path, steps=5)
    assert paths["png"].read_bytes().startswith(b"\x89PNG")
    saved = json.loads(paths["json"].read_text())
    assert saved["experiment"] == "scalar" and saved["curves"]["3"]["notes"]["without_tanh"] == 9.0
    assert "∂h_3/∂h_1 = 9 without tanh′" in summary("scalar", results)


@pytest.mark.parametrize(
    "options, fragment",
    [
        (dict(weights=()), "weights must be finite numbers"),
        (dict(weights=(3.0, float("nan"))), "weights must be finite numbers"),
        (dict(weights=(True,)), "weights must be finite numbers"),
        (dict(input_weight=float("inf")), "input weight must be a finite number"),
        (dict(bias="1"), "bias must be a finite number"),
        (dict(steps=1), "steps must be a whole number ≥ 2"),
        (dict(steps=10**6), "steps must be at most 1000"),
        (dict(seed=-1), "seed must be a whole number ≥ 0"),
    ],
)
def test_scalar_refuses_bad_settings_in_one_line(options, fragment):
    with pytest.raises(GatedRNNError, match=fragment) as info:
        scalar.run(**options)
    assert "\n" not in str(info.value)


def test_numpy_numbers_are_taken():
    results = scalar.run(weights=(np.float32(3.0),), steps=np.int64(4), seed=np.int64(1))
    json.dumps(results)
    assert results["steps"] == 4 and results["weights"] == [3.0]
