"""Checkpoints: exact round trip, no pickle, atomic writes, and clear refusals of bad files."""

import json
import pickle

import numpy as np
import pytest
from helpers.paths import REPO

from gatedrnn import GatedRNNError
from gatedrnn.checkpoint import load_checkpoint, save_checkpoint


def sample():
    arrays = {
        "model": {"w": np.arange(12, dtype=np.float32).reshape(3, 4)},
        "optimizer": {"m.0": np.ones(5)},
        "carried": {"0": np.zeros((2, 3), np.float64)},
    }
    metadata = {"model": {"hidden_size": 4}, "rng": {"state": 2**100}, "position": {"epoch": 1}}
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
    assert meta["rng"]["state"] == 2**100 and meta["model"] == {"hidden_size": 4}


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


# -- format version 2: the checksum covers the metadata; version 1 still reads ----------------
def test_edited_metadata_fails_the_checksum(tmp_path):
    from helpers.checkpoint_crafting import metadata_text, with_metadata_text

    path = tmp_path / "c.npz"
    save_checkpoint(path, *sample())
    edited = with_metadata_text(
        path, tmp_path / "edited.npz", metadata_text(path).replace(b'"epoch": 1', b'"epoch": 2')
    )
    with pytest.raises(GatedRNNError, match="failed its checksum"):
        load_checkpoint(edited)


def test_version_1_files_still_load(tmp_path):
    """Files written before the metadata was checksummed: the arrays' checksum is still verified."""
    from gatedrnn.checkpoint import array_checksum

    arrays, metadata = sample()
    flat = {f"{section}/{name}": array for section, members in arrays.items() for name, array in members.items()}
    flat["extra/scalar"] = np.array(2.5)  # 0-d: version 1 hashed it as shape (1,)
    document = {"format": "gatedrnn-checkpoint", "version": 1, "checksum": array_checksum(flat), **metadata}
    np.savez(tmp_path / "v1.npz", **flat, __metadata__=np.frombuffer(json.dumps(document).encode(), np.uint8))
    loaded, meta = load_checkpoint(tmp_path / "v1.npz")
    assert meta["version"] == 1 and np.array_equal(loaded["model"]["w"], arrays["model"]["w"])
    flat["model/w"] = flat["model/w"] + 1  # the same metadata over other arrays
    np.savez(tmp_path / "v1-bad.npz", **flat, __metadata__=np.frombuffer(json.dumps(document).encode(), np.uint8))
    with pytest.raises(GatedRNNError, match="failed its checksum"):
        load_checkpoint(tmp_path / "v1-bad.npz")


def test_a_version_1_run_checkpoint_still_evaluates(tmp_path):
    from helpers.checkpoint_crafting import version_1_copy

    from gatedrnn.lm.run_checkpoint import model_from_checkpoint

    path = _run_checkpoint(tmp_path)
    model, vocab, metadata = model_from_checkpoint(version_1_copy(path, tmp_path / "v1.npz"))
    expected, _, _ = model_from_checkpoint(path)
    assert metadata["version"] == 1 and len(vocab) == 9
    for name, array in expected.state_dict().items():
        np.testing.assert_array_equal(model.state_dict()[name], array)


@pytest.mark.parametrize("dtype", [np.bool_, np.int8, np.uint16, np.int64, np.float16, np.float32, np.float64])
@pytest.mark.parametrize("shape", [(), (0,), (3,), (2, 0, 5), (4, 7)])
def test_every_numeric_dtype_and_shape_round_trips(tmp_path, dtype, shape):
    array = (np.arange(int(np.prod(shape))) % 3).astype(dtype).reshape(shape)
    save_checkpoint(tmp_path / "c.npz", {"s": {"a": array}}, {})
    loaded = load_checkpoint(tmp_path / "c.npz")[0]["s"]["a"]
    assert loaded.dtype == array.dtype and loaded.shape == array.shape and np.array_equal(loaded, array)
    assert loaded.flags.writeable and loaded.flags.c_contiguous


def test_metadata_may_not_set_the_formats_own_keys(tmp_path):
    with pytest.raises(GatedRNNError, match="may not set checksum"):
        save_checkpoint(tmp_path / "c.npz", {}, {"checksum": "mine"})


# -- the budget: headers before data, claims checked, nothing large read or built ------------
def _run_checkpoint(tmp_path, **model):
    """A run checkpoint of an untrained model as save_run_checkpoint writes it (no training needed)."""
    from gatedrnn.data import Vocabulary
    from gatedrnn.lm import LanguageModel, ModelConfig, TrainConfig
    from gatedrnn.lm.run_checkpoint import save_run_checkpoint
    from gatedrnn.optim import SGD

    vocab = Vocabulary.build("a b c d e f g h".split(), unk_token="<unk>")
    config = ModelConfig(vocab_size=len(vocab), **{**dict(embedding_size=6, hidden_size=6, num_layers=2), **model})
    built = LanguageModel(config)
    path = tmp_path / "run.npz"
    save_run_checkpoint(
        path,
        built,
        SGD(built.parameters(), lr=1.0),
        None,
        dict(vocab=vocab.to_dict(), training=TrainConfig(batch_size=2).to_dict()),
    )
    return path


