"""A plain training loop for SequenceClassifier and SequenceTagger, with accuracy."""
import math
import time

import numpy as np

from .. import rng as _rng
from ..data import BucketBatches
from ..errors import GatedRNNError, check_whole_number
from ..layers import RECURRENT_LAYERS, SoftmaxCrossEntropy
from ..optim import Adam
from ..training import backward_and_step
from .models import POOLINGS, SequenceClassifier, SequenceTagger
from .tasks import TASKS, make_task


def loss_and_accuracy(model, batches):
    """Mean loss and accuracy over ``batches`` (padded tags, ignore_index, are not counted)."""
    was_training = model.training
    model.eval()
    criterion = SoftmaxCrossEntropy(ignore_index=batches.ignore_index, reduction="sum")
    total, correct, count = 0.0, 0, 0
    for inputs, lengths, targets in batches:
        logits = model(inputs, lengths)
        total += criterion(logits, targets)
        counted = targets != batches.ignore_index
        correct += int(np.sum((logits.argmax(axis=-1) == targets) & counted))
        count += int(counted.sum())
    model.train(was_training)
    return total / count, correct / count


def fit(model, optimizer, train, valid, epochs, clip=1.0, echo=print, progress=True):
    """Train for ``epochs`` passes over ``train``; returns one record per epoch."""
    from ..progress import bar

    criterion = SoftmaxCrossEntropy(ignore_index=train.ignore_index)
    history = []
    for epoch in range(1, epochs + 1):
        started, losses = time.perf_counter(), []
        for inputs, lengths, targets in bar(train, desc=f"epoch {epoch}/{epochs}", leave=False, progress=progress):
            loss = criterion(model(inputs, lengths), targets)
            losses.append(backward_and_step(model, criterion, optimizer, loss, max_norm=clip).loss)
        valid_loss, valid_accuracy = loss_and_accuracy(model, valid)
        record = dict(epoch=epoch, train_loss=float(np.mean(losses)), valid_loss=valid_loss,
                      valid_accuracy=valid_accuracy, seconds=time.perf_counter() - started)
        history.append(record)
        echo(f"epoch {epoch:3d} | train loss {record['train_loss']:.4f} | valid loss {valid_loss:.4f} | "
             f"valid accuracy {valid_accuracy:.2%}")
        if not math.isfinite(record["train_loss"]):
            break
    return history


def run_task(task, cell="lstm", bidirectional=False, pooling="last", hidden_size=64, epochs=10, lr=0.005,
             batch_size=32, train_count=4000, valid_count=1000, test_count=1000, seed=0, echo=print, progress=True):
    """Train a classifier or tagger on a synthetic task (gatedrnn.seq.tasks); returns a results dict.

    This signature is the single source of ``gatedrnn task``'s defaults.
    """
    _check_task_options(task, cell, pooling, hidden_size=hidden_size, epochs=epochs, batch_size=batch_size,
                        train_count=train_count, valid_count=valid_count, test_count=test_count)
    check_whole_number("seed", seed, 0)
    spec = TASKS[task]
    splits = {split: make_task(task, count, seed=seed * 3 + offset)
              for offset, (split, count) in enumerate((("train", train_count), ("valid", valid_count),
                                                        ("test", test_count)))}
    batches = {split: BucketBatches(*data, batch_size=batch_size, shuffle=split == "train", seed=seed)
               for split, data in splits.items()}
    _rng.seed(seed)
    common = dict(embedding_size=16, hidden_size=hidden_size, cell=cell, bidirectional=bidirectional)
    if spec["kind"] == "classify":
        model = SequenceClassifier(spec["vocab_size"], spec["classes"], pooling=pooling, **common)
    else:
        model = SequenceTagger(spec["vocab_size"], spec["classes"], **common)
    echo(f"{task}: {type(model).__name__}, {'bidirectional ' if bidirectional else ''}{cell.upper()} {hidden_size}, "
         f"{model.num_parameters():,} parameters, {train_count} training sequences")
    started = time.perf_counter()
    history = fit(model, Adam(model.parameters(), lr=lr), batches["train"], batches["valid"], epochs,
                  echo=echo, progress=progress)
    test_loss, test_accuracy = loss_and_accuracy(model, batches["test"])
    echo(f"test accuracy {test_accuracy:.2%} (loss {test_loss:.4f})")
    return dict(task=task, model=model.config, epochs=epochs, lr=lr, batch_size=batch_size, seed=seed,
                train_count=train_count, history=history, test_loss=test_loss, test_accuracy=test_accuracy,
                seconds=time.perf_counter() - started)


def _check_task_options(task, cell, pooling, **counts):
    """One-line errors for an unknown name or a count that is not a whole number ≥ 1."""
    for name, value, known in (("task", task, TASKS), ("cell", cell, RECURRENT_LAYERS), ("pooling", pooling, POOLINGS)):
        if value not in known:
            raise GatedRNNError(f"unknown {name} {value!r}; choose one of {', '.join(known)}")
    for name, value in counts.items():
        check_whole_number(name, value, 1)
