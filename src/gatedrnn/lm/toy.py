"""A first run that needs no data: a small LSTM learns to continue a sentence, character by character.

It exercises the whole engine — Embedding → LSTM → Linear → SoftmaxCrossEntropy, backward
through time, global-norm clipping and Adam — on a text short enough to learn in seconds,
and shows the loss falling and the model's own continuation of the text.
"""

import numpy as np

from .. import rng as _rng
from ..core import Module, check_parameters_fit
from ..errors import GatedRNNError, check_whole_number
from ..layers import LSTM, Embedding, Linear, SoftmaxCrossEntropy
from ..optim import Adam
from ..training import backward_and_step

TOY_TEXT = "the quick brown fox jumps over the lazy dog. "


class TinyCharModel(Module):
    """ids (N, T) → logits (N, T, V): embedding, one LSTM layer, a linear read-out."""

    def __init__(self, vocab_size, hidden_size):
        V, H = vocab_size, hidden_size
        check_parameters_fit(
            f"the toy's model (hidden_size {H})", [(V, H), (4 * H, H), (4 * H, H), (4 * H,), (4 * H,), (V, H), (V,)]
        )
        self.embed = Embedding(vocab_size, hidden_size)
        self.lstm = LSTM(hidden_size, hidden_size)
        self.head = Linear(hidden_size, vocab_size)

    def forward(self, ids, state=None):
        hs, state = self.lstm(self.embed(ids), state)
        return self.head(hs), state

    def backward(self, dlogits):
        dxs, _ = self.lstm.backward(self.head.backward(dlogits))
        self.embed.backward(dxs)


def toy_batches(ids, window, batch_size, generator):
    """Random windows of the repeated text: inputs (N, T) and next-character targets (N, T)."""
    starts = generator.integers(0, len(ids) - window - 1, batch_size)
    inputs = np.stack([ids[s : s + window] for s in starts])
    targets = np.stack([ids[s + 1 : s + window + 1] for s in starts])
    return inputs, targets


def greedy_continuation(model, chars, prompt, length):
    """Feed ``prompt``, then repeatedly feed back the most likely next character."""
    index = {c: i for i, c in enumerate(chars)}
    model.eval()
    logits, state = model(np.array([[index[c] for c in prompt]]))
    out = []
    for _ in range(length):
        next_id = int(np.argmax(logits[0, -1]))
        out.append(chars[next_id])
        logits, state = model(np.array([[next_id]]), state)
    model.train()
    return "".join(out)


def run(steps=300, hidden_size=32, lr=0.01, seed=0, report_every=25, echo=print):
    """Train on TOY_TEXT and report the loss as it falls; returns the list of (step, loss).

    steps: Adam steps; hidden_size: LSTM units; lr: Adam's learning rate; seed: for weights
    and batches. This signature is the single source of the toy's defaults.
    """
    for name, value in (("steps", steps), ("hidden_size", hidden_size), ("report_every", report_every)):
        check_whole_number(name, value, 1)
    _rng.check_seed(seed)
    _rng.seed(seed)
    chars = sorted(set(TOY_TEXT))
    ids = np.array([chars.index(c) for c in TOY_TEXT * 20])
    model = TinyCharModel(len(chars), hidden_size)
    criterion = SoftmaxCrossEntropy()
    optimizer = Adam(model.parameters(), lr=lr)
    generator = np.random.default_rng(seed)
    echo(f"training a 1-layer LSTM ({model.num_parameters():,} parameters) to continue {TOY_TEXT.strip()!r}")
    history = []
    for step in range(1, steps + 1):
        inputs, targets = toy_batches(ids, window=20, batch_size=16, generator=generator)
        with np.errstate(over="ignore", invalid="ignore"):  # an overflow is reported by the guard, in words
            logits, _ = model(inputs)
            result = backward_and_step(model, criterion, optimizer, criterion(logits, targets), max_norm=1.0)
        if not result.stepped:  # the "error" policy of training.NonFiniteGuard, in the toy's own words
            raise GatedRNNError(
                f"the loss or gradient became nan/inf at step {step} (loss {result.loss}, gradient norm "
                f"{result.grad_norm}): lr {lr:g} is too large; use a smaller lr, e.g. 0.01"
            )
        loss = result.loss
        history.append((step, loss))
        if step % report_every == 0 or step == 1:
            echo(f"step {step:4d}  loss {loss:.4f}")
    echo(f"prompt 'the q' → {greedy_continuation(model, chars, 'the q', 60)!r}")
    return history