def test_a_deflate_bomb_is_never_inflated_past_what_the_header_implies(tmp_path):
    """A member whose stream inflates to 256 MiB while the zip records its true 192 bytes."""
    import time
    import zipfile

    from helpers.checkpoint_crafting import members_of, with_claimed_size, write_zip

    from gatedrnn.lm.run_checkpoint import model_from_checkpoint

    path = _run_checkpoint(tmp_path)
    members = members_of(path)
    name = "model/decoder.bias.npy"
    bomb = write_zip(tmp_path / "bomb.npz", {**members, name: members[name] + bytes(2**28)}, zipfile.ZIP_DEFLATED)
    assert bomb.stat().st_size < 2**20
    with_claimed_size(bomb, bomb, name, len(members[name]))
    started = time.perf_counter()
    with pytest.raises(GatedRNNError, match="Bad CRC-32"):
        model_from_checkpoint(bomb)
    assert time.perf_counter() - started < 2.0  # inflating 256 MiB would take longer


def test_the_header_is_checked_before_any_data_is_read(tmp_path, monkeypatch):
    """A header claiming 10^12 values is refused from its first bytes: no array is allocated."""
    from helpers.checkpoint_crafting import npy_header, with_member

    import gatedrnn.checkpoint as checkpoint

    path = _run_checkpoint(tmp_path)
    crafted = with_member(
        path, tmp_path / "crafted.npz", "model/embed.weight.npy", npy_header("<f4", (10**6, 10**6)) + bytes(100)
    )
    read_data = checkpoint._read_data

    def only_metadata(path, archive, name, *rest, **keywords):
        assert name == "__metadata__", f"the data of {name} was read"
        return read_data(path, archive, name, *rest, **keywords)

    monkeypatch.setattr(checkpoint, "_read_data", only_metadata)
    with pytest.raises(GatedRNNError, match="implies 4,000,000,000,128"):
        load_checkpoint(crafted)


def test_metadata_claiming_a_huge_model_is_refused_before_it_is_built(tmp_path, monkeypatch):
    """hidden_size 6000 in the metadata of a small file: refused from the shapes, no model built."""
    from helpers.checkpoint_crafting import rewrite

    import gatedrnn.lm.model as model_module
    from gatedrnn.lm.run_checkpoint import model_from_checkpoint

    path = rewrite(
        _run_checkpoint(tmp_path),
        tmp_path / "big.npz",
        lambda sections, metadata: metadata["model"].update(hidden_size=6000, embedding_size=6000),
    )
    monkeypatch.setattr(model_module.LanguageModel, "__init__", lambda *args: pytest.fail("a model was built"))
    with pytest.raises(GatedRNNError, match=r"claims shape \(\d+, 6\) but the model config implies \(\d+, 6000\)"):
        model_from_checkpoint(path)


def test_memory_is_measured_against_the_address_space_limit():
    """Under RLIMIT_AS the budget is what is left of the limit, and the refusal gives the figures."""
    import subprocess
    import sys

    code = (
        "import resource; resource.setrlimit(resource.RLIMIT_AS, (2 ** 31, 2 ** 31))\n"
        "from gatedrnn.memory import available_bytes; from gatedrnn import GatedRNNError\n"
        "from gatedrnn.lm import LanguageModel, ModelConfig\n"
        "assert available_bytes() < 2 ** 31, available_bytes()\n"
        "try:\n"
        "    LanguageModel(ModelConfig(vocab_size=100, hidden_size=4000, embedding_size=4000))\n"
        "except GatedRNNError as error:\n"
        "    print(error)\n"
    )
    src = REPO / "src"
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(src), "OPENBLAS_NUM_THREADS": "1"},
    )
    assert result.returncode == 0, result.stderr
    assert "would need 3" in result.stdout and "this process may allocate" in result.stdout, result.stdout


def test_train_refuses_a_model_that_cannot_fit_with_the_figure():
    from gatedrnn.lm import LanguageModel, ModelConfig
    from gatedrnn.memory import physical_bytes

    with pytest.raises(
        GatedRNNError,
        match=r"would need [\d.,]+ TiB for its weights, their gradients and the "
        r"optimizer's buffers; this machine has",
    ) as info:
        LanguageModel(ModelConfig(vocab_size=40, hidden_size=100_000, embedding_size=100_000))
    assert physical_bytes() is not None and "\n" not in str(info.value)


