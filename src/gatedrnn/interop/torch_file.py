"""The torch file of ``gatedrnn export`` / ``import``: one whole language model, no pickled code.

A dict written with ``torch.save`` and read with ``torch.load(weights_only=True)``::

    format          "gatedrnn-language-model"
    format_version  1
    config          ModelConfig.to_dict()
    vocab           Vocabulary.to_dict() (``tokens`` in id order, ``unk_token``, ``level``)
    training        TrainConfig.to_dict(), or None
    run             the checkpoint's run record (what it was trained on: ``run["data"]`` with the
                    corpus, paths, level, lowercase, min_count, max_vocab …), plain JSON data,
                    carried unchanged; absent in files written before it was kept ({} then)
    state_dict      {name: tensor}, the LanguageModel's names (TorchLanguageModel loads it)

Reading checks every part before a model is built: a regular file (a FIFO would block),
within memory, the format, a vocabulary of at least two distinct tokens matching the
config and the embedding, and tensors gatedrnn can hold (float32/float64, dense, finite,
plausible: :mod:`.torch_tensors`).
"""

import io
import json
import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..errors import GatedRNNError
from .lazy_torch import import_torch
from .torch_tensors import arrays_from_state_dict, check_plausible

if TYPE_CHECKING:
    from ..data.vocab import Vocabulary
    from ..lm.config import TrainConfig
    from ..lm.model import LanguageModel

StrPath = str | os.PathLike[str]

TORCH_FILE_FORMAT = "gatedrnn-language-model"
TORCH_FILE_VERSION = 1


@dataclass
class TorchFile:
    """What a torch file holds, checked: the model, its vocabulary, training settings (or None) and run record."""

    model: "LanguageModel"
    vocab: "Vocabulary"
    training: "TrainConfig | None" = None
    run: dict[str, Any] = field(default_factory=dict)


def save_torch_language_model(
    model: "LanguageModel",
    vocab: "Vocabulary",
    path: StrPath,
    training: "TrainConfig | None" = None,
    run: dict[str, Any] | None = None,
) -> None:
    """Write ``model`` as a self-contained torch file: its state_dict, config, vocabulary, training
    settings and ``run`` record (a JSON-able dict, e.g. a checkpoint's ``metadata["run"]``),
    readable with ``torch.load(path, weights_only=True)`` (no pickled code).

    ``TorchLanguageModel(saved["config"])`` rebuilds it in PyTorch alone; the vocabulary is
    ``saved["vocab"]["tokens"]`` in id order. Written atomically.
    """
    from ..files import atomic_write_bytes
    from .language_model import check_torch_counterpart

    check_torch_counterpart(model.config.to_dict())  # a file TorchLanguageModel could not rebuild is not written
    torch = import_torch()
    state = {name: torch.from_numpy(array.copy()) for name, array in model.state_dict().items()}
    document = dict(
        format=TORCH_FILE_FORMAT,
        format_version=TORCH_FILE_VERSION,
        config=model.config.to_dict(),
        vocab=vocab.to_dict(),
        training=None if training is None else training.to_dict(),
        run=_plain_json(run or {}, f"the run record for {path}"),
        state_dict=state,
    )
    buffer = io.BytesIO()
    torch.save(document, buffer)
    atomic_write_bytes(path, buffer.getvalue())


def load_torch_language_model(path: StrPath) -> "tuple[LanguageModel, Vocabulary, TrainConfig | None]":
    """``(model, vocab, training)`` from a file written by :func:`save_torch_language_model`.

    Read with ``torch.load(weights_only=True)``: tensors and plain data only, so a crafted
    file cannot run code. ``training`` is a TrainConfig or None. For the run record too, use
    :func:`read_torch_language_model`.
    """
    loaded = read_torch_language_model(path)
    return loaded.model, loaded.vocab, loaded.training


def read_torch_language_model(path: StrPath) -> TorchFile:
    """The :class:`TorchFile` at ``path``, every part checked (GatedRNNError naming the first problem)."""
    document = _load_document(path)
    config, vocab = _config_and_vocab(path, document)
    state = document.get("state_dict")
    torch = import_torch()
    if not isinstance(state, dict) or not all(isinstance(t, torch.Tensor) for t in state.values()):
        raise GatedRNNError(f"{path} has no state_dict of tensors; the file is corrupt")
    owner = f"{path}'s state_dict"
    arrays, dtype = arrays_from_state_dict(
        state, owner, "tensor.float() (or .double()) on every state_dict entry before torch.save"
    )
    _check_embedding_rows(path, arrays, vocab)
    check_plausible(arrays, owner)
    return TorchFile(
        model=_build_model(path, config, arrays, dtype),
        vocab=vocab,
        training=_training(path, document),
        run=_run_record(path, document),
    )


