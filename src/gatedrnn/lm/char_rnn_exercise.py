"""The seed notes' char-RNN exercise, rebuilt with its faults as switches, to see which ones matter.

The notes train a tanh RNN (H = 35) in PyTorch to recite one paragraph of 875 characters
(NOTES_PARAGRAPH) from one-hot inputs, and it prints ``eeeera  a tia`` followed by spaces.
Read from its code, six things look wrong; each is a key of FAULTS and can be left in or fixed:

``mse``          The loss is a squared error between the raw scores and one-hot targets.
                 Its cheapest fit is each character's frequency (' ' and 'e' above all);
                 fixed: softmax cross-entropy on the scores.
``ten_updates``  ``for i in range(int(epoch / 100))`` with epoch = 1000 makes 10 updates,
                 and its print fires at i = 0 only, before anything is learnt; fixed: train
                 until the paragraph comes back (checked every ``check_every`` updates).
``zero_start``   ``start[:-2] = 1`` on a (1, 46) tensor slices its first axis, which has one
                 row, so nothing is set: generation starts from a zero vector the model never
                 saw; fixed: the start token's one-hot, as in training.
``feed_scores``  Generation feeds the raw output scores back as the next input, where
                 training fed one-hot vectors; fixed: the one-hot of the chosen (argmax)
                 character.
``unclipped``    Full backpropagation through ~876 steps of a tanh RNN with no gradient
                 clipping; fixed: clip the global norm to ``clip``. Measured over five seeds
                 (benchmarks/char_rnn_exercise.py), this one does no harm with Adam: the
                 model learns faster unclipped.
``same_token``   ``chars = "…0123456789@@"``: the start and the end token are one character,
                 '@', and generation runs a fixed number of steps, never stopping at the end
                 token; it writes '@' and goes on. Fixed: an end token of its own that stops
                 generation. (Training is unaffected: the two tokens keep separate one-hot
                 positions, −2 and −1.)

Training is teacher-forced in every variant, as in the notes: the true previous character is
the input at each step (their loop assigns ``input_ = output`` but overwrites it with the
next one-hot before use). The model is the notes' too: h_t = tanh(x_t W_ihᵀ + b_ih + h_{t-1}
W_hhᵀ + b_hh), scores y_t = h_t W_oᵀ + b_o, Adam with lr 0.01, one sequence, the loss summed
over the steps.

Three faults change training (TRAINING_FAULTS) and three change only generation. Variants that
differ only in generation faults train the same model, so :func:`run_variants` trains once per
set of training faults and judges each variant's generation on that model, which gives exactly
what separate :func:`run` calls would give, in a fraction of the time.
"""

from collections.abc import Iterable, Iterator, Mapping

import numpy as np

from .. import rng as _rng
from ..core import Module
from ..errors import GatedRNNError
from ..layers import RNN, Linear, SoftmaxCrossEntropy
from ..optim import Adam
from ..training import backward_and_step

FAULTS = {
    "mse": "squared error on raw scores vs one-hot targets (instead of softmax cross-entropy)",
    "ten_updates": "int(epoch / 100) = 10 updates (instead of training until recited)",
    "zero_start": "generation starts from a zero vector (instead of the start token)",
    "feed_scores": "generation feeds raw scores back (instead of the chosen character's one-hot)",
    "unclipped": "no gradient clipping",
    "same_token": '"@@": one character for start and end, and generation never stops at the end '
    "(instead of an end token that stops it)",
}
TRAINING_FAULTS = ("mse", "ten_updates", "unclipped")
START, END = "<start>", "<end>"
SHARED_TOKEN_CHARACTER = "@"  # how the notes' "@@" writes both tokens
OVERRUN = 40  # generation may run this far past the text's length: room to show it does not stop
# A paragraph of the exercise's length (871 characters, 36 distinct), written for it.
PARAGRAPH = (
    "the lighthouse on the north cape was built in 1874 from granite cut on the island itself. "
    "for 96 years a keeper climbed its 142 steps every evening, trimmed the wick, wound the clockwork "
    "that turned the lens, and wrote the weather into a book: wind, sea, cloud and anything that passed. "
    "the books survive, 31 of them, and they are mostly dull, which is their value. a storm is two lines, "
    "a wreck is half a page, and a calm week in june is seven short entries that say the same thing. "
    "read together they show how the winters grew milder, how the herring boats came later each spring, "
    "and how the keepers themselves changed: the early ones wrote in pencil and spelled as they spoke, "
    "the later ones typed. when the light was automated in 1970 the last keeper left the final book open "
    "on the desk, with one line for the day: fair, wind west, light working, nothing to report."
)
# The notes' own string (875 characters, 34 distinct; quoted from them, typos included: it is
# the opening of He et al. 2015's abstract) and their fixed alphabet of 44 characters, to which
# their "@@" adds the start and end positions: one-hot vectors of 46.
NOTES_PARAGRAPH = (
    "hello pytorch. deeper neural networks are more difficult to train. we present a residual learning "
    "framework to ease the training of networks that are substantially deeper than those used previously. "
    "we explicitly reformulate the layers as learning residual functions with reference to the layer "
    "inputs, instead of learning unreferenced functions. we provide comprehensive empirical evidence "
    "showing that these residual networks are easier to optimize, and can gain accuracy from considerably "
    "increased depth. on the imagenet dataset we evaluate residual nets with a depth of up to 152 layers8 "
    "times deeper than vgg nets but still having lower complexity. an ensemble of these residual nets "
    "achieves 3.57 percent error on the imagenet test set. this result won the 1st place on the ilsvrc 2015 "
    "classification task. we also present analysis on cifar10 with 100 and 1000 layers."
)
NOTES_CHARACTERS = "abcdefghijklmnopqrstuvwxyz ?!.,:;-0123456789"


