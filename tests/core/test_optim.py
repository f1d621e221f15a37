"""Optimizers: step-for-step agreement with torch.optim, schedules, checkpoints, errors."""

import json

import numpy as np
import pytest

from gatedrnn.core import Parameter
from gatedrnn.errors import GatedRNNError
from gatedrnn.optim import SGD, Adagrad, Adam, AdamW, RMSprop

SHAPES = [(4, 3), (3,), (2, 2, 2)]

# (gatedrnn class, torch class name, keyword arguments); one line per configuration
CASES = [
    (SGD, "SGD", dict(lr=0.1)),
    (SGD, "SGD", dict(lr=0.1, weight_decay=0.01)),
    (SGD, "SGD", dict(lr=0.05, momentum=0.9)),
    (SGD, "SGD", dict(lr=0.05, momentum=0.9, dampening=0.3, weight_decay=1e-3)),
    (SGD, "SGD", dict(lr=0.05, momentum=0.8, nesterov=True)),
    (SGD, "SGD", dict(lr=0.05, momentum=0.8, nesterov=True, weight_decay=0.02)),
    (Adagrad, "Adagrad", dict()),
    (Adagrad, "Adagrad", dict(lr=0.1, lr_decay=0.05, weight_decay=0.01, initial_accumulator_value=0.1, eps=1e-6)),
    (RMSprop, "RMSprop", dict()),
    (RMSprop, "RMSprop", dict(lr=0.01, alpha=0.9, weight_decay=0.01)),
    (RMSprop, "RMSprop", dict(lr=0.01, momentum=0.9)),
    (RMSprop, "RMSprop", dict(lr=0.01, centered=True)),
    (RMSprop, "RMSprop", dict(lr=0.01, alpha=0.95, momentum=0.5, centered=True, weight_decay=0.1)),
    (Adam, "Adam", dict()),
    (Adam, "Adam", dict(lr=0.01, betas=(0.8, 0.99), weight_decay=0.01)),
    (Adam, "Adam", dict(lr=0.01, amsgrad=True)),
    (Adam, "Adam", dict(lr=0.01, betas=(0.3, 0.6), eps=1e-6, weight_decay=0.1, amsgrad=True)),
    (AdamW, "AdamW", dict()),
    (AdamW, "AdamW", dict(lr=0.01, weight_decay=0.1)),
    (AdamW, "AdamW", dict(lr=0.01, weight_decay=0.1, amsgrad=True)),
]
CASE_IDS = [f"{cls.__name__}-{i}" for i, (cls, _, _) in enumerate(CASES)]


def make_problem(dtype, steps=5, seed=0):
    """Initial weights and a sequence of gradients (one list of arrays per step)."""
    rng = np.random.default_rng(seed)
    weights = [rng.normal(size=shape).astype(dtype) for shape in SHAPES]
    grads = [[rng.normal(size=shape).astype(dtype) for shape in SHAPES] for _ in range(steps)]
    return weights, grads


def run_gatedrnn(cls, kwargs, weights, grads, lrs=None):
    params = [Parameter(w) for w in weights]
    opt = cls(params, **kwargs)
    for step, step_grads in enumerate(grads):
        if lrs is not None:
            opt.lr = lrs[step]
        for param, grad in zip(params, step_grads, strict=True):
            param.grad[...] = grad
        opt.step()
    return [param.data for param in params]


def run_torch(name, kwargs, weights, grads, lrs=None):
    torch = pytest.importorskip("torch")
    params = [torch.nn.Parameter(torch.from_numpy(w.copy())) for w in weights]
    opt = getattr(torch.optim, name)(params, foreach=False, **kwargs)
    for step, step_grads in enumerate(grads):
        if lrs is not None:
            for group in opt.param_groups:
                group["lr"] = lrs[step]
        for param, grad in zip(params, step_grads, strict=True):
            param.grad = torch.from_numpy(grad.copy())
        opt.step()
    return [param.detach().numpy() for param in params]


