"""Checkpoints without pickle: arrays in an .npz, metadata as JSON, a checksum, atomic writes.

One file holds everything: arrays grouped in named sections (``{"model": {name: array},
"optimizer": {...}}``, stored as ``section/name`` members of the .npz), plus
``__metadata__``, the UTF-8 bytes of a JSON document (format version, whatever the writer
records: model configuration, vocabulary, RNG state, data position …) and a SHA-256. This
module knows the format only; what goes into the sections is the writer's business
(gatedrnn.lm.run_checkpoint for training runs).

* Nothing is unpickled and no object array is accepted, so a file cannot run code.
* The checksum (format version 2) covers the metadata, as canonical JSON without the
  checksum itself, and every array's name, dtype, shape and bytes, so a flipped byte or an
  edited setting is caught rather than trained on. Version-1 files, whose checksum covers the
  arrays only, are still read.
* Saving goes through :func:`gatedrnn.files.atomic_write_bytes`: a crash mid-save leaves
  the previous checkpoint intact.

Reading has a budget (:func:`load_checkpoint`). A checkpoint may be damaged or crafted, and
its sizes are claims until checked, so nothing large is read or allocated before it is
known to fit, in this order:

1. the zip's central directory, then ``__metadata__``: at most MAX_METADATA_BYTES, JSON
   nested at most MAX_JSON_DEPTH deep (checked on the raw bytes, before parsing);
2. the caller's :class:`Plan`, computed from the metadata alone: which arrays, which shapes
   and dtype, and what else the caller will allocate (the model built from them);
3. each member's .npy header, read from the first bytes of its stream: a whitelisted dtype,
   C order, the planned shape, and a zip entry of exactly the size the header implies;
4. the total against the memory this process may use (gatedrnn.memory);
5. the data, each member read through a hard limit of the bytes its header implies (a
   deflate bomb stops there), hashed as it streams in;
6. the checksum.

Every exception the zip and .npy layers raise for corrupt input (BadZipFile,
NotImplementedError, zlib.error, struct.error, EOFError …) becomes one GatedRNNError line.
"""

import hashlib
import io
import json
import math
import os
import zipfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .errors import GatedRNNError, short_repr
from .files import atomic_write_bytes
from .memory import available_bytes, describe_available, describe_bytes

FORMAT = "gatedrnn-checkpoint"
FORMAT_VERSION = 2
READABLE_VERSIONS = (1, 2)  # 1: the checksum covers the arrays only
_METADATA_KEY = "__metadata__"
_RESERVED_KEYS = ("format", "version", "checksum")
MAX_METADATA_BYTES = 16 * 1024**2  # a 250,000-word vocabulary and 100,000 log records fit
MAX_JSON_DEPTH = 32  # gatedrnn writes 4 levels
MAX_NPY_HEADER_BYTES = 10_000  # NumPy's own default limit
MAX_MEMBERS = 100_000
_READ_CHUNK = 16 * 1024**2
_NPY_MAGIC = b"\x93NUMPY"


@dataclass(frozen=True)
class ArraySpec:
    """What one array must be: its shape and dtype, and whether the file must hold it."""

    shape: tuple
    dtype: np.dtype
    required: bool = True


@dataclass(frozen=True)
class Plan:
    """What a reader expects of a checkpoint's arrays, computed from its metadata before any is read.

    ``arrays`` maps each member a file may hold ("section/name") to its :class:`ArraySpec`;
    any other member is refused. ``extra_bytes`` is what the reader will allocate besides
    the arrays (the model it builds from them), named by ``extra_what``, for the memory check.
    """

    arrays: dict
    extra_bytes: int = 0
    extra_what: str = ""


@dataclass(frozen=True)
class _Member:
    """A member's zip entry and what its .npy header claims."""

    info: zipfile.ZipInfo
    shape: tuple = ()
    dtype: np.dtype = field(default_factory=lambda: np.dtype(np.uint8))
    offset: int = 0  # where the data starts in the member's stream

    @property
    def nbytes(self):
        return math.prod(self.shape) * self.dtype.itemsize


# -- checksums -------------------------------------------------------------------------------
def array_checksum(arrays):
    """Format version 1's SHA-256: over (name, dtype, shape, bytes) of each array, in sorted name order."""
    digest = hashlib.sha256()
    for name in sorted(arrays):
        _hash_array(digest, name, arrays[name])
    return digest.hexdigest()


