"""What the CLI's train, eval and generate share: corpora, models and checkpoints by name."""
import json
import math
import platform
import sys
import time

import numpy as np

from .checkpoint import atomic_write_bytes, load_checkpoint
from .data import Vocabulary, load_ptb, load_text
from .errors import GatedRNNError
from .models import LanguageModel


def load_corpus(corpus, data_dir=None, text=None, level="word", train_tokens=None):
    """The Penn Treebank (``corpus="ptb"``) or a text file (``text=PATH``), optionally truncated."""
    loaded = load_text(text, level=level) if text else load_ptb(data_dir)
    if corpus not in ("ptb", None) and not text:
        raise GatedRNNError(f"unknown corpus {corpus!r}; use ptb or --text FILE")
    if train_tokens is not None:
        if train_tokens < 2:
            raise GatedRNNError(f"--train-tokens must be at least 2, got {train_tokens}")
        loaded.train = loaded.train[:train_tokens]
    return loaded


def build_model(model_config, dtype=np.float32):
    """A LanguageModel from the ``model`` section of a preset or checkpoint."""
    return LanguageModel(**model_config, dtype=dtype)


def model_from_checkpoint(path):
    """Rebuild the model and vocabulary saved in a Trainer checkpoint: ``(model, vocab, metadata)``."""
    arrays, metadata = load_checkpoint(path)
    for key in ("model", "vocab"):
        if key not in metadata:
            raise GatedRNNError(f"{path} holds no {key} section; it is not a language-model checkpoint")
    model = build_model(metadata["model"], dtype=np.dtype(metadata.get("dtype", "float32")))
    model.load_state_dict({name[6:]: array for name, array in arrays.items() if name.startswith("model/")})
    vocab = Vocabulary.from_dict(metadata["vocab"])
    if len(vocab) != model.config["vocab_size"]:
        raise GatedRNNError(f"{path}: the vocabulary has {len(vocab)} tokens but the model expects "
                            f"{model.config['vocab_size']}; the checkpoint is inconsistent")
    return model, vocab, metadata


def machine_info():
    """Where a result was measured, for result files."""
    import os
    return dict(python=sys.version.split()[0], numpy=np.__version__, platform=platform.platform(),
                processor=platform.machine(), cpu_count=os.cpu_count())


def jsonable(value):
    """``value`` with NumPy scalars and arrays turned into Python ones and nan/±inf into None.

    NaN and infinity are not JSON, and a diverged run produces them.
    """
    if isinstance(value, dict):
        return {str(key): jsonable(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(item) for item in value]
    if isinstance(value, np.ndarray):
        return jsonable(value.tolist())
    if isinstance(value, (np.bool_, bool)):
        return bool(value)
    if isinstance(value, (np.integer, int)):
        return int(value)
    if isinstance(value, (np.floating, float)):
        return float(value) if math.isfinite(value) else None
    return value


def write_json(path, document):
    """Write ``document`` as indented JSON (non-finite numbers as null), atomically."""
    text = json.dumps(jsonable(document), indent=2, allow_nan=False) + "\n"
    atomic_write_bytes(path, text.encode("utf-8"))


def timestamp():
    return time.strftime("%Y-%m-%dT%H:%M:%S")