def assert_close(ours, theirs, rtol):
    for a, b in zip(ours, theirs, strict=True):
        assert a.dtype == b.dtype
        np.testing.assert_allclose(a, b, rtol=rtol, atol=0)


@pytest.mark.parametrize("cls, torch_name, kwargs", CASES, ids=CASE_IDS)
def test_matches_torch_float64(cls, torch_name, kwargs):
    weights, grads = make_problem(np.float64)
    ours = run_gatedrnn(cls, kwargs, weights, grads)
    assert_close(ours, run_torch(torch_name, kwargs, weights, grads), rtol=1e-10)


@pytest.mark.parametrize("cls, torch_name, kwargs", CASES, ids=CASE_IDS)
def test_matches_torch_float32(cls, torch_name, kwargs):
    weights, grads = make_problem(np.float32, steps=4, seed=1)
    ours = run_gatedrnn(cls, kwargs, weights, grads)
    assert_close(ours, run_torch(torch_name, kwargs, weights, grads), rtol=1e-5)


@pytest.mark.parametrize(
    "cls, torch_name, kwargs", [CASES[3], CASES[12], CASES[15], CASES[19]], ids=["SGD", "RMSprop", "Adam", "AdamW"]
)
def test_lr_change_mid_run_matches_torch(cls, torch_name, kwargs):
    weights, grads = make_problem(np.float64)
    lrs = [0.1, 0.05, 0.0, 0.2, 0.01]
    ours = run_gatedrnn(cls, kwargs, weights, grads, lrs)
    assert_close(ours, run_torch(torch_name, kwargs, weights, grads, lrs), rtol=1e-10)
    constant = run_gatedrnn(cls, kwargs, weights, grads)
    assert not np.allclose(ours[0], constant[0])


def test_one_step_of_sgd_momentum_and_adam_from_the_same_gradients():
    weights, grads = make_problem(np.float64, steps=1)
    for cls, name, kwargs in [
        (SGD, "SGD", dict(lr=0.1)),
        (SGD, "SGD", dict(lr=0.1, momentum=0.9)),
        (Adam, "Adam", dict(lr=0.1)),
    ]:
        ours = run_gatedrnn(cls, kwargs, weights, grads)
        assert_close(ours, run_torch(name, kwargs, weights, grads), rtol=1e-12)
    # the first step has closed forms: plain and momentum SGD agree (b_1 = g_1), and Adam
    # moves every weight by lr · g/(|g| + ε) ≈ lr · sign(g)
    sgd = run_gatedrnn(SGD, dict(lr=0.1), weights, grads)
    momentum = run_gatedrnn(SGD, dict(lr=0.1, momentum=0.9), weights, grads)
    adam = run_gatedrnn(Adam, dict(lr=0.1), weights, grads)
    for w, g, s, m, a in zip(weights, grads[0], sgd, momentum, adam, strict=True):
        np.testing.assert_allclose(s, w - 0.1 * g, rtol=1e-15)
        np.testing.assert_array_equal(m, s)
        np.testing.assert_allclose(a, w - 0.1 * g / (np.abs(g) + 1e-8), rtol=1e-12)


