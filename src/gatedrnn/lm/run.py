"""TrainingRun: one training run, from its settings to its results document.

This is the one place a run is set up. ``gatedrnn train``, ``gatedrnn demo``, the examples
and a Python user all go through it (a bare :class:`~gatedrnn.lm.trainer.Trainer` claims its
directory the same way), so every door checks the same things in the same order:

1. :meth:`TrainingRun.check`, before any data is read: the input files are regular files;
   ``out`` can hold this run (empty, or the run to resume, and not finished); the results
   path is none of the run's inputs, no other run's file, and no file that is not a results
   document (nothing a user wrote is overwritten).
2. :meth:`TrainingRun.build`: the corpus, the model (after the memory check) and the Trainer.
3. :meth:`TrainingRun.train`: claims ``out`` (run.lock), resumes if asked, trains, and writes
   the one results document (:func:`results_document`) into ``out/results.json`` and, if
   asked, a copy at ``results``.

    run = TrainingRun("runs/mine", DataSettings(text="my.txt"), ModelConfig(...), TrainConfig(...))
    summary = run.train()      # checks, builds and trains; summary["finished"] is True at the end
"""

import json
import os
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np

from .. import rng as _rng
from ..arguments import flag, function, path_argument
from ..data import Corpus
from ..errors import GatedRNNError, is_finite_number, short_repr
from ..files import describe_os_error, machine_info, timestamp, what_to_do, write_json
from ..own_files import LARGEST_RESULTS_FILE, check_replaceable
from .config import ModelConfig, TrainConfig
from .data_settings import DataSettings, check_same_data_options
from .model import LanguageModel
from .run_checkpoint import load_run_checkpoint
from .run_directory import RunFiles, check_results_file
from .trainer import (
    Trainer,
    check_evaluation_fits,
    check_same_run_settings,
    check_stop_limits,
    check_trainer_options,
    check_vocabulary_order,
)


