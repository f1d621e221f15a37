"""What a run checkpoint must hold, checked from its metadata before any of its arrays is read.

gatedrnn.checkpoint reads a file in a budgeted order and asks, once the metadata is parsed,
for a :class:`~gatedrnn.checkpoint.Plan`: which arrays the file may hold, with which shapes
and dtype. :func:`run_checkpoint_plan` answers for the checkpoints the Trainer writes
(gatedrnn.lm.run_checkpoint), checking every metadata section on the way:

    model        a ModelConfig (every key known, every value of its type and in bounds; an
                 adaptive softmax's cutoffs, never "auto")
    dtype        "float32" or "float64" (absent: float32)
    vocab        a Vocabulary of exactly vocab_size distinct strings
    training     a TrainConfig
    optimizer    {"optimizer": a known class, "num_parameters": the model's count, "step": int ≥ 0, …}
    rng          the random generator's state (gatedrnn.rng.check_state)
    position     epoch, window, step … (whole numbers ≥ 0) and the loss sums (finite)
    history      a list of log records, each a flat dict with the fields the run's code reads
    best_valid_nll, run   a finite number or null; a dict

and from them the arrays: ``model/<name>`` for every parameter of ``expected_shapes(config)``
(all required), ``optimizer/<buffer>.<i>`` shaped as parameter i, ``carried/<k>`` shaped
(num_layers, batch_size, hidden_size), all in the checkpoint's dtype. It also measures the
memory: the model that will be built from the file must fit before a byte of it is read.
"""

import math
from dataclasses import dataclass
from numbers import Real

import numpy as np

from .. import rng as _rng
from ..checkpoint import ArraySpec, Plan
from ..data import Vocabulary
from ..errors import GatedRNNError, is_finite_number, is_whole_number, short_repr
from ..layers.registry import state_part_counts
from ..optim import OPTIMIZERS
from .adaptive_cutoffs import AUTO
from .config import ModelConfig, TrainConfig
from .model import check_fits_in_memory, expected_shapes, parameter_array_count, parameter_count

DTYPES = ("float32", "float64")
POSITION_FIELDS = ("epoch", "window", "step", "plateau_divisions", "skipped_updates", "consecutive_skips")
LOSS_SUM_FIELDS = {"epoch_total": "total", "epoch_count": "count", "interval_total": "total", "interval_count": "count"}
# The fields of a log record that code reads back (the plot, results.json), by record kind.
RECORD_NUMBERS = {
    "train": ("ppl", "bits", "tokens_per_s"),
    "valid": ("valid_ppl", "valid_bits"),
    "test": (),
    "nonfinite": (),
}
STATE_PARTS = state_part_counts()  # cell → carried state arrays: 2 for the LSTM's (h, c), 1 for h


@dataclass
class RunMetadata:
    """A run checkpoint's metadata, checked, with what was built from it on the way."""

    config: ModelConfig
    dtype: np.dtype
    shapes: dict  # parameter name → shape, in the model's parameter order
    vocab: Vocabulary = None
    training: TrainConfig = None


def run_checkpoint_plan(path, required, checked):
    """A plan function for gatedrnn.checkpoint.load_checkpoint; stores the RunMetadata in ``checked["run"]``."""

    def plan(metadata, names):
        run = check_run_metadata(path, metadata, required, len(names))
        checked["run"] = run
        return Plan(
            arrays=_array_specs(path, metadata, run, names),
            extra_bytes=2 * parameter_count(run.config) * run.dtype.itemsize,
            extra_what="the model's weights and gradients",
        )

    return plan


def check_run_metadata(path, metadata, required, member_count=None):
    """Check every known section of a run checkpoint's metadata; GatedRNNError naming the first problem."""
    missing = [key for key in ("model", *required) if key not in metadata]
    if missing:
        raise GatedRNNError(
            f"{path} lacks {', '.join(dict.fromkeys(missing))}; it is not a checkpoint written by the Trainer"
        )
    config = ModelConfig.from_dict(metadata["model"], source=f"{path}'s model settings")
    if config.vocab_size is None:
        raise GatedRNNError(f"{path}'s model settings have no vocab_size; the file is corrupt")
    if config.adaptive_softmax == AUTO:  # a trained model has its cutoffs: training resolves auto first
        raise GatedRNNError(f"{path}'s model settings have adaptive_softmax 'auto', not cutoffs; the file is corrupt")
    dtype = _dtype(path, metadata.get("dtype", "float32"))
    arrays = parameter_array_count(config)
    if member_count is not None and arrays > member_count:
        raise GatedRNNError(
            f"{path}: its model settings imply {arrays:,} weight arrays but the file holds "
            f"{member_count:,} arrays; the file is corrupt or crafted"
        )
    check_fits_in_memory(config, dtype)  # before anything of that size is listed, read or built
    run = RunMetadata(config=config, dtype=dtype, shapes=expected_shapes(config))
    if "vocab" in metadata:
        run.vocab = _vocabulary(path, metadata["vocab"], config)
    if "training" in metadata:
        run.training = TrainConfig.from_dict(metadata["training"], source=f"{path}'s training settings")
    checks = {
        "optimizer": lambda value: _check_optimizer(path, value, len(run.shapes)),
        "rng": lambda value: _check_rng(path, value),
        "position": lambda value: _check_position(path, value, run.training),
        "history": lambda value: _check_history(path, value),
        "best_valid_nll": lambda value: _check_best(path, value),
        "run": lambda value: _check_run_info(path, value, run.vocab),
    }
    for key, check in checks.items():
        if key in metadata:
            check(metadata[key])
    return run