@pytest.mark.parametrize(
    "cls, torch_name, kwargs",
    [CASES[5], CASES[7], CASES[13], CASES[16], CASES[19]],
    ids=["SGD", "Adagrad", "RMSprop", "Adam", "AdamW"],
)
def test_state_dict_round_trip_continues_identically(cls, torch_name, kwargs):
    weights, grads = make_problem(np.float64, steps=6)
    params = [Parameter(w) for w in weights]
    opt = cls(params, **kwargs)

    def take_steps(opt, params, step_grads):
        for g in step_grads:
            for param, grad in zip(params, g, strict=True):
                param.grad[...] = grad
            opt.step()

    take_steps(opt, params, grads[:3])
    state = opt.state_dict()
    # scalars through JSON, arrays as they would come back from an .npz
    hyper = json.loads(json.dumps(state["hyperparameters"]))
    arrays = {key: np.array(value) for key, value in state["arrays"].items()}
    assert all(isinstance(value, np.ndarray) for value in state["arrays"].values())

    copies = [Parameter(param.data) for param in params]
    default_kwargs = {"lr": 0.5} if cls is SGD else {}
    restored = cls(copies, **default_kwargs)  # other hyperparameters come from the state
    restored.load_state_dict({"hyperparameters": hyper, "arrays": arrays})
    assert restored.step_count == 3
    assert restored.hyperparameters() == opt.hyperparameters()

    take_steps(opt, params, grads[3:])
    take_steps(restored, copies, grads[3:])
    for a, b in zip(params, copies, strict=True):
        np.testing.assert_array_equal(a.data, b.data)


def test_state_dict_is_a_snapshot():
    param = Parameter(np.ones(3))
    param.grad[...] = 1.0
    opt = Adam([param])
    opt.step()
    state = opt.state_dict()
    before = state["arrays"]["exp_avg.0"].copy()
    opt.step()
    np.testing.assert_array_equal(state["arrays"]["exp_avg.0"], before)


def test_load_state_dict_rejects_mismatches():
    param = Parameter(np.ones((2, 3)))
    param.grad[...] = 1.0
    opt = Adam([param])
    opt.step()
    state = opt.state_dict()
    with pytest.raises(GatedRNNError, match="shape"):
        Adam([Parameter(np.ones((3, 2)))]).load_state_dict(state)
    with pytest.raises(GatedRNNError, match="2 parameters|for 1 parameters"):
        Adam([Parameter(np.ones((2, 3))), Parameter(np.ones(2))]).load_state_dict(state)
    with pytest.raises(GatedRNNError, match="Adam"):
        SGD([Parameter(np.ones((2, 3)))], lr=0.1).load_state_dict(state)
    bad = {"hyperparameters": dict(state["hyperparameters"]), "arrays": {"exp_avg.7": np.ones((2, 3))}}
    with pytest.raises(GatedRNNError, match="exp_avg.7"):
        Adam([Parameter(np.ones((2, 3)))]).load_state_dict(bad)
    bad = {"hyperparameters": dict(state["hyperparameters"], betas=[1.5, 0.9]), "arrays": {}}
    target = Adam([Parameter(np.ones((2, 3)))])
    with pytest.raises(GatedRNNError, match="betas"):
        target.load_state_dict(bad)
    assert target.betas == (0.9, 0.999)  # a failed load leaves the optimizer as it was
    with pytest.raises(GatedRNNError):
        target.load_state_dict({"lr": 0.1})


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_updates_in_place_and_keep_dtype(dtype):
    param = Parameter(np.ones((3, 2), dtype=dtype))
    data = param.data
    for opt in [
        SGD([param], lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.1),
        SGD([param], lr=0.1),
        SGD([param], lr=0.1, momentum=0.9, nesterov=True),
        Adagrad([param]),
        RMSprop([param], centered=True, momentum=0.9),
        Adam([param], amsgrad=True),
        AdamW([param]),
    ]:
        for _ in range(2):
            param.grad[...] = 0.5
            opt.step()
        assert param.data is data and param.data.dtype == dtype
        assert all(b.dtype == dtype for buffers in opt.state.values() for b in buffers)
        np.testing.assert_array_equal(param.grad, 0.5)  # the gradient is left untouched


def test_parameters_are_deduplicated_and_zero_grad_clears():
    a, b = Parameter(np.ones(2)), Parameter(np.ones(3))
    opt = SGD([a, b, a], lr=1.0)
    assert opt.params == [a, b]
    a.grad[...] = 1.0
    b.grad[...] = 2.0
    opt.step()  # a tied weight must move once, not twice
    np.testing.assert_array_equal(a.data, 0.0)
    opt.zero_grad()
    assert not a.grad.any() and not b.grad.any()


