"""Training a Seq2Seq with teacher forcing, and scoring it by exact match of its greedy output.

One epoch visits the training pairs once in a new random order, in batches; each step is the
one update step of the library (gatedrnn.training.backward_and_step: zero, backward, clip
the global norm, Adam). After each epoch the whole test set is decoded greedily and an
answer counts only if every character is right (the book's ``is_correct``).
"""

import os
import time
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from .. import rng as _rng
from ..arguments import choice, spelled, whole
from ..errors import GatedRNNError, short_repr, signature_defaults
from ..layers import SoftmaxCrossEntropy
from ..lr_schedule import check_step_schedule, step_lr
from ..optim import Adam
from ..progress import bar
from ..training import NonFiniteGuard, check_finite_weights, guarded_step
from ..typing import FloatLike, IntLike
from .arguments import check_loop, check_transduction_options
from .decoding import beam_search, scheduled_inputs
from .initialisation import DEFAULT_INIT
from .lr_decay import deprecation_line, modern_decay
from .one_to_many import OneToMany
from .seq2seq import Seq2Seq
from .training import where_in_run
from .transduction_tasks import (
    BOS,
    EOS,
    ONE_TO_MANY_TASKS,
    PAD,
    TRAINING_DEFAULTS,
    TransductionData,
    make_transduction_task,
)

# The book's chapter 7 training settings: every task's defaults but where TRAINING_DEFAULTS says otherwise.
BOOK_TRAINING: dict[str, int | float | str] = dict(epochs=25, batch_size=128, lr=1e-3, init=DEFAULT_INIT)
SPLITS = ("train", "test")  # the parts of a TransductionData exact_match can score


def exact_match(
    model: Seq2Seq | OneToMany,
    data: TransductionData,
    split: str = "test",
    batch_size: IntLike = 1000,
    beam_width: IntLike = 1,
) -> float:
    """The fraction of ``split``'s sources whose decoding is exactly the target: greedy, or by
    beam search of ``beam_width`` (gatedrnn.seq.decoding.beam_search) when it is above 1.

    ``split``: "train" or "test" (an attribute of ``data``); the answer is a float in [0, 1]."""
    defaults = signature_defaults(exact_match)
    split = choice("split", split, SPLITS)
    batch_size = whole("batch_size", batch_size, 1, defaults["batch_size"])
    beam_width = whole("beam_width", beam_width, 1, defaults["beam_width"])
    sources, targets = getattr(data, split)
    steps = data.target_width or max(len(t) for t in targets) + 1
    eos = None if data.target_width else data.symbols.index(EOS)
    if beam_width > 1:
        ids, lengths = data.encode_sources(sources)
        found = (
            beam_search(model, ids[n], lengths[n], data.symbols.index(BOS), steps, beam_width, eos)[0]
            for n in range(len(sources))
        )
        return sum(data.decode(row) == target for row, target in zip(found, targets, strict=True)) / len(sources)
    correct = 0
    for start in range(0, len(sources), batch_size):
        ids, lengths = data.encode_sources(sources[start : start + batch_size])
        out = model.greedy(ids, lengths, data.symbols.index(BOS), steps, eos_id=eos)
        correct += sum(
            data.decode(row) == target for row, target in zip(out, targets[start : start + batch_size], strict=True)
        )
    return correct / len(sources)


