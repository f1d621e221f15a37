"""Training a Seq2Seq with teacher forcing, and scoring it by exact match of its greedy output.

One epoch visits the training pairs once in a new random order, in batches; each step is the
one update step of the library (gatedrnn.training.backward_and_step: zero, backward, clip
the global norm, Adam). After each epoch the whole test set is decoded greedily and an
answer counts only if every character is right (the book's ``is_correct``).
"""
import time

import numpy as np

from .. import rng as _rng
from ..errors import GatedRNNError, check_whole_number, is_finite_number, short_repr
from ..layers import SoftmaxCrossEntropy
from ..optim import Adam
from ..progress import bar
from ..training import backward_and_step
from .seq2seq import OneToMany, Seq2Seq, beam_search, scheduled_inputs
from .transduction_tasks import BOS, EOS, ONE_TO_MANY_TASKS, PAD, make_transduction_task


def exact_match(model, data, split="test", batch_size=1000, beam_width=1):
    """The fraction of ``split``'s sources whose decoding is exactly the target: greedy, or by
    beam search of ``beam_width`` (gatedrnn.seq.seq2seq.beam_search) when it is above 1."""
    sources, targets = getattr(data, split)
    steps = data.target_width or max(len(t) for t in targets) + 1
    eos = None if data.target_width else data.symbols.index(EOS)
    if beam_width > 1:
        ids, lengths = data.encode_sources(sources)
        found = (beam_search(model, ids[n], lengths[n], data.symbols.index(BOS), steps, beam_width, eos)[0]
                 for n in range(len(sources)))
        return sum(data.decode(row) == target for row, target in zip(found, targets)) / len(sources)
    correct = 0
    for start in range(0, len(sources), batch_size):
        ids, lengths = data.encode_sources(sources[start:start + batch_size])
        out = model.greedy(ids, lengths, data.symbols.index(BOS), steps, eos_id=eos)
        correct += sum(data.decode(row) == target for row, target in zip(out, targets[start:start + batch_size]))
    return correct / len(sources)


def fit_transduction(model, data, epochs, batch_size=128, lr=1e-3, clip=5.0, teacher_forcing=1.0, lr_decay=1.0,
                     decay_after=1, echo=print, progress=True):
    """Train ``model`` on ``data.train``; returns one record per epoch (loss, test exact match, seconds).

    ``teacher_forcing``: the probability that the decoder is fed the true previous token at
    each step (1: always, teacher forcing; below 1: scheduled sampling, the rest of the time
    its own previous choice; gatedrnn.seq.seq2seq.scheduled_inputs). ``lr_decay``: the
    learning rate of epoch e = 1, 2, … is lr · lr_decay^max(e - decay_after, 0): the first
    ``decay_after`` epochs at lr, then one factor more per epoch (1: constant, as in the
    book). Adam at a constant rate keeps jumping between nearby solutions late in a
    run (a test score that swings by a few points from one epoch to the next); a decaying
    tail lets it settle.
    """
    sources, targets = data.train
    ids, lengths = data.encode_sources(sources)
    decoder_inputs, outputs = data.encode_targets(targets)
    criterion = SoftmaxCrossEntropy(ignore_index=data.symbols.index(PAD))
    optimizer = Adam(model.parameters(), lr=lr)
    generator = _rng.generator()
    history = []
    for epoch in range(1, epochs + 1):
        started, losses = time.perf_counter(), []
        order = generator.permutation(len(sources))
        for start in bar(range(0, len(order), batch_size), desc=f"epoch {epoch}/{epochs}", leave=False,
                         progress=progress):
            rows = order[start:start + batch_size]
            width = lengths[rows].max()
            inputs = scheduled_inputs(model, ids[rows, :width], lengths[rows], decoder_inputs[rows], teacher_forcing,
                                      generator)
            logits = model(ids[rows, :width], lengths[rows], inputs)
            loss = criterion(logits, outputs[rows])
            losses.append(backward_and_step(model, criterion, optimizer, loss, max_norm=clip).loss)
        if epoch >= decay_after:
            optimizer.lr = optimizer.lr * lr_decay
        accuracy = exact_match(model, data)
        record = dict(epoch=epoch, train_loss=float(np.mean(losses)), test_exact_match=accuracy,
                      seconds=time.perf_counter() - started)
        history.append(record)
        echo(f"epoch {epoch:3d} | loss {record['train_loss']:.4f} | test exact match {accuracy:7.2%} | "
             f"{record['seconds']:.1f} s")
    return history