class TrainingRun:
    """A language-model run in directory ``out``: checked, built, trained, reported.

    out: the run directory (a path). data: a :class:`DataSettings` (what to load), a ready
    :class:`~gatedrnn.data.Corpus`, or a function that returns one when the run is built (the
    demo's: its text is read only once the paths are checked). model: a ModelConfig (its vocab_size is
    taken from the corpus). training: a TrainConfig. preset, about: the recipe's name and
    description, for the logs and the results. results: also write the results document
    here. resume: continue the run in ``out`` from its last.npz. engine: None for NumPy, or a
    function building another engine (gatedrnn.lm.engine): gatedrnn.interop.torch_engine's
    TorchEngine, or its auto_engine, which times both and keeps the faster (what ``--engine auto``
    passes; the choice goes into the results document). command: the command line, for
    the lock and the results. how_to_continue(saved): the advice that ends a stopped run's
    message (``saved``: whether last.npz exists). The other keywords go to the Trainer.
    """

    def __init__(
        self,
        out: str | os.PathLike[str] | RunFiles,
        data: DataSettings | Corpus | Callable[[], Corpus],
        model: ModelConfig,
        training: TrainConfig,
        preset: str = "custom",
        about: str = "",
        results: str | os.PathLike[str] | None = None,
        resume: bool = False,
        engine: Callable[..., Any] | None = None,
        command: str | None = None,
        progress: bool = True,
        echo: Callable[[str], Any] = print,
        log_interval: int = 100,
        checkpoint_interval: int = 500,
        on_log: Callable[[Trainer, dict[str, Any]], Any] | None = None,
        how_to_continue: Callable[[bool], str] | None = None,
    ) -> None:
        if not (isinstance(data, (DataSettings, Corpus)) or callable(data)):
            raise GatedRNNError(
                f"data must be a DataSettings, a Corpus or a function returning one, got "
                f"{type(data).__name__}; build one with gatedrnn.lm.DataSettings(text=...)"
            )
        if not isinstance(model, ModelConfig) or not isinstance(training, TrainConfig):
            raise GatedRNNError(
                "model must be a ModelConfig and training a TrainConfig, got "
                f"{type(model).__name__} and {type(training).__name__}"
            )
        progress, echo = check_trainer_options(progress, echo, log_interval, checkpoint_interval, on_log, engine)
        _check_words(preset=preset, about=about, command=command)
        resume = flag("resume", resume)
        if how_to_continue is not None:
            function("how_to_continue", how_to_continue)
        self.files = out if isinstance(out, RunFiles) else RunFiles(Path(path_argument("out", out, "runs/lm")))
        if isinstance(data, DataSettings) and model.adaptive_softmax is not None:
            data = data.replace(vocab_order="frequency")  # the adaptive softmax's head is the lowest ids
        if isinstance(data, Corpus):
            check_vocabulary_order(model, data)  # a corpus given ready is used as it is: checked now
        self.data, self.model_config, self.training = data, model, training
        self.preset, self.about = preset, about
        self.results = None if results is None else Path(path_argument("results", results, "results.json"))
        self.resume, self.engine, self.command = resume, engine, command
        self.trainer_options = dict(
            progress=progress,
            echo=echo,
            log_interval=log_interval,
            checkpoint_interval=checkpoint_interval,
            on_log=on_log,
        )
        self.echo = echo
        self.how_to_continue = how_to_continue or _how_to_continue
        self.trainer: Trainer | None = None  # made by build()
        # A used directory is refused now, as the configs refuse a bad value; check() (and the
        # claim under run.lock) looks again, as the directory may change before train().
        self.files.check_can_start(self.resume)

    # -- 1. checks that need no data ---------------------------------------------------------
    def check(self):
        """GatedRNNError for anything that would stop the run or lose a file; writes and reads no data."""
        if isinstance(self.data, DataSettings):
            self.data.check_files()
        self.files.check_can_start(self.resume)
        inputs = set(self._input_files())
        clobbered = [name for name in self.files.names_written() if _absolute(name) in inputs]
        if clobbered:
            raise GatedRNNError(
                f"the run would write {clobbered[0]}, which is one of its input files; choose another --out"
            )
        if self.results is not None:
            self._check_results_path(inputs)
        if self.resume and self.files.last.exists():
            self._check_saved_settings()

    def _check_saved_settings(self):
        """Resuming: the settings of last.npz that need no data (data options, model less what
        the corpus decides, training) must be this run's, so that other options are refused
        before the data loads, and by ``train --dry-run --resume``. The vocabulary, the data's
        fingerprints and the position are checked once the data is read (:meth:`_resume`)."""
        last = self.files.last
        checkpoint = load_run_checkpoint(last)
        if isinstance(self.data, DataSettings):
            check_same_data_options(last, (checkpoint.metadata.get("run") or {}).get("data"), asdict(self.data))
        check_same_run_settings(last, checkpoint, self.model_config, self.training, before_corpus=True)

    def finished_already(self):
        """True when ``out`` holds a finished run (its results.json): resuming it changes nothing."""
        return self.resume and self.files.results.exists()

    def _input_files(self):
        return self.data.input_files() if isinstance(self.data, DataSettings) else []

    def _check_results_path(self, inputs):
        path = self.results
        check_results_file(path, own_directory=self.files.out_dir)
        if _absolute(path) in inputs:
            raise GatedRNNError(
                f"--results {path} is one of the run's input files; name another file (nothing is overwritten)"
            )
        check_replaceable(path, "--results", "results")

    # -- 2. corpus, model, Trainer -----------------------------------------------------------
    def build(self) -> Trainer:
        """Check (:meth:`check`), then load the corpus, make the model (seeded) and the Trainer;
        returns the Trainer."""
        self.check()
        corpus = self._corpus()
        check_evaluation_fits(corpus, self.training)  # before the model is made: it may be large
        _rng.seed(self.training.seed)
        model = LanguageModel(self.model_config.for_corpus(len(corpus.vocab), corpus.train))
        run_info = dict(preset=self.preset, corpus=corpus.name, command=self.command, data=corpus.source)
        self.trainer = Trainer(
            model, corpus, self.training, self.files, run_info=run_info, engine=self.engine, **self.trainer_options
        )
        return self.trainer

    def _corpus(self):
        if isinstance(self.data, DataSettings):
            return self.data.load()
        corpus = self.data if isinstance(self.data, Corpus) else self.data()
        if not isinstance(corpus, Corpus):
            raise GatedRNNError(f"the data function returned {type(corpus).__name__}, not a Corpus")
        return corpus

    # -- 3. train and report -----------------------------------------------------------------
    def train(self, max_steps: int | None = None, time_limit: float | None = None) -> dict[str, Any]:
        """Build (and so check) unless built, claim ``out``, resume if asked, train; returns fit()'s summary.

        A finished run also writes its results document (``summary["results"]`` holds it). A
        write that fails mid-run (disk full, read-only, ulimit -f) ends in one GatedRNNError
        line saying what was saved and how to continue.
        """
        check_stop_limits(max_steps, time_limit)
        trainer = self.trainer or self.build()
        with self.files.claim(resume=self.resume, command=self.command):
            if self.files.removed_temporaries:
                self.echo(
                    f"removed {len(self.files.removed_temporaries)} temporary file(s) left by an interrupted save"
                )
            try:
                if self.finished_already():
                    return self._already_finished(trainer)
                if self.resume:
                    self._resume(trainer)
                self._announce(trainer)
                summary = trainer.fit(max_steps=max_steps, time_limit=time_limit)
                if summary["finished"]:
                    summary["results"] = results_document(trainer, summary, self.preset, self.about, self.command)
                    self.files.write_results(summary["results"])
            except BrokenPipeError:
                raise  # the reader of the run's output went away (`| head`): not a file to fix
            except OSError as error:
                advice = self.how_to_continue(self.files.last.exists())
                raise GatedRNNError(
                    f"{describe_os_error(error)}; the run stopped and {self.files.what_was_saved()}; "
                    f"{what_to_do(error)}, then {advice}"
                ) from error
            if summary["finished"]:
                self._copy_results(summary["results"])
        return summary

    def _copy_results(self, results):
        """Write the finished run's results to ``results`` (--results), if given. A failure is not
        the run's: it finished, and resuming it writes this copy again (see _already_finished)."""
        if self.results is None:
            return
        try:
            write_json(self.results, results)
        except BrokenPipeError:
            raise
        except OSError as error:
            raise GatedRNNError(
                f"the run finished and wrote {self.files.results}, but its copy to results {self.results} "
                f"failed: {describe_os_error(error)}; {what_to_do(error)}, then resume the run "
                "(--resume, resume=True), which writes the copy and trains no further"
            ) from error

    def _already_finished(self, trainer):
        """A finished run asked to resume: its data and settings are checked as for any resume,
        nothing of the run is written (only a copy of its results where ``results`` asks), and the
        summary says so (``already_finished``) with its results document."""
        trainer.check_continues(self.files.last)
        with open(self.files.results, "rb") as handle:
            results = json.loads(handle.read(LARGEST_RESULTS_FILE))
        self._copy_results(results)
        return dict(finished=True, already_finished=True, results=results, results_copied_to=self.results)

    def _resume(self, trainer):
        """Continue from last.npz: the same data, model and training settings (Trainer.load checks them)."""
        trainer.load(self.files.last)
        self.echo(
            f"resuming {trainer.out_dir} at epoch {trainer.epoch + 1}, window {trainer.window}, step {trainer.step}"
        )

    def _announce(self, trainer):
        self.echo(f"{self.preset}: {self.about}" if self.about else self.preset)
        self.echo(
            f"model: {trainer.model.num_parameters():,} parameters | corpus {trainer.corpus.name}: "
            f"{trainer.corpus.train.size:,} training tokens, vocabulary {len(trainer.corpus.vocab):,} | "
            f"out: {self.files.out_dir}"
        )


