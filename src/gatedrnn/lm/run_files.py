"""A training run's directory and every file in it: the one place that reads and writes them.

    <out>/last.npz        the newest checkpoint, to resume from
    <out>/best.npz        the weights with the best validation score so far
    <out>/metrics.jsonl   one JSON record per log line (gatedrnn.lm.run_log)
    <out>/perplexity.png  the curves (bits_per_char.png for character-level runs)
    <out>/results.json    the finished run's summary

A run checkpoint is a gatedrnn checkpoint (gatedrnn.checkpoint) with three array sections:
``model`` (the weights by parameter name), ``optimizer`` (its buffers, "exp_avg.0" …) and
``carried`` (the recurrent state carried into the next window: "0" for h, "1" for c). Its
metadata holds the model and training configs, the vocabulary, the optimizer's
hyperparameters, the random generator's state, the position in the data and the history.
"""
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..checkpoint import load_checkpoint, save_checkpoint
from ..data import Vocabulary
from ..errors import GatedRNNError
from ..files import write_json
from .config import ModelConfig, TrainConfig
from .model import LanguageModel

RUN_SECTIONS = ("model", "vocab", "training", "optimizer", "rng", "position", "history")


class RunFiles:
    """The paths of one run directory and how each file is written."""

    def __init__(self, out_dir, char_level=False):
        self.out_dir = Path(out_dir)
        self.char_level = char_level

    @property
    def last(self):
        return self.out_dir / "last.npz"

    @property
    def best(self):
        return self.out_dir / "best.npz"

    @property
    def metrics(self):
        return self.out_dir / "metrics.jsonl"

    @property
    def results(self):
        return self.out_dir / "results.json"

    @property
    def plot(self):
        """perplexity.png for word-level runs, bits_per_char.png for character-level ones."""
        return self.out_dir / ("bits_per_char.png" if self.char_level else "perplexity.png")

    def write_results(self, result, also_to=None):
        """results.json in the run directory, and a copy at ``also_to`` if given."""
        write_json(self.results, result)
        if also_to:
            write_json(also_to, result)


@dataclass
class RunCheckpoint:
    """What a run checkpoint holds, section by section (see the module docstring)."""
    model_weights: dict
    optimizer_arrays: dict
    carried_state: object   # None, an (N, H)-per-layer array, or a tuple (h, c)
    metadata: dict


def save_run_checkpoint(path, model, optimizer, carried_state, metadata):
    """Write a run checkpoint: the model, the optimizer's state, the carried state and ``metadata``."""
    optimizer_state = optimizer.state_dict()
    carried = () if carried_state is None else (carried_state if isinstance(carried_state, tuple) else (carried_state,))
    sections = dict(model=model.state_dict(), optimizer=optimizer_state["arrays"],
                    carried={str(i): part for i, part in enumerate(carried)})
    save_checkpoint(path, sections, dict(metadata, model=model.config.to_dict(),
                                         optimizer=optimizer_state["hyperparameters"], dtype=str(model.dtype)))


def load_run_checkpoint(path, required=RUN_SECTIONS):
    """Read a run checkpoint; GatedRNNError if it lacks any of the ``required`` metadata sections."""
    sections, metadata = load_checkpoint(path)
    missing = [key for key in required if key not in metadata]
    if missing:
        raise GatedRNNError(f"{path} lacks {', '.join(missing)}; it is not a checkpoint written by the Trainer")
    carried = [sections.get("carried", {})[str(i)] for i in range(len(sections.get("carried", {})))]
    state = None if not carried else (tuple(carried) if len(carried) > 1 else carried[0])
    return RunCheckpoint(model_weights=sections.get("model", {}), optimizer_arrays=sections.get("optimizer", {}),
                         carried_state=state, metadata=metadata)


def model_from_checkpoint(path):
    """Rebuild the model and vocabulary saved in a run checkpoint: ``(model, vocab, metadata)``."""
    checkpoint = load_run_checkpoint(path, required=("model", "vocab"))
    metadata = checkpoint.metadata
    config = ModelConfig.from_dict(metadata["model"], source=f"{path}'s model settings")
    model = LanguageModel(config, dtype=np.dtype(metadata.get("dtype", "float32")))
    model.load_state_dict(checkpoint.model_weights)
    vocab = Vocabulary.from_dict(metadata["vocab"])
    if len(vocab) != config.vocab_size:
        raise GatedRNNError(f"{path}: the vocabulary has {len(vocab)} tokens but the model expects "
                            f"{config.vocab_size}; the checkpoint is inconsistent")
    return model, vocab, metadata


def training_config_of(metadata, path):
    """The TrainConfig a checkpoint was trained with."""
    return TrainConfig.from_dict(metadata["training"], source=f"{path}'s training settings")


def finite_or_none(value):
    """JSON has no infinity: an unset best score is stored as null."""
    return None if value is None or math.isinf(value) else value