@pytest.mark.parametrize(
    "make",
    [
        lambda p: SGD([], lr=0.1),
        lambda p: SGD(p, lr=0.1),
        lambda p: SGD([p, np.ones(2)], lr=0.1),
        lambda p: SGD([p], lr=0.0),
        lambda p: SGD([p], lr=-0.1),
        lambda p: SGD([p], lr=float("nan")),
        lambda p: SGD([p], lr="0.1"),
        lambda p: SGD([p], lr=0.1, momentum=-0.5),
        lambda p: SGD([p], lr=0.1, dampening=-0.1),
        lambda p: SGD([p], lr=0.1, weight_decay=-1e-4),
        lambda p: SGD([p], lr=0.1, nesterov=True),
        lambda p: SGD([p], lr=0.1, momentum=0.9, dampening=0.1, nesterov=True),
        lambda p: Adagrad([p], lr_decay=-1.0),
        lambda p: Adagrad([p], initial_accumulator_value=-1.0),
        lambda p: Adagrad([p], eps=-1e-10),
        lambda p: RMSprop([p], alpha=-0.1),
        lambda p: RMSprop([p], alpha=1.5),
        lambda p: RMSprop([p], momentum=-0.9),
        lambda p: RMSprop([p], centered="yes"),
        lambda p: Adam([p], betas=(1.0, 0.999)),
        lambda p: Adam([p], betas=(0.9, -0.1)),
        lambda p: Adam([p], betas=0.9),
        lambda p: Adam([p], eps=-1e-8),
        lambda p: Adam([p], weight_decay=-0.01),
        lambda p: AdamW([p], betas=(0.9, 1.2)),
        lambda p: AdamW([p], lr=0),
    ],
)
def test_bad_hyperparameters_raise(make):
    with pytest.raises(GatedRNNError) as info:
        make(Parameter(np.ones(2)))
    assert "\n" not in str(info.value)


@pytest.mark.parametrize("value", [-1.0, float("nan"), float("inf"), "0.1", None, True])
def test_a_bad_lr_set_after_construction_is_refused_where_it_is_set(value):
    param = Parameter(np.ones(2))
    opt = SGD([param], lr=0.1)
    with pytest.raises(GatedRNNError, match="SGD lr") as info:
        opt.lr = value
    assert "\n" not in str(info.value)
    assert opt.lr == 0.1  # the refused value was not kept


def test_a_schedule_may_lower_lr_to_exactly_zero():
    param = Parameter(np.ones(2))
    param.grad[...] = 1.0
    opt = SGD([param], lr=0.1)
    opt.lr = 0
    opt.step()
    np.testing.assert_array_equal(param.data, 1.0)
    assert isinstance(opt.lr, float)


@pytest.mark.parametrize(
    "make, name, value",
    [
        (lambda p: SGD(p, lr=0.1, momentum=0.9), "momentum", -0.5),
        (lambda p: SGD(p, lr=0.1), "weight_decay", float("nan")),
        (lambda p: Adam(p), "betas", (0.9, 1.5)),
        (lambda p: Adam(p), "eps", "tiny"),
        (lambda p: RMSprop(p), "alpha", 2.0),
        (lambda p: Adagrad(p), "lr_decay", -1.0),
    ],
)
def test_other_hyperparameters_set_later_are_refused_before_any_update(make, name, value):
    param = Parameter(np.ones(2))
    param.grad[...] = 1.0
    opt = make([param])
    setattr(opt, name, value)
    with pytest.raises(GatedRNNError, match=name) as info:
        opt.step()
    assert "\n" not in str(info.value)
    np.testing.assert_array_equal(param.data, 1.0)
    assert opt.step_count == 0


