"""Gradient clipping: agreement with torch.nn.utils, non-finite norms, argument errors."""

import numpy as np
import pytest

from gatedrnn.clip import clip_grad_norm, clip_grad_value
from gatedrnn.core import Parameter
from gatedrnn.errors import GatedRNNError

SHAPES = [(5, 4), (4,), (3, 2, 2)]


def make_grads(dtype, scale, seed=0):
    rng = np.random.default_rng(seed)
    return [(scale * rng.normal(size=shape)).astype(dtype) for shape in SHAPES]


def ours_with(grads):
    params = [Parameter(np.zeros_like(g)) for g in grads]
    for param, grad in zip(params, grads, strict=True):
        param.grad[...] = grad
    return params


def torch_with(grads):
    torch = pytest.importorskip("torch")
    params = [torch.nn.Parameter(torch.zeros(g.shape, dtype=torch.from_numpy(g).dtype)) for g in grads]
    for param, grad in zip(params, grads, strict=True):
        param.grad = torch.from_numpy(grad.copy())
    return params


@pytest.mark.parametrize("dtype, rtol", [(np.float32, 1e-5), (np.float64, 1e-12)])
@pytest.mark.parametrize("norm_type", [2.0, float("inf"), 1.0, 3.0])
@pytest.mark.parametrize("scale", [0.01, 10.0], ids=["below", "above"])
def test_clip_grad_norm_matches_torch(dtype, rtol, norm_type, scale):
    torch = pytest.importorskip("torch")
    grads = make_grads(dtype, scale)
    ours, theirs = ours_with(grads), torch_with(grads)
    total = clip_grad_norm(ours, max_norm=1.0, norm_type=norm_type)
    expected = torch.nn.utils.clip_grad_norm_(theirs, max_norm=1.0, norm_type=norm_type)
    assert isinstance(total, float)
    assert total == pytest.approx(expected.item(), rel=rtol)
    assert (total > 1.0) == (scale > 1)  # the two cases do fall on both sides of max_norm
    for param, reference in zip(ours, theirs, strict=True):
        assert param.grad.dtype == dtype
        np.testing.assert_allclose(param.grad, reference.grad.numpy(), rtol=rtol, atol=0)


def test_clipping_keeps_direction_and_caps_the_norm():
    grads = make_grads(np.float64, 10.0)
    params = ours_with(grads)
    before = np.concatenate([g.ravel() for g in grads])
    total = clip_grad_norm(params, max_norm=2.0)
    after = np.concatenate([p.grad.ravel() for p in params])
    assert total == pytest.approx(np.linalg.norm(before))
    assert np.linalg.norm(after) == pytest.approx(2.0, rel=1e-6)
    np.testing.assert_allclose(after / np.linalg.norm(after), before / np.linalg.norm(before))


def test_single_parameter_and_empty_list():
    param = Parameter(np.zeros(2))
    param.grad[...] = [3.0, 4.0]
    assert clip_grad_norm(param, max_norm=1.0) == pytest.approx(5.0)
    np.testing.assert_allclose(param.grad, [0.6, 0.8], rtol=1e-5)
    assert clip_grad_norm([], max_norm=1.0) == 0.0
    assert isinstance(clip_grad_norm([], max_norm=1.0), float)


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_non_finite_norm_raises_when_asked(bad):
    grads = make_grads(np.float32, 1.0)
    grads[1][2] = bad
    params = ours_with(grads)
    with pytest.raises(GatedRNNError, match="non-finite") as info:
        clip_grad_norm(params, max_norm=1.0, error_if_nonfinite=True)
    message = str(info.value)
    assert "\n" not in message and "error_if_nonfinite=False" in message and "learning rate" in message
    np.testing.assert_array_equal(params[0].grad, grads[0])  # nothing was scaled


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_non_finite_norm_without_error_matches_torch(bad):
    torch = pytest.importorskip("torch")
    grads = make_grads(np.float64, 1.0)
    grads[1][2] = bad
    ours, theirs = ours_with(grads), torch_with(grads)
    total = clip_grad_norm(ours, max_norm=1.0)
    expected = torch.nn.utils.clip_grad_norm_(theirs, max_norm=1.0)
    np.testing.assert_array_equal(total, expected.item())
    for param, reference in zip(ours, theirs, strict=True):
        np.testing.assert_array_equal(param.grad, reference.grad.numpy())
    if np.isnan(bad):
        assert np.isnan(ours[0].grad).all()  # nan poisons every gradient, as in torch
    else:
        assert not ours[0].grad.any()  # an inf norm scales finite gradients to zero


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_clip_grad_value_matches_torch(dtype):
    torch = pytest.importorskip("torch")
    grads = make_grads(dtype, 2.0)
    ours, theirs = ours_with(grads), torch_with(grads)
    clip_grad_value(ours, 0.5)
    torch.nn.utils.clip_grad_value_(theirs, 0.5)
    for param, reference in zip(ours, theirs, strict=True):
        assert param.grad.dtype == dtype
        np.testing.assert_array_equal(param.grad, reference.grad.numpy())
    assert max(np.abs(p.grad).max() for p in ours) == pytest.approx(0.5)


