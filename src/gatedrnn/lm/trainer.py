"""Trainer: truncated backpropagation through time over a long corpus.

One training step on window k of the N parallel streams (see data.TBPTTBatches)::

    logits, state = model(inputs_k, state)          state carried in from window k-1 as values
    loss = mean cross-entropy(logits, targets_k)    (× T when loss_sum_over_time, Zaremba et al.)
    backward through the T steps of window k only   — the "truncation" —
    clip the global gradient norm to `clip` and update  (gatedrnn.training.backward_and_step)

After each epoch the model is evaluated (dropout off, state carried across the whole split)
and the learning-rate schedule applied; the best model on validation is kept. A checkpoint
holds everything needed to continue exactly where a run stopped — weights, optimizer
buffers, the random generator, the data position and the carried state (gatedrnn.lm.run_checkpoint).
"""

import math
import os
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .. import rng as _rng
from ..arguments import flag, function, path_argument
from ..data import TBPTTBatches
from ..errors import GatedRNNError, check_whole_number, is_finite_number, short_repr
from ..lr_schedule import step_lr
from ..optim import OPTIMIZERS
from ..training import NonFiniteGuard
from .adaptive_cutoffs import AUTO
from .config import ModelConfig, TrainConfig
from .corpora import check_streams_fit
from .data_settings import check_same_data
from .engine import NumpyEngine, check_engine
from .run_checkpoint import finite_or_none, load_run_checkpoint, save_run_checkpoint
from .run_directory import RunFiles
from .run_log import RunLog
from .scores import bits, perplexity

if TYPE_CHECKING:  # for the hints only: the Trainer checks its parts at run time (_check_parts)
    from ..data import Corpus
    from ..optim import Optimizer
    from ..training import StepResult
    from ..typing import IntLike
    from .model import LanguageModel


