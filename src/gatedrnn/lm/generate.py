"""Sampling text from a language model: greedy, temperature, top-k and top-p (nucleus).

The prompt is fed in teacher-forced — its true tokens, not the model's guesses — to build up
the state; then each sampled token is fed back as the next input, until ``length`` tokens are
made or the continuation ends with the ``stop`` tokens (an end-of-text marker), whichever
comes first.
"""

import math
from collections.abc import Callable, Sequence
from numbers import Real
from typing import Any

import numpy as np

from ..core import Module
from ..errors import GatedRNNError, is_whole_number
from ..functional import softmax
from ..rng import check_seed
from ..thread_tuner import ThreadTuner
from ..typing import FloatArray, FloatLike, IntArray, IntLike

DEFAULT_TEMPERATURE = 1.0  # the model's own distribution, neither sharpened nor flattened
PROMPT_CHOICES = ("the", "\n")  # the book's start, else the start of a line


def default_prompt(vocab: Any) -> str:
    """The text generation starts from when none is given: the first of PROMPT_CHOICES whose
    tokens ``vocab`` (a gatedrnn.data.Vocabulary) all knows, else its first token that is not
    the unknown one: never a prompt the model reads as unknown."""
    from ..data.tokens import typed_tokens

    for text in PROMPT_CHOICES:
        tokens = typed_tokens(text, vocab.level)
        if all(token in vocab for token in tokens):
            return text
    return next(token for token in vocab.id_to_token if token != vocab.unk_token)


def _is_real(value: object) -> bool:
    """A finite real number, not a bool (``temperature=True`` is surely a mistake)."""
    return isinstance(value, Real) and not isinstance(value, (bool, np.bool_)) and math.isfinite(value)


def check_sampling(temperature: FloatLike = 1.0, top_k: IntLike | None = None, top_p: FloatLike | None = None) -> None:
    """Refuse sampling settings that would fail or sample nonsense, each with a one-line GatedRNNError."""
    if not _is_real(temperature) or temperature <= 0:
        raise GatedRNNError(
            f"temperature (--temperature) must be a finite number > 0, got {temperature!r}; pass one such as 1.0 "
            "(lower is more conservative), or greedy decoding (greedy=True, --greedy) for the limit at 0"
        )
    # Both spellings, Python's and the flag's: generate() and `gatedrnn generate` give the same line.
    if top_k is not None and not is_whole_number(top_k, 1):
        raise GatedRNNError(
            f"top_k (--top-k) must be a whole number ≥ 1, got {top_k!r}; pass one such as 40, "
            "or leave it out (None) for no cut"
        )
    if top_p is not None and not (_is_real(top_p) and 0 < top_p <= 1):
        raise GatedRNNError(
            f"top_p (--top-p) must be a number in (0, 1], got {top_p!r}; pass one such as 0.9, "
            "or leave it out (None) for no cut"
        )


def next_token_distribution(
    logits: FloatArray, temperature: FloatLike = 1.0, top_k: IntLike | None = None, top_p: FloatLike | None = None
) -> FloatArray:
    """Turn one step's logits (V,) into the probabilities (V,) to sample from.

    p ∝ exp(logits / temperature), then keep only the ``top_k`` most likely tokens and/or
    the smallest set whose mass reaches ``top_p`` (the nucleus), and renormalise.
    """
    check_sampling(temperature, top_k, top_p)
    probs = softmax(scaled_logits(np.asarray(logits, dtype=np.float64), temperature))
    if top_k is not None:
        if top_k < probs.size:
            # Exactly the k most likely (ties broken by id), even when probabilities tie.
            kept = np.zeros(probs.size, bool)
            kept[np.argsort(-probs, kind="stable")[:top_k]] = True
            probs = np.where(kept, probs, 0.0)
    if top_p is not None:
        order = np.argsort(-probs, kind="stable")
        cumulative = np.cumsum(probs[order]) / probs.sum()
        # Keep tokens up to and including the one that brings the mass to top_p.
        cut = int(np.searchsorted(cumulative, top_p)) + 1
        kept = np.zeros(probs.size, bool)
        kept[order[:cut]] = True
        probs = np.where(kept, probs, 0.0)
    return probs / probs.sum()