def fit_transduction(
    model: Seq2Seq | OneToMany,
    data: TransductionData,
    epochs: IntLike,
    batch_size: IntLike = 128,
    lr: FloatLike = 1e-3,
    clip: FloatLike | None = 5.0,
    teacher_forcing: FloatLike = 1.0,
    lr_decay: FloatLike = 1.0,
    decay_start: IntLike = 0,
    on_nonfinite: str = "error",
    echo: Callable[[str], object] = print,
    progress: bool = True,
    decay_after: IntLike | None = None,
) -> list[dict[str, Any]]:
    """Train ``model`` on ``data.train``; returns one record per epoch (loss, test exact match, lr, seconds).

    ``teacher_forcing``: the probability that the decoder is fed the true previous token at
    each step (1: always, teacher forcing; below 1: scheduled sampling, the rest of the time
    its own previous choice; gatedrnn.seq.decoding.scheduled_inputs). ``lr_decay`` and
    ``decay_start``: the language models' step schedule (gatedrnn.lr_schedule): epoch
    e = 0, 1, … runs at lr / lr_decay^max(e + 1 - decay_start, 0), so ``decay_start`` is the
    0-based first decayed epoch (lr_decay 1: constant, as in the book). Adam at a constant
    rate keeps jumping between nearby solutions late in a run (a test score that swings by a
    few points from one epoch to the next); a decaying tail lets it settle. The old spelling
    (``lr_decay`` < 1 a multiplier, ``decay_after``) is converted with a DeprecationWarning.
    ``on_nonfinite``: "error" stops at a nan/inf loss or gradient, "skip" skips that update
    (gatedrnn.training.NonFiniteGuard). ``clip``: the max global gradient norm; 0 or None
    turns clipping off, as train's ``--clip 0``.
    """
    checked = check_loop(
        signature_defaults(fit_transduction),
        epochs=epochs,
        batch_size=batch_size,
        lr=lr,
        clip=clip,
        teacher_forcing=teacher_forcing,
        on_nonfinite=on_nonfinite,
        echo=echo,
        progress=progress,
    )
    epochs, batch_size, lr, clip, teacher_forcing = (
        checked[name] for name in ("epochs", "batch_size", "lr", "clip", "teacher_forcing")
    )
    lr_decay, decay_start = _modern_decay_or_warn(lr_decay, decay_start, decay_after)
    check_step_schedule(lr, lr_decay, decay_start, epochs)
    guard = NonFiniteGuard(on_nonfinite)
    sources, targets = data.train
    ids, lengths = data.encode_sources(sources)
    decoder_inputs, outputs = data.encode_targets(targets)
    criterion = SoftmaxCrossEntropy(ignore_index=data.symbols.index(PAD))
    optimizer = Adam(model.parameters(), lr=lr)
    generator = _rng.generator()
    history: list[dict[str, Any]] = []
    for epoch in range(1, epochs + 1):
        started, losses = time.perf_counter(), []
        optimizer.lr = step_lr(lr, lr_decay, decay_start, epoch - 1)
        order = generator.permutation(len(sources))
        batches = range(0, len(order), batch_size)
        for number, start in enumerate(bar(batches, desc=f"epoch {epoch}/{epochs}", leave=False, progress=progress)):
            rows = order[start : start + batch_size]
            width = lengths[rows].max()

            def forward(rows=rows, width=width):  # this batch's rows, bound now
                inputs = scheduled_inputs(
                    model, ids[rows, :width], lengths[rows], decoder_inputs[rows], teacher_forcing, generator
                )
                return criterion(model(ids[rows, :width], lengths[rows], inputs), outputs[rows])

            result = guarded_step(
                model, criterion, optimizer, forward, guard, where_in_run(epoch, number, len(batches)), max_norm=clip
            )
            if result.stepped:
                losses.append(result.loss)
        check_finite_weights(optimizer.params, f"in epoch {epoch}")
        accuracy = exact_match(model, data)
        record = dict(
            epoch=epoch,
            train_loss=float(np.mean(losses)) if losses else float("nan"),
            test_exact_match=accuracy,
            lr=optimizer.lr,
            skipped_updates=guard.skipped,
            seconds=time.perf_counter() - started,
        )
        history.append(record)
        echo(
            f"epoch {epoch:3d} | loss {record['train_loss']:.4f} | test exact match {accuracy:7.2%} | "
            f"{record['seconds']:.1f} s"
        )
    return history