@pytest.mark.parametrize(
    "call",
    [
        lambda p: clip_grad_norm([p], max_norm=0.0),
        lambda p: clip_grad_norm([p], max_norm=-1.0),
        lambda p: clip_grad_norm([p], max_norm=float("nan")),
        lambda p: clip_grad_norm([p], max_norm=1.0, norm_type=0.0),
        lambda p: clip_grad_norm([p], max_norm=1.0, norm_type=-2.0),
        lambda p: clip_grad_norm([p, "w"], max_norm=1.0),
        lambda p: clip_grad_norm(3, max_norm=1.0),
        lambda p: clip_grad_value([p], -1.0),
    ],
)
def test_bad_arguments_raise(call):
    with pytest.raises(GatedRNNError):
        call(Parameter(np.ones(2)))


def test_frozen_parameters_are_left_out_of_the_norm_and_untouched():
    torch = pytest.importorskip("torch")
    grads = make_grads(np.float64, scale=3.0)
    params = ours_with(grads)
    params[1].requires_grad = False
    total = clip_grad_norm(params, max_norm=1.0)
    reference = torch_with(grads)
    reference[1].requires_grad_(False)
    reference[1].grad = None  # what torch holds for a frozen tensor
    expected = torch.nn.utils.clip_grad_norm_(reference, max_norm=1.0)
    assert total == pytest.approx(float(expected), rel=1e-12)
    np.testing.assert_array_equal(params[1].grad, grads[1])
    for ours, theirs in zip([params[0], params[2]], [reference[0], reference[2]], strict=True):
        np.testing.assert_allclose(ours.grad, theirs.grad.numpy(), rtol=1e-12)


# -- per tensor (Keras's clipnorm) ------------------------------------------------------------------
@pytest.mark.parametrize("norm_type", [2.0, 1.0, float("inf")])
def test_clip_grad_norm_per_tensor_follows_its_formula(norm_type):
    from gatedrnn.clip import clip_grad_norm_per_tensor

    grads = make_grads(np.float64, 1.0)
    grads[0] *= 20.0  # one tensor far above the threshold, the others below it
    params = ours_with(grads)
    threshold = 1.5 * max(np.linalg.norm(grad.ravel(), ord=norm_type) for grad in grads[1:])
    norms = clip_grad_norm_per_tensor(params, max_norm=threshold, norm_type=norm_type)
    for param, grad, norm in zip(params, grads, norms, strict=True):
        expected_norm = np.linalg.norm(grad.ravel(), ord=norm_type)
        assert norm == pytest.approx(expected_norm, rel=1e-12)
        np.testing.assert_allclose(param.grad, grad * min(threshold / (expected_norm + 1e-6), 1.0), rtol=1e-12)
    assert norms[0] > threshold > max(norms[1:])  # the formula was tried on both sides of the threshold
    assert np.linalg.norm(params[0].grad.ravel(), ord=norm_type) == pytest.approx(threshold, rel=1e-6)


def test_clip_grad_norm_per_tensor_equals_the_global_clip_on_one_tensor_and_not_on_several():
    from gatedrnn.clip import clip_grad_norm_per_tensor

    grads = make_grads(np.float32, 10.0)
    for grad in grads:
        alone, together = ours_with([grad]), ours_with([grad])
        assert clip_grad_norm_per_tensor(alone, 1.0) == [clip_grad_norm(together, 1.0)]
        np.testing.assert_array_equal(alone[0].grad, together[0].grad)
    per_tensor, global_ = ours_with(grads), ours_with(grads)
    clip_grad_norm_per_tensor(per_tensor, 1.0)
    clip_grad_norm(global_, 1.0)
    # per tensor: each capped at 1, so the whole is up to √3; globally the whole is 1
    whole = np.sqrt(sum(np.sum(p.grad.astype(np.float64) ** 2) for p in per_tensor))
    assert whole == pytest.approx(np.sqrt(3.0), rel=1e-5)
    assert np.sqrt(sum(np.sum(p.grad.astype(np.float64) ** 2) for p in global_)) == pytest.approx(1.0, rel=1e-5)


@pytest.mark.parametrize("bad", [0.0, -1.0, float("nan"), True, "1"])
def test_clip_grad_norm_per_tensor_refuses_a_bad_threshold_in_one_line(bad):
    from gatedrnn.clip import clip_grad_norm_per_tensor

    with pytest.raises(GatedRNNError, match="clip_grad_norm_per_tensor max_norm must be a positive number") as info:
        clip_grad_norm_per_tensor([Parameter(np.ones(2))], bad)
    assert "\n" not in str(info.value)
