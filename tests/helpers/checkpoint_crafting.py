"""Crafting damaged and hostile checkpoint files, for the tests that must see them refused.

Used by tests/helpers/bad_inputs/checkpoints.py (rows of the bad-input table), tests/lm/test_checkpoint.py
and tests/robustness/test_checkpoint_fuzz.py. :func:`rewrite` re-saves a checkpoint with a fresh, valid
checksum, so that what refuses a changed file is the check under test and not the checksum.
"""

import io
import json
import struct
import zipfile

import numpy as np

from gatedrnn.checkpoint import array_checksum, load_checkpoint, save_checkpoint
from gatedrnn.lm.config import ModelConfig
from gatedrnn.lm.model import expected_shapes

RESERVED = ("format", "version", "checksum")


# -- crafting ----------------------------------------------------------------------------------
def members_of(path):
    """{member name: bytes} of a zip, in order."""
    with zipfile.ZipFile(path) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def write_zip(path, members, compression=zipfile.ZIP_STORED):
    """A zip of ``members`` ({name: bytes}), as np.savez writes it (or deflated)."""
    with zipfile.ZipFile(path, "w", compression=compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def npy(array):
    """The .npy bytes of ``array``."""
    buffer = io.BytesIO()
    np.lib.format.write_array(buffer, np.asarray(array), allow_pickle=False)
    return buffer.getvalue()


def npy_header(descr, shape, fortran=False, version=(1, 0)):
    """An .npy header claiming ``descr``, ``shape`` and ``fortran``; the data is up to the caller."""
    text = f"{{'descr': {descr!r}, 'fortran_order': {fortran!r}, 'shape': {tuple(shape)!r}, }}"
    size_bytes = 2 if version == (1, 0) else 4
    text += " " * (64 - (8 + size_bytes + len(text) + 1) % 64) + "\n"
    return b"\x93NUMPY" + bytes(version) + len(text).to_bytes(size_bytes, "little") + text.encode("latin1")


def read(path):
    """(sections, metadata without the format's own keys) of a valid checkpoint."""
    sections, metadata = load_checkpoint(path)
    return sections, {key: value for key, value in metadata.items() if key not in RESERVED}


def rewrite(path, out, change):
    """Save ``path``'s content, changed by ``change(sections, metadata)``, to ``out`` with a fresh checksum."""
    sections, metadata = read(path)
    change(sections, metadata)
    save_checkpoint(out, sections, metadata)
    return out


def with_member(path, out, name, data, compression=zipfile.ZIP_STORED):
    """``path`` with member ``name`` (e.g. "model/embed.weight.npy") replaced by, or added as, ``data``."""
    members = members_of(path)
    members[name] = data
    return write_zip(out, members, compression)


def with_metadata_text(path, out, text):
    """``path`` with its metadata replaced by the bytes ``text`` (no checksum is recomputed)."""
    return with_member(path, out, "__metadata__.npy", npy(np.frombuffer(text, np.uint8)))


def metadata_text(path):
    """The JSON text of ``path``'s metadata."""
    return np.lib.format.read_array(io.BytesIO(members_of(path)["__metadata__.npy"])).tobytes()


def version_1_copy(path, out):
    """``path`` rewritten as format version 1 (checksum over the arrays only), as older gatedrnn wrote it."""
    sections, metadata = read(path)
    arrays = {f"{section}/{name}": array for section, members in sections.items() for name, array in members.items()}
    document = {"format": "gatedrnn-checkpoint", "version": 1, "checksum": array_checksum(arrays), **metadata}
    np.savez(out, **arrays, __metadata__=np.frombuffer(json.dumps(document).encode(), np.uint8))
    return out


def with_claimed_size(path, out, name, claimed):
    """``path`` with the zip's recorded uncompressed size of member ``name`` set to ``claimed``, in the
    local header and the central directory alike (as a crafted file would have it)."""
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        local = archive.getinfo(name).header_offset
    struct.pack_into("<I", data, local + 22, claimed)
    entry = data.find(b"PK\x01\x02")
    while entry >= 0:
        length = struct.unpack_from("<H", data, entry + 28)[0]
        if data[entry + 46 : entry + 46 + length] == name.encode():
            struct.pack_into("<I", data, entry + 24, claimed)
        entry = data.find(b"PK\x01\x02", entry + 4)
    out.write_bytes(bytes(data))
    return out


def flip_central_directory(path, out):
    """``path`` with the first central directory entry's compression method set to 99 (AES), as a flipped byte would."""
    data = bytearray(path.read_bytes())
    start = data.find(b"PK\x01\x02")
    data[start + 10] = 99
    out.write_bytes(bytes(data))
    return out


# -- changes for rewrite(): a run checkpoint's other sections -----------------------------------
def adam_state(missing=None):
    """A change making the file an Adam run's (settings and buffers), without buffer ``missing``."""

    def change(sections, metadata):
        metadata["training"].update(optimizer="adam", lr=0.002)
        shapes = list(expected_shapes(ModelConfig.from_dict(metadata["model"])).values())  # parameter order
        metadata["optimizer"] = dict(
            optimizer="Adam",
            num_parameters=len(shapes),
            step=31,
            lr=0.002,
            betas=[0.9, 0.999],
            eps=1e-8,
            weight_decay=0.0,
            amsgrad=False,
        )
        sections["optimizer"] = {
            f"{buffer}.{i}": np.full(shape, 0.01, np.float32)
            for i, shape in enumerate(shapes)
            for buffer in ("exp_avg", "exp_avg_sq")
            if f"{buffer}.{i}" != missing
        }

    return change


def carried(parts, shape=(1, 4, 8)):
    def change(sections, metadata):
        sections["carried"] = {str(i): np.zeros(shape, np.float32) for i in range(parts)}

    return change
