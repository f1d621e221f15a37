"""The two places the README allows for the PTB files, as the library and the tests find them.

Layout 1: ``$GATEDRNN_DATA/ptb/ptb.train.txt`` (where a download lands, and CI's layout).
Layout 2: ``$GATEDRNN_DATA/ptb.train.txt``. The files here are small fakes named like PTB's:
the lookup does not read them, and ``load_ptb(verify=False)`` skips the md5 check.
"""

import pytest
from helpers import ptb_data

import gatedrnn.data.ptb as ptb_module
from gatedrnn.data import load_ptb
from gatedrnn.errors import GatedRNNError

SPLITS = ("train", "valid", "test")
LAYOUTS = {"in ptb/": "ptb", "directly": "."}


def fake_ptb(folder):
    """Three tiny PTB-like files in ``folder``; returns {split: path}."""
    folder.mkdir(parents=True, exist_ok=True)
    lines = {"train": " the cat sat \n the dog ran \n", "valid": " the cat ran \n", "test": " a dog sat \n"}
    paths = {}
    for split, text in lines.items():
        paths[split] = folder / f"ptb.{split}.txt"
        paths[split].write_text(text)
    return paths


@pytest.mark.parametrize("layout", LAYOUTS)
def test_the_library_and_the_tests_find_ptb_in_both_layouts(tmp_path, monkeypatch, layout):
    data_dir = tmp_path / "data"
    written = fake_ptb((data_dir / LAYOUTS[layout]).resolve())
    for split in SPLITS:
        assert ptb_module.find_ptb_file(data_dir, split).resolve() == written[split]
        assert ptb_module.ptb_file(data_dir, split, download=False).resolve() == written[split]
    monkeypatch.setenv("GATEDRNN_DATA", str(data_dir))
    dirs = ptb_data.candidate_data_dirs()
    assert dirs == [data_dir.resolve()]  # the setting alone: nothing found behind the user's back
    found_dir, files = ptb_data.locate_ptb(dirs)
    assert found_dir == data_dir.resolve() and {split: path.resolve() for split, path in files.items()} == written
    corpus = load_ptb(verify=False, download=False)  # through $GATEDRNN_DATA, as a user would
    assert corpus.vocab.decode(corpus.train[:4]) == ["the", "cat", "sat", "<eos>"]


def test_the_ptb_folder_comes_before_the_data_dir_itself(tmp_path):
    in_folder = fake_ptb(tmp_path / "ptb")
    fake_ptb(tmp_path)
    assert ptb_data.locate_ptb([tmp_path]) == (tmp_path, in_folder)


def test_without_ptb_the_skip_reason_names_every_folder_and_the_setting(tmp_path):
    first, second = tmp_path / "first", tmp_path / "second"
    assert ptb_data.locate_ptb([first, second]) == (first, None)
    reason = ptb_data.skip_reason([first, second])
    for folder in (first / "ptb", first, second / "ptb", second):
        assert f"{folder}," in reason or f"{folder};" in reason
    assert "GATEDRNN_DATA" in reason and "\n" not in reason


def test_a_split_missing_from_both_folders_is_not_found(tmp_path):
    fake_ptb(tmp_path / "ptb")["valid"].unlink()
    assert ptb_data.locate_ptb([tmp_path]) == (tmp_path, None)
    with pytest.raises(
        GatedRNNError,
        match=rf"ptb\.valid\.txt is missing: looked in {tmp_path / 'ptb'} and "
        rf"{tmp_path} \(download=False\)",
    ):
        load_ptb(tmp_path, download=False)


def test_an_empty_setting_counts_as_unset_as_in_the_library(monkeypatch, tmp_path):
    monkeypatch.setenv("GATEDRNN_DATA", "")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    assert ptb_data.candidate_data_dirs() == [ptb_data.SHARED_DATA, tmp_path / "cache" / "gatedrnn"]