def results_document(trainer, summary, preset, about, command):
    """The one shape of a finished run's results: settings, data, scores by epoch, test, time, machine."""
    epochs = trainer.log.records("valid")
    train_rates = [r["tokens_per_s"] for r in trainer.log.records("train")]
    model, corpus = trainer.model, trainer.corpus
    return dict(
        preset=preset,
        about=about,
        command=command,
        finished=timestamp(),
        model=model.config.to_dict(),
        training=trainer.config.to_dict(),
        corpus=corpus.name,
        data=corpus.source,
        train_tokens=int(corpus.train.size),
        valid_tokens=int(corpus.valid.size),
        test_tokens=None if corpus.test is None else int(corpus.test.size),
        vocab_size=len(corpus.vocab),
        parameters=model.num_parameters(),
        valid_ppl_by_epoch=[r["valid_ppl"] for r in epochs],
        lr_by_epoch=[r["lr"] for r in epochs],
        scored=summary["scored"],
        best_epoch=summary["best_epoch"],
        best_valid_ppl=summary["valid_ppl"],
        test_ppl=summary["test_ppl"],
        best_valid_bits_per_token=summary["valid_bits"],
        test_bits_per_token=summary["test_bits"],
        last_epoch_valid_ppl=summary["last_valid_ppl"],
        last_epoch_test_ppl=summary["last_test_ppl"],
        wall_seconds_this_session=summary["seconds"],
        wall_seconds=summary["wall_seconds"],
        steps=summary["steps"],
        median_train_tokens_per_s=float(np.median(train_rates)) if train_rates else None,
        engine=summary["engine"],
        # --engine auto: the engine chosen, each engine's measured tokens/s and the trial's steps (this session's)
        engine_choice=getattr(trainer.engine, "choice", None),
        device=summary["device"],
        processes=summary["processes"],
        threads=summary["threads"],
        checkpoint=str(trainer.files.best),
        machine=machine_info(),
    )


def _check_words(**values):
    """Each value a str (None allowed for command): the run records them in its checkpoints and results."""
    for name, value in values.items():
        if not (isinstance(value, str) or (name == "command" and value is None)):
            raise GatedRNNError(
                f"{name} must be a str (the run records it in its checkpoints and results), got {short_repr(value)}"
            )


def _how_to_continue(saved):
    return "continue it with resume=True" if saved else "start it again"


def check_time_limit(minutes):
    """GatedRNNError unless ``minutes`` is a positive finite number; returns it in seconds (or None)."""
    if minutes is None:
        return None
    if not (is_finite_number(minutes) and minutes > 0):
        raise GatedRNNError(
            f"--time-limit must be a positive number of minutes, got {short_repr(minutes)}; pass e.g. 60 for an hour"
        )
    return float(minutes) * 60


def _absolute(path):
    return Path(os.path.abspath(path))


__all__ = ["TrainingRun", "results_document", "check_time_limit"]