def checksum(metadata, arrays):
    """Format version 2's SHA-256: the metadata (canonical JSON, without "checksum"), then the arrays."""
    digest = _metadata_digest(metadata)
    for name in sorted(arrays):
        _hash_array(digest, name, arrays[name])
    return digest.hexdigest()


def _metadata_digest(metadata):
    """A SHA-256 already fed with the canonical form of ``metadata`` (a parsed JSON object)."""
    canonical = json.dumps(
        {key: value for key, value in metadata.items() if key != "checksum"},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=True,
    ).encode("ascii")
    digest = hashlib.sha256()
    digest.update(f"{FORMAT} metadata {len(canonical)}\n".encode("ascii"))
    digest.update(canonical)
    return digest


def _hash_array(digest, name, array):
    array = np.ascontiguousarray(array)
    digest.update(_array_prefix(name, array.dtype, array.shape))
    digest.update(array.reshape(-1).view(np.uint8))  # the bytes in place: no copy of a large array


def _array_prefix(name, dtype, shape):
    # A 0-d array is hashed as shape (1,): np.ascontiguousarray made it so in version 1.
    return f"{name}|{dtype.str}|{tuple(shape) or (1,)}|".encode()


# -- saving ----------------------------------------------------------------------------------
def save_checkpoint(path, sections, metadata):
    """Save ``sections`` ({section: {name: ndarray of numbers}}) and ``metadata`` (a JSON-able dict)."""
    arrays = {}
    for section, members in sections.items():
        if not section or "/" in section or section == _METADATA_KEY:
            raise GatedRNNError(f"checkpoint section names must be non-empty and free of '/', got {section!r}")
        for name, array in members.items():
            if np.asarray(array).dtype.kind not in "biuf":
                raise GatedRNNError(
                    f"cannot checkpoint array {section}/{name} of dtype {np.asarray(array).dtype}; "
                    "only numeric arrays are stored"
                )
            arrays[f"{section}/{name}"] = array
    reserved = [key for key in _RESERVED_KEYS if key in metadata]
    if reserved:
        raise GatedRNNError(f"checkpoint metadata may not set {', '.join(reserved)}; the format writes them")
    # The checksum is taken over what a reader will parse, so JSON's own conversions (tuples
    # to lists, int keys to strings) cannot make a fresh file fail its own check.
    document = json.loads(json.dumps({"format": FORMAT, "version": FORMAT_VERSION, **metadata}))
    document["checksum"] = checksum(document, arrays)
    meta_bytes = np.frombuffer(json.dumps(document).encode("utf-8"), dtype=np.uint8)
    buffer = io.BytesIO()
    np.savez(buffer, **arrays, **{_METADATA_KEY: meta_bytes})
    atomic_write_bytes(path, buffer.getvalue())


# -- loading ---------------------------------------------------------------------------------
def load_checkpoint(path, plan=None):
    """Load and verify a checkpoint; returns ``(sections, metadata)`` as :func:`save_checkpoint` took them.

    ``plan``: None, or a function ``plan(metadata, names)`` of the metadata and the array
    members' names returning a :class:`Plan` (or raising GatedRNNError), called after the
    metadata is read and before any array header is. Without one, any numeric arrays are
    read, within the memory this process may use.

    Raises GatedRNNError for a missing, truncated, corrupted, foreign, crafted, too large or
    newer-format file; no other exception comes from a file's content.
    """
    if not isinstance(path, (str, os.PathLike)) or not os.fspath(path):
        raise GatedRNNError(
            f"a checkpoint path must be a non-empty str or os.PathLike, got {short_repr(path)}; "
            "pass one such as runs/x/best.npz"
        )
    path = Path(path)
    if not path.is_file():  # a directory, a FIFO (which would block) or a device is refused too
        problem = "is not a regular file" if path.exists() else "does not exist"
        raise GatedRNNError(f"checkpoint {path} {problem}; check the path")
    with _reading(path, "the zip directory"):
        archive = zipfile.ZipFile(path)
    with archive:
        members = _members(path, archive)
        metadata = _read_metadata(path, archive, members.pop(_METADATA_KEY))
        expected = plan(metadata, sorted(members)) if plan is not None else None
        members = {name: _read_header(path, archive, name, member.info) for name, member in members.items()}
        _check_against_plan(path, members, expected)
        _check_memory(path, members, expected)
        digest = _metadata_digest(metadata) if metadata["version"] >= 2 else hashlib.sha256()
        arrays = {name: _read_data(path, archive, name, members[name], digest) for name in sorted(members)}
    if digest.hexdigest() != metadata["checksum"]:
        raise GatedRNNError(
            f"{path} failed its checksum: the file is corrupted or was edited; use another copy of the checkpoint"
        )
    return _into_sections(path, arrays), metadata


