"""A plain training loop for SequenceClassifier and SequenceTagger, with accuracy."""

import time
from collections.abc import Callable
from typing import Any

import numpy as np

from .. import rng as _rng
from ..data import BucketBatches
from ..errors import signature_defaults
from ..layers import SoftmaxCrossEntropy
from ..optim import Adam, Optimizer
from ..training import NonFiniteGuard, check_finite_weights, guarded_step
from ..typing import FloatLike, IntLike
from .arguments import check_loop, check_task_options
from .models import SequenceClassifier, SequenceTagger
from .tasks import TASKS, make_task


def loss_and_accuracy(model: SequenceClassifier | SequenceTagger, batches: BucketBatches) -> tuple[float, float]:
    """Mean loss and accuracy over ``batches`` (padded tags, ignore_index, are not counted).

    Both are Python floats: the mean cross-entropy (nats) per counted target, and the fraction
    of them whose highest score is the right class. The model is evaluated in eval mode and
    left in the mode it was in.
    """
    was_training = model.training
    model.eval()
    criterion = SoftmaxCrossEntropy(ignore_index=batches.ignore_index, reduction="sum")
    total: float = 0.0
    correct, count = 0, 0
    for inputs, lengths, targets in batches:
        logits = model(inputs, lengths)
        total += criterion(logits, targets)
        counted = targets != batches.ignore_index
        correct += int(np.sum((logits.argmax(axis=-1) == targets) & counted))
        count += int(counted.sum())
    model.train(was_training)
    return total / count, correct / count


def fit(
    model: SequenceClassifier | SequenceTagger,
    optimizer: Optimizer,
    train: BucketBatches,
    valid: BucketBatches,
    epochs: IntLike,
    clip: FloatLike | None = 1.0,
    echo: Callable[[str], object] = print,
    progress: bool = True,
    on_nonfinite: str = "error",
) -> list[dict[str, Any]]:
    """Train for ``epochs`` passes over ``train``; returns one record per epoch.

    A record: epoch, train_loss, valid_loss, valid_accuracy (floats), skipped_updates (int),
    seconds. ``clip``: the global gradient norm each update is clipped to (None or 0: no
    clipping, as train's ``--clip 0``). Every argument is checked before the first step.

    ``on_nonfinite``: "error" stops at a nan/inf loss or gradient, "skip" skips that update
    and stops after 10 in a row (gatedrnn.training.NonFiniteGuard, as the language models do).
    An epoch's train_loss is the mean over the updates made.
    """
    from ..progress import bar

    checked = check_loop(
        signature_defaults(fit), epochs=epochs, clip=clip, echo=echo, progress=progress, on_nonfinite=on_nonfinite
    )
    epochs, clip = checked["epochs"], checked["clip"]
    criterion = SoftmaxCrossEntropy(ignore_index=train.ignore_index)
    guard = NonFiniteGuard(on_nonfinite)
    history: list[dict[str, Any]] = []
    for epoch in range(1, epochs + 1):
        started, losses = time.perf_counter(), []
        for number, (inputs, lengths, targets) in enumerate(
            bar(train, desc=f"epoch {epoch}/{epochs}", leave=False, progress=progress)
        ):

            def forward(inputs=inputs, lengths=lengths, targets=targets):  # this batch, bound now
                return criterion(model(inputs, lengths), targets)

            result = guarded_step(
                model,
                criterion,
                optimizer,
                forward,
                guard,
                where_in_run(epoch, number, len(train)),
                max_norm=clip,
            )
            if result.stepped:
                losses.append(result.loss)
        check_finite_weights(optimizer.params, f"in epoch {epoch}")
        valid_loss, valid_accuracy = loss_and_accuracy(model, valid)
        record = dict(
            epoch=epoch,
            train_loss=float(np.mean(losses)) if losses else float("nan"),
            valid_loss=valid_loss,
            valid_accuracy=valid_accuracy,
            skipped_updates=guard.skipped,
            seconds=time.perf_counter() - started,
        )
        history.append(record)
        echo(
            f"epoch {epoch:3d} | train loss {record['train_loss']:.4f} | valid loss {valid_loss:.4f} | "
            f"valid accuracy {valid_accuracy:.2%}"
        )
    return history


# The global gradient norm run_task clips every update to (fit's default; `gatedrnn task brackets`
# has no --clip): recorded in its results, as the other tasks record their --clip.
TASK_CLIP = 1.0