class Trainer:
    """Trains a LanguageModel on a Corpus with a :class:`TrainConfig`, writing into ``out_dir``.

    ``Trainer(model, corpus, TrainConfig(epochs=1, lr=2e-3, optimizer="adam"), "runs/mine").fit()``

    Files in ``out_dir`` (a path, or the gatedrnn.lm.run_directory.RunFiles that claimed it):
    ``last.npz`` (to resume), ``best.npz`` (best validation score), ``metrics.jsonl``,
    ``perplexity.png`` (``bits_per_char.png`` for character-level corpora). ``log_interval`` windows between log
    lines; ``checkpoint_interval``
    steps between saves of last.npz (it is also saved after every epoch); ``on_log(trainer,
    record)`` is called after each training log line; ``echo`` prints the console lines.
    ``progress``: a progress bar on a terminal, and a plain line per log interval (with the
    rate and the time left for the whole run) when standard error is not one, e.g. in a log
    file; False for neither. ``engine``: what computes the steps (gatedrnn.lm.engine); None
    for gatedrnn's own NumPy code, or a function ``engine(model, optimizer, config)`` that
    builds another, such as gatedrnn.interop.torch_engine.TorchEngine, or
    gatedrnn.interop.torch_engine.auto_engine (the faster of the two, timed on the first steps).
    """

    def __init__(
        self,
        model: "LanguageModel",
        corpus: "Corpus",
        config: TrainConfig,
        out_dir: "str | os.PathLike[str] | RunFiles",
        run_info: dict[str, Any] | None = None,
        progress: bool = True,
        echo: Callable[[str], Any] = print,
        log_interval: "IntLike" = 100,
        checkpoint_interval: "IntLike" = 500,
        on_log: "Callable[[Trainer, dict[str, Any]], Any] | None" = None,
        engine: "Callable[[LanguageModel, Optimizer, TrainConfig], Any] | None" = None,
    ) -> None:
        _check_parts(model, corpus, config)
        progress, echo = check_trainer_options(progress, echo, log_interval, checkpoint_interval, on_log, engine)
        self.model = model
        self.corpus = corpus
        self.config = config
        self.run_info = run_info or {}
        self.progress = progress
        self.echo = echo
        self.log_interval = log_interval
        self.checkpoint_interval = checkpoint_interval
        self.on_log = on_log
        # A RunFiles may be passed as out_dir, so that the one that claimed the directory (the
        # CLI's, holding run.lock) is also the one that writes into it.
        self.files = out_dir if isinstance(out_dir, RunFiles) else RunFiles(_run_directory(out_dir))
        if not self.run_info.get("data"):
            self.run_info["data"] = corpus.source  # how the corpus was loaded, so that eval can load it again
        self.files.char_level = corpus.vocab.level == "char"
        self.log = RunLog(self.files, echo=echo, title=self.run_info.get("preset", ""))
        self.batches = TBPTTBatches(corpus.train, config.batch_size, config.seq_len, what="the training split")
        self.optimizer = OPTIMIZERS[config.optimizer](model.parameters(), lr=config.lr)
        self.engine = (engine or _numpy_engine)(model, self.optimizer, config)
        if hasattr(self.engine, "echo"):  # an engine with something to say (auto's choice) says it in the run's output
            self.engine.echo = echo
        # Where the run stands; all of it goes into every checkpoint.
        self.epoch, self.window, self.step = 0, 0, 0
        self.state: Any = None  # the recurrent state carried from window to window
        self.best_valid_nll = math.inf
        self.plateau_divisions = 0  # times the "plateau" schedule has divided the rate
        self.loss_sums = dict(epoch_total=0.0, epoch_count=0, interval_total=0.0, interval_count=0)
        # The one policy for a non-finite step (gatedrnn.training): stop, or skip and go on.
        self.guard = NonFiniteGuard(config.on_nonfinite, on_skip=self._skipped)
        self._stop_rule = _StopRule(None, None)
        self._wall_seconds_before = 0.0  # time spent in fit() by earlier sessions of this run
        self._fit_started: float | None = None
        self._resumed = False  # load() restored a run: fit() continues it in its directory

    @property
    def out_dir(self) -> Any:
        """The run directory (a Path)."""
        return self.files.out_dir

    @property
    def history(self) -> list[dict[str, Any]]:
        """The records of metrics.jsonl so far, oldest first."""
        return self.log.history

    @property
    def char_level(self) -> bool:
        """True for a character-level corpus (scores in bits per character)."""
        return self.files.char_level

    # -- the loop --------------------------------------------------------------------------
    def fit(self, max_steps: "IntLike | None" = None, time_limit: float | None = None) -> dict[str, Any]:
        """Train until ``epochs`` are done, or stop early and resumably; returns a summary dict.

        The run directory is claimed first, as ``gatedrnn train`` claims it (run.lock; a
        directory holding another run is refused), unless the caller already holds it.

        The run stops after the step that reaches ``max_steps`` (counted from the run's start,
        so the same value given again on resume does not train further), after the first step
        past ``time_limit`` seconds of this call, or after the step during which
        :meth:`request_stop` was called (the CLI does that on Ctrl-C). It then saves last.npz
        and returns ``dict(finished=False, stopped_because=..., epoch=, window=, step=)``.
        A finished run returns ``finished=True`` with its scores and times.
        """
        check_stop_limits(max_steps, time_limit)
        if self.files.held:
            return self._fit(max_steps, time_limit)
        # A Trainer that has trained or loaded a run continues the one in its directory.
        with self.files.claim(resume=self._resumed or self.step > 0, command=self.run_info.get("command")):
            return self._fit(max_steps, time_limit)

    def _fit(self, max_steps: "IntLike | None", time_limit: float | None) -> dict[str, Any]:
        cfg = self.config
        if self.batches.dropped_tokens:
            self.echo(
                f"note: the last {self.batches.dropped_tokens} training tokens do not fill the "
                f"{cfg.batch_size} streams and are not used"
            )
        self._wall_seconds_before = self.wall_seconds  # an earlier fit() of this Trainer counts too
        started = self._fit_started = time.perf_counter()
        self._steps_at_fit_start = self.step
        # A stop requested before fit started (Ctrl-C while the run was loading) still counts.
        self._stop_rule = _StopRule(
            max_steps, None if time_limit is None else started + time_limit, requested=self._stop_rule.requested
        )
        while self.epoch < cfg.epochs:
            # The deadline is checked after steps only, so that every call makes progress.
            if self._stop_rule.reason(self, deadline=False) is not None:
                return self._stop_early()
            self.optimizer.lr = self._scheduled_lr()
            train_nll = self._train_epoch()
            if train_nll is None:  # stopped within the epoch
                return self._stop_early()
            valid_nll = self.engine.evaluate_nll(self.corpus.valid, cfg.eval_batch_size, cfg.seq_len)
            self._end_epoch(train_nll, valid_nll)
        return self._finish(time.perf_counter() - started)

    @property
    def wall_seconds(self) -> float:
        """Seconds this run has spent in fit() so far, over all its sessions (resumes)."""
        running = 0.0 if self._fit_started is None else time.perf_counter() - self._fit_started
        return self._wall_seconds_before + running

    @property
    def stop_requested(self) -> bool:
        """Whether :meth:`request_stop` was called since the last stop."""
        return self._stop_rule.requested is not None

    def request_stop(self, reason: str = "interrupted") -> None:
        """Ask ``fit`` to stop after the current step and save (safe to call from a signal handler)."""
        self._stop_rule.requested = reason

    def _stop_early(self) -> dict[str, Any]:
        reason = self._stop_rule.reason(self)
        self._stop_rule.requested = None  # a later fit() starts afresh
        self.save(self.files.last)
        return dict(finished=False, stopped_because=reason, epoch=self.epoch, window=self.window, step=self.step)

    def _train_epoch(self):
        """Run the windows of the current epoch from ``self.window``; returns the epoch's mean loss,
        or None when the stop rule ended it early (even on its last window: the epoch's sums are
        then kept for the resumed run to finish it)."""
        window_count = len(self.batches)
        bar = _progress_bar(window_count, self.window, f"epoch {self.epoch + 1}/{self.config.epochs}", self.progress)
        sums = self.loss_sums
        tokens, tick = 0, time.perf_counter()
        for index, inputs, targets in self.batches.windows(self.window):
            result = self._train_step(inputs, targets)
            self.window, self.step = index + 1, self.step + 1
            bar.update(1)
            if result.stepped:
                for part in ("epoch", "interval"):
                    sums[f"{part}_total"] += result.loss
                    sums[f"{part}_count"] += 1
                tokens += targets.size
                if self.step % self.log_interval == 0 or self.window == window_count:
                    self._log_interval(result.grad_norm, tokens / (time.perf_counter() - tick), bar)
                    tokens, tick = 0, time.perf_counter()
            if self.step % self.checkpoint_interval == 0:
                self.save(self.files.last)
            # Processes of a distributed run all stop after the same step, or none does.
            if self.engine.any_process(self._stop_rule.reason(self) is not None):
                bar.close()
                return None  # mid-epoch: fit saves and returns; the epoch's sums stay in the checkpoint
        bar.close()
        mean = sums["epoch_total"] / max(sums["epoch_count"], 1)
        sums["epoch_total"], sums["epoch_count"] = 0.0, 0
        return mean

    def _train_step(self, inputs, targets):
        # Zaremba et al. sum the loss over the window's steps: the same gradient times T.
        scale = targets.shape[1] if self.config.loss_sum_over_time else 1.0
        result, self.state = self.engine.train_step(inputs, targets, self.state, self.optimizer.lr, scale, self.step)
        # The place is only named for a step that failed: no string is built on the hot path.
        where = "" if result.stepped else f"at step {self.step + 1} (epoch {self.epoch + 1}, window {self.window + 1})"
        self.guard.after_step(result, where)
        return result

    def _log_interval(self, grad_norm, tokens_per_s, bar):
        """Log the mean loss since the last log line, then start a new interval."""
        sums = self.loss_sums
        mean = sums["interval_total"] / sums["interval_count"]
        record = self.log.record(
            kind="train",
            epoch=self.epoch + self.window / len(self.batches),
            step=self.step,
            loss=mean,
            ppl=perplexity(mean),
            bits=bits(mean),
            lr=self.optimizer.lr,
            grad_norm=grad_norm,
            tokens_per_s=tokens_per_s,
        )
        shown = dict(bpc=f"{bits(mean):.3f}") if self.char_level else dict(ppl=f"{perplexity(mean):.1f}")
        run_left = self._run_time_left()
        if not bar.disable:
            bar.set_postfix(**shown, lr=f"{self.optimizer.lr:.3g}", run_left=run_left, refresh=False)
        elif self.progress:
            score = " | ".join(f"{name} {value}" for name, value in shown.items())
            self.echo(
                f"epoch {self.epoch + 1}/{self.config.epochs} | window {self.window}/{len(self.batches)} | "
                f"step {self.step} | {score} | lr {self.optimizer.lr:.3g} | {tokens_per_s:,.0f} tokens/s | "
                f"run {run_left} left"
            )
        sums["interval_total"], sums["interval_count"] = 0.0, 0
        if self.on_log is not None:
            self.on_log(self, record)

    def _run_time_left(self) -> str:
        """The time left for the whole run, from this session's pace (steps and evaluations so far)."""
        from ..progress import duration

        done = self.step - self._steps_at_fit_start
        if done <= 0 or self._fit_started is None:
            return "?"
        steps_left = (self.config.epochs - self.epoch) * len(self.batches) - self.window
        return duration((time.perf_counter() - self._fit_started) / done * steps_left)

    def _skipped(self, result: "StepResult", where: str) -> None:
        """A skipped update (on_nonfinite="skip"): reset the state, log and warn."""
        self.state = None  # a nan state would poison every later window
        self.log.record(
            kind="nonfinite",
            epoch=self.epoch + self.window / len(self.batches),
            step=self.step + 1,
            loss=str(result.loss),
            grad_norm=str(result.grad_norm),
        )
        self.echo(f"warning: non-finite loss or gradient {where}; update skipped")

    @property
    def skipped_updates(self) -> int:
        """Non-finite steps skipped so far (on_nonfinite="skip"), over the whole run."""
        return self.guard.skipped

    def _end_epoch(self, train_nll, valid_nll):
        improved = valid_nll < self.best_valid_nll
        self.log.record(
            kind="valid",
            epoch=self.epoch + 1,
            step=self.step,
            train_ppl=perplexity(train_nll),
            valid_ppl=perplexity(valid_nll),
            train_bits=bits(train_nll),
            valid_bits=bits(valid_nll),
            lr=self.optimizer.lr,
            best=improved,
        )
        self.log.epoch_line(self.epoch + 1, self.optimizer.lr, train_nll, valid_nll, improved)
        if improved:
            self.best_valid_nll = valid_nll
        elif self.config.schedule == "plateau":
            self.plateau_divisions += 1
        self.epoch, self.window, self.state = self.epoch + 1, 0, None
        if improved:
            self.save(self.files.best)
        self.save(self.files.last)
        self.log.plot()

    def _scheduled_lr(self):
        cfg = self.config
        if cfg.schedule == "step":
            return step_lr(cfg.lr, cfg.lr_decay, cfg.decay_start, self.epoch)
        if cfg.schedule == "plateau":
            return cfg.lr / cfg.lr_decay**self.plateau_divisions
        return cfg.lr

    def _finish(self, seconds):
        """Score the test split with the best-validation weights (what the run reports) and, when
        the last epoch was not the best, with the last epoch's too (what the book reports)."""
        epochs = self.log.records("valid")
        best_epochs = [record["epoch"] for record in epochs if record.get("best")]
        best_epoch = best_epochs[-1] if best_epochs else None
        last_is_best = bool(epochs) and epochs[-1].get("best", False)
        last_test_nll = None if last_is_best else self._test_nll()  # these weights are the last epoch's
        if self.files.best.exists():
            self.load(self.files.best, weights_only=True)
        self.engine.take_weights_from_writer()  # processes that write nothing hold no best.npz
        valid_nll = self.best_valid_nll  # measured on these very weights when they were saved
        test_nll = self._test_nll()
        if last_is_best:
            last_test_nll = test_nll
        self.log.record(
            kind="test",
            epoch=self.epoch,
            step=self.step,
            valid_ppl=perplexity(valid_nll),
            test_ppl=_or_none(perplexity, test_nll),
            valid_bits=bits(valid_nll),
            test_bits=_or_none(bits, test_nll),
            best_epoch=best_epoch,
            last_epoch_test_ppl=_or_none(perplexity, last_test_nll),
        )
        self.log.final_line(valid_nll, test_nll)
        return dict(
            finished=True,
            scored="best-validation",
            best_epoch=best_epoch,
            valid_ppl=perplexity(valid_nll),
            test_ppl=_or_none(perplexity, test_nll),
            valid_bits=bits(valid_nll),
            test_bits=_or_none(bits, test_nll),
            last_valid_ppl=epochs[-1]["valid_ppl"] if epochs else None,
            last_test_ppl=_or_none(perplexity, last_test_nll),
            seconds=seconds,
            wall_seconds=self.wall_seconds,
            steps=self.step,
            tokens=self.step * self.config.batch_size * self.config.seq_len,
            engine=self.engine.name,
            threads=self.engine.describe_threads(),
            device=str(self.engine.device) if hasattr(self.engine, "device") else None,
            processes=getattr(self.engine, "processes", 1),
        )

    def _test_nll(self):
        """The test split's loss, or None for a corpus without one (the demo holds out validation only)."""
        cfg = self.config
        if self.corpus.test is None:
            return None
        return self.engine.evaluate_nll(self.corpus.test, cfg.eval_batch_size, cfg.seq_len)

    # -- checkpoints -----------------------------------------------------------------------
    def save(self, path: "str | os.PathLike[str]") -> None:
        """Write a checkpoint from which ``load`` continues this run exactly.

        Every process of a distributed run calls this at the same step (the carried state is
        gathered from all of them); only the one that writes the run's files writes it.
        """
        self.engine.sync_to_model()
        carried = self.engine.state_for_checkpoint(self.state)
        if not self.engine.writes_files:
            return
        metadata = dict(
            vocab=self.corpus.vocab.to_dict(),
            training=self.config.to_dict(),
            run=self.run_info,
            rng=_rng.get_state(),
            position=dict(
                epoch=self.epoch,
                window=self.window,
                step=self.step,
                plateau_divisions=self.plateau_divisions,
                loss_sums=self.loss_sums,
                skipped_updates=self.guard.skipped,
                consecutive_skips=self.guard.consecutive,
                wall_seconds=self.wall_seconds,
            ),
            best_valid_nll=finite_or_none(self.best_valid_nll),
            history=self.history,
        )
        save_run_checkpoint(path, self.model, self.optimizer, carried, metadata)

    def load(self, path: "str | os.PathLike[str]", weights_only: bool = False, checkpoint: Any = None) -> None:
        """Restore a checkpoint written by ``save`` (all of the run's state unless ``weights_only``).

        Everything is checked before anything changes: the file itself (load_run_checkpoint:
        metadata, shapes, checksum, finite values), then, unless ``weights_only``, that this
        corpus is the data the run trained on, then its vocabulary, settings and position
        against this run's. Only then are the optimizer (which refuses a missing buffer), the
        random generator, the weights and the position restored, and metrics.jsonl rewritten
        from the history, last. ``checkpoint``: the file already read (load_run_checkpoint),
        so that a caller that looked into it first does not read it twice.
        """
        checkpoint = checkpoint or load_run_checkpoint(path)
        if not weights_only:  # weights alone may start a run on other data; a run goes on on its own
            self._check_same_data(path, checkpoint)
        self._check_vocabulary(path, checkpoint)
        if weights_only:
            self.model.load_state_dict(checkpoint.model_weights)
            self.engine.sync_from_model()
            return
        self._check_continues_this_run(path, checkpoint)
        metadata = checkpoint.metadata
        position = metadata["position"]
        self.optimizer.load_state_dict(dict(hyperparameters=metadata["optimizer"], arrays=checkpoint.optimizer_arrays))
        _rng.set_state(metadata["rng"])
        self.model.load_state_dict(checkpoint.model_weights)
        self.epoch, self.window, self.step = position["epoch"], position["window"], position["step"]
        self.plateau_divisions = position["plateau_divisions"]
        self.loss_sums = dict(position["loss_sums"])
        self.guard.skipped = position["skipped_updates"]
        self.guard.consecutive = position["consecutive_skips"]
        self._wall_seconds_before, self._fit_started = position.get("wall_seconds", 0.0), None
        best = metadata.get("best_valid_nll")
        self.best_valid_nll = math.inf if best is None else best
        self.state = self.engine.state_from_checkpoint(checkpoint.carried_state)
        self.engine.sync_from_model()
        self.log.restore(metadata["history"])
        self._resumed = True

    def check_continues(self, path: "str | os.PathLike[str]", checkpoint: Any = None) -> None:
        """GatedRNNError unless ``load(path)`` would continue this very run (data, vocabulary, model
        and training settings, position); changes nothing."""
        checkpoint = checkpoint or load_run_checkpoint(path)
        self._check_same_data(path, checkpoint)
        self._check_vocabulary(path, checkpoint)
        self._check_continues_this_run(path, checkpoint)

    def _check_same_data(self, path, checkpoint):
        """The corpus must be the one the run trained on (its record in the checkpoint: the options
        that made the tokens and each split's fingerprint), or the run would become one of two
        data sets (gatedrnn.lm.data_settings.check_same_data)."""
        saved = checkpoint.metadata.get("run") or {}
        check_same_data(path, saved.get("data"), self.run_info["data"] or {"fingerprint": None})

    def _check_vocabulary(self, path, checkpoint):
        saved_tokens = checkpoint.vocab.id_to_token
        if saved_tokens != self.corpus.vocab.id_to_token:
            raise GatedRNNError(
                f"{path} was trained with another vocabulary ({len(saved_tokens)} tokens; this corpus "
                f"has {len(self.corpus.vocab)}); use the corpus it was trained on"
            )

    def _check_continues_this_run(self, path, checkpoint):
        check_same_run_settings(path, checkpoint, self.model.config, self.config, dtype=str(self.model.dtype))
        position = checkpoint.metadata["position"]
        if position["window"] > len(self.batches):
            raise GatedRNNError(
                f"{path} stopped at window {position['window']} of an epoch that has "
                f"{len(self.batches)}; the file is corrupt or from other data"
            )


