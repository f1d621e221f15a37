"""AR and TAR (Merity et al. 2017): the formulas, their hand-written gradients, and a run that uses them."""

import json

import numpy as np
import pytest
from helpers.tiny_runs import tiny_train_args, write_text

from gatedrnn import GatedRNNError, rng
from gatedrnn.cli import main
from gatedrnn.gradcheck import numerical_gradient, relative_error
from gatedrnn.layers import SoftmaxCrossEntropy
from gatedrnn.lm import LanguageModel, ModelConfig
from gatedrnn.lm.activation_penalty import PenalisedLoss, penalty, penalty_gradients

ALPHA, BETA = 2.0, 1.0


def arrays(shape=(3, 5, 4), seed=0):
    generator = np.random.default_rng(seed)
    return generator.standard_normal(shape), generator.standard_normal(shape)


def test_the_penalty_is_the_two_means_written_out():
    hs, features = arrays()
    n, t, h = hs.shape
    ar = sum(features[i, s, k] ** 2 for i in range(n) for s in range(t) for k in range(h)) / (n * t * h)
    steps = [(hs[i, s, k] - hs[i, s - 1, k]) ** 2 for i in range(n) for s in range(1, t) for k in range(h)]
    assert penalty(hs, features, ALPHA, BETA) == pytest.approx(ALPHA * ar + BETA * sum(steps) / len(steps))
    assert penalty(hs, features, 0.0, 0.0) == 0.0


def test_the_gradients_are_the_penaltys_numerical_ones():
    hs, features = arrays()
    dhs, dfeatures = penalty_gradients(hs, features, ALPHA, BETA, scale=3.0)
    tar_only = numerical_gradient(lambda: 3.0 * penalty(hs, features, 0.0, BETA), hs)
    ar_only = numerical_gradient(lambda: 3.0 * penalty(hs, features, ALPHA, 0.0), features)
    assert relative_error(dhs, tar_only) < 1e-7 and relative_error(dfeatures, ar_only) < 1e-7


def test_a_term_that_is_off_has_no_gradient_and_one_step_has_no_tar():
    hs, features = arrays(shape=(2, 1, 3))
    assert penalty_gradients(hs, features, 0.0, BETA) == (None, None)
    assert penalty(hs, features, 0.0, BETA) == 0.0


def penalised_model(dropout=0.3, locked_dropout=False, adaptive_softmax=None):
    rng.seed(3)
    config = ModelConfig(
        vocab_size=20,
        embedding_size=6,
        hidden_size=6,
        num_layers=2,
        dropout=dropout,
        locked_dropout=locked_dropout,
        tie_weights=adaptive_softmax is None,
        adaptive_softmax=adaptive_softmax,
        adaptive_div_value=2.0,  # so that H = 6 leaves the second tail cluster a feature
        activation_reg=ALPHA,
        temporal_activation_reg=BETA,
    )
    return LanguageModel(config, dtype=np.float64)


@pytest.mark.parametrize(
    "settings",
    [dict(dropout=0.0), dict(dropout=0.3), dict(dropout=0.3, locked_dropout=True), dict(adaptive_softmax=(5, 12))],
    ids=["no-dropout", "dropout", "locked-dropout", "adaptive-softmax"],
)
def test_float64_gradients_of_loss_plus_penalties_through_the_whole_model(settings):
    model = penalised_model(**settings)
    generator = np.random.default_rng(4)
    ids, targets = generator.integers(0, 20, (3, 5)), generator.integers(0, 20, (3, 5))
    criterion = model.criterion()
    assert isinstance(criterion, PenalisedLoss)

    def trained_on():
        rng.seed(9)  # the same dropout masks at every evaluation
        scores, _ = model(ids)
        hs, features = model.activations
        return criterion(scores, targets) + penalty(hs, features, ALPHA, BETA)

    model.zero_grad()
    trained_on()
    model.backward(criterion.backward(1.0))
    for name, param in model.named_parameters():
        if param.requires_grad:
            assert relative_error(param.grad, numerical_gradient(trained_on, param.data)) < 1e-6, name


def test_the_reported_loss_is_the_cross_entropy_and_the_scale_scales_the_penalty_too():
    model = penalised_model(dropout=0.0)
    plain = LanguageModel(model.config.replace(activation_reg=0.0, temporal_activation_reg=0.0), dtype=np.float64)
    plain.load_state_dict(model.state_dict())
    generator = np.random.default_rng(4)
    ids, targets = generator.integers(0, 20, (3, 5)), generator.integers(0, 20, (3, 5))
    gradients = {}
    for scale in (1.0, 4.0):
        model.zero_grad()
        scores, _ = model(ids)
        assert model.criterion()(scores, targets) == pytest.approx(SoftmaxCrossEntropy()(plain(ids)[0], targets))
        criterion = model.criterion()
        criterion(scores, targets)
        model.backward(criterion.backward(scale))
        gradients[scale] = model.embed.weight.grad.copy()
    np.testing.assert_allclose(gradients[4.0], 4.0 * gradients[1.0], rtol=1e-12)
    plain.zero_grad()
    criterion = plain.criterion()
    criterion(plain(ids)[0], targets)
    plain.backward(criterion.backward(1.0))
    assert not np.allclose(plain.embed.weight.grad, gradients[1.0])  # the penalties did move the gradient


def test_evaluation_keeps_no_activations_and_backward_needs_a_training_forward():
    model = penalised_model()
    model.eval()
    model(np.zeros((2, 3), dtype=np.int64))
    assert model.activations is None
    with pytest.raises(GatedRNNError, match="training mode"):
        model.criterion().backward(1.0)


def test_a_run_trains_with_ar_and_tar_and_records_them(tmp_path, capsys):
    text = write_text(tmp_path)
    results = tmp_path / "results.json"
    run = tmp_path / "run"
    options = ("--activation-reg", "2", "--temporal-activation-reg", "1", "--results", str(results))
    assert main(tiny_train_args(text, run, *options, "--no-progress")) == 0
    model = json.loads(results.read_text())["model"]
    assert (model["activation_reg"], model["temporal_activation_reg"]) == (2.0, 1.0)
    assert main(tiny_train_args(text, run, "--activation-reg", "3", "--resume", "--epochs", "2")) == 2
    assert "activation_reg=2.0 (now 3.0)" in capsys.readouterr().err


def test_negative_weights_are_refused_at_every_door(tmp_path, capsys):
    with pytest.raises(
        GatedRNNError, match=r"activation_reg \(--activation-reg\) must be ≥ 0, got -1; pass a value ≥ 0, such as 0"
    ):
        ModelConfig(vocab_size=10, activation_reg=-1)
    assert main(tiny_train_args(write_text(tmp_path), tmp_path / "run", "--temporal-activation-reg", "-1")) == 2
    assert "temporal_activation_reg (--temporal-activation-reg) must be ≥ 0" in capsys.readouterr().err
    assert not (tmp_path / "run").exists()
