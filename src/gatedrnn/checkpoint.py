"""Checkpoints without pickle: arrays in an .npz, metadata as JSON, a checksum, atomic writes.

One file holds everything: every array under its name, plus ``__metadata__``, the UTF-8
bytes of a JSON document (format version, model configuration, vocabulary, optimizer
hyperparameters, RNG state, data position, metrics …) and the SHA-256 of the arrays.

* Loading uses ``np.load(..., allow_pickle=False)`` and refuses object arrays, so a file
  cannot run code, whatever it contains.
* The checksum covers every array's name, dtype, shape and bytes, so a flipped byte is
  caught rather than trained on.
* Saving writes a temporary file beside the target, fsyncs it and renames it over the
  target: a crash mid-save leaves the previous checkpoint intact.
"""
import hashlib
import io
import json
import os
import zipfile
import zlib
from pathlib import Path

import numpy as np

from .errors import GatedRNNError

FORMAT = "gatedrnn-checkpoint"
FORMAT_VERSION = 1
_METADATA_KEY = "__metadata__"


def array_checksum(arrays):
    """SHA-256 over (name, dtype, shape, bytes) of each array, in sorted name order."""
    digest = hashlib.sha256()
    for name in sorted(arrays):
        array = np.ascontiguousarray(arrays[name])
        digest.update(f"{name}|{array.dtype.str}|{array.shape}|".encode())
        digest.update(array.tobytes())
    return digest.hexdigest()


def atomic_write_bytes(path, data):
    """Write ``data`` to ``path`` via a temporary file, fsync and rename (all or nothing)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        with open(temporary, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    finally:
        if temporary.exists():
            temporary.unlink()
    try:  # make the rename itself durable
        directory = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)
    except OSError:  # some filesystems do not allow fsync on a directory
        pass


def save_checkpoint(path, arrays, metadata):
    """Save ``arrays`` (name → ndarray of numbers) and ``metadata`` (JSON-able dict) to ``path``."""
    for name, array in arrays.items():
        if name == _METADATA_KEY or np.asarray(array).dtype.kind not in "biuf":
            raise GatedRNNError(f"cannot checkpoint array {name!r} of dtype {np.asarray(array).dtype}; only numeric arrays are stored")
    document = {"format": FORMAT, "version": FORMAT_VERSION, "checksum": array_checksum(arrays), **metadata}
    meta_bytes = np.frombuffer(json.dumps(document).encode("utf-8"), dtype=np.uint8)
    buffer = io.BytesIO()
    np.savez(buffer, **arrays, **{_METADATA_KEY: meta_bytes})
    atomic_write_bytes(path, buffer.getvalue())


def load_checkpoint(path):
    """Load and verify a checkpoint; returns ``(arrays, metadata)``.

    Raises GatedRNNError for a missing, truncated, corrupted, foreign or newer-format file.
    """
    path = Path(path)
    if not path.is_file():
        raise GatedRNNError(f"checkpoint {path} does not exist; check the path")
    try:
        with np.load(path, allow_pickle=False) as archive:
            arrays = {name: archive[name] for name in archive.files}
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, KeyError, zlib.error) as error:
        raise GatedRNNError(f"{path} is not a readable gatedrnn checkpoint ({type(error).__name__}: "
                            f"{str(error).splitlines()[0] if str(error) else 'unreadable'}); it may be truncated or corrupted") from None
    metadata = _parse_metadata(path, arrays.pop(_METADATA_KEY, None))
    if array_checksum(arrays) != metadata.get("checksum"):
        raise GatedRNNError(f"{path} failed its checksum: the file is corrupted; use another copy of the checkpoint")
    return arrays, metadata


def _parse_metadata(path, raw):
    if raw is None or raw.dtype != np.uint8 or raw.ndim != 1:
        raise GatedRNNError(f"{path} has no gatedrnn metadata; it is not a gatedrnn checkpoint")
    try:
        metadata = json.loads(raw.tobytes().decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise GatedRNNError(f"{path} has unreadable metadata; the file is corrupted") from None
    if not isinstance(metadata, dict) or metadata.get("format") != FORMAT:
        raise GatedRNNError(f"{path} is not a gatedrnn checkpoint")
    version = metadata.get("version")
    if version != FORMAT_VERSION:
        raise GatedRNNError(f"{path} has checkpoint format version {version}, this gatedrnn reads version "
                            f"{FORMAT_VERSION}; use the gatedrnn release that wrote it")
    return metadata
