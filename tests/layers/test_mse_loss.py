"""MSELoss: its hand-written backward against float64 central differences, its numbers against
torch.nn.MSELoss (skipped without torch), padded steps left out, and one-line refusals."""

import numpy as np
import pytest

from gatedrnn import GatedRNNError, MSELoss
from gatedrnn.gradcheck import numerical_gradient, relative_error

rng = np.random.default_rng(0)


@pytest.mark.parametrize("reduction", ["mean", "sum"])
@pytest.mark.parametrize("lengths", [None, np.array([4, 1, 0])])
def test_gradient_matches_central_differences(reduction, lengths):
    criterion = MSELoss(reduction=reduction)
    predictions = rng.standard_normal((3, 4, 2))
    targets = rng.standard_normal((3, 4, 2))

    def loss():
        return criterion(predictions, targets, lengths)

    loss()
    gradient = criterion.backward(1.5)
    numerical = 1.5 * numerical_gradient(loss, predictions)
    assert relative_error(gradient, numerical) < 1e-7
    if lengths is not None:
        assert np.all(gradient[1, 1:] == 0) and np.all(gradient[2] == 0)


def test_mean_is_the_textbook_formula_and_padding_counts_nothing():
    predictions = np.array([[[1.0], [2.0], [9.0]], [[0.0], [5.0], [7.0]]])
    targets = np.array([[[0.0], [0.0], [0.0]], [[2.0], [5.0], [0.0]]])
    assert MSELoss()(predictions, targets) == pytest.approx((1 + 4 + 81 + 4 + 0 + 49) / 6)
    # only the first two steps of row 0 and the first of row 1 are real
    assert MSELoss()(predictions, targets, np.array([2, 1])) == pytest.approx((1 + 4 + 4) / 3)
    assert MSELoss(reduction="sum")(predictions, targets, np.array([2, 1])) == pytest.approx(9)


def test_nothing_counted_is_nan_with_a_zero_gradient():
    criterion = MSELoss()
    assert np.isnan(criterion(np.ones((2, 3, 1)), np.zeros((2, 3, 1)), np.array([0, 0])))
    assert np.all(criterion.backward() == 0)


def test_float32_predictions_give_float32_gradients_and_integer_targets_are_taken():
    criterion = MSELoss()
    loss = criterion(np.full((2, 1), 1.5, np.float32), np.array([[1], [2]]))
    assert loss == pytest.approx(0.25) and criterion.backward().dtype == np.float32


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_matches_torch(dtype, reduction):
    torch = pytest.importorskip("torch")
    predictions = rng.standard_normal((4, 6, 1)).astype(dtype)
    targets = rng.standard_normal((4, 6, 1)).astype(dtype)
    criterion = MSELoss(reduction=reduction)
    loss = criterion(predictions, targets)
    predictions_t = torch.tensor(predictions, requires_grad=True)
    loss_t = torch.nn.MSELoss(reduction=reduction)(predictions_t, torch.tensor(targets))
    loss_t.backward()
    tolerance = 1e-5 if dtype == np.float32 else 1e-12
    assert abs(loss - loss_t.item()) <= tolerance * abs(loss_t.item())
    assert relative_error(criterion.backward(), predictions_t.grad.numpy()) < tolerance


def test_lengths_match_torch_on_the_real_steps_only():
    torch = pytest.importorskip("torch")
    predictions, targets = rng.standard_normal((3, 5, 1)), rng.standard_normal((3, 5, 1))
    lengths = np.array([5, 2, 3])
    criterion = MSELoss()
    loss = criterion(predictions, targets, lengths)
    gradient = criterion.backward()
    predictions_t = torch.tensor(predictions, requires_grad=True)
    real = torch.tensor(np.arange(5)[None, :] < lengths[:, None])
    loss_t = torch.nn.MSELoss()(predictions_t[real], torch.tensor(targets)[real])
    loss_t.backward()
    assert abs(loss - loss_t.item()) < 1e-12
    assert relative_error(gradient, predictions_t.grad.numpy()) < 1e-12


@pytest.mark.parametrize(
    "call, fragment",
    [
        (lambda: MSELoss("none"), "reduction must be 'mean' or 'sum'"),
        (lambda: MSELoss()([1.0, 2.0], np.zeros(2)), "float NumPy array"),
        (lambda: MSELoss()(np.zeros(2, np.int64), np.zeros(2)), "float NumPy array"),
        (lambda: MSELoss()(np.zeros((3, 1)), np.zeros(3)), "reshape (N,) targets to (N, 1)"),
        (lambda: MSELoss()(np.zeros(3), np.array(["a", "b", "c"])), "real-valued NumPy array"),
        (lambda: MSELoss()(np.zeros(3), np.zeros(3), np.array([1, 1, 1])), "needs predictions of shape (N, T"),
        (lambda: MSELoss()(np.zeros((2, 3)), np.zeros((2, 3)), np.array([1.0, 2.0])), "integer array of shape (2,)"),
        (lambda: MSELoss()(np.zeros((2, 3)), np.zeros((2, 3)), np.array([1, 4])), "length 4 is outside [0, 3]"),
        (lambda: MSELoss().backward(), "called before forward()"),
    ],
)
def test_bad_inputs_are_one_line_errors(call, fragment):
    with pytest.raises(GatedRNNError, match=None) as caught:
        call()
    assert fragment in str(caught.value) and "\n" not in str(caught.value)


def test_backward_twice_and_a_bad_dloss_are_refused():
    criterion = MSELoss()
    criterion(np.ones(3), np.zeros(3))
    with pytest.raises(GatedRNNError, match="finite number"):
        criterion.backward(float("nan"))
    criterion.backward()
    with pytest.raises(GatedRNNError, match="called twice"):
        criterion.backward()
