"""Sampling: top-k and top-p stay inside their sets, greedy is the temperature → 0 limit, seeds reproduce."""

import numpy as np
import pytest

import gatedrnn
from gatedrnn import GatedRNNError
from gatedrnn.lm import LanguageModel, ModelConfig
from gatedrnn.lm.generate import generate, next_token_distribution

rng = np.random.default_rng(0)


def test_top_k_keeps_only_the_k_most_likely():
    for _ in range(20):
        logits = rng.standard_normal(50) * 3
        probs = next_token_distribution(logits, top_k=5)
        allowed = set(np.argsort(-logits)[:5])
        assert set(np.flatnonzero(probs)) == allowed
        assert probs.sum() == pytest.approx(1.0)


def test_top_p_keeps_the_smallest_nucleus():
    for _ in range(20):
        logits = rng.standard_normal(50) * 2
        full = next_token_distribution(logits)
        probs = next_token_distribution(logits, top_p=0.8)
        order = np.argsort(-full)
        mass_before = np.cumsum(full[order]) - full[order]
        nucleus = set(order[mass_before < 0.8])  # each kept token is needed to reach 0.8
        assert set(np.flatnonzero(probs)) == nucleus
        assert full[list(nucleus)].sum() >= 0.8


def test_low_temperature_approaches_greedy():
    logits = rng.standard_normal(30)
    probs = next_token_distribution(logits, temperature=1e-3)
    assert probs[np.argmax(logits)] == pytest.approx(1.0)


@pytest.mark.parametrize("temperature", [1e-310, 5e-324, 1e-300])
def test_a_temperature_so_small_that_the_quotient_overflows_samples_greedily(temperature):
    logits = np.array([1.0, 3.0, 3.0, -2.0, -np.finfo(np.float64).max / 2])
    with np.errstate(over="raise", invalid="raise", divide="raise"):  # no overflow, no nan
        probs = next_token_distribution(logits, temperature=temperature)
    assert np.isfinite(probs).all() and probs.tolist() == [0.0, 0.5, 0.5, 0.0, 0.0]
    assert next_token_distribution(logits, temperature, top_k=1).tolist() == [0.0, 1.0, 0.0, 0.0, 0.0]
    model = small_model()
    assert generate(model, [1, 2, 3], 20, temperature=temperature, seed=0) == generate(
        model, [1, 2, 3], 20, greedy=True
    )


def test_ordinary_temperatures_divide_the_logits_as_before():
    logits = rng.standard_normal(30) * 5
    for temperature in (0.05, 0.7, 1.0, 3.0, 1e300):
        probs = next_token_distribution(logits, temperature=temperature)
        expected = np.exp(logits / temperature - np.max(logits / temperature))
        np.testing.assert_array_equal(probs, (expected / expected.sum()) / (expected / expected.sum()).sum())


def test_bad_sampling_arguments():
    with pytest.raises(GatedRNNError, match="temperature"):
        next_token_distribution(np.zeros(3), temperature=0)
    with pytest.raises(GatedRNNError, match="top_k"):
        next_token_distribution(np.zeros(3), top_k=0)
    with pytest.raises(GatedRNNError, match="top_p"):
        next_token_distribution(np.zeros(3), top_p=1.5)


def small_model():
    gatedrnn.seed(0)
    return LanguageModel(ModelConfig(vocab_size=20, embedding_size=8, hidden_size=8, num_layers=1, dropout=0.0))


def test_same_seed_same_text_and_greedy_equals_cold_sampling():
    model = small_model()
    first = generate(model, [1, 2, 3], 30, temperature=1.0, top_k=10, seed=5)
    again = generate(model, [1, 2, 3], 30, temperature=1.0, top_k=10, seed=5)
    other = generate(model, [1, 2, 3], 30, temperature=1.0, top_k=10, seed=6)
    assert first == again and first != other
    greedy = generate(model, [1, 2, 3], 30, greedy=True)
    cold = generate(model, [1, 2, 3], 30, temperature=1e-4, seed=1)
    assert greedy == cold