def _load_document(path):
    from ..files import open_regular_file
    from ..memory import available_bytes

    torch = import_torch()
    with open_regular_file(path, "torch file") as handle:  # refuses a FIFO or device without blocking
        size, available = os.fstat(handle.fileno()).st_size, available_bytes()
        if available is not None and size > available:
            raise GatedRNNError(
                f"{path} is {size:,} bytes, more than the {available:,} bytes this process may still "
                "allocate; free memory or import it on a larger machine"
            )
        try:
            document = torch.load(handle, map_location="cpu", weights_only=True)
        except Exception as error:  # torch raises many kinds for a file that is not its format
            raise GatedRNNError(
                f"{path} is not a torch file that weights_only loading accepts "
                f"({type(error).__name__}); give a file written by `gatedrnn export`"
            ) from None
    if not isinstance(document, dict) or document.get("format") != TORCH_FILE_FORMAT:
        raise GatedRNNError(
            f"{path} is not a gatedrnn language model (no format {TORCH_FILE_FORMAT!r}); give a "
            "file written by `gatedrnn export`"
        )
    if document.get("format_version") != TORCH_FILE_VERSION:
        raise GatedRNNError(
            f"{path} has format version {document.get('format_version')!r}; this gatedrnn reads "
            f"version {TORCH_FILE_VERSION}"
        )
    return document


def _config_and_vocab(path, document):
    from ..data import Vocabulary
    from ..lm import ModelConfig

    try:
        vocab = Vocabulary.from_dict(document.get("vocab"))
    except GatedRNNError as error:
        raise GatedRNNError(f"{path}: {error}") from None
    if len(vocab) < 2:
        raise GatedRNNError(
            f"{path}'s vocabulary has {len(vocab)} token(s); a language model needs at least 2 to "
            "predict anything: the file is corrupt or the model was built on no data"
        )
    config = ModelConfig.from_dict(document.get("config"), source=f"{path}'s config")
    if config.vocab_size != len(vocab):
        raise GatedRNNError(
            f"{path}: its config says {config.vocab_size} tokens but its vocabulary has {len(vocab)}; "
            "the file is inconsistent"
        )
    return config, vocab


def _check_embedding_rows(path, arrays, vocab):
    """Each token owns one embedding row and one output: the first dimension must be the vocabulary's size."""
    for name in ("embed.weight", "decoder.weight", "decoder.bias"):
        if name in arrays and arrays[name].ndim and arrays[name].shape[0] != len(vocab):
            raise GatedRNNError(
                f"{path}: its state_dict's {name} has {arrays[name].shape[0]} rows but its "
                f"vocabulary has {len(vocab)} tokens; save the vocabulary the model was trained with"
            )


def _build_model(path, config, arrays, dtype):
    from ..lm import LanguageModel

    try:
        model = LanguageModel(config, dtype=dtype)
        model.load_state_dict(arrays)
    except GatedRNNError as error:
        raise GatedRNNError(f"{path}: {error}") from None
    return model


def _training(path, document):
    from ..lm import TrainConfig

    training = document.get("training")
    return None if training is None else TrainConfig.from_dict(training, source=f"{path}'s training settings")


def _run_record(path, document):
    run = document.get("run")
    if run is None:  # a file exported before the run record was kept
        return {}
    if not isinstance(run, dict):
        raise GatedRNNError(f"{path}: its run record is a {type(run).__name__}, not a dict; the file is corrupt")
    return _plain_json(run, f"{path}'s run record")


def _plain_json(value, what):
    """``value`` unchanged if it is plain JSON data (dicts with str keys, lists, str, int, finite float,
    bool, None); GatedRNNError otherwise: a checkpoint's metadata must hold it exactly."""
    try:
        same = json.loads(json.dumps(value, allow_nan=False)) == value
    except (TypeError, ValueError, RecursionError) as error:
        raise GatedRNNError(f"{what} is not plain JSON data ({type(error).__name__}); the file is corrupt") from None
    if not same:
        raise GatedRNNError(f"{what} changes when written as JSON (tuples or non-string keys); the file is corrupt")
    return value