def run_transduction(task="addition", reverse_source=False, peeky=False, attention=None, input_feeding=False,
                     bidirectional=False, cell="lstm", embedding_size=16, hidden_size=128, epochs=25, batch_size=128,
                     lr=1e-3, clip=5.0, lr_decay=1.0, decay_after=1, teacher_forcing=1.0, train_count=None,
                     test_count=None,
                     beam_width=1, seed=0, echo=print, progress=True, keep_model=False):
    """Generate ``task``, train a Seq2Seq on it, and return its settings, history and final exact match.

    The defaults are the book's chapter 7 settings for addition (wordvec 16, hidden 128, batch
    128, Adam 10⁻³, clip 5, 25 epochs); ``train_count`` and ``test_count`` default to the
    task's own (addition: the book's 45,000 and 5,000). ``beam_width`` above 1 also scores the
    final model by beam search of that width. ``keep_model`` adds the trained model to the
    result as ``trained_model``.
    """
    for name, value, minimum in (("embedding_size", embedding_size, 1), ("hidden_size", hidden_size, 1),
                                 ("epochs", epochs, 0), ("batch_size", batch_size, 1), ("beam_width", beam_width, 1),
                                 ("seed", seed, 0), ("decay_after", decay_after, 1)):
        check_whole_number(name, value, minimum)
    for name, value in (("lr", lr), ("clip", clip)):
        if not (is_finite_number(value) and value > 0):
            raise GatedRNNError(f"{name} must be a finite number > 0, got {short_repr(value)}")
    if not (is_finite_number(lr_decay) and 0.0 < lr_decay <= 1.0):
        raise GatedRNNError(f"lr_decay must be a number in (0, 1], got {short_repr(lr_decay)}")
    if not (is_finite_number(teacher_forcing) and 0.0 <= teacher_forcing <= 1.0):
        raise GatedRNNError(f"teacher_forcing must be a probability in [0, 1], got {short_repr(teacher_forcing)}")
    _rng.seed(seed)
    sizes = {name: value for name, value in (("train_count", train_count), ("test_count", test_count))
             if value is not None}
    for name, value in sizes.items():
        check_whole_number(name, value, 1)
    data = make_transduction_task(task, seed=seed, **sizes)
    if task in ONE_TO_MANY_TASKS:   # one class token in: a decoder started from its vector
        if reverse_source or peeky or attention or input_feeding or bidirectional:
            raise GatedRNNError(f"{task} is one-to-many: reverse_source, peeky and attention need a source sequence")
        model = OneToMany(data.vocab_size, embedding_size, hidden_size, cell=cell)
    else:
        model = Seq2Seq(data.vocab_size, embedding_size, hidden_size, cell=cell, reverse_source=reverse_source,
                        peeky=peeky, attention=attention, input_feeding=input_feeding, bidirectional=bidirectional)
    history = fit_transduction(model, data, epochs, batch_size=batch_size, lr=lr, clip=clip,
                               teacher_forcing=teacher_forcing, lr_decay=lr_decay, decay_after=decay_after, echo=echo,
                               progress=progress)
    result = dict(task=task, model=model.config, epochs=epochs, batch_size=batch_size, lr=lr, clip=clip,
                  lr_decay=lr_decay, decay_after=decay_after, teacher_forcing=teacher_forcing, seed=seed,
                  train_pairs=len(data.train[0]), test_pairs=len(data.test[0]), history=history,
                  test_exact_match=history[-1]["test_exact_match"] if history else None)
    if beam_width > 1:
        result.update(beam_width=beam_width, test_exact_match_beam=exact_match(model, data, beam_width=beam_width))
        echo(f"beam search of width {beam_width}: test exact match {result['test_exact_match_beam']:7.2%}")
    if keep_model:
        result["trained_model"] = model
    return result
