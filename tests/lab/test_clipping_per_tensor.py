"""lab clipping --per-tensor: a third run with each tensor clipped by its own norm (Keras's clipnorm)."""

import math

import numpy as np
import pytest

from gatedrnn.errors import GatedRNNError
from gatedrnn.lab import clipping, summary
from gatedrnn.lab.models import LastStepModel
from gatedrnn.lab.tasks import get_task
from gatedrnn.lab.training import criterion_for
from gatedrnn.optim import SGD


def test_per_tensor_run_caps_each_tensor_and_so_each_update_at_lr_clip_sqrt_k(tmp_path):
    results = clipping.run(steps=120, per_tensor=True, progress=False)
    assert list(results["runs"]) == ["no clip", "clip", "clip per tensor"]
    record = results["runs"]["clip per tensor"]
    assert record["tensors"] == 6  # W_ih, W_hh, b_ih, b_hh, the read-out's weight and bias
    assert record["update_bound"] == pytest.approx(results["lr"] * results["clip"] * math.sqrt(6))
    assert max(record["update_norms"]) <= record["update_bound"] * (1 + 1e-4)
    assert sum(norm > record["update_bound"] / results["lr"] for norm in record["grad_norms"]) >= 5  # it had work
    # the same start and batches: until the first clip the per-tensor run is the unclipped one
    first = next(i for i, norm in enumerate(results["runs"]["no clip"]["grad_norms"]) if norm > results["clip"])
    assert record["losses"][: first + 1] == results["runs"]["no clip"]["losses"][: first + 1]
    clipping.plot(results, tmp_path / "clipping.png")
    assert (tmp_path / "clipping.png").read_bytes().startswith(b"\x89PNG")
    assert "bound with clipping per tensor: lr · clip · √6" in summary("clipping", results)


def test_per_tensor_step_clips_each_gradient_to_its_own_norm():
    task = get_task("recall")
    model = LastStepModel("irnn", task.input_size, 8, task.output_size, generator=np.random.default_rng(0))
    optimizer = SGD(model.parameters(), lr=1.0)
    before = [param.data.copy() for param in model.parameters()]
    result = clipping.per_tensor_step(
        model, criterion_for(task), optimizer, task, 4, 6, np.random.default_rng(1), clip=1e-3
    )
    assert result.stepped and result.grad_norm > 1e-3
    for param, old in zip(model.parameters(), before, strict=True):  # SGD with lr 1: Δθ = -g, clipped
        assert np.linalg.norm(param.data - old) <= 1e-3 * (1 + 1e-4)


def test_default_keeps_the_two_runs_and_per_tensor_must_be_a_flag():
    assert list(clipping.run(steps=3, progress=False)["runs"]) == ["no clip", "clip"]
    with pytest.raises(GatedRNNError, match="per_tensor must be True or False, got 'yes'"):
        clipping.run(steps=3, per_tensor="yes", progress=False)