def _or_none(function, value):
    return None if value is None else function(value)


def check_trainer_options(
    progress: bool,
    echo: Callable[[str], Any],
    log_interval: "IntLike",
    checkpoint_interval: "IntLike",
    on_log: Callable[..., Any] | None,
    engine: Callable[..., Any] | None,
) -> tuple[bool, Callable[[str], Any]]:
    """GatedRNNError for a Trainer option it could not use; returns ``(progress, echo)`` as read.

    The Trainer calls it when made, and TrainingRun before it loads any data, so that a bad
    option is refused in the same words from the CLI, TrainingRun and a bare Trainer.
    """
    for name, value in (("log_interval", log_interval), ("checkpoint_interval", checkpoint_interval)):
        check_whole_number(name, value, 1)
    if on_log is not None:
        function("on_log", on_log)
    check_engine(engine)
    return flag("progress", progress), function("echo", echo)


def check_evaluation_fits(corpus: "Corpus", config: TrainConfig) -> None:
    """GatedRNNError unless the valid and test splits can be read as ``config.eval_batch_size`` streams.

    They are read only after an epoch, so this is checked before anything trains (by the
    Trainer, and by TrainingRun before it builds the model).
    """
    for split in ("valid", "test"):
        if getattr(corpus, split) is not None:
            check_streams_fit(getattr(corpus, split), config.eval_batch_size, f"the {split} split", "eval_batch_size")