@contextmanager
def _reading(path, what):
    """Turn whatever the zip and .npy layers raise for a corrupt file into one GatedRNNError line."""
    try:
        yield
    except GatedRNNError:
        raise
    except MemoryError:
        raise GatedRNNError(
            f"{path}: ran out of memory reading {what}; free memory or use a smaller checkpoint"
        ) from None
    except Exception as error:  # BadZipFile, NotImplementedError, zlib.error, struct.error, EOFError …
        detail = (str(error).splitlines() or ["unreadable"])[0][:120]
        raise GatedRNNError(
            f"{path} is not a readable gatedrnn checkpoint ({what}: {type(error).__name__}: "
            f"{detail}); it may be truncated or corrupted"
        ) from None


def _members(path, archive):
    """{array name: _Member} from the central directory: each name once, each an .npy, metadata present."""
    with _reading(path, "the zip directory"):
        infos = archive.infolist()
    if len(infos) > MAX_MEMBERS:
        raise GatedRNNError(
            f"{path} holds {len(infos):,} members, more than any gatedrnn checkpoint "
            f"({MAX_MEMBERS:,}); the file is corrupt or crafted"
        )
    if any(info.filename.endswith("/data.pkl") for info in infos):  # torch.save's zip layout
        raise GatedRNNError(
            f"{path} is a PyTorch file (torch.save), not a gatedrnn checkpoint; if `gatedrnn export` "
            f"wrote it, turn it back into one with `gatedrnn import {path} model.npz`"
        )
    members = {}
    for info in infos:
        name = info.filename[:-4] if info.filename.endswith(".npy") else None
        if name is None or name in members:
            problem = "twice" if name is not None else "not as an .npy array"
            raise GatedRNNError(
                f"{path} holds a member {info.filename[:80]!r} {problem}; it is not a gatedrnn "
                "checkpoint, or it is corrupt"
            )
        members[name] = _Member(info)
    if _METADATA_KEY not in members:
        raise GatedRNNError(f"{path} has no gatedrnn metadata; it is not a gatedrnn checkpoint")
    return members


def _read_metadata(path, archive, member):
    """The metadata document: size-capped, depth-checked, then parsed and its frame checked."""
    if member.info.file_size > MAX_METADATA_BYTES + MAX_NPY_HEADER_BYTES:
        raise GatedRNNError(
            f"{path}: its metadata claims {describe_bytes(member.info.file_size)}, more than a "
            f"gatedrnn checkpoint holds ({describe_bytes(MAX_METADATA_BYTES)}); the file is corrupt "
            "or crafted"
        )
    member = _read_header(path, archive, _METADATA_KEY, member.info)
    if member.dtype != np.uint8 or len(member.shape) != 1:
        raise GatedRNNError(f"{path} has no gatedrnn metadata; it is not a gatedrnn checkpoint")
    raw = _read_data(path, archive, _METADATA_KEY, member, digest=None).tobytes()
    depth = _nesting_depth(raw)
    if depth > MAX_JSON_DEPTH:
        raise GatedRNNError(
            f"{path}: its metadata is JSON nested {depth:,} levels deep, gatedrnn writes at most "
            f"{MAX_JSON_DEPTH}; the file is corrupt or crafted"
        )
    try:
        metadata = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):  # ValueError: bad JSON, or an int of 4,300+ digits
        raise GatedRNNError(f"{path} has unreadable metadata; the file is corrupted") from None
    return _check_frame(path, metadata)


def _check_frame(path, metadata):
    """The parts of the metadata this module owns: format, version, checksum."""
    if not isinstance(metadata, dict) or metadata.get("format") != FORMAT:
        raise GatedRNNError(
            f"{path} is not a gatedrnn checkpoint; give a best.npz or last.npz that `gatedrnn train` wrote"
        )
    version = metadata.get("version")
    if type(version) is not int or version not in READABLE_VERSIONS:
        shown = version if isinstance(version, int) and abs(version) < 10**9 else repr(version)[:20]
        raise GatedRNNError(
            f"{path} has checkpoint format version {shown}, this gatedrnn reads versions "
            f"{', '.join(map(str, READABLE_VERSIONS))}; use the gatedrnn release that wrote it"
        )
    sha = metadata.get("checksum")
    if not isinstance(sha, str) or len(sha) != 64 or any(c not in "0123456789abcdef" for c in sha):
        raise GatedRNNError(f"{path} has no valid checksum in its metadata; the file is corrupted")
    return metadata