class OneHotRNN(Module):
    """The notes' model: one-hot (N, T, V) → tanh RNN (H) → scores (N, T, V)."""

    def __init__(self, vocab_size, hidden_size):
        self.rnn = RNN(vocab_size, hidden_size)
        self.out = Linear(hidden_size, vocab_size)

    def forward(self, onehots, state=None):
        hs, state = self.rnn(onehots, state)
        return self.out(hs), state

    def backward(self, dscores):
        self.rnn.backward(self.out.backward(dscores))


class SquaredErrorOnOneHot(Module):
    """Σ_t mean_v (y_tv − [v = target_t])²: torch's MSELoss per step, summed over the steps as the notes do.

    scores (N, T, V), targets (N, T) ids. Backward: d/dy = 2 (y − onehot) / V.
    """

    def forward(self, scores, targets):
        self._difference = scores - np.eye(scores.shape[-1], dtype=scores.dtype)[targets]
        return float(np.sum(self._difference**2) / scores.shape[-1])

    def backward(self, dloss=1.0):
        return (2.0 * dloss / self._difference.shape[-1]) * self._difference


def alphabet(text: str, characters: str | None = None) -> list[str]:
    """The one-hot positions: ``characters`` (default: the text's own, sorted), then start and end."""
    if characters is None:
        return sorted(set(text)) + [START, END]
    missing = sorted(set(text) - set(characters))
    if missing or len(set(characters)) != len(characters):
        raise GatedRNNError(
            f"characters must list each character of the text once; missing {''.join(missing)!r}"
            if missing
            else "characters must list each character once; remove the repeats"
        )
    return list(characters) + [START, END]


def greedy_characters(
    model: OneHotRNN, symbols: list[str], limit: int, zero_start=False, feed_scores=False, same_token=False
) -> Iterator[str]:
    """Greedy generation from the start token, one character at a time, at most ``limit``.

    Done right it stops when the model chooses the end token. ``same_token`` is the notes'
    "@@": the start and end tokens are written as '@' and generation goes on. ``zero_start`` and
    ``feed_scores`` are the other two faults of the notes' generation. The model is in eval mode
    while this runs (a generator: the caller may stop early, which restores training mode).
    """
    vocab = len(symbols)
    inputs = np.zeros((1, 1, vocab), np.float32)
    if not zero_start:
        inputs[0, 0, symbols.index(START)] = 1.0
    model.eval()
    state = None
    try:
        for _ in range(limit):
            scores, state = model(inputs, state)
            choice = int(np.argmax(scores[0, -1]))
            if symbols[choice] in (START, END):
                if not same_token:
                    return
                yield SHARED_TOKEN_CHARACTER
            else:
                yield symbols[choice]
            if feed_scores:
                inputs = scores.astype(np.float32)
            else:
                inputs = np.zeros((1, 1, vocab), np.float32)
                inputs[0, 0, choice] = 1.0
    finally:
        model.train()


def recite(model, symbols, length, zero_start=False, feed_scores=False, same_token=False):
    """What greedy generation writes, at most ``length`` characters (see greedy_characters)."""
    return "".join(greedy_characters(model, symbols, length, zero_start, feed_scores, same_token))


def recites(model: OneHotRNN, symbols: list[str], text: str) -> bool:
    """Whether sound greedy generation writes exactly ``text`` and stops.

    It gives up at the first wrong character, so the check costs little until the model is close.
    """
    written = greedy_characters(model, symbols, len(text) + 1)
    try:
        return all(next(written, None) == expected for expected in text) and next(written, None) is None
    finally:
        written.close()  # back to training mode now, not when the generator is collected