def test_prompt_is_teacher_forced():
    """Feeding the prompt at once equals feeding it token by token with the state carried."""
    model = small_model().eval()
    logits_all, _ = model(np.array([[4, 7, 9]]))
    state = None
    for token in (4, 7, 9):
        logits_step, state = model(np.array([[token]]), state)
    np.testing.assert_allclose(logits_all[0, -1], logits_step[0, -1], rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize(
    "overrides, problem",
    [
        (dict(length=2.5), r"length \(--length\) must be a whole number ≥ 0"),
        (dict(length=-1), r"length \(--length\) must be a whole number ≥ 0"),
        (dict(top_k=2.5), r"top_k \(--top-k\) must be a whole number ≥ 1"),
        (dict(top_k=0), r"top_k \(--top-k\) must be a whole number ≥ 1"),
        (dict(temperature=float("nan")), r"temperature \(--temperature\) must be a finite number > 0"),
        (dict(temperature=float("inf")), r"temperature \(--temperature\) must be a finite number > 0"),
        (dict(temperature=-1), r"temperature \(--temperature\) must be a finite number > 0"),
        (dict(temperature="hot"), r"temperature \(--temperature\) must be a finite number > 0"),
        (dict(top_p=float("nan")), r"top_p \(--top-p\) must be a number in \(0, 1\]"),
        (dict(top_p="0.9"), r"top_p \(--top-p\) must be a number in \(0, 1\]"),
        (dict(seed=-1), "seed must be a whole number ≥ 0, got"),
        (dict(seed="abc"), "seed must be a whole number ≥ 0, got"),
        (dict(greedy="yes"), "greedy must be True or False"),
        (dict(on_token=5), "on_token must be a function"),
        (dict(prompt_ids=[]), "the prompt must be a non-empty sequence of token ids"),
        (
            dict(prompt_ids=[[1, 2]]),
            r"the prompt must be one sequence of token ids \(1-D\), got an array of shape \(1, 2\)",
        ),
        (dict(prompt_ids=[1, 20]), "prompt id 20 is outside the model's vocabulary of 20"),
        (dict(prompt_ids=[-1, 2]), "prompt id -1 is outside the model's vocabulary of 20"),
        (dict(prompt_ids=["the"]), "the prompt must hold integer token ids"),
        (dict(prompt_ids=[1.5]), "the prompt must hold integer token ids"),
    ],
)
def test_bad_generation_arguments_are_refused_before_the_model_runs(overrides, problem):
    model = small_model()
    arguments = {**dict(prompt_ids=[1, 2], length=3, seed=0), **overrides}
    with pytest.raises(GatedRNNError, match=problem) as info:
        generate(model, **arguments)
    assert "\n" not in str(info.value)
    assert model.training  # the mode is left as it was


def test_generation_restores_the_mode_even_when_it_fails():
    model = small_model()

    def stop(token):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        generate(model, [1, 2], 3, seed=0, on_token=stop)
    assert model.training


def test_numpy_ids_and_length_zero_are_fine():
    model = small_model()
    assert generate(model, np.array([1, 2], np.int32), np.int64(0)) == []
    assert len(generate(model, (3,), 4, top_k=np.int64(3), seed=np.uint8(1))) == 4


# -- stop: an end-of-text marker ----------------------------------------------------------------
def first_end(ids, stop):
    """Where the first occurrence of ``stop`` in ``ids`` ends (exclusive), or None."""
    for end in range(len(stop), len(ids) + 1):
        if ids[end - len(stop) : end] == stop:
            return end
    return None


@pytest.mark.parametrize("stop_at, stop_length", [(0, 1), (4, 1), (6, 2), (9, 3)])
def test_generation_ends_exactly_where_the_stop_is_first_written(stop_at, stop_length):
    model = small_model()
    free = generate(model, [1, 2, 3], 60, top_k=4, seed=3)
    stop = free[stop_at : stop_at + stop_length]
    end = first_end(free, stop)  # at or before stop_at + stop_length: an earlier copy counts
    shown = []
    stopped = generate(model, [1, 2, 3], 60, top_k=4, seed=3, stop=stop, on_token=shown.append)
    assert stopped == free[:end] and stopped[-len(stop) :] == stop
    assert shown == stopped  # nothing sampled or streamed past the stop


def test_length_caps_generation_before_the_stop_is_reached():
    model = small_model()
    free = generate(model, [1, 2, 3], 40, greedy=True)
    stop = free[10:12]
    end = first_end(free, stop)
    assert generate(model, [1, 2, 3], end - 1, greedy=True, stop=stop) == free[: end - 1]
    assert generate(model, [1, 2, 3], end, greedy=True, stop=stop) == free[:end]
    assert generate(model, [1, 2, 3], 40, greedy=True, stop=stop) == free[:end]
    assert generate(model, [1, 2, 3], 0, greedy=True, stop=stop) == []


def test_a_stop_never_written_changes_nothing_and_the_prompt_is_not_searched():
    model = small_model()
    free = generate(model, [1, 2, 3], 30, seed=1)
    absent = next(token for token in range(20) if token not in free)
    assert generate(model, [1, 2, 3], 30, seed=1, stop=[absent]) == free
    # [3, free[0]] ends at the first new token only if the prompt's 3 were searched: it is not.
    if 3 not in free:
        assert generate(model, [1, 2, 3], 30, seed=1, stop=np.array([3, free[0]], np.int32)) == free


@pytest.mark.parametrize(
    "stop, problem",
    [
        ([], "the stop must be a non-empty sequence of token ids"),
        ([[1]], r"the stop must be one sequence of token ids \(1-D\), got an array of shape \(1, 1\); pass one row"),
        ([20], "stop id 20 is outside the model's vocabulary of 20"),
        ([1.0], "the stop must hold integer token ids"),
        ("ab", "the stop must be a non-empty sequence of token ids"),
    ],
)
def test_bad_stops_are_refused_in_one_line(stop, problem):
    model = small_model()
    with pytest.raises(GatedRNNError, match=problem) as info:
        generate(model, [1, 2], 3, seed=0, stop=stop)
    assert "\n" not in str(info.value) and model.training


def test_temperature_left_out_is_the_default_of_one():
    # None stands for "not given" (so greedy decoding can refuse a temperature it was given)
    model = small_model()
    assert generate(model, [1, 2], 20, seed=3) == generate(model, [1, 2], 20, temperature=1.0, seed=3)