def _check_parts(model, corpus, config):
    """One line for a Trainer given parts that do not fit, before anything trains or is written.

    Each would otherwise fail late: a wrong type with an AttributeError, a vocabulary that
    differs from the model's with ids out of range (or a checkpoint eval refuses), a dtype the
    checkpoints cannot hold at the first save.
    """
    from ..data import Corpus
    from .model import LanguageModel

    if not isinstance(model, LanguageModel):
        raise GatedRNNError(
            f"Trainer needs a LanguageModel, got {type(model).__name__}; build one with "
            "gatedrnn.lm.LanguageModel(ModelConfig(...))"
        )
    if not isinstance(corpus, Corpus):
        raise GatedRNNError(
            f"Trainer needs a Corpus as its second argument, got {type(corpus).__name__}; load one "
            "with gatedrnn.lm.load_corpus(...)"
        )
    if not isinstance(config, TrainConfig):
        raise GatedRNNError(
            f"Trainer needs a TrainConfig, got {type(config).__name__}; build one with "
            "gatedrnn.lm.TrainConfig(epochs=..., lr=..., ...)"
        )
    check_evaluation_fits(corpus, config)
    check_vocabulary_order(model.config, corpus)
    if model.config.vocab_size != len(corpus.vocab):
        raise GatedRNNError(
            f"the model's vocab_size is {model.config.vocab_size} but the corpus has "
            f"{len(corpus.vocab)} tokens; build the model with "
            "ModelConfig(vocab_size=len(corpus.vocab), ...)"
        )