_JSON_STEP = np.zeros(256, np.int32)  # +1 where a bracket opens, -1 where one closes
_JSON_STEP[list(b"[{")] = 1
_JSON_STEP[list(b"]}")] = -1


def _nesting_depth(raw, chunk=1 << 20):
    """How deep the JSON text ``raw`` nests arrays and objects, found without parsing it.

    Vectorised over blocks of a MiB, so that a 200,000-deep document is measured in
    milliseconds and little memory instead of overflowing a parser. A quote preceded by an
    odd run of backslashes is escaped; brackets between real quotes are text. (For text that
    is not JSON the figure may be off, but the parser stops at the first error, before any
    depth this scan did not see.) Carried from block to block: the backslash run, whether a
    string is open, and the depth.
    """
    data = np.frombuffer(raw, np.uint8)
    depth = deepest = run = in_string = 0
    for start in range(0, data.size, chunk):
        part = data[start : start + chunk]
        backslash = part == ord("\\")
        count = np.cumsum(backslash, dtype=np.int64) + run
        run_length = count - np.maximum.accumulate(np.where(backslash, 0, count))  # backslashes ending here
        before = np.concatenate(([run], run_length[:-1]))
        quote = (part == ord('"')) & (before % 2 == 0)
        quotes = np.cumsum(quote, dtype=np.int64)
        inside = (quotes - quote + in_string) % 2 == 1
        step = _JSON_STEP[part]
        step[inside] = 0
        levels = np.cumsum(step, dtype=np.int64) + depth
        deepest, depth = max(deepest, int(levels.max())), int(levels[-1])
        run, in_string = int(run_length[-1]), int((quotes[-1] + in_string) % 2)
    return deepest


def _read_header(path, archive, name, info):
    """Read and check a member's .npy header from the first bytes of its stream; the data stays unread."""
    with _reading(path, f"the header of {name}"):
        with archive.open(info) as stream:
            shape, fortran_order, dtype, offset = _parse_npy_header(path, name, stream)
    if fortran_order:
        raise GatedRNNError(
            f"{path}: member {name} is stored in Fortran order, which gatedrnn never writes; "
            "the file is corrupt or crafted"
        )
    if not _allowed_dtype(dtype):
        raise GatedRNNError(
            f"{path}: member {name} has dtype {str(dtype)[:60]}; a checkpoint holds only numbers "
            "(bool, int, uint, float in native byte order), so the file is corrupt or crafted"
        )
    if any(isinstance(size, bool) or size < 0 for size in shape) or len(shape) > 32:
        raise GatedRNNError(
            f"{path}: member {name} claims the impossible shape {str(shape)[:80]}; the file is corrupt or crafted"
        )
    member = _Member(info, tuple(shape), dtype, offset)
    if info.file_size != offset + member.nbytes:
        raise GatedRNNError(
            f"{path}: member {name} holds {info.file_size:,} bytes but its header (shape "
            f"{_shape_text(member.shape)}, {dtype}) implies {offset + member.nbytes:,}; the file "
            "is corrupt or crafted"
        )
    return member


def _parse_npy_header(path, name, stream):
    """(shape, fortran_order, dtype, data offset) of an .npy stream; reads only the header.

    The header length is checked before the header is read: NumPy's own reader reads a
    version-2 header of up to 4 GiB before it looks at the length.
    """
    magic = stream.read(8)
    if len(magic) != 8 or magic[:6] != _NPY_MAGIC:
        raise GatedRNNError(
            f"{path}: member {name} is not an .npy array; the file is corrupt or not a gatedrnn checkpoint"
        )
    version = (magic[6], magic[7])
    if version not in ((1, 0), (2, 0)):
        raise GatedRNNError(
            f"{path}: member {name} is .npy format {version[0]}.{version[1]}, which gatedrnn "
            "never writes; the file is corrupt or crafted"
        )
    size_bytes = 2 if version == (1, 0) else 4
    length_field = stream.read(size_bytes)
    length = int.from_bytes(length_field, "little")
    if len(length_field) != size_bytes or length > MAX_NPY_HEADER_BYTES:
        raise GatedRNNError(
            f"{path}: member {name} has an .npy header of {length:,} bytes (at most "
            f"{MAX_NPY_HEADER_BYTES:,} are read); the file is corrupt or crafted"
        )
    header = stream.read(length)
    reader = np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
    shape, fortran_order, dtype = reader(io.BytesIO(length_field + header), max_header_size=MAX_NPY_HEADER_BYTES)
    return shape, fortran_order, dtype, 8 + size_bytes + length


