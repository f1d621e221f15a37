"""Memorise one paragraph: the exercise the seed notes attempted, done so that it works.

The notes' small RNN was meant to reproduce a paragraph and printed 'eeeera  a tia…' instead.
Three things went wrong there, and each has a fix here:

* the loss was the squared error between scores and one-hot vectors; next-character
  prediction wants softmax cross-entropy (SoftmaxCrossEntropy);
* it trained for ten updates; this trains until the paragraph comes back, checking every
  ``check_every`` updates;
* generation fed the raw output scores back in as the next input; here the chosen
  character's id (the argmax) is fed back, exactly as in training, where the true previous
  character is fed in (teacher forcing).

An LSTM learns the paragraph as one sequence, backpropagating through all of it (full BPTT,
no truncation), with Adam and gradient clipping.
"""
import numpy as np

from .. import rng as _rng
from ..layers import SoftmaxCrossEntropy
from ..optim import Adam
from ..training import backward_and_step
from .toy import TinyCharModel


def greedy_reproduction(model, chars, first_char, length):
    """Start from ``first_char`` and feed back the most likely next character, ``length`` - 1 times."""
    index = {c: i for i, c in enumerate(chars)}
    model.eval()
    token, state, out = index[first_char], None, [first_char]
    for _ in range(length - 1):
        logits, state = model(np.array([[token]]), state)
        token = int(np.argmax(logits[0, -1]))
        out.append(chars[token])
    model.train()
    return "".join(out)


def memorize(text, hidden_size=128, lr=0.01, clip=1.0, max_steps=2000, check_every=25, seed=0, echo=None):
    """Train until greedy generation from ``text[0]`` gives back ``text`` exactly.

    Returns ``(model, chars, steps)``; ``steps`` is None when ``max_steps`` ran out first.
    """
    _rng.seed(seed)
    chars = sorted(set(text))
    ids = np.array([[chars.index(c) for c in text]])
    inputs, targets = ids[:, :-1], ids[:, 1:]   # (1, T): predict each next character
    model = TinyCharModel(len(chars), hidden_size)
    criterion = SoftmaxCrossEntropy()
    optimizer = Adam(model.parameters(), lr=lr)
    for step in range(1, max_steps + 1):
        logits, _ = model(inputs)
        loss = backward_and_step(model, criterion, optimizer, criterion(logits, targets), max_norm=clip).loss
        if step % check_every == 0:
            reproduced = greedy_reproduction(model, chars, text[0], len(text))
            correct = sum(a == b for a, b in zip(reproduced, text))
            if echo:
                echo(f"step {step:5d}  loss {loss:.4f}  {correct}/{len(text)} characters right")
            if reproduced == text:
                return model, chars, step
    return model, chars, None