def scaled_logits(logits: FloatArray, temperature: FloatLike) -> FloatArray:
    """logits / temperature, (V,), finite however small the temperature.

    A tiny temperature (1e-310) overflows the quotient to ±inf and softmax to nan. Then the
    logits are first shifted so that the largest is 0: the quotient is 0 for the most likely
    token(s) and -inf or very negative for the rest, which is the limit the temperature
    approaches (greedy, ties shared). Without overflow the plain quotient is kept, so
    ordinary temperatures sample exactly as before.
    """
    with np.errstate(over="ignore"):
        scaled = logits / temperature
    if np.isfinite(scaled).all():
        return scaled
    with np.errstate(over="ignore"):
        scaled = (logits - logits.max()) / temperature
    return np.maximum(scaled, np.finfo(np.float64).min)  # -inf → the most negative float: exp gives 0, not nan


def generate(
    model: Module,
    prompt_ids: Sequence[IntLike] | IntArray,
    length: IntLike,
    temperature: FloatLike | None = None,
    top_k: IntLike | None = None,
    top_p: FloatLike | None = None,
    greedy: bool = False,
    seed: IntLike | None = None,
    on_token: Callable[[int], Any] | None = None,
    stop: Sequence[IntLike] | IntArray | None = None,
) -> list[int]:
    """Continue ``prompt_ids`` by at most ``length`` sampled ids; returns the list of new ids.

    ``model``: a language model (``model(ids (1, P), state)`` → logits (1, P, V), state), such
    as :class:`~gatedrnn.lm.model.LanguageModel`; ``prompt_ids``: P ≥ 1 integer ids (P,).

    ``temperature`` (None: :data:`DEFAULT_TEMPERATURE`, 1.0), ``top_k`` and ``top_p`` shape the
    distribution sampled from (:func:`next_token_distribution`); ``greedy=True`` always takes the
    most likely token instead, and so refuses them and ``seed``, which would change nothing.
    ``seed`` makes sampling reproducible.
    ``on_token(id)`` is called as each token is chosen, for streaming output. ``stop``: S ≥ 1
    ids (S,); generation ends as soon as the new ids end with them, which are then the last
    ids returned (the prompt is not searched: the stop must be generated). Every argument is
    checked before the model runs; the model's train/eval mode is restored afterwards.
    """
    prompt_ids = check_prompt(model, prompt_ids)
    check_generation(length, greedy, seed, on_token)
    check_greedy_alone(greedy, temperature, top_k, top_p, seed)
    temperature = DEFAULT_TEMPERATURE if temperature is None else temperature
    check_sampling(temperature, top_k, top_p)
    stop_ids = None if stop is None else check_stop(model, stop)
    rng = np.random.default_rng(seed)
    was_training = model.training
    model.eval()
    try:
        return _sample(model, prompt_ids, length, rng, greedy, on_token, (temperature, top_k, top_p), stop_ids)
    finally:
        model.train(was_training)


def _sample(
    model: Module,
    prompt_ids: IntArray,
    length: IntLike,
    rng: np.random.Generator,
    greedy: bool,
    on_token: Callable[[int], Any] | None,
    sampling: tuple[Any, Any, Any],
    stop_ids: list[int] | None = None,
) -> list[int]:
    """The loop: read the prompt at once, then feed each chosen token back in.

    One token at a time is a batch of one: products too small for a second thread to pay,
    usually, so the count is chosen by timing here too (gatedrnn.thread_tuner). The stop is
    looked for after each token, before the model runs again, so nothing follows it.
    """
    logits, state = model(prompt_ids[None, :])
    generated: list[int] = []
    tuner = ThreadTuner()
    for _ in range(length):
        step_logits = logits[0, -1]
        if greedy:
            token = int(np.argmax(step_logits))
        else:
            probs = next_token_distribution(step_logits, *sampling)
            token = int(rng.choice(probs.size, p=probs))
        generated.append(token)
        if on_token is not None:
            on_token(token)
        if stop_ids is not None and generated[-len(stop_ids) :] == stop_ids:
            break
        with tuner.step():
            logits, state = model(np.array([[token]]), state)
    return generated


