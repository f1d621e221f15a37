"""AdaptiveLogSoftmaxWithLoss: its hand-written backward against central differences, and every
result against torch.nn.AdaptiveLogSoftmaxWithLoss with the same weights."""

import numpy as np
import pytest

from gatedrnn import AdaptiveLogSoftmaxWithLoss, GatedRNNError
from gatedrnn.gradcheck import numerical_gradient, relative_error

# (in_features, n_classes, cutoffs, div_value, head_bias)
CONFIGURATIONS = [
    (8, 10, [4], 4.0, False),
    (8, 10, [4], 4.0, True),
    (12, 30, [5, 12, 20], 1.0, False),
    (12, 30, [5, 12, 20], 1.0, True),
    (16, 40, [3, 25], 4.0, True),
    (16, 40, [10, 20, 30], 2.0, False),
]
IDS = [
    f"in{c[0]}-V{c[1]}-cut{'_'.join(map(str, c[2]))}-div{c[3]:g}-{'bias' if c[4] else 'nobias'}" for c in CONFIGURATIONS
]


def build(configuration, dtype=np.float64, seed=0):
    in_features, n_classes, cutoffs, div_value, head_bias = configuration
    return AdaptiveLogSoftmaxWithLoss(
        in_features,
        n_classes,
        cutoffs,
        div_value=div_value,
        head_bias=head_bias,
        dtype=dtype,
        rng=np.random.default_rng(seed),
    )


def batch(layer, rows=25, seed=1, dtype=np.float64):
    """Inputs (rows, in_features) and targets that visit the shortlist and every cluster."""
    generator = np.random.default_rng(seed)
    x = generator.standard_normal((rows, layer.in_features)).astype(dtype)
    targets = generator.integers(0, layer.n_classes, rows)
    firsts = [0] + layer.cutoffs[:-1]  # the first class of each part
    targets[: len(firsts)] = firsts[:rows]
    return x, targets


@pytest.mark.parametrize("configuration", CONFIGURATIONS, ids=IDS)
def test_gradients_match_central_differences(configuration):
    layer = build(configuration)
    x, targets = batch(layer, rows=9)
    dloss = 0.7

    def loss():
        return dloss * layer(x, targets).loss

    loss()
    layer.zero_grad()
    dx = layer.backward(dloss)
    assert relative_error(dx, numerical_gradient(loss, x)) < 1e-6, "input"
    for name, param in layer.named_parameters():
        assert relative_error(param.grad, numerical_gradient(loss, param.data)) < 1e-6, name


def test_backward_adds_into_the_gradients():
    layer = build(CONFIGURATIONS[2])
    x, targets = batch(layer)
    layer.zero_grad()
    layer(x, targets)
    layer.backward()
    once = {name: param.grad.copy() for name, param in layer.named_parameters()}
    layer(x, targets)
    layer.backward()
    for name, param in layer.named_parameters():
        np.testing.assert_allclose(param.grad, 2 * once[name], rtol=1e-12, atol=1e-15, err_msg=name)


def test_output_is_the_target_column_of_log_prob_and_its_rows_sum_to_one():
    layer = build(CONFIGURATIONS[4])
    x, targets = batch(layer, rows=40)
    full = layer.log_prob(x)
    assert full.shape == (40, layer.n_classes)
    np.testing.assert_allclose(np.exp(full).sum(axis=1), 1.0, rtol=1e-12)
    output, loss = layer(x, targets)
    np.testing.assert_allclose(output, full[np.arange(40), targets], rtol=1e-12)
    assert loss == pytest.approx(-output.mean(), rel=1e-12)
    assert np.array_equal(layer.predict(x), full.argmax(axis=1))


def test_an_unbatched_row_is_the_batch_of_one():
    layer = build(CONFIGURATIONS[3])
    x, targets = batch(layer, rows=1)
    targets[0] = 17  # in the second cluster: the head and a tail both contribute
    row_output, row_loss = layer(x[0], np.int64(targets[0]))
    dx_row = layer.backward()
    output, loss = layer(x, targets)
    dx = layer.backward()
    assert row_output.shape == () and dx_row.shape == (layer.in_features,)
    assert row_output == pytest.approx(output[0]) and row_loss == pytest.approx(loss)
    np.testing.assert_allclose(dx_row, dx[0], rtol=1e-12)


def test_log_prob_and_predict_leave_the_pending_backward_alone():
    layer = build(CONFIGURATIONS[5])
    x, targets = batch(layer)
    layer.zero_grad()
    layer(x, targets)
    expected = layer.backward()
    layer(x, targets)
    layer.log_prob(x[:3] + 1.0)
    layer.predict(x[:3] - 1.0)
    np.testing.assert_array_equal(layer.backward(), expected)


def test_a_backward_needs_its_own_forward():
    layer = build(CONFIGURATIONS[0])
    with pytest.raises(GatedRNNError, match="before forward"):
        layer.backward()
    layer(*batch(layer))
    layer.backward()
    with pytest.raises(GatedRNNError, match="twice"):
        layer.backward()


def test_parameters_are_torchs_and_fit_is_checked_first(monkeypatch):
    layer = build((16, 40, [3, 25], 4.0, True))
    assert [(name, param.shape) for name, param in layer.named_parameters()] == [
        ("head.weight", (5, 16)),
        ("head.bias", (5,)),
        ("tail.0.0.weight", (4, 16)),
        ("tail.0.1.weight", (22, 4)),
        ("tail.1.0.weight", (1, 16)),
        ("tail.1.1.weight", (15, 1)),
    ]
    asked = []
    import gatedrnn.layers.adaptive_softmax as module

    monkeypatch.setattr(module, "check_parameters_fit", lambda owner, shapes, dtype: asked.append(shapes))
    build((16, 40, [3, 25], 4.0, True), dtype=np.float32)
    assert asked == [[(5, 16), (5,), (4, 16), (22, 4), (1, 16), (15, 1)]]


