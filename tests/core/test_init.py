"""Initialisers: distribution statistics, orthogonality, reproducibility, errors."""

import math

import numpy as np
import pytest

from gatedrnn import init
from gatedrnn import rng as library_rng
from gatedrnn.core import Parameter
from gatedrnn.errors import GatedRNNError

OUT, IN = 300, 500  # 150 000 samples: sample std within ~0.5 % of the true one


def big(dtype=np.float64):
    return np.empty((OUT, IN), dtype=dtype)


def test_calculate_gain_matches_torch():
    torch = pytest.importorskip("torch")
    for name in ["linear", "conv2d", "sigmoid", "tanh", "relu", "selu", "leaky_relu"]:
        assert init.calculate_gain(name) == pytest.approx(torch.nn.init.calculate_gain(name))
    for slope in [0, 0.2, 1]:
        assert init.calculate_gain("leaky_relu", slope) == pytest.approx(
            torch.nn.init.calculate_gain("leaky_relu", slope)
        )
    assert init.calculate_gain("tanh") == pytest.approx(5 / 3)
    assert init.calculate_gain("relu") == pytest.approx(math.sqrt(2))


def test_fan_in_and_fan_out_match_torch():
    torch = pytest.importorskip("torch")
    for shape in [(3, 5), (4, 2, 3), (6, 3, 2, 2)]:
        ours = init._calculate_fan_in_and_fan_out(np.empty(shape))
        assert ours == torch.nn.init._calculate_fan_in_and_fan_out(torch.empty(shape))


def test_uniform_and_normal_statistics():
    rng = np.random.default_rng(0)
    x = init.uniform_(big(), -2.0, 3.0, rng=rng)
    assert x.min() >= -2.0 and x.max() < 3.0
    assert x.mean() == pytest.approx(0.5, abs=0.02)
    assert x.std() == pytest.approx(5 / math.sqrt(12), rel=0.01)
    x = init.normal_(big(), mean=1.5, std=0.3, rng=rng)
    assert x.mean() == pytest.approx(1.5, abs=0.005)
    assert x.std() == pytest.approx(0.3, rel=0.01)


def test_constant_fills():
    x = np.empty((3, 4), dtype=np.float32)
    assert (init.zeros_(x) == 0).all()
    assert (init.ones_(x) == 1).all()
    assert (init.constant_(x, 0.25) == 0.25).all() and x.dtype == np.float32


def test_xavier_statistics():
    rng = np.random.default_rng(1)
    gain = init.calculate_gain("tanh")
    bound = gain * math.sqrt(6 / (IN + OUT))
    x = init.xavier_uniform_(big(), gain=gain, rng=rng)
    assert np.abs(x).max() <= bound and np.abs(x).max() > 0.99 * bound
    assert x.std() == pytest.approx(bound / math.sqrt(3), rel=0.01)
    x = init.xavier_normal_(big(), gain=gain, rng=rng)
    assert x.std() == pytest.approx(gain * math.sqrt(2 / (IN + OUT)), rel=0.01)


@pytest.mark.parametrize("mode, fan", [("fan_in", IN), ("fan_out", OUT)])
def test_kaiming_statistics(mode, fan):
    rng = np.random.default_rng(2)
    x = init.kaiming_normal_(big(), mode=mode, nonlinearity="relu", rng=rng)
    assert x.mean() == pytest.approx(0.0, abs=0.002)
    assert x.std() == pytest.approx(math.sqrt(2) / math.sqrt(fan), rel=0.01)
    gain = init.calculate_gain("leaky_relu", 0.2)
    bound = math.sqrt(3) * gain / math.sqrt(fan)
    x = init.kaiming_uniform_(big(), a=0.2, mode=mode, rng=rng)
    assert np.abs(x).max() <= bound and np.abs(x).max() > 0.99 * bound
    assert x.std() == pytest.approx(gain / math.sqrt(fan), rel=0.01)


def test_torch_default_linear_init_is_kaiming_uniform_with_a_sqrt5():
    # torch.nn.Linear uses kaiming_uniform_(a=√5), i.e. bound 1/√fan_in
    x = init.kaiming_uniform_(big(), a=math.sqrt(5), rng=np.random.default_rng(3))
    assert np.abs(x).max() <= 1 / math.sqrt(IN)
    assert np.abs(x).max() > 0.99 / math.sqrt(IN)


