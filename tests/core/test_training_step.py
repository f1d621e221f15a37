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

        criterion(models[1](xs), targets)  # the forward pass whose caches backward reads
        opt_b.zero_grad()
        models[1].backward(criterion.backward())
        norm = clip_grad_norm(models[1].parameters(), max_norm) if max_norm else None
        opt_b.step()
        if norm is not None:
            assert result.grad_norm == pytest.approx(norm, rel=1e-12)
    for a, b in zip(models[0].parameters(), models[1].parameters(), strict=True):
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
    assert all(np.array_equal(a, p.data) for a, p in zip(before, model.parameters(), strict=True))


# -- NonFiniteGuard: the one policy after a step that was not taken ----------------------------------
def _results(*stepped):
    from gatedrnn.training import StepResult

    return [StepResult(1.0, 1.0, True) if ok else StepResult(float("nan"), float("inf"), False) for ok in stepped]


def test_guard_errors_at_the_first_nonfinite_step_in_one_line():
    from gatedrnn.training import NonFiniteGuard

    guard = NonFiniteGuard()
    assert guard.after_step(_results(True)[0], "at step 1")
    with pytest.raises(gatedrnn.GatedRNNError) as info:
        guard.after_step(_results(False)[0], "at step 2 (epoch 1, batch 2)")
    message = str(info.value)
    assert "\n" not in message and message.startswith("the loss or gradient became non-finite at step 2 (epoch 1, ")
    assert "--on-nonfinite skip" in message


def test_guard_skips_counts_and_stops_after_max_consecutive_in_a_row():
    from gatedrnn.training import NonFiniteGuard

    seen = []
    guard = NonFiniteGuard("skip", max_consecutive=3, on_skip=lambda result, where: seen.append(where))
    for result in _results(False, False, True, False, False):  # two, a good step, two: never three in a row
        assert guard.after_step(result, "here")
    assert (guard.skipped, guard.consecutive, seen) == (4, 2, ["here"] * 4)
    with pytest.raises(gatedrnn.GatedRNNError, match="3 updates in a row were non-finite here; training is not "):
        guard.after_step(_results(False)[0], "here")
    assert seen == ["here"] * 5  # on_skip ran before the count was checked


def test_guard_stop_ends_the_loop_quietly_and_bad_policies_are_refused():
    from gatedrnn.training import NonFiniteGuard

    guard = NonFiniteGuard("stop")
    assert guard.after_step(_results(True)[0]) and not guard.after_step(_results(False)[0])
    for bad in ("ignore", None, 3):
        with pytest.raises(gatedrnn.GatedRNNError, match="on_nonfinite must be one of error, skip"):
            NonFiniteGuard(bad)
    assert NonFiniteGuard("skip", max_consecutive=np.int64(2)).max_consecutive == 2
    for bad in (0, 1.5, True):
        with pytest.raises(gatedrnn.GatedRNNError, match="max_consecutive must be a whole number"):
            NonFiniteGuard("skip", max_consecutive=bad)


def _failing_at(monkeypatch, steps):
    """Make the loops' backward_and_step report the given (1-based) steps as non-finite, unstepped."""
    import gatedrnn.training as module
    from gatedrnn.training import StepResult

    real, count = backward_and_step, [0]  # the real step, not an earlier patch

    def step(model, criterion, optimizer, loss, **options):
        count[0] += 1
        if count[0] in steps:
            return StepResult(float("nan"), float("nan"), False)
        return real(model, criterion, optimizer, loss, **options)

    monkeypatch.setattr(module, "backward_and_step", step)


@pytest.mark.parametrize("kind", ["task", "transduction"])
def test_the_sequence_tasks_follow_the_guard(kind, monkeypatch):
    import gatedrnn.seq.seq2seq_training as seq2seq_training
    import gatedrnn.seq.training as training

    if kind == "task":

        def run(**o):
            return training.run_task(
                "brackets",
                hidden_size=4,
                epochs=2,
                batch_size=4,
                train_count=40,
                valid_count=8,
                test_count=8,
                echo=lambda *_: None,
                progress=False,
                **o,
            )
    else:

        def run(**o):
            return seq2seq_training.run_transduction(
                "reversal",
                hidden_size=4,
                embedding_size=4,
                epochs=2,
                batch_size=4,
                train_count=40,
                test_count=4,
                echo=lambda *_: None,
                progress=False,
                **o,
            )

    _failing_at(monkeypatch, {2})
    with pytest.raises(gatedrnn.GatedRNNError, match=r"non-finite at step 2 \(epoch 1, batch 2\)"):
        run()
    _failing_at(monkeypatch, {2, 3})  # 10 or more batches an epoch: both in the first
    history = run(on_nonfinite="skip")["history"]
    assert [record["skipped_updates"] for record in history] == [2, 2]
    assert all(np.isfinite(record["train_loss"]) for record in history)
    _failing_at(monkeypatch, set(range(3, 100)))
    with pytest.raises(gatedrnn.GatedRNNError, match="10 updates in a row were non-finite at step 12 "):
        run(on_nonfinite="skip")