def _allowed_dtype(dtype):
    """Plain numbers only: no objects, strings, records, sub-arrays or foreign byte order."""
    return (
        dtype.kind in "biuf"
        and dtype.fields is None
        and dtype.subdtype is None
        and not dtype.hasobject
        and dtype.isnative
        and dtype.itemsize <= 8
    )


def _check_against_plan(path, members, plan):
    """Every member planned, with the planned shape and dtype; every required one present."""
    if plan is None:
        return
    for name, member in sorted(members.items()):
        spec = plan.arrays.get(name)
        if spec is None:
            raise GatedRNNError(
                f"{path}: member {name[:80]} is not part of a checkpoint of this model; the file is corrupt or crafted"
            )
        if member.shape != tuple(spec.shape):
            raise GatedRNNError(
                f"{path}: member {name} claims shape {_shape_text(member.shape)} but the model "
                f"config implies {_shape_text(spec.shape)}; the file is corrupt or crafted"
            )
        if member.dtype != spec.dtype:
            raise GatedRNNError(
                f"{path}: member {name} has dtype {member.dtype} but the metadata says "
                f"{np.dtype(spec.dtype)}; the file is corrupt or crafted"
            )
    missing = [name for name, spec in plan.arrays.items() if spec.required and name not in members]
    if missing:
        raise GatedRNNError(
            f"{path} lacks {len(missing)} array(s) its metadata implies ({', '.join(missing[:3])}"
            f"{' …' if len(missing) > 3 else ''}); the file is corrupt or incomplete"
        )


def _check_memory(path, members, plan):
    """Refuse, with the figures, a file whose arrays (and what is built from them) cannot fit."""
    arrays = sum(member.nbytes for member in members.values())
    extra = plan.extra_bytes if plan is not None else 0
    available = available_bytes()
    if available is not None and arrays + extra > available:
        built = f" and {describe_bytes(extra)} for {plan.extra_what}" if extra else ""
        raise GatedRNNError(
            f"{path}: loading it needs {describe_bytes(arrays)} for its arrays{built}; "
            f"{describe_available(available)}; use a machine with more memory"
        )


def _read_data(path, archive, name, member, digest):
    """A member's array, read through a hard limit of the bytes its header implies, fed to ``digest``."""
    with _reading(path, f"the data of {name}"):
        array = np.empty(member.shape, member.dtype)
        flat = array.reshape(-1).view(np.uint8)
        if digest is not None:
            digest.update(_array_prefix(name, member.dtype, member.shape))
        with archive.open(member.info) as stream:
            stream.read(member.offset)  # the header, checked already
            done = 0
            while done < flat.size:
                chunk = stream.read(min(_READ_CHUNK, flat.size - done))
                if not chunk:
                    raise GatedRNNError(f"{path}: member {name} ends early; the file is truncated or corrupted")
                flat[done : done + len(chunk)] = np.frombuffer(chunk, np.uint8)
                if digest is not None:
                    digest.update(chunk)
                done += len(chunk)
            if stream.read(1):  # also makes zipfile check the member's CRC
                raise GatedRNNError(
                    f"{path}: member {name} holds more data than its header says; the file is corrupted"
                )
    return array


def _shape_text(shape):
    text = str(tuple(shape))
    return text if len(text) <= 60 else text[:57] + "...)"


def _into_sections(path, arrays):
    """{"model/w": a} → {"model": {"w": a}}; a member outside any section is a foreign file."""
    sections = {}
    for key, array in arrays.items():
        section, slash, name = key.partition("/")
        if not slash or not section or not name:
            raise GatedRNNError(
                f"{path} holds an array {key[:80]!r} outside any section; it is not a gatedrnn checkpoint"
            )
        sections.setdefault(section, {})[name] = array
    return sections
