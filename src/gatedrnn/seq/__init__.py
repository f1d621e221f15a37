"""Sequence tasks over padded batches: classifiers (many-to-one), taggers (many-to-many), their tasks and loop."""
from .models import SequenceClassifier, SequenceTagger
from .tasks import TASKS, brackets, make_task, neighbours
from .training import fit, loss_and_accuracy, run_task

__all__ = ["SequenceClassifier", "SequenceTagger", "TASKS", "brackets", "make_task", "neighbours", "fit",
           "loss_and_accuracy", "run_task"]