def check_vocabulary_order(model_config: ModelConfig, corpus: "Corpus") -> None:
    """GatedRNNError if ``model_config`` has an adaptive softmax and ``corpus`` was loaded with its
    ids in order of first appearance: the softmax's head is the lowest ids, so it would hold the
    first words of the text, not the most frequent, and train and score worse without a word.

    Read from the corpus's record (``corpus.source``, written by DataSettings.load and so by
    load_corpus); a Corpus made by hand has none and is taken as its maker numbered it."""
    order = (corpus.source or {}).get("vocab_order", "frequency")
    if model_config.adaptive_softmax is not None and order != "frequency":
        raise GatedRNNError(
            f"an adaptive softmax needs a vocabulary numbered by frequency (its head is the lowest ids), "
            f"but this corpus was loaded with vocab_order={order!r}; load it with "
            "load_corpus(..., vocab_order='frequency') or DataSettings(..., vocab_order='frequency')"
        )


def _run_directory(out_dir):
    """``out_dir`` as a Path, checked to be a directory this process can write (GatedRNNError otherwise)."""
    from pathlib import Path

    from ..files import check_output_directory

    out_dir = Path(path_argument("out_dir", out_dir, "runs/lm"))
    check_output_directory(out_dir, option="out_dir")
    return out_dir


