"""The seed notes' char-RNN exercise, rebuilt with its faults as switches, to see which ones matter.

The notes train a tanh RNN (H = 35) in PyTorch to recite one paragraph of about 875
characters from one-hot inputs, and it prints ``eeeera  a tia`` followed by spaces. Read
from its code, five things go wrong; each is a key of FAULTS and can be left in or fixed:

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
                 clipping; fixed: clip the global norm to ``clip``.

Training is teacher-forced in every variant, as in the notes: the true previous character is
the input at each step (their loop assigns ``input_ = output`` but overwrites it with the
next one-hot before use). The model is the notes' too: h_t = tanh(x_t W_ihᵀ + b_ih + h_{t-1}
W_hhᵀ + b_hh), scores y_t = h_t W_oᵀ + b_o, Adam with lr 0.01, one sequence, the loss summed
over the steps. :func:`run` trains one variant and reports what it recites.
"""

import numpy as np

from .. import rng as _rng
from ..core import Module
from ..layers import RNN, Linear, SoftmaxCrossEntropy
from ..optim import Adam
from ..training import backward_and_step

FAULTS = {
    "mse": "squared error on raw scores vs one-hot targets (instead of softmax cross-entropy)",
    "ten_updates": "int(epoch / 100) = 10 updates (instead of training until recited)",
    "zero_start": "generation starts from a zero vector (instead of the start token)",
    "feed_scores": "generation feeds raw scores back (instead of the chosen character's one-hot)",
    "unclipped": "no gradient clipping",
}
START, END = "<start>", "<end>"
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


def alphabet(text):
    """The text's characters, sorted, then the start and end tokens: the one-hot positions."""
    return sorted(set(text)) + [START, END]


def recite(model, symbols, length, zero_start=False, feed_scores=False):
    """Greedy generation of ``length`` characters from the start token (or the faults' variants)."""
    vocab = len(symbols)
    start = np.zeros((1, 1, vocab), np.float32)
    if not zero_start:
        start[0, 0, symbols.index(START)] = 1.0
    model.eval()
    inputs, state, text = start, None, []
    for _ in range(length):
        scores, state = model(inputs, state)
        choice = int(np.argmax(scores[0, -1]))
        text.append(symbols[choice] if symbols[choice] not in (START, END) else "")
        if feed_scores:
            inputs = scores.astype(np.float32)
        else:
            inputs = np.zeros((1, 1, vocab), np.float32)
            inputs[0, 0, choice] = 1.0
    model.train()
    return "".join(text)


def run(text, faults=tuple(FAULTS), hidden_size=35, lr=0.01, clip=1.0, max_updates=1500, check_every=25, seed=0):
    """Train one variant of the exercise on ``text``; returns what it recites and when.

    ``faults``: the FAULTS left in (all five by default: the notes' run). Training stops once
    greedy generation done right (start token, one-hot feedback) recites the text, checked
    every ``check_every`` updates, or after ``max_updates`` (10 with ``ten_updates``); then
    the variant's own generation recites. Returns a dict: ``recited`` (that generation,
    len(text) characters), ``correct_prefix`` (how many characters from the start match),
    ``exact`` (all of them), ``updates`` (made), ``learnt_at`` (the update after which the
    model had learnt the text, or None) and ``losses`` (per update).
    """
    unknown = sorted(set(faults) - set(FAULTS))
    if unknown:
        from ..errors import GatedRNNError

        raise GatedRNNError(f"unknown fault(s) {', '.join(unknown)}; choose from {', '.join(FAULTS)}")
    faults = set(faults)
    _rng.seed(seed)
    symbols = alphabet(text)
    ids = np.array([symbols.index(START)] + [symbols.index(c) for c in text] + [symbols.index(END)])
    onehots = np.eye(len(symbols), dtype=np.float32)[ids[:-1]][None]  # teacher forcing: the true inputs
    targets = ids[1:][None]
    model = OneHotRNN(len(symbols), hidden_size)
    criterion = SquaredErrorOnOneHot() if "mse" in faults else SoftmaxCrossEntropy(reduction="sum")
    optimizer = Adam(model.parameters(), lr=lr)
    budget = 10 if "ten_updates" in faults else max_updates

    losses, learnt_at, update = [], None, 0
    for update in range(1, budget + 1):
        scores, _ = model(onehots)
        loss = criterion(scores, targets)
        result = backward_and_step(model, criterion, optimizer, loss, max_norm=None if "unclipped" in faults else clip)
        losses.append(result.loss)
        # "Until it comes back" asks the model, through a sound generation, whether it has learnt
        # the text; the variant's own generation is judged once, at the end, on the same model.
        if "ten_updates" not in faults and update % check_every == 0 and recite(model, symbols, len(text)) == text:
            learnt_at = update
            break
    recited = recite(model, symbols, len(text), "zero_start" in faults, "feed_scores" in faults)
    prefix = next((i for i, (a, b) in enumerate(zip(recited, text, strict=False)) if a != b), len(text))
    return dict(
        faults=sorted(faults),
        recited=recited,
        correct_prefix=prefix,
        exact=recited == text,
        updates=update,
        learnt_at=learnt_at,
        losses=losses,
    )
