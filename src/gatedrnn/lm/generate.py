"""Sampling text from a language model: greedy, temperature, top-k and top-p (nucleus).

The prompt is fed in teacher-forced — its true tokens, not the model's guesses — to build up
the state; then each sampled token is fed back as the next input.
"""
import numpy as np

from ..errors import GatedRNNError
from ..functional import softmax


def next_token_distribution(logits, temperature=1.0, top_k=None, top_p=None):
    """Turn one step's logits (V,) into the probabilities (V,) to sample from.

    p ∝ exp(logits / temperature), then keep only the ``top_k`` most likely tokens and/or
    the smallest set whose mass reaches ``top_p`` (the nucleus), and renormalise.
    """
    if temperature <= 0:
        raise GatedRNNError(f"temperature must be > 0, got {temperature}; use greedy decoding for temperature 0")
    probs = softmax(np.asarray(logits, dtype=np.float64) / temperature)
    if top_k is not None:
        if top_k < 1:
            raise GatedRNNError(f"top_k must be ≥ 1, got {top_k}")
        if top_k < probs.size:
            # Exactly the k most likely (ties broken by id), even when probabilities tie.
            kept = np.zeros(probs.size, bool)
            kept[np.argsort(-probs, kind="stable")[:top_k]] = True
            probs = np.where(kept, probs, 0.0)
    if top_p is not None:
        if not 0 < top_p <= 1:
            raise GatedRNNError(f"top_p must be in (0, 1], got {top_p}")
        order = np.argsort(-probs, kind="stable")
        cumulative = np.cumsum(probs[order]) / probs.sum()
        # Keep tokens up to and including the one that brings the mass to top_p.
        cut = int(np.searchsorted(cumulative, top_p)) + 1
        kept = np.zeros(probs.size, bool)
        kept[order[:cut]] = True
        probs = np.where(kept, probs, 0.0)
    return probs / probs.sum()


def generate(model, prompt_ids, length, temperature=1.0, top_k=None, top_p=None, greedy=False, seed=None,
             on_token=None):
    """Continue ``prompt_ids`` by ``length`` sampled ids; returns the list of new ids.

    ``greedy=True`` always takes the most likely token. ``seed`` makes sampling reproducible.
    ``on_token(id)`` is called as each token is chosen, for streaming output.
    """
    prompt_ids = np.asarray(prompt_ids, dtype=np.int64)
    if prompt_ids.ndim != 1 or prompt_ids.size == 0:
        raise GatedRNNError("the prompt must hold at least one token")
    if length < 0:
        raise GatedRNNError(f"length must be ≥ 0, got {length}")
    rng = np.random.default_rng(seed)
    was_training = model.training
    model.eval()
    logits, state = model(prompt_ids[None, :])
    generated = []
    for _ in range(length):
        step_logits = logits[0, -1]
        if greedy:
            token = int(np.argmax(step_logits))
        else:
            probs = next_token_distribution(step_logits, temperature, top_k, top_p)
            token = int(rng.choice(probs.size, p=probs))
        generated.append(token)
        if on_token is not None:
            on_token(token)
        logits, state = model(np.array([[token]]), state)
    model.train(was_training)
    return generated