def run_transduction(
    task: str = "addition",
    reverse_source: bool = False,
    peeky: bool = False,
    attention: str | None = None,
    input_feeding: bool = False,
    bidirectional: bool = False,
    cell: str = "lstm",
    init: str | None = None,
    embedding_size: IntLike = 16,
    hidden_size: IntLike = 128,
    epochs: IntLike | None = None,
    batch_size: IntLike | None = None,
    lr: FloatLike | None = None,
    clip: FloatLike = 5.0,
    lr_decay: FloatLike = 1.0,
    decay_start: IntLike = 0,
    teacher_forcing: FloatLike = 1.0,
    train_count: IntLike | None = None,
    test_count: IntLike | None = None,
    addition_file: str | os.PathLike[str] | None = None,
    beam_width: IntLike = 1,
    on_nonfinite: str = "error",
    seed: IntLike = 0,
    echo: Callable[[str], object] = print,
    progress: bool = True,
    keep_model: bool = False,
    decay_after: IntLike | None = None,
) -> dict[str, Any]:
    """Generate ``task``, train a Seq2Seq on it, and return its settings, history and final exact match.

    The defaults are the book's chapter 7 settings for addition (wordvec 16, hidden 128, batch
    128, Adam 10⁻³, clip 5, 25 epochs, the book's initialisation); ``epochs``, ``batch_size``,
    ``lr`` and ``init`` left None are the task's own where it has them
    (transduction_tasks.TRAINING_DEFAULTS: numbers, 40 epochs of 32 pairs at 5·10⁻³; dates and
    copy, PyTorch-style initial weights) and the book's otherwise (BOOK_TRAINING);
    ``train_count`` and ``test_count`` default to the task's own (addition: the book's 45,000
    and 5,000, or with ``addition_file`` all of each part of the file's split). ``init``: how
    the weights start, "book" or "pytorch" (gatedrnn.seq.initialisation). ``lr_decay``/``decay_start``: the
    step schedule of fit_transduction (``decay_after`` and an ``lr_decay`` below 1 are the old
    spelling, converted with a DeprecationWarning). ``addition_file``: the book's
    ``dataset/addition.txt``, read instead of generated questions (its fixed split, the same
    for every seed; gatedrnn.seq.addition_file). ``beam_width`` above 1 also scores the
    final model by beam search of that width. ``keep_model`` adds the trained model to the
    result as ``trained_model``.
    """
    epochs, batch_size, lr, init = task_training(task, epochs=epochs, batch_size=batch_size, lr=lr, init=init)
    options = check_transduction_options(
        transduction_defaults(task),
        task=task,
        reverse_source=reverse_source,
        peeky=peeky,
        attention=attention,
        input_feeding=input_feeding,
        bidirectional=bidirectional,
        cell=cell,
        init=init,
        embedding_size=embedding_size,
        hidden_size=hidden_size,
        epochs=epochs,
        batch_size=batch_size,
        lr=lr,
        clip=clip,
        teacher_forcing=teacher_forcing,
        train_count=train_count,
        test_count=test_count,
        beam_width=beam_width,
        on_nonfinite=on_nonfinite,
        seed=seed,
        echo=echo,
        progress=progress,
        keep_model=keep_model,
    )
    lr_decay, decay_start = _modern_decay_or_warn(lr_decay, decay_start, decay_after)
    task, epochs, lr, seed = (options[name] for name in ("task", "epochs", "lr", "seed"))
    check_step_schedule(lr, lr_decay, decay_start, epochs)
    _rng.seed(seed)
    _check_addition_file(addition_file, task)
    data = _transduction_data(task, seed, options, addition_file)
    model = _transduction_model(task, data.vocab_size, options)
    history = fit_transduction(
        model,
        data,
        epochs,
        batch_size=options["batch_size"],
        lr=lr,
        clip=options["clip"],
        teacher_forcing=options["teacher_forcing"],
        lr_decay=lr_decay,
        decay_start=decay_start,
        on_nonfinite=options["on_nonfinite"],
        echo=options["echo"],
        progress=options["progress"],
    )
    result = dict(
        task=task,
        model=model.config,
        epochs=epochs,
        batch_size=options["batch_size"],
        lr=lr,
        clip=options["clip"],
        lr_decay=lr_decay,
        decay_start=decay_start,
        teacher_forcing=options["teacher_forcing"],
        on_nonfinite=options["on_nonfinite"],
        seed=seed,
        addition_file=None if addition_file is None else str(addition_file),
        train_pairs=len(data.train[0]),
        test_pairs=len(data.test[0]),
        history=history,
        test_exact_match=history[-1]["test_exact_match"],
    )
    beam_width = options["beam_width"]
    if beam_width > 1:
        result.update(beam_width=beam_width, test_exact_match_beam=exact_match(model, data, beam_width=beam_width))
        options["echo"](f"beam search of width {beam_width}: test exact match {result['test_exact_match_beam']:7.2%}")
    if options["keep_model"]:
        result["trained_model"] = model
    return result


