"""A plain training loop for SequenceClassifier and SequenceTagger, with accuracy."""
import math
import time

import numpy as np

from .clip import clip_grad_norm
from .layers import SoftmaxCrossEntropy


def evaluate(model, batches):
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
    from tqdm import tqdm

    criterion = SoftmaxCrossEntropy(ignore_index=train.ignore_index)
    history = []
    for epoch in range(1, epochs + 1):
        started, losses = time.perf_counter(), []
        for inputs, lengths, targets in tqdm(train, desc=f"epoch {epoch}/{epochs}", leave=False, disable=not progress):
            loss = criterion(model(inputs, lengths), targets)
            optimizer.zero_grad()
            model.backward(criterion.backward())
            if clip:
                clip_grad_norm(model.parameters(), clip)
            optimizer.step()
            losses.append(loss)
        valid_loss, valid_accuracy = evaluate(model, valid)
        record = dict(epoch=epoch, train_loss=float(np.mean(losses)), valid_loss=valid_loss,
                      valid_accuracy=valid_accuracy, seconds=time.perf_counter() - started)
        history.append(record)
        echo(f"epoch {epoch:3d} | train loss {record['train_loss']:.4f} | valid loss {valid_loss:.4f} | "
             f"valid accuracy {valid_accuracy:.2%}")
        if not math.isfinite(record["train_loss"]):
            break
    return history


def run_task(name, cell="lstm", bidirectional=False, pooling="last", hidden_size=64, epochs=10, lr=0.005,
             batch_size=32, train_count=4000, valid_count=1000, test_count=1000, seed=0, echo=print, progress=True):
    """Train a classifier or tagger on a synthetic task (see gatedrnn.tasks); returns a results dict."""
    from . import rng as _rng
    from .data import BucketBatches
    from .optim import Adam
    from .sequence_models import SequenceClassifier, SequenceTagger
    from .tasks import TASKS, make_task

    task = TASKS.get(name)
    if task is None:
        from .errors import GatedRNNError
        raise GatedRNNError(f"unknown task {name!r}; choose one of {', '.join(TASKS)}")
    splits = {split: make_task(name, count, seed=seed * 3 + offset)
              for offset, (split, count) in enumerate((("train", train_count), ("valid", valid_count),
                                                        ("test", test_count)))}
    batches = {split: BucketBatches(*data, batch_size=batch_size, shuffle=split == "train", seed=seed)
               for split, data in splits.items()}
    _rng.seed(seed)
    common = dict(embedding_size=16, hidden_size=hidden_size, cell=cell, bidirectional=bidirectional)
    if task["kind"] == "classify":
        model = SequenceClassifier(task["vocab_size"], task["classes"], pooling=pooling, **common)
    else:
        model = SequenceTagger(task["vocab_size"], task["classes"], **common)
    echo(f"{name}: {type(model).__name__}, {'bidirectional ' if bidirectional else ''}{cell.upper()} {hidden_size}, "
         f"{model.num_parameters():,} parameters, {train_count} training sequences")
    started = time.perf_counter()
    history = fit(model, Adam(model.parameters(), lr=lr), batches["train"], batches["valid"], epochs,
                  echo=echo, progress=progress)
    test_loss, test_accuracy = evaluate(model, batches["test"])
    echo(f"test accuracy {test_accuracy:.2%} (loss {test_loss:.4f})")
    return dict(task=name, model=model.config, epochs=epochs, lr=lr, batch_size=batch_size, seed=seed,
                train_count=train_count, history=history, test_loss=test_loss, test_accuracy=test_accuracy,
                seconds=time.perf_counter() - started)
