"""Checkpoints without pickle: arrays in an .npz, metadata as JSON, a checksum, atomic writes.

One file holds everything: arrays grouped in named sections (``{"model": {name: array},
"optimizer": {...}}``, stored as ``section/name`` members of the .npz), plus
``__metadata__``, the UTF-8 bytes of a JSON document (format version, whatever the writer
records: model configuration, vocabulary, RNG state, data position …) and the SHA-256 of
the arrays. This module knows the format only; what goes into the sections is the
writer's business (gatedrnn.lm.run_files for training runs).

* Loading uses ``np.load(..., allow_pickle=False)`` and refuses object arrays, so a file
  cannot run code, whatever it contains.
* The checksum covers every array's name, dtype, shape and bytes, so a flipped byte is
  caught rather than trained on.
* Saving goes through :func:`gatedrnn.files.atomic_write_bytes`: a crash mid-save leaves
  the previous checkpoint intact.
"""
import hashlib
import io
import json
import zipfile
import zlib
from pathlib import Path

import numpy as np

from .errors import GatedRNNError
from .files import atomic_write_bytes

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


def save_checkpoint(path, sections, metadata):
    """Save ``sections`` ({section: {name: ndarray of numbers}}) and ``metadata`` (a JSON-able dict)."""
    arrays = {}
    for section, members in sections.items():
        if not section or "/" in section or section == _METADATA_KEY:
            raise GatedRNNError(f"checkpoint section names must be non-empty and free of '/', got {section!r}")
        for name, array in members.items():
            if np.asarray(array).dtype.kind not in "biuf":
                raise GatedRNNError(f"cannot checkpoint array {section}/{name} of dtype {np.asarray(array).dtype}; "
                                    "only numeric arrays are stored")
            arrays[f"{section}/{name}"] = array
    document = {"format": FORMAT, "version": FORMAT_VERSION, "checksum": array_checksum(arrays), **metadata}
    meta_bytes = np.frombuffer(json.dumps(document).encode("utf-8"), dtype=np.uint8)
    buffer = io.BytesIO()
    np.savez(buffer, **arrays, **{_METADATA_KEY: meta_bytes})
    atomic_write_bytes(path, buffer.getvalue())


def load_checkpoint(path):
    """Load and verify a checkpoint; returns ``(sections, metadata)`` as :func:`save_checkpoint` took them.

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
    return _into_sections(path, arrays), metadata


def _into_sections(path, arrays):
    """{"model/w": a} → {"model": {"w": a}}; a member outside any section is a foreign file."""
    sections = {}
    for key, array in arrays.items():
        section, slash, name = key.partition("/")
        if not slash or not section or not name:
            raise GatedRNNError(f"{path} holds an array {key!r} outside any section; it is not a gatedrnn checkpoint")
        sections.setdefault(section, {})[name] = array
    return sections


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