SOURCE_OPTIONS = ("reverse_source", "peeky", "attention", "input_feeding", "bidirectional")


def _check_addition_file(addition_file: object, task: str) -> None:
    """GatedRNNError unless ``addition_file`` is None, or a path given with the addition task."""
    if addition_file is None:
        return
    if not isinstance(addition_file, (str, os.PathLike)) or not os.fspath(addition_file):
        raise GatedRNNError(
            f"addition_file must be a path, got {short_repr(addition_file)}; give the book's addition.txt"
        )
    if task != "addition":
        raise GatedRNNError(f"{spelled('addition_file')} holds addition questions; task {task} generates its own data")


def _transduction_data(
    task: str, seed: IntLike, options: dict[str, Any], addition_file: str | os.PathLike[str] | None
) -> TransductionData:
    """The task's pairs: generated from ``seed`` in the counts given (else the task's own), or
    the addition questions read from ``addition_file``."""
    sizes = {name: options[name] for name in ("train_count", "test_count") if options[name] is not None}
    if addition_file is not None:
        sizes["path"] = addition_file
    return make_transduction_task(task, seed=seed, **sizes)


def _transduction_model(task: str, vocab_size: int, options: dict[str, Any]) -> Seq2Seq | OneToMany:
    """The model ``options`` describe: a OneToMany for a one-to-many task (one class token in, a
    decoder started from its vector), else a Seq2Seq with the source options."""
    shape = dict(embedding_size=options["embedding_size"], hidden_size=options["hidden_size"], cell=options["cell"])
    if task in ONE_TO_MANY_TASKS:
        _refuse_source_options(task, options)
        return OneToMany(vocab_size, **shape, init=options["init"])
    source = {name: options[name] for name in (*SOURCE_OPTIONS, "init")}
    return Seq2Seq(vocab_size, **shape, **source)


def _refuse_source_options(task: str, options: dict[str, Any]) -> None:
    """A one-to-many task has no source sequence: GatedRNNError naming each option given that reads
    one, in both spellings (gatedrnn.arguments.spelled), as the other refusals of the task door."""
    given = [spelled(name) for name in SOURCE_OPTIONS if options[name]]
    if given:
        verb, pronoun = ("needs", "it") if len(given) == 1 else ("need", "them")
        raise GatedRNNError(
            f"{task} is one-to-many, with no source sequence: {', '.join(given)} {verb} one; leave {pronoun} out"
        )


def transduction_defaults(task: object) -> dict[str, Any]:
    """What run_transduction takes for ``task`` when an argument is left out: its signature's
    defaults, and the task's own training settings where the signature says None."""
    defaults = signature_defaults(run_transduction)
    given = {name: defaults[name] for name in ("epochs", "batch_size", "lr", "init")}
    defaults.update(zip(given, task_training(task, **given), strict=True))
    return defaults


def task_training(task: object, **given: Any) -> tuple[Any, ...]:
    """The values of ``given`` (epochs, batch_size, lr, init), each as given, or where None the
    task's own (transduction_tasks.TRAINING_DEFAULTS) or else the book's (BOOK_TRAINING)."""
    own = TRAINING_DEFAULTS.get(task, {}) if isinstance(task, str) else {}
    return tuple(own.get(name, BOOK_TRAINING[name]) if value is None else value for name, value in given.items())


def _modern_decay_or_warn(lr_decay: FloatLike, decay_start: IntLike, decay_after: IntLike | None) -> tuple[float, int]:
    """The schedule in the language models' words; a DeprecationWarning naming them when the
    caller used the old ones (gatedrnn.seq.lr_decay)."""
    divisor, start, old, new = modern_decay(lr_decay, decay_start, decay_after, signature_defaults(run_transduction))
    if old:
        warnings.warn(deprecation_line(old, new, flags=False), DeprecationWarning, stacklevel=3)
    return divisor, start