def run_task(
    task: str,
    cell: str = "lstm",
    bidirectional: bool = False,
    pooling: str | None = None,
    hidden_size: IntLike = 64,
    epochs: IntLike = 10,
    lr: FloatLike = 0.005,
    batch_size: IntLike = 32,
    train_count: IntLike = 4000,
    valid_count: IntLike = 1000,
    test_count: IntLike = 1000,
    on_nonfinite: str = "error",
    seed: IntLike = 0,
    echo: Callable[[str], object] = print,
    progress: bool = True,
) -> dict[str, Any]:
    """Train a classifier or tagger on a synthetic task (gatedrnn.seq.tasks); returns a results dict.

    This signature is the single source of ``gatedrnn task``'s defaults. ``pooling``: how the
    classifier (brackets) reads a sequence, "last" (the default), "mean" or "max"; a tagger
    (neighbours) pools nothing and refuses it. ``on_nonfinite``: "error" (stop at a nan/inf
    loss or gradient) or "skip" (skip that update), as in train. The results record every
    setting that ran, the clipping of the updates (TASK_CLIP) among them.
    """
    options = check_task_options(
        signature_defaults(run_task),
        task=task,
        cell=cell,
        bidirectional=bidirectional,
        pooling=pooling,
        hidden_size=hidden_size,
        epochs=epochs,
        lr=lr,
        batch_size=batch_size,
        train_count=train_count,
        valid_count=valid_count,
        test_count=test_count,
        on_nonfinite=on_nonfinite,
        seed=seed,
        echo=echo,
        progress=progress,
    )
    task, cell, bidirectional, hidden_size, epochs, lr, batch_size, train_count, seed, echo = (
        options[name]
        for name in (
            "task",
            "cell",
            "bidirectional",
            "hidden_size",
            "epochs",
            "lr",
            "batch_size",
            "train_count",
            "seed",
            "echo",
        )
    )
    spec = TASKS[task]
    splits = {
        split: make_task(task, options[f"{split}_count"], seed=seed * 3 + offset)
        for offset, split in enumerate(("train", "valid", "test"))
    }
    batches = {
        split: BucketBatches(sequences, targets, batch_size=batch_size, shuffle=split == "train", seed=seed)
        for split, (sequences, targets) in splits.items()
    }
    _rng.seed(seed)
    common: dict[str, Any] = dict(embedding_size=16, hidden_size=hidden_size, cell=cell, bidirectional=bidirectional)
    model: SequenceClassifier | SequenceTagger
    if spec["kind"] == "classify":
        model = SequenceClassifier(spec["vocab_size"], spec["classes"], pooling=options["pooling"] or "last", **common)
    else:
        model = SequenceTagger(spec["vocab_size"], spec["classes"], **common)
    echo(
        f"{task}: {type(model).__name__}, {'bidirectional ' if bidirectional else ''}{cell.upper()} {hidden_size}, "
        f"{model.num_parameters():,} parameters, {train_count} training sequences"
    )
    started = time.perf_counter()
    history = fit(
        model,
        Adam(model.parameters(), lr=lr),
        batches["train"],
        batches["valid"],
        epochs,
        clip=TASK_CLIP,
        echo=echo,
        progress=options["progress"],
        on_nonfinite=options["on_nonfinite"],
    )
    test_loss, test_accuracy = loss_and_accuracy(model, batches["test"])
    echo(f"test accuracy {test_accuracy:.2%} (loss {test_loss:.4f})")
    return dict(
        task=task,
        model=model.config,
        epochs=epochs,
        lr=lr,
        batch_size=batch_size,
        clip=TASK_CLIP,
        seed=seed,
        on_nonfinite=options["on_nonfinite"],
        **{name: options[name] for name in ("train_count", "valid_count", "test_count")},
        history=history,
        test_loss=test_loss,
        test_accuracy=test_accuracy,
        seconds=time.perf_counter() - started,
    )


def where_in_run(epoch: int, number: int, batches_per_epoch: int) -> str:
    """'at step 12 (epoch 2, batch 2)' for batch ``number`` (0-based) of 1-based ``epoch``."""
    return f"at step {(epoch - 1) * batches_per_epoch + number + 1} (epoch {epoch}, batch {number + 1})"