@pytest.mark.parametrize("shape", [(40, 10), (10, 40), (16, 16), (12, 3, 2)])
def test_orthogonal_gives_orthonormal_rows_or_columns(shape):
    x = init.orthogonal_(np.empty(shape), gain=1.0, rng=np.random.default_rng(4))
    flat = x.reshape(shape[0], -1)
    rows, cols = flat.shape
    gram = flat.T @ flat if rows >= cols else flat @ flat.T
    np.testing.assert_allclose(gram, np.eye(min(rows, cols)), atol=1e-12)


def test_orthogonal_gain_and_float32():
    x = init.orthogonal_(np.empty((8, 8), dtype=np.float32), gain=2.0, rng=np.random.default_rng(5))
    assert x.dtype == np.float32
    np.testing.assert_allclose(x.T @ x, 4 * np.eye(8), atol=1e-5)


def test_orthogonal_sign_correction_makes_r_diagonal_positive():
    # with the correction, re-factoring the result gives R with a positive diagonal
    x = init.orthogonal_(np.empty((6, 6)), rng=np.random.default_rng(6))
    a = np.random.default_rng(6).normal(size=(6, 6))
    q, r = np.linalg.qr(a)
    np.testing.assert_allclose(x, q * np.sign(np.diag(r)), atol=1e-12)


def test_default_uniform_bounds():
    hidden = 64
    x = init.default_uniform_(np.empty((4 * hidden, 500)), hidden, rng=np.random.default_rng(7))
    bound = 1 / math.sqrt(hidden)
    assert np.abs(x).max() <= bound and np.abs(x).max() > 0.99 * bound
    assert x.std() == pytest.approx(bound / math.sqrt(3), rel=0.01)


def test_parameter_is_filled_in_place_and_array_returned():
    param = Parameter(np.zeros((5, 3), dtype=np.float32))
    data = param.data
    out = init.xavier_uniform_(param, rng=np.random.default_rng(8))
    assert out is data and param.data is data and data.dtype == np.float32 and data.any()


def test_same_seed_same_weights():
    a = init.kaiming_normal_(np.empty((7, 5)), rng=np.random.default_rng(9))
    b = init.kaiming_normal_(np.empty((7, 5)), rng=np.random.default_rng(9))
    np.testing.assert_array_equal(a, b)
    saved = library_rng.get_state()  # leave the library's stream as other tests expect it
    try:
        library_rng.seed(123)
        c = init.orthogonal_(np.empty((7, 5)))
        library_rng.seed(123)
        d = init.orthogonal_(np.empty((7, 5)))
        np.testing.assert_array_equal(c, d)
        assert not np.array_equal(init.orthogonal_(np.empty((7, 5))), d)  # the stream moved on
    finally:
        library_rng.set_state(saved)


@pytest.mark.parametrize(
    "fill", [init.xavier_uniform_, init.xavier_normal_, init.kaiming_uniform_, init.kaiming_normal_, init.orthogonal_]
)
def test_one_dimensional_input_raises(fill):
    with pytest.raises(GatedRNNError, match="1-D|dimensions") as info:
        fill(np.empty(5))
    assert "\n" not in str(info.value)


@pytest.mark.parametrize(
    "call",
    [
        lambda: init.calculate_gain("softplus"),
        lambda: init.calculate_gain("leaky_relu", "steep"),
        lambda: init.kaiming_normal_(np.empty((3, 3)), mode="fan_avg"),
        lambda: init.uniform_(np.empty(3), 1.0, 0.0),
        lambda: init.normal_(np.empty(3), std=-1.0),
        lambda: init.default_uniform_(np.empty(3), 0),
        lambda: init.default_uniform_(np.empty(3), 2.5),
        lambda: init.zeros_(np.zeros(3, dtype=np.int64)),
        lambda: init.ones_([0.0, 1.0]),
        lambda: init.normal_(np.empty(3), rng=42),
        lambda: init.constant_(np.empty(3), "one"),
    ],
)
def test_bad_arguments_raise(call):
    with pytest.raises(GatedRNNError):
        call()