def check_stop_limits(max_steps: "IntLike | None", time_limit: float | None) -> None:
    """GatedRNNError unless ``max_steps`` is None or a whole number ≥ 1 and ``time_limit`` None or a
    positive number of seconds: checked before a run loads or claims anything, at every door."""
    if max_steps is not None:
        check_whole_number("max_steps", max_steps, 1)
    if time_limit is not None and not (is_finite_number(time_limit) and time_limit > 0):
        raise GatedRNNError(f"time_limit must be a positive number of seconds, got {short_repr(time_limit)}")


class _StopRule:
    """When ``fit`` stops early: a step budget, a deadline (perf_counter seconds) or a request."""

    def __init__(self, max_steps, deadline, requested=None):
        self.max_steps, self.deadline, self.requested = max_steps, deadline, requested

    def reason(self, trainer, deadline=True):
        if self.requested is not None:
            return self.requested
        if self.max_steps is not None and trainer.step >= self.max_steps:
            return f"reached {self.max_steps} steps"
        if deadline and self.deadline is not None and time.perf_counter() >= self.deadline:
            return "reached the time limit"
        return None


def check_same_run_settings(
    path: "str | os.PathLike[str]",
    checkpoint: Any,
    model_config: ModelConfig,
    training: TrainConfig,
    dtype: str | None = None,
    before_corpus: bool = False,
) -> None:
    """GatedRNNError unless the run checkpoint read from ``path`` was started with ``model_config``
    and ``training`` (a resume with other settings would silently make a different run).

    ``before_corpus``: ``model_config`` has not yet been given what the corpus decides (its
    vocab_size, and the cutoffs of ``adaptive_softmax="auto"``), so those are left out; the
    Trainer compares them once the corpus is read. ``dtype`` (the model's) is compared if given.
    """
    saved_model, model = checkpoint.config.to_dict(), model_config.to_dict()
    if before_corpus:
        undecided = ["vocab_size"] + (["adaptive_softmax"] if model["adaptive_softmax"] == AUTO else [])
        for name in undecided:
            del saved_model[name], model[name]
    if dtype is not None:
        saved_model["dtype"], model["dtype"] = checkpoint.metadata.get("dtype", "float32"), dtype
    _check_same_settings(path, "model", saved_model, model)
    _check_same_settings(path, "training", checkpoint.training.to_dict(), training.to_dict())


def _check_same_settings(path, section, saved, current):
    """Resuming with other settings would silently make a different run: refuse, naming them."""
    differing = sorted(key for key in set(saved) | set(current) if saved.get(key) != current.get(key))
    if differing:
        shown = ", ".join(f"{key}={saved.get(key)!r} (now {current.get(key)!r})" for key in differing)
        raise GatedRNNError(
            f"{path} was started with other {section} settings: {shown}; resume with the options "
            "the run was started with"
        )


def _progress_bar(total, initial, description, enabled):
    from ..progress import bar

    return bar(
        total=total, initial=initial, desc=description, unit="win", progress=enabled, dynamic_ncols=True, leave=False
    )


def _numpy_engine(model, optimizer, config):
    return NumpyEngine(model, optimizer, config.clip)
