"""Sequence tasks over padded batches: classifiers (many-to-one), taggers (aligned many-to-many),
encoder–decoders (Seq2Seq, unaligned many-to-many), regression (SequenceRegressor), their tasks
and training loops."""

from .forecast_training import run_forecast
from .models import SequenceClassifier, SequenceTagger
from .regressor import SequenceRegressor
from .seq2seq import Seq2Seq
from .seq2seq_training import exact_match, fit_transduction, run_transduction
from .tasks import TASKS, brackets, make_task, neighbours
from .training import fit, loss_and_accuracy, run_task
from .transduction_tasks import TRANSDUCTION_TASKS, addition, make_transduction_task, reversal

__all__ = [
    "SequenceClassifier",
    "SequenceTagger",
    "SequenceRegressor",
    "run_forecast",
    "TASKS",
    "brackets",
    "make_task",
    "neighbours",
    "fit",
    "loss_and_accuracy",
    "run_task",
    "Seq2Seq",
    "exact_match",
    "fit_transduction",
    "run_transduction",
    "TRANSDUCTION_TASKS",
    "addition",
    "make_transduction_task",
    "reversal",
]