def test_weights_are_drawn_as_torchs_linear():
    """U(-1/√fan_in, 1/√fan_in) for every weight and the head's bias."""
    layer = AdaptiveLogSoftmaxWithLoss(64, 2000, [100, 1000], div_value=2.0, head_bias=True)
    for name, param in layer.named_parameters():
        fan_in = layer.in_features if name.startswith("head") or name.endswith(".0.weight") else param.shape[1]
        bound = 1 / np.sqrt(fan_in)
        assert param.data.dtype == np.float32
        assert np.abs(param.data).max() <= bound, name
        assert np.abs(param.data).max() > 0.9 * bound, name


def test_an_empty_batch_has_a_nan_loss_and_zero_gradients():
    layer = build(CONFIGURATIONS[1])
    layer.zero_grad()
    output, loss = layer(np.zeros((0, layer.in_features)), np.zeros(0, np.int64))
    assert output.shape == (0,) and np.isnan(loss)
    assert layer.backward().shape == (0, layer.in_features)
    assert all(not param.grad.any() for param in layer.parameters())
    assert layer.log_prob(np.zeros((0, layer.in_features))).shape == (0, layer.n_classes)
    assert layer.predict(np.zeros((0, layer.in_features))).shape == (0,)


# -- torch ---------------------------------------------------------------------------------------
def torch_twin(layer):
    from gatedrnn.interop import to_torch

    return to_torch(layer)


@pytest.mark.parametrize("dtype, tolerance", [(np.float64, 1e-10), (np.float32, 1e-5)], ids=["float64", "float32"])
@pytest.mark.parametrize("configuration", CONFIGURATIONS, ids=IDS)
def test_every_result_matches_torch(configuration, dtype, tolerance):
    torch = pytest.importorskip("torch")
    layer = build(configuration, dtype=dtype)
    module = torch_twin(layer)
    x, targets = batch(layer, rows=50, dtype=dtype)
    x_torch = torch.tensor(x, requires_grad=True)
    expected_output, expected_loss = module(x_torch, torch.tensor(targets))
    (0.5 * expected_loss).backward()
    layer.zero_grad()
    output, loss = layer(x, targets)
    dx = layer.backward(0.5)

    def close(ours, theirs, what):
        theirs = theirs.detach().numpy() if hasattr(theirs, "detach") else np.asarray(theirs)
        assert relative_error(ours, theirs) < tolerance, what

    close(output, expected_output, "output")
    close(loss, expected_loss.item(), "loss")
    close(dx, x_torch.grad, "input gradient")
    for name, param in layer.named_parameters():
        close(param.grad, module.get_parameter(name).grad, name)
    close(layer.log_prob(x), module.log_prob(x_torch), "log_prob")
    assert np.array_equal(layer.predict(x), module.predict(x_torch).numpy())


def test_an_unbatched_row_matches_torch():
    torch = pytest.importorskip("torch")
    layer = build(CONFIGURATIONS[2])
    x, targets = batch(layer, rows=1)
    output, loss = layer(x[0], targets[0])
    expected_output, expected_loss = torch_twin(layer)(torch.tensor(x[0]), torch.tensor(targets[0]))
    assert output.shape == tuple(expected_output.shape) == ()
    assert output == pytest.approx(expected_output.item(), rel=1e-12) and loss == pytest.approx(expected_loss.item())


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_to_torch_and_back_keeps_configuration_names_and_values(dtype):
    torch = pytest.importorskip("torch")
    from gatedrnn.interop import from_torch

    layer = build((12, 30, [5, 12, 20], 2.0, True), dtype=dtype)
    module = torch_twin(layer).eval()
    assert isinstance(module, torch.nn.AdaptiveLogSoftmaxWithLoss)
    assert (module.cutoffs, module.div_value, module.head_bias) == ([5, 12, 20, 30], 2.0, True)
    assert list(module.state_dict()) == list(layer.state_dict())
    back = from_torch(module)
    assert isinstance(back, AdaptiveLogSoftmaxWithLoss) and back.dtype == dtype and not back.training
    assert (back.cutoffs, back.div_value, back.head_bias) == (layer.cutoffs, 2.0, True)
    for name, array in layer.state_dict().items():
        assert np.array_equal(back.state_dict()[name], array), name


def test_from_torch_takes_a_module_built_in_torch():
    torch = pytest.importorskip("torch")
    from gatedrnn.interop import from_torch

    torch.manual_seed(0)
    module = torch.nn.AdaptiveLogSoftmaxWithLoss(10, 25, [4, 15], div_value=2, head_bias=False).double()
    layer = from_torch(module)
    x = np.random.default_rng(0).standard_normal((6, 10))
    np.testing.assert_allclose(layer.log_prob(x), module.log_prob(torch.tensor(x)).detach().numpy(), rtol=1e-12)


def test_from_torch_refuses_a_cluster_of_no_features():
    torch = pytest.importorskip("torch")
    from gatedrnn.interop import from_torch

    with pytest.warns(UserWarning):  # torch itself warns that it cannot initialise the empty weight
        module = torch.nn.AdaptiveLogSoftmaxWithLoss(3, 12, [3, 7], div_value=4.0)
    with pytest.raises(GatedRNNError, match="tail.0 projects to 0 features"):
        from_torch(module)
