"""A run checkpoint: how it is written, and how it is read back, checked, into a model.

A run checkpoint is a gatedrnn checkpoint (gatedrnn.checkpoint) with three array sections:
``model`` (the weights by parameter name), ``optimizer`` (its buffers, "exp_avg.0" …) and
``carried`` (the recurrent state carried into the next window: "0" for h, "1" for c). Its
metadata holds the model and training configs, the vocabulary, the optimizer's
hyperparameters, the random generator's state, the position in the data, the history and the
run's record (``run``: preset, command and the data record, gatedrnn.lm.data_settings).

Nothing is written that the reader would refuse: :func:`save_run_checkpoint` checks the
values first (finite, plausible weights), as :func:`load_run_checkpoint` does after reading.
"""

import math
from dataclasses import dataclass

import numpy as np

from ..checkpoint import load_checkpoint, save_checkpoint
from ..data import Vocabulary
from ..errors import GatedRNNError
from .checkpoint_schema import STATE_PARTS, run_checkpoint_plan
from .config import LARGEST_PLAUSIBLE_WEIGHT, ModelConfig, TrainConfig
from .model import LanguageModel

RUN_SECTIONS = ("model", "vocab", "training", "optimizer", "rng", "position", "history")


@dataclass
class RunCheckpoint:
    """What a run checkpoint holds, section by section (see the module docstring), checked.

    ``config``, ``vocab`` and ``training`` are the metadata's model settings, vocabulary and
    training settings as objects (``vocab``/``training`` None when the file has none).
    """

    model_weights: dict
    optimizer_arrays: dict
    carried_state: object  # None, an (N, H)-per-layer array, or a tuple (h, c)
    metadata: dict
    config: ModelConfig = None
    vocab: Vocabulary = None
    training: TrainConfig = None


def save_run_checkpoint(path, model, optimizer, carried_state, metadata):
    """Write a run checkpoint: the model, the optimizer's state, the carried state and ``metadata``."""
    optimizer_state = optimizer.state_dict()
    carried = () if carried_state is None else (carried_state if isinstance(carried_state, tuple) else (carried_state,))
    sections = dict(
        model=model.state_dict(),
        optimizer=optimizer_state["arrays"],
        carried={str(i): part for i, part in enumerate(carried)},
    )
    _check_values(path, sections, writing=True)
    save_checkpoint(
        path,
        sections,
        dict(
            metadata, model=model.config.to_dict(), optimizer=optimizer_state["hyperparameters"], dtype=str(model.dtype)
        ),
    )


def save_model_checkpoint(path, model, vocab, training=None, run_info=None):
    """Write a checkpoint of a model alone (no optimizer, no position), as eval and generate read it.

    For a model that was not trained by this run's Trainer, e.g. one imported from PyTorch;
    ``training`` (a TrainConfig) gives eval its batch size and window length (default:
    TrainConfig()'s).
    """
    training = training or TrainConfig()
    _check_values(path, dict(model=model.state_dict()), writing=True)
    save_checkpoint(
        path,
        dict(model=model.state_dict()),
        dict(
            model=model.config.to_dict(),
            dtype=str(model.dtype),
            vocab=vocab.to_dict(),
            training=training.to_dict(),
            run=run_info or {},
        ),
    )


def load_run_checkpoint(path, required=RUN_SECTIONS):
    """Read a run checkpoint, checked before and after its arrays are read (GatedRNNError otherwise).

    Before: every metadata section (gatedrnn.lm.checkpoint_schema), the ``required`` ones
    present, and every array's name, shape and dtype against the model settings, within the
    memory this process may use. After: the checksum, finite values, plausible weights and
    a whole carried state.
    """
    checked = {}
    sections, metadata = load_checkpoint(path, plan=run_checkpoint_plan(path, required, checked))
    run = checked["run"]
    _check_values(path, sections)
    carried = sections.get("carried", {})
    parts = STATE_PARTS.get(run.config.cell, 1)
    if carried and len(carried) != parts:
        raise GatedRNNError(
            f"{path} holds {len(carried)} of the {parts} carried state arrays of a "
            f"{run.config.cell}; the file is corrupt"
        )
    state = [carried[str(i)] for i in range(len(carried))]
    state = None if not state else (tuple(state) if len(state) > 1 else state[0])
    return RunCheckpoint(
        model_weights=sections.get("model", {}),
        optimizer_arrays=sections.get("optimizer", {}),
        carried_state=state,
        metadata=metadata,
        config=run.config,
        vocab=run.vocab,
        training=run.training,
    )


def _check_values(path, sections, writing=False):
    """Refuse NaN or infinity anywhere, and model weights no training produces: they only yield nan.

    Called on reading, and before writing (``writing``), so that gatedrnn never writes a
    checkpoint it would then refuse to read.
    """
    for section, arrays in sections.items():
        for name, array in arrays.items():
            if array.size == 0 or array.dtype.kind != "f":
                continue
            low, high = float(array.min()), float(array.max())  # NaN propagates; no temporary array
            if not (math.isfinite(low) and math.isfinite(high)):
                raise GatedRNNError(
                    _unreadable(
                        path,
                        writing,
                        f"{section}/{name} holds NaN or infinite values",
                        "the run had diverged or the file is corrupt: use an earlier checkpoint",
                    )
                )
            largest = max(abs(low), abs(high))
            if section == "model" and largest > LARGEST_PLAUSIBLE_WEIGHT:
                raise GatedRNNError(
                    _unreadable(
                        path,
                        writing,
                        f"model/{name} holds a weight of {largest:.3g}, beyond "
                        f"any trained model's (±{LARGEST_PLAUSIBLE_WEIGHT:g})",
                        "the file is corrupt or crafted",
                    )
                )


def _unreadable(path, writing, problem, reading_hint):
    if writing:
        return (
            f"not writing {path}: {problem}; the run has diverged: lower the learning rate, clip harder or "
            "start from an earlier checkpoint"
        )
    return f"{path}: {problem}; {reading_hint}"


def model_from_checkpoint(path):
    """Rebuild the model and vocabulary saved in a run checkpoint: ``(model, vocab, metadata)``.

    The model is built only once the whole file has been checked (load_run_checkpoint).
    """
    checkpoint = load_run_checkpoint(path, required=("model", "vocab"))
    checkpoint.optimizer_arrays = None  # not needed here: free them before the model is built
    model = LanguageModel(checkpoint.config, dtype=np.dtype(checkpoint.metadata.get("dtype", "float32")))
    model.load_state_dict(checkpoint.model_weights)
    return model, checkpoint.vocab, checkpoint.metadata


def training_config_of(metadata, path):
    """The TrainConfig a checkpoint was trained with; GatedRNNError for a file without one."""
    if not isinstance(metadata, dict) or "training" not in metadata:
        raise GatedRNNError(f"{path} has no training settings; it was not written by `gatedrnn train` (the Trainer)")
    return TrainConfig.from_dict(metadata["training"], source=f"{path}'s training settings")


def finite_or_none(value):
    """JSON has no infinity: an unset best score is stored as null."""
    return None if value is None or math.isinf(value) else value