@pytest.mark.parametrize("cls, default", [(Adam, "1e-08"), (AdamW, "1e-08"), (RMSprop, "1e-08"), (Adagrad, "1e-10")])
def test_eps_zero_is_refused_though_torch_allows_it(cls, default):
    # torch takes eps=0, and a zero gradient then gives 0/0: every weight nan at the first step
    param = Parameter(np.ones(3))
    with pytest.raises(GatedRNNError, match=f"{cls.__name__} eps must be in \\(0.0, inf\\], got 0.0") as info:
        cls([param], lr=1.0, eps=0)
    message = str(info.value)
    assert "\n" not in message and "finite when a gradient is zero" in message and f"such as {default}," in message
    optimizer = cls([param], lr=1.0)
    optimizer.eps = 0.0  # set later: refused at the next step, before any weight moves
    with pytest.raises(GatedRNNError, match="eps must be in"):
        optimizer.step()
    np.testing.assert_array_equal(param.data, 1.0)


@pytest.mark.parametrize("cls, kwargs", [(SGD, dict(lr=1.0)), (SGD, dict(lr=1.0, momentum=0.9)), (Adam, dict(lr=0.1))])
@pytest.mark.parametrize("grad_scale", [float("nan"), float("inf"), -1.0, 1.5, "0.5", True])
def test_a_grad_scale_outside_0_1_is_refused_before_any_update(cls, kwargs, grad_scale):
    # nan made every weight nan and -1 took a step of gradient ascent, both silently
    param = Parameter(np.ones(3, np.float32))
    param.grad[...] = 1.0
    optimizer = cls([param], **kwargs)
    with pytest.raises(GatedRNNError, match=r"step grad_scale must be .*; pass the clipping factor") as info:
        optimizer.step(grad_scale=grad_scale)
    assert "\n" not in str(info.value)
    np.testing.assert_array_equal(param.data, 1.0)
    np.testing.assert_array_equal(param.grad, 1.0)
    assert optimizer.step_count == 0


@pytest.mark.parametrize("grad_scale", [0, 0.0, 1, np.float32(0.25), np.float64(1.0)])
def test_every_clipping_factor_is_a_grad_scale_the_step_takes(grad_scale):
    param = Parameter(np.ones(3, np.float32))
    param.grad[...] = 1.0
    SGD([param], lr=1.0).step(grad_scale=grad_scale)
    np.testing.assert_allclose(param.data, 1.0 - float(grad_scale))


@pytest.mark.parametrize("cls, kwargs", [(SGD, dict(lr=0.1, momentum=0.9)), (Adam, dict(lr=0.1))])
def test_a_frozen_parameter_is_not_updated(cls, kwargs):
    frozen = Parameter(np.ones(3))
    trained = Parameter(np.ones(3))
    frozen.requires_grad = False
    optimizer = cls([frozen, trained], **kwargs)
    for _ in range(2):
        frozen.grad[...] = 1.0
        trained.grad[...] = 1.0
        optimizer.step()
    np.testing.assert_array_equal(frozen.data, np.ones(3))
    assert np.all(trained.data < 1.0)


def test_every_rule_of_the_cases_is_registered_and_saved_under_its_class_name():
    # Checkpoints name the class ("SGD"), settings the registry name ("sgd"): moving the rules
    # into modules of their own changed neither, so checkpoints written before still load.
    from gatedrnn.optim import OPTIMIZERS

    assert {cls for cls, _, _ in CASES} == set(OPTIMIZERS.values())
    for name, cls in OPTIMIZERS.items():
        assert name == cls.__name__.lower()
        saved = cls([Parameter(np.ones(3))], lr=0.1).state_dict()["hyperparameters"]["optimizer"]
        assert (
            saved
            == cls.__name__
            == {"sgd": "SGD", "adagrad": "Adagrad", "rmsprop": "RMSprop", "adam": "Adam", "adamw": "AdamW"}[name]
        )
