"""backward_and_step: the one update step equals zero → backward → clip_grad_norm → step, and stops at nan."""
import numpy as np
import pytest

import gatedrnn
from gatedrnn import LSTM, Linear, Module, SoftmaxCrossEntropy, backward_and_step, clip_grad_norm
from gatedrnn.optim import SGD, Adam


class Tiny(Module):
    def __init__(self):
        self.rnn = LSTM(3, 5, dtype=np.float64)
        self.head = Linear(5, 4, dtype=np.float64)

    def forward(self, xs):
        hs, _ = self.rnn(xs)
        return self.head(hs)

    def backward(self, dlogits):
        self.rnn.backward(self.head.backward(dlogits))


def batch():
    generator = np.random.default_rng(0)
    return generator.standard_normal((2, 6, 3)), generator.integers(0, 4, (2, 6))


@pytest.mark.parametrize("optimizer_class, max_norm", [(SGD, 0.1), (Adam, 0.1), (Adam, None), (SGD, 1e9)])
def test_equals_the_step_written_out(optimizer_class, max_norm):
    xs, targets = batch()
    models = []
    for _ in range(2):
        gatedrnn.seed(0)
        models.append(Tiny())
    criterion = SoftmaxCrossEntropy()
    opt_a = optimizer_class(models[0].parameters(), lr=0.5)
    opt_b = optimizer_class(models[1].parameters(), lr=0.5)
    for _ in range(3):
        loss = criterion(models[0](xs), targets)
        result = backward_and_step(models[0], criterion, opt_a, loss, max_norm=max_norm)
        assert result.stepped and result.loss == loss

        criterion(models[1](xs), targets)   # the forward pass whose caches backward reads
        opt_b.zero_grad()
        models[1].backward(criterion.backward())
        norm = clip_grad_norm(models[1].parameters(), max_norm) if max_norm else None
        opt_b.step()
        if norm is not None:
            assert result.grad_norm == pytest.approx(norm, rel=1e-12)
    for a, b in zip(models[0].parameters(), models[1].parameters()):
        np.testing.assert_allclose(a.data, b.data, rtol=1e-12, atol=1e-14)


def test_loss_scale_multiplies_the_gradient():
    xs, targets = batch()
    gatedrnn.seed(0)
    model = Tiny()
    criterion = SoftmaxCrossEntropy()
    optimizer = SGD(model.parameters(), lr=1e-9)
    norm_1 = backward_and_step(model, criterion, optimizer, criterion(model(xs), targets)).grad_norm
    norm_3 = backward_and_step(model, criterion, optimizer, criterion(model(xs), targets), loss_scale=3.0).grad_norm
    assert norm_3 == pytest.approx(3 * norm_1, rel=1e-6)


def test_a_nonfinite_gradient_changes_no_weight_and_says_so():
    xs, targets = batch()
    gatedrnn.seed(0)
    model = Tiny()
    before = [p.data.copy() for p in model.parameters()]
    criterion = SoftmaxCrossEntropy()
    optimizer = SGD(model.parameters(), lr=1.0)
    original = model.backward

    def poisoned(dlogits):
        original(dlogits)
        model.head.weight.grad[0, 0] = np.inf

    model.backward = poisoned
    result = backward_and_step(model, criterion, optimizer, criterion(model(xs), targets), max_norm=1.0)
    assert not result.stepped and not np.isfinite(result.grad_norm)
    assert all(np.array_equal(a, p.data) for a, p in zip(before, model.parameters()))