# -- sizes from the config alone -------------------------------------------------------------
@pytest.mark.parametrize("cell", ["lstm", "gru", "rnn"])
@pytest.mark.parametrize("tie_weights", [True, False])
@pytest.mark.parametrize("num_layers", [1, 2, 3])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_expected_shapes_match_a_built_model(cell, tie_weights, num_layers, dtype):
    """expected_shapes(config) names every parameter with its shape, in named_parameters order."""
    from gatedrnn.lm import LanguageModel, ModelConfig
    from gatedrnn.lm.model import expected_shapes, parameter_array_count, parameter_count, training_bytes

    config = ModelConfig(
        vocab_size=13,
        hidden_size=5,
        embedding_size=5 if tie_weights else 3,
        num_layers=num_layers,
        cell=cell,
        tie_weights=tie_weights,
        dropout=0.0,
    )
    model = LanguageModel(config, dtype=dtype)
    actual = [(name, param.shape) for name, param in model.named_parameters()]
    assert list(expected_shapes(config).items()) == actual
    assert parameter_count(config) == model.num_parameters() and parameter_array_count(config) == len(actual)
    assert training_bytes(config, dtype) == 4 * model.num_parameters() * np.dtype(dtype).itemsize


def test_expected_shapes_match_every_preset():
    from gatedrnn.lm import PRESETS, LanguageModel
    from gatedrnn.lm.model import expected_shapes

    for preset in PRESETS.values():
        config = preset.model.replace(vocab_size=50)
        model = LanguageModel(config)
        assert expected_shapes(config) == {name: param.shape for name, param in model.named_parameters()}, preset


# -- resuming: every part checked before anything changes ------------------------------------
def test_a_refused_resume_leaves_the_run_directory_untouched(tmp_path, capsys):
    """history="not a list" once rewrote metrics.jsonl one character per line."""
    import hashlib
    import shutil

    from helpers.bad_inputs.rows import finished_run_directory
    from helpers.checkpoint_crafting import rewrite
    from helpers.tiny_runs import tiny_word_train_args

    from gatedrnn.cli import main

    finished = finished_run_directory(tmp_path)
    run = tmp_path / "copy"
    shutil.copytree(finished.run, run)
    rewrite(run / "last.npz", run / "last.npz", lambda sections, metadata: metadata.update(history="not a list"))
    before = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in run.iterdir()}
    capsys.readouterr()
    assert main(tiny_word_train_args(finished.corpus, run, "--resume")) == 2
    assert "history must be a list" in capsys.readouterr().err
    assert {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in run.iterdir()} == before


def test_a_missing_optimizer_buffer_is_refused_and_the_optimizer_left_as_it_was():
    from gatedrnn.core import Parameter
    from gatedrnn.optim import Adam

    params = [Parameter(np.ones(3)), Parameter(np.ones(2))]
    for param in params:
        param.grad[...] = 1.0
    source = Adam(params, lr=0.01)
    source.step()
    state = source.state_dict()
    del state["arrays"]["exp_avg_sq.1"]
    target = Adam([Parameter(np.ones(3)), Parameter(np.ones(2))], lr=0.5)
    with pytest.raises(GatedRNNError, match="lacks exp_avg_sq.1"):
        target.load_state_dict(state)
    assert target.lr == 0.5 and target.step_count == 0 and target.state == {}
    frozen = [Parameter(np.ones(3)), Parameter(np.ones(2), requires_grad=False)]
    del state["arrays"]["exp_avg.1"]  # a frozen parameter never had buffers: nothing is missing
    Adam(frozen).load_state_dict(state)


def test_a_refused_rng_state_leaves_the_generator_as_it_was():
    import gatedrnn.rng as rng

    before = rng.get_state()
    for bad in (
        None,
        {**before, "has_uint32": 5},
        {**before, "state": {"state": -1, "inc": 1}},
        {**before, "bit_generator": "MT19937"},
    ):
        with pytest.raises(GatedRNNError):
            rng.set_state(bad)
    assert rng.get_state() == before


def test_the_nesting_depth_scan_agrees_with_the_parser():
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from gatedrnn.checkpoint import _nesting_depth

    def depth(value):
        children = value.values() if isinstance(value, dict) else value if isinstance(value, list) else None
        return 0 if children is None else 1 + max(map(depth, children), default=0)

    texts = st.text(alphabet='[]{}"\\ab', max_size=6)
    values = st.recursive(
        st.none() | st.integers() | texts,
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(texts, inner, max_size=3),
    )

    @settings(max_examples=300, deadline=None, database=None)
    @given(values, st.sampled_from([1, 2, 3, 7, 1 << 20]))
    def agrees(value, chunk):
        assert _nesting_depth(json.dumps(value).encode(), chunk) == depth(value)

    agrees()
