"""Checkpoints: exact round trip, no pickle, atomic writes, and clear refusals of bad files."""
import json
import pickle

import numpy as np
import pytest

from gatedrnn import GatedRNNError
from gatedrnn.checkpoint import load_checkpoint, save_checkpoint


def sample():
    arrays = {"model": {"w": np.arange(12, dtype=np.float32).reshape(3, 4)}, "optimizer": {"m.0": np.ones(5)},
              "carried": {"0": np.zeros((2, 3), np.float64)}}
    metadata = {"model": {"hidden_size": 4}, "rng": {"state": 2 ** 100}, "position": {"epoch": 1}}
    return arrays, metadata


def test_round_trip_is_exact(tmp_path):
    arrays, metadata = sample()
    path = tmp_path / "c.npz"
    save_checkpoint(path, arrays, metadata)
    loaded, meta = load_checkpoint(path)
    assert set(loaded) == set(arrays)
    for section, members in arrays.items():
        assert set(loaded[section]) == set(members)
        for name, array in members.items():
            assert loaded[section][name].dtype == array.dtype and np.array_equal(loaded[section][name], array)
    assert meta["rng"]["state"] == 2 ** 100 and meta["model"] == {"hidden_size": 4}


def test_saving_over_a_checkpoint_replaces_it_whole(tmp_path):
    arrays, metadata = sample()
    path = tmp_path / "c.npz"
    save_checkpoint(path, arrays, metadata)
    arrays["model"]["w"] += 1
    save_checkpoint(path, arrays, metadata)
    assert load_checkpoint(path)[0]["model"]["w"][0, 0] == 1
    assert [p.name for p in tmp_path.iterdir()] == ["c.npz"]  # no temporary file left behind


def test_truncated_file_is_refused(tmp_path):
    path = tmp_path / "c.npz"
    save_checkpoint(path, *sample())
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(GatedRNNError, match="truncated or corrupted"):
        load_checkpoint(path)


def test_flipped_byte_fails_the_checksum(tmp_path):
    path = tmp_path / "c.npz"
    arrays, metadata = sample()
    arrays["model"]["w"] = np.zeros((64, 64), np.float32)
    save_checkpoint(path, arrays, metadata)
    data = bytearray(path.read_bytes())
    # Flip a byte inside the stored (uncompressed) zeros of model/w.
    position = data.find(b"\x00" * 4096)
    data[position + 100] ^= 0x01
    path.write_bytes(bytes(data))
    with pytest.raises(GatedRNNError, match="checksum|corrupted"):
        load_checkpoint(path)


def test_pickle_disguised_as_a_checkpoint_is_never_unpickled(tmp_path):
    class Boom:
        def __reduce__(self):
            return (pytest.fail, ("the pickle was executed",))

    path = tmp_path / "evil.npz"
    path.write_bytes(pickle.dumps(Boom()))
    with pytest.raises(GatedRNNError):
        load_checkpoint(path)
    # An .npz holding an object array (which np.load would unpickle if allowed)
    np.savez(tmp_path / "objects.npz", x=np.array([Boom()], dtype=object))
    with pytest.raises(GatedRNNError):
        load_checkpoint(tmp_path / "objects.npz")


def test_foreign_and_newer_files_are_refused(tmp_path):
    np.savez(tmp_path / "plain.npz", w=np.ones(3))
    with pytest.raises(GatedRNNError, match="not a gatedrnn checkpoint"):
        load_checkpoint(tmp_path / "plain.npz")
    meta = json.dumps({"format": "gatedrnn-checkpoint", "version": 99, "checksum": ""}).encode()
    np.savez(tmp_path / "newer.npz", __metadata__=np.frombuffer(meta, np.uint8))
    with pytest.raises(GatedRNNError, match="version 99"):
        load_checkpoint(tmp_path / "newer.npz")
    with pytest.raises(GatedRNNError, match="does not exist"):
        load_checkpoint(tmp_path / "missing.npz")


def test_non_numeric_arrays_are_not_saved(tmp_path):
    with pytest.raises(GatedRNNError, match="only numeric"):
        save_checkpoint(tmp_path / "c.npz", {"model": {"x": np.array(["a"])}}, {})


@pytest.mark.parametrize("section", ["", "a/b", "__metadata__"])
def test_section_names_are_checked(tmp_path, section):
    with pytest.raises(GatedRNNError, match="section names"):
        save_checkpoint(tmp_path / "c.npz", {section: {"x": np.zeros(2)}}, {})


def test_an_array_outside_any_section_is_refused(tmp_path):
    from gatedrnn.checkpoint import array_checksum
    arrays = {"loose": np.zeros(2)}
    meta = json.dumps({"format": "gatedrnn-checkpoint", "version": 1, "checksum": array_checksum(arrays)}).encode()
    np.savez(tmp_path / "loose.npz", **arrays, __metadata__=np.frombuffer(meta, np.uint8))
    with pytest.raises(GatedRNNError, match="outside any section"):
        load_checkpoint(tmp_path / "loose.npz")