def _dtype(path, name):
    if not isinstance(name, str) or name not in DTYPES:
        raise GatedRNNError(
            f"{path}: its dtype is {short_repr(name, 40)}; a gatedrnn model is {' or '.join(DTYPES)}, so "
            "the file is corrupt or crafted"
        )
    return np.dtype(name)


def _vocabulary(path, description, config):
    try:
        vocab = Vocabulary.from_dict(description)
    except GatedRNNError as error:
        raise GatedRNNError(f"{path}: {error}") from None
    if len(vocab) != config.vocab_size:
        raise GatedRNNError(
            f"{path}: the vocabulary has {len(vocab)} tokens but the model expects "
            f"{config.vocab_size}; the checkpoint is inconsistent"
        )
    return vocab


def optimizer_classes():
    """{class name: class} of every registered optimizer (gatedrnn.optim.OPTIMIZERS), as the metadata names them."""
    return {cls.__name__: cls for cls in OPTIMIZERS.values()}


def _check_optimizer(path, hyper, parameter_arrays):
    """The parts of the optimizer's state the file's arrays depend on; the optimizer checks the rest."""
    if not isinstance(hyper, dict):
        raise GatedRNNError(
            f"{path}: its optimizer state must be a JSON object, got {type(hyper).__name__}; the file is corrupt"
        )
    name = hyper.get("optimizer")
    if not isinstance(name, str) or name not in optimizer_classes():
        raise GatedRNNError(
            f"{path}: its optimizer {short_repr(name, 40)} is not one gatedrnn knows; the file is corrupt"
        )
    if hyper.get("num_parameters") != parameter_arrays or isinstance(hyper.get("num_parameters"), bool):
        raise GatedRNNError(
            f"{path}: its optimizer state is for {short_repr(hyper.get('num_parameters'), 40)} parameters "
            f"but the model has {parameter_arrays}; the file is corrupt"
        )
    if not is_whole_number(hyper.get("step"), 0):
        raise GatedRNNError(
            f"{path}: its optimizer step is {short_repr(hyper.get('step'), 40)}, not a whole number ≥ 0; "
            "the file is corrupt"
        )


def _check_rng(path, state):
    try:
        _rng.check_state(state)
    except GatedRNNError as error:
        raise GatedRNNError(f"{path}: {error}") from None


def _check_position(path, position, training):
    """Where the run stood: whole counts ≥ 0, finite loss sums, and no epoch beyond the run's."""
    expected = {*POSITION_FIELDS, "loss_sums"}
    # wall_seconds (the run's time in fit so far) came later: files without it still load.
    if not isinstance(position, dict) or set(position) - {"wall_seconds"} != expected:
        raise GatedRNNError(
            f"{path}: its position must be a JSON object with exactly {', '.join(sorted(expected))}; "
            "the file is corrupt"
        )
    for name in POSITION_FIELDS:
        if not is_whole_number(position[name], 0):
            raise GatedRNNError(
                f"{path}: its position's {name} is {short_repr(position[name], 40)}, not a whole number ≥ 0; "
                "the file is corrupt"
            )
    if "wall_seconds" in position and not (
        is_finite_number(position["wall_seconds"]) and position["wall_seconds"] >= 0
    ):
        raise GatedRNNError(
            f"{path}: its position's wall_seconds is {short_repr(position['wall_seconds'], 40)}, not a "
            "finite number ≥ 0; the file is corrupt"
        )
    if training is not None and position["epoch"] > training.epochs:
        raise GatedRNNError(
            f"{path}: its position is epoch {position['epoch']} of a run of {training.epochs}; the file is corrupt"
        )
    sums = position["loss_sums"]
    if not isinstance(sums, dict) or set(sums) != set(LOSS_SUM_FIELDS):
        raise GatedRNNError(
            f"{path}: its loss_sums must be a JSON object with exactly "
            f"{', '.join(LOSS_SUM_FIELDS)}; the file is corrupt"
        )
    for name, kind in LOSS_SUM_FIELDS.items():
        value = sums[name]
        fits = is_whole_number(value, 0) if kind == "count" else is_finite_number(value)
        if not fits:
            wanted = "a whole number ≥ 0" if kind == "count" else "a finite number"
            raise GatedRNNError(
                f"{path}: its loss_sums {name} is {short_repr(value, 40)}, not {wanted}; the file is corrupt"
            )


