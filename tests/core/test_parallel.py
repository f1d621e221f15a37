"""Row-parallel passes give exactly the serial result; zero_grad and grad_scale save passes, not meaning."""

import threading

import numpy as np
import pytest

import gatedrnn
from gatedrnn import parallel
from gatedrnn.clip import clip_coefficient, clip_grad_norm, total_grad_norm
from gatedrnn.core import Parameter
from gatedrnn.layers import SoftmaxCrossEntropy
from gatedrnn.optim import SGD, Adam


@pytest.fixture
def split_everything(monkeypatch):
    """Force the parallel path even for tiny arrays, on three blocks."""
    monkeypatch.setattr(parallel, "BLAS_THREADS_SLEEP", True)
    monkeypatch.setattr(parallel, "MIN_PARALLEL_ELEMENTS", 0)
    monkeypatch.setattr(parallel, "get_num_threads", lambda: 3)


@pytest.mark.parametrize("rows, parts", [(1, 1), (7, 2), (10, 3), (2, 5), (1000, 8)])
def test_row_blocks_cover_every_row_once(rows, parts):
    blocks = parallel.row_blocks(rows, parts)
    covered = [row for start, stop in blocks for row in range(start, stop)]
    assert covered == list(range(rows))
    assert all(stop > start for start, stop in blocks)


def test_for_row_blocks_runs_blocks_on_several_threads(split_everything):
    seen = []
    parallel.for_row_blocks(lambda start, stop: seen.append((start, stop, threading.get_ident())), 9, 9)
    assert sorted(block[:2] for block in seen) == [(0, 3), (3, 6), (6, 9)]
    assert len({block[2] for block in seen}) > 1


def test_for_row_blocks_stays_serial_when_blas_threads_spin(monkeypatch):
    monkeypatch.setattr(parallel, "BLAS_THREADS_SLEEP", False)
    calls = []
    parallel.for_row_blocks(lambda start, stop: calls.append((start, stop)), 10, 10**9)
    assert calls == [(0, 10)]


def test_an_error_in_a_block_is_raised_after_every_block_finished(split_everything):
    finished = []

    def work(start, stop):
        if start == 0:
            raise ValueError("block 0 failed")
        finished.append(start)

    with pytest.raises(ValueError, match="block 0 failed"):
        parallel.for_row_blocks(work, 9, 9)
    assert sorted(finished) == [3, 6]


def _loss_and_gradient(logits, targets):
    criterion = SoftmaxCrossEntropy()
    loss = criterion(logits, targets)
    return loss, criterion.backward()


def test_softmax_cross_entropy_is_bit_identical_split_or_not(monkeypatch, split_everything):
    rng = np.random.default_rng(0)
    logits = (rng.standard_normal((4, 5, 50)) * 3).astype(np.float32)
    targets = rng.integers(0, 50, (4, 5))
    targets[1, 2] = -100  # an ignored position
    split = _loss_and_gradient(logits, targets)
    monkeypatch.setattr(parallel, "BLAS_THREADS_SLEEP", False)
    serial = _loss_and_gradient(logits, targets)
    assert split[0] == serial[0]
    np.testing.assert_array_equal(split[1], serial[1])


def _sgd_after_one_step(weights, grads, **kwargs):
    params = [Parameter(w) for w in weights]
    for param, grad in zip(params, grads, strict=True):
        param.grad = grad.copy()
    SGD(params, lr=0.5).step(**kwargs)
    return [param.data for param in params]


def test_sgd_update_is_bit_identical_split_or_not(monkeypatch, split_everything):
    rng = np.random.default_rng(1)
    weights = [rng.standard_normal((13, 7)).astype(np.float32), rng.standard_normal(5).astype(np.float32)]
    grads = [rng.standard_normal(w.shape).astype(np.float32) for w in weights]
    split = _sgd_after_one_step(weights, grads)
    monkeypatch.setattr(parallel, "BLAS_THREADS_SLEEP", False)
    for a, b in zip(split, _sgd_after_one_step(weights, grads), strict=True):
        np.testing.assert_array_equal(a, b)


def _clipped_the_usual_way(optimizer_class, weights, grads, max_norm, **options):
    params = [Parameter(w) for w in weights]
    for param, grad in zip(params, grads, strict=True):
        param.grad = grad.copy()
    clip_grad_norm(params, max_norm)
    optimizer_class(params, **options).step()
    return params


def _clipped_in_the_step(optimizer_class, weights, grads, max_norm, **options):
    params = [Parameter(w) for w in weights]
    for param, grad in zip(params, grads, strict=True):
        param.grad = grad.copy()
    coefficient = clip_coefficient(total_grad_norm(params), max_norm)
    optimizer_class(params, **options).step(grad_scale=coefficient)
    return params