def check_prompt(model: Module, prompt_ids: Any) -> IntArray:
    """The prompt as an int64 array (P,) of ids inside the model's vocabulary, P ≥ 1."""
    return check_ids(model, prompt_ids, "prompt")


def check_stop(model: Module, stop: Any) -> list[int]:
    """The stop as a list of S ≥ 1 ids inside the model's vocabulary."""
    return check_ids(model, stop, "stop").tolist()


def check_ids(model: Module, ids: Any, what: str) -> IntArray:
    """``ids`` as an int64 array (n,), n ≥ 1, inside the model's vocabulary; ``what`` names them in errors."""
    try:
        array = np.asarray(ids)
    except (TypeError, ValueError):
        array = None
    if array is not None and array.ndim > 1:
        raise GatedRNNError(
            f"the {what} must be one sequence of token ids (1-D), got an array of shape {array.shape}; "
            "pass one row, e.g. ids[0]"
        )
    if array is None or array.ndim != 1 or array.size == 0:
        raise GatedRNNError(f"the {what} must be a non-empty sequence of token ids; give at least one token")
    if array.dtype.kind not in "iu":
        raise GatedRNNError(
            f"the {what} must hold integer token ids, got {array.dtype}; encode the text with the "
            "vocabulary (vocab.encode(tokens))"
        )
    vocab_size = getattr(getattr(model, "config", None), "vocab_size", None)
    if vocab_size is not None and (array.min() < 0 or array.max() >= vocab_size):
        bad = array.min() if array.min() < 0 else array.max()
        raise GatedRNNError(
            f"{what} id {bad} is outside the model's vocabulary of {vocab_size}; ids must lie "
            f"in [0, {vocab_size}): encode the {what} with the checkpoint's vocabulary"
        )
    return array.astype(np.int64)


def check_greedy_alone(
    greedy: Any,
    temperature: FloatLike | None = None,
    top_k: IntLike | None = None,
    top_p: FloatLike | None = None,
    seed: IntLike | None = None,
) -> None:
    """Greedy decoding always takes the most likely token, so a sampling setting given with it
    (not None) would change nothing: one GatedRNNError line, the same from generate() and from
    ``gatedrnn generate --greedy``, naming each setting in both spellings."""
    settings = (
        ("temperature (--temperature)", temperature),
        ("top_k (--top-k)", top_k),
        ("top_p (--top-p)", top_p),
        ("seed (--seed)", seed),
    )
    given = [name for name, value in settings if value is not None]
    if greedy and given:
        raise GatedRNNError(
            f"greedy (--greedy) always takes the most likely token, so {' and '.join(given)} would change "
            f"nothing; leave {'it' if len(given) == 1 else 'them'} out, or drop greedy (--greedy) to sample"
        )


def check_generation(length: Any, greedy: Any, seed: Any, on_token: Any) -> None:
    """GatedRNNError in one line unless generate's length, greedy, seed and on_token are usable."""
    if not is_whole_number(length, 0):
        raise GatedRNNError(
            f"length (--length) must be a whole number ≥ 0, got {length!r}; pass the number of tokens to add"
        )
    if not isinstance(greedy, (bool, np.bool_)):
        raise GatedRNNError(f"greedy must be True or False, got {greedy!r}")
    if seed is not None:  # None: a fresh stream
        check_seed(seed)
    if on_token is not None and not callable(on_token):
        raise GatedRNNError(f"on_token must be a function of one token id, or None, got {type(on_token).__name__}")