def _check_history(path, history):
    """The log records: flat JSON objects of a known kind, with the numbers the run reads back."""
    if not isinstance(history, list):
        raise GatedRNNError(
            f"{path}: its history must be a list of records, got {type(history).__name__}; the file is corrupt"
        )
    for index, record in enumerate(history):
        problem = _record_problem(record)
        if problem:
            raise GatedRNNError(f"{path}: history record {index} {problem}; the file is corrupt")


def _record_problem(record):
    """What is wrong with one log record, or None."""
    if not isinstance(record, dict):
        return f"is {type(record).__name__}, not a JSON object"
    kind = record.get("kind")
    if not isinstance(kind, str) or kind not in RECORD_NUMBERS:
        return f"has kind {short_repr(kind, 40)}, not one of {', '.join(RECORD_NUMBERS)}"
    for key, value in record.items():
        if value is not None and not isinstance(value, (bool, int, float, str)):
            return f"holds {type(value).__name__} under {short_repr(key, 40)}, where a number, text or null belongs"
    for key in ("epoch", "step", *RECORD_NUMBERS[kind]):
        if not _number(record.get(key)):
            return f"({kind}) has {key} {short_repr(record.get(key), 40)}, not a number"
    return None


def _check_best(path, value):
    if value is not None and not (is_finite_number(value) and value >= 0):
        raise GatedRNNError(
            f"{path}: its best_valid_nll is {short_repr(value, 40)}, not a finite number ≥ 0 or null; the "
            "file is corrupt"
        )


def _check_run_info(path, value, vocab):
    if not isinstance(value, dict):
        raise GatedRNNError(
            f"{path}: its run information must be a JSON object, got {type(value).__name__}; the file is corrupt"
        )
    data = value.get("data")
    level = data.get("level") if isinstance(data, dict) else None
    if vocab is not None and level is not None and level != vocab.level:
        # eval and generate cut text by the vocabulary's level and read options by the record's
        raise GatedRNNError(
            f"{path}: its vocabulary is {vocab.level}-level but its run record says the data was cut "
            f"into {level}s; the file is inconsistent: export the model again from its checkpoint"
        )


# -- the arrays ------------------------------------------------------------------------------
def _array_specs(path, metadata, run, names):
    """{member: ArraySpec} for the members the file holds, plus every model weight (required)."""
    specs = {f"model/{name}": ArraySpec(shape, run.dtype) for name, shape in run.shapes.items()}
    shapes = list(run.shapes.values())
    buffers = _buffer_names(metadata.get("optimizer"))
    state_shape, parts = _carried_shape(run)
    for member in names:
        section, _, name = member.partition("/")
        if section == "optimizer":
            buffer, _, index = name.rpartition(".")
            if (buffers is None or buffer in buffers) and buffer and _index(index) < len(shapes):
                specs[member] = ArraySpec(shapes[_index(index)], run.dtype, required=False)
        elif section == "carried" and _index(name) < parts:
            specs[member] = ArraySpec(state_shape, run.dtype, required=False)
    return specs


def _buffer_names(hyper):
    """The buffer names the named optimizer may keep: a set, None for any, () without optimizer state."""
    if not isinstance(hyper, dict):
        return ()
    declared = optimizer_classes()[hyper["optimizer"]].state_buffers
    return None if declared is None else set(declared)


def _carried_shape(run):
    """The shape of each carried state array and how many there may be (none without training settings)."""
    if run.training is None:
        return None, 0
    config = run.config
    return (config.num_layers, run.training.batch_size, config.hidden_size), STATE_PARTS[config.cell]


def _index(text):
    """A canonical non-negative decimal index ("3", not "03" or "٣"), or infinity."""
    if text.isascii() and text.isdigit() and str(int(text)) == text:
        return int(text)
    return math.inf


# -- small checks ----------------------------------------------------------------------------
def _number(value):
    return isinstance(value, Real) and not isinstance(value, bool)