@pytest.mark.parametrize(
    "optimizer_class, options", [(SGD, dict(lr=2.0)), (SGD, dict(lr=2.0, momentum=0.9)), (Adam, dict(lr=0.01))]
)
def test_grad_scale_in_the_step_equals_clipping_first(optimizer_class, options):
    rng = np.random.default_rng(2)
    weights = [rng.standard_normal((6, 4)), rng.standard_normal(3)]
    grads = [rng.standard_normal(w.shape) * 10 for w in weights]
    usual = _clipped_the_usual_way(optimizer_class, weights, grads, 0.25, **options)
    folded = _clipped_in_the_step(optimizer_class, weights, grads, 0.25, **options)
    for a, b in zip(usual, folded, strict=True):
        np.testing.assert_allclose(b.data, a.data, rtol=1e-13, atol=1e-15)
    # SGD without momentum folds the factor into the rate and leaves the gradients alone
    unchanged = optimizer_class is SGD and "momentum" not in options
    assert np.array_equal(folded[0].grad, grads[0]) == unchanged


def test_clip_coefficient_matches_torch_formula():
    assert clip_coefficient(np.float32(2.0), 1.0) == np.float32(1.0) / (np.float32(2.0) + np.float32(1e-6))
    assert clip_coefficient(np.float32(0.1), 1.0) == 1.0
    assert clip_coefficient(np.float64(4.0), 1.0).dtype == np.float64


def test_zero_grad_reads_as_zeros_and_a_handed_over_gradient_is_taken_as_it_is():
    param = Parameter(np.ones((2, 3), np.float32))
    param.grad += 5
    param.zero_grad()
    np.testing.assert_array_equal(param.grad, 0)  # read in between: zeros
    param.zero_grad()
    fresh = np.full((2, 3), 2.0, np.float32)
    param.add_to_grad_taking_ownership(fresh)
    assert param.grad is fresh  # no zero fill, no copy
    param.add_to_grad(np.full((2, 3), 1.0, np.float32))
    np.testing.assert_array_equal(param.grad, 3.0)
    np.testing.assert_array_equal(fresh, 3.0)


def test_a_view_or_another_dtype_is_added_not_adopted():
    param = Parameter(np.zeros((2, 3)))
    base = np.arange(12.0).reshape(2, 6)
    view = base[:, :3]
    param.zero_grad()
    param.add_to_grad(view)
    assert param.grad is not view and not np.shares_memory(param.grad, base)
    np.testing.assert_array_equal(param.grad, view)
    param.zero_grad()
    param.add_to_grad(np.ones((2, 3), np.float32))
    assert param.grad.dtype == np.float64


def test_tied_weights_still_sum_both_gradients_after_zero_grad():
    gatedrnn.seed(0)
    from gatedrnn.lm import LanguageModel, ModelConfig

    model = LanguageModel(
        ModelConfig(vocab_size=30, embedding_size=8, hidden_size=8, num_layers=1, dropout=0.0, tie_weights=True)
    )
    ids = np.random.default_rng(3).integers(0, 30, (2, 4))
    criterion = SoftmaxCrossEntropy()
    grads = []
    for _ in range(2):  # the second pass starts from zero_grad, not from the first's arrays
        logits, _ = model(ids)
        criterion(logits, ids)
        model.zero_grad()
        model.backward(criterion.backward())
        grads.append(model.embed.weight.grad.copy())
    np.testing.assert_array_equal(grads[0], grads[1])
    assert np.any(grads[0][ids.ravel()] != 0)


@pytest.mark.skipif(not hasattr(__import__("os"), "fork"), reason="needs fork")
def test_a_forked_child_gets_a_pool_of_its_own(split_everything, monkeypatch):
    import multiprocessing

    monkeypatch.setattr(parallel, "get_num_threads", lambda: 2)  # one worker thread, as on 2 cores
    parallel.for_row_blocks(lambda start, stop: None, 8, 8)  # the parent's pool exists now
    child = multiprocessing.get_context("fork").Process(target=_split_some_work_then_exit)
    child.start()
    child.join(timeout=30)
    if child.is_alive():
        child.kill()
        pytest.fail("the forked child hung on the parent's worker threads")
    assert child.exitcode == 0


def _split_some_work_then_exit():
    seen = []
    parallel.for_row_blocks(lambda start, stop: seen.append(start), 8, 8)
    raise SystemExit(0 if sorted(seen) == [0, 4] else 1)