def train(text, symbols, training_faults=(), hidden_size=35, lr=0.01, clip=1.0, max_updates=1500, check_every=25):
    """Train the notes' model on ``text`` with ``training_faults`` left in; (model, updates, learnt_at, losses).

    Stops once :func:`recites` (checked every ``check_every`` updates), or after ``max_updates``
    (10 with ``ten_updates``, unchecked). ``learnt_at``: the update after which the model
    recited the text, or None. Seed the library's generator first (gatedrnn.seed).
    """
    ids = np.array([symbols.index(START)] + [symbols.index(c) for c in text] + [symbols.index(END)])
    onehots = np.eye(len(symbols), dtype=np.float32)[ids[:-1]][None]  # teacher forcing: the true inputs
    targets = ids[1:][None]
    model = OneHotRNN(len(symbols), hidden_size)
    criterion = SquaredErrorOnOneHot() if "mse" in training_faults else SoftmaxCrossEntropy(reduction="sum")
    optimizer = Adam(model.parameters(), lr=lr)
    ten_updates = "ten_updates" in training_faults
    max_norm = None if "unclipped" in training_faults else clip
    losses, learnt_at, update = [], None, 0
    for update in range(1, (10 if ten_updates else max_updates) + 1):
        scores, _ = model(onehots)
        loss = criterion(scores, targets)
        losses.append(backward_and_step(model, criterion, optimizer, loss, max_norm=max_norm).loss)
        # "Until it comes back" asks the model, through a sound generation, whether it has learnt
        # the text; each variant's own generation is judged once, at the end, on the same model.
        if not ten_updates and update % check_every == 0 and recites(model, symbols, text):
            learnt_at = update
            break
    return model, update, learnt_at, losses


def check_faults(faults: Iterable[str]) -> set[str]:
    """The faults as a set, refusing a name that is not a key of FAULTS."""
    faults = set(faults)
    unknown = sorted(faults - set(FAULTS))
    if unknown:
        raise GatedRNNError(f"unknown fault(s) {', '.join(unknown)}; choose from {', '.join(FAULTS)}")
    return faults


def run_variants(
    text: str,
    variants: Mapping[str, Iterable[str]],
    characters: str | None = None,
    hidden_size=35,
    lr=0.01,
    clip=1.0,
    max_updates=1500,
    check_every=25,
    seed=0,
) -> dict[str, dict]:
    """Train and judge each variant (label → the FAULTS left in) on ``text``; label → result.

    Each distinct set of training faults is trained once, from ``seed``, and every variant that
    shares it is judged on that model: its own generation writes at most len(text) + OVERRUN
    characters. A result is a dict: ``recited`` (what it wrote), ``correct_prefix`` (how many
    characters from the start match), ``exact`` (it wrote the text and stopped), ``learnt_at``
    (the update after which the model had learnt the text, or None), ``updates`` (made) and
    ``losses`` (per update). ``characters``: the one-hot alphabet (default: the text's own).
    """
    faults_of = {label: check_faults(faults) for label, faults in variants.items()}
    symbols = alphabet(text, characters)
    trained = {}
    for faults in faults_of.values():
        key = tuple(sorted(faults & set(TRAINING_FAULTS)))
        if key not in trained:
            _rng.seed(seed)
            trained[key] = train(text, symbols, key, hidden_size, lr, clip, max_updates, check_every)
    results = {}
    for label, faults in faults_of.items():
        model, updates, learnt_at, losses = trained[tuple(sorted(faults & set(TRAINING_FAULTS)))]
        generation = (name in faults for name in ("zero_start", "feed_scores", "same_token"))
        recited = recite(model, symbols, len(text) + OVERRUN, *generation)
        prefix = next((i for i, (a, b) in enumerate(zip(recited, text, strict=False)) if a != b), len(text))
        results[label] = dict(
            faults=sorted(faults),
            recited=recited,
            correct_prefix=min(prefix, len(recited)),
            exact=recited == text,
            updates=updates,
            learnt_at=learnt_at,
            losses=losses,
        )
    return results


def run(
    text,
    faults=tuple(FAULTS),
    hidden_size=35,
    lr=0.01,
    clip=1.0,
    max_updates=1500,
    check_every=25,
    seed=0,
    characters=None,
):
    """Train one variant of the exercise on ``text`` (all six faults by default: the notes' run).

    The result of :func:`run_variants` for that one variant.
    """
    only = {"run": faults}
    return run_variants(text, only, characters, hidden_size, lr, clip, max_updates, check_every, seed)["run"]
