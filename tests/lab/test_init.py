"""lab init: the initialisations' effect on the gradient through time, on small sizes."""

import json

import numpy as np
import pytest

from gatedrnn import init
from gatedrnn.errors import GatedRNNError
from gatedrnn.lab import initialisation, run_experiment, summary
from gatedrnn.lab.matmul_norms import backward_norms
from gatedrnn.layers import LSTM, RNN


@pytest.mark.parametrize("seed", range(4))
def test_an_orthogonal_w_hh_keeps_a_linear_rnns_gradient_norm_exactly(seed):
    w_hh = init.orthogonal_(np.empty((16, 16)), rng=np.random.default_rng(seed))
    dh = np.random.default_rng(seed + 10).standard_normal((3, 16))
    norms = [np.linalg.norm(dh)]
    for _ in range(40):  # a linear RNN: dh_{t-1} = dh_t W_hh
        dh = dh @ w_hh
        norms.append(np.linalg.norm(dh))
    np.testing.assert_allclose(norms, norms[0], rtol=1e-12)
    np.testing.assert_allclose(backward_norms(w_hh.T, 40, batch_size=1), np.sqrt(16), rtol=1e-12)


def test_the_schemes_are_the_init_functions_on_the_stacked_matrices():
    rnn = initialisation.initialise_(RNN(5, 8, dtype=np.float64), "orthogonal", np.random.default_rng(0))
    np.testing.assert_allclose(rnn.weight_hh_l0.data.T @ rnn.weight_hh_l0.data, np.eye(8), atol=1e-12)
    assert not rnn.bias_ih_l0.data.any() and not rnn.bias_hh_l0.data.any()
    lstm = initialisation.initialise_(LSTM(5, 8, dtype=np.float64), "kaiming", np.random.default_rng(1))
    bound = np.sqrt(6.0 / 8)  # He uniform for ReLU: √3 · √2 / √fan_in, fan_in = H for W_hh (32, 8)
    assert np.abs(lstm.weight_hh_l0.data).max() <= bound and np.abs(lstm.weight_hh_l0.data).max() > 0.9 * bound
    xavier = initialisation.initialise_(RNN(5, 8, dtype=np.float64), "xavier", np.random.default_rng(2))
    assert np.abs(xavier.weight_ih_l0.data).max() <= np.sqrt(6.0 / (5 + 8))
    default = initialisation.initialise_(LSTM(5, 8, dtype=np.float64), "pytorch", np.random.default_rng(3))
    assert np.abs(default.bias_ih_l0.data).max() <= 1 / np.sqrt(8) and default.bias_ih_l0.data.any()


def test_the_forget_bias_shift_moves_the_forget_rows_only():
    lstm = initialisation.initialise_(LSTM(3, 4, dtype=np.float64), "xavier", np.random.default_rng(0))
    initialisation.shift_forget_bias_(lstm, 1.0)
    np.testing.assert_array_equal(lstm.bias_ih_l0.data, [0, 0, 0, 0, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0])


def test_small_run_measures_what_the_docs_say():
    results = initialisation.run(length=20, hidden_size=12, batch_size=8)
    curves = results["curves"]
    assert len(curves) == 4 + 4 * 2
    # the linear part: an orthogonal W_hh neither shrinks nor grows; He's larger weights grow
    assert curves["rnn-tanh orthogonal"]["linear_decay_per_step"] == pytest.approx(1.0, abs=1e-6)
    assert curves["rnn-tanh orthogonal"]["spectral_radius"] == pytest.approx(1.0, abs=1e-5)
    assert curves["rnn-tanh kaiming"]["linear_decay_per_step"] > 1.0
    # tanh′ ≤ 1 only takes away from what W_hh alone would do
    for scheme in ("xavier", "orthogonal", "pytorch"):
        curve = curves[f"rnn-tanh {scheme}"]
        assert curve["decay_per_step"] <= curve["linear_decay_per_step"] + 1e-9
    # PyTorch's small default loses the gradient fastest of the four in the plain RNN
    assert curves["rnn-tanh pytorch"]["decay_per_step"] == min(
        curves[f"rnn-tanh {s}"]["decay_per_step"] for s in initialisation.INIT_SCHEMES
    )
    # +1 on the forget gate keeps more of the gradient than 0, whatever the weights
    for scheme in initialisation.INIT_SCHEMES:
        assert curves[f"lstm {scheme}, b_f +1"]["decay_per_step"] > curves[f"lstm {scheme}, b_f +0"]["decay_per_step"]
    for curve in curves.values():
        assert curve["relative"]["h"][0] == pytest.approx(1.0)
        assert len(curve["absolute"]["h"]) == 20


def test_init_writes_figure_json_and_summary(tmp_path):
    results, paths = run_experiment("init", tmp_path, models=("rnn-tanh",), inits=("orthogonal",), length=6)
    assert paths["png"].read_bytes().startswith(b"\x89PNG")
    saved = json.loads(paths["json"].read_text())
    assert list(saved["curves"]) == ["rnn-tanh orthogonal"]
    assert "W_hh alone ×1.000" in summary("init", results)


@pytest.mark.parametrize(
    "options, fragment",
    [
        (dict(models=("gru",)), "unknown model gru; choose from rnn-tanh, lstm"),
        (dict(models=()), "unknown model (none given)"),
        (dict(inits=("he",)), "unknown initialisation he; choose from xavier, kaiming, orthogonal, pytorch"),
        (dict(forget_biases=(float("nan"),)), "forget biases must be finite numbers"),
        (dict(forget_biases=()), "forget biases must be finite numbers"),
        (dict(length=2), "length must be a whole number ≥ 3"),
        (dict(hidden_size=0), "hidden_size (--hidden-size) must be a whole number ≥ 1"),
        (dict(batch_size=1.5), "batch_size (--batch-size) must be a whole number ≥ 1"),
        (dict(seed=-1), "seed must be a whole number ≥ 0"),
    ],
)
def test_init_refuses_bad_settings_in_one_line(options, fragment):
    with pytest.raises(GatedRNNError) as info:
        initialisation.run(**options)
    assert fragment in str(info.value) and "\n" not in str(info.value)


def test_numpy_numbers_are_taken():
    results = initialisation.run(
        models=("lstm",), inits=("xavier",), forget_biases=(np.float32(1),), length=np.int64(5), hidden_size=np.int32(4)
    )
    json.dumps(results)
    assert list(results["curves"]) == ["lstm xavier, b_f +1"]
