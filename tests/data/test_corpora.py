"""Corpora: the Penn Treebank files (checksums, counts, downloads), any text file, data paths."""

import hashlib
import os
import shutil
import stat

import numpy as np
import pytest
from helpers.ptb_data import DATA_DIR, needs_ptb, ptb_path

import gatedrnn.data.ptb as ptb_module
from gatedrnn.data import PTB_MD5, load_ptb, load_text, resolve_data_dir
from gatedrnn.errors import GatedRNNError


def count_tokens(path):
    """Words plus one <eos> per line, counted straight from the file."""
    with open(path, encoding="utf-8") as lines:
        return sum(len(line.split()) + 1 for line in lines)


@pytest.fixture(scope="module")
def ptb():
    """The corpus, loaded once through $GATEDRNN_DATA as a user would."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("GATEDRNN_DATA", str(DATA_DIR))
        return load_ptb()


@pytest.fixture
def offline(monkeypatch):
    """Downloads fail as they do without a network."""

    def no_network(url, target, expected_md5):
        raise OSError(f"<urlopen error [Errno -3] Temporary failure in name resolution> ({url})")

    monkeypatch.setattr(ptb_module, "download_file", no_network)


# -- Penn Treebank --------------------------------------------------------------------------
@needs_ptb
def test_ptb_vocabulary_has_exactly_ten_thousand_words(ptb):
    assert len(ptb.vocab) == 10_000
    assert ptb.vocab.unk_token == "<unk>" and "<eos>" in ptb.vocab and ptb.vocab.level == "word"
    assert ptb.name == "ptb"


@needs_ptb
def test_ptb_token_counts_match_the_files(ptb):
    measured = {split: count_tokens(ptb_path(split)) for split in ("train", "valid", "test")}
    assert measured == {"train": 929_589, "valid": 73_760, "test": 82_430}
    assert {split: getattr(ptb, split).size for split in measured} == measured
    for split in measured:
        assert getattr(ptb, split).dtype == np.int64


@needs_ptb
def test_ptb_valid_and_test_words_are_all_in_the_training_vocabulary(ptb):
    # <unk> is a word of the files themselves; no other word of valid/test may become <unk>.
    for split in ("valid", "test"):
        words = ptb_path(split).read_text().split()
        assert all(word in ptb.vocab for word in words)
        assert (getattr(ptb, split) == ptb.vocab.unk_id).sum() == words.count("<unk>")


@needs_ptb
def test_ptb_decodes_back_to_the_file_text(ptb):
    first_lines = ptb_path("train").read_text().splitlines()[:3]
    expected = " ".join(line.strip() + " <eos>" for line in first_lines).split()
    assert ptb.vocab.decode(ptb.train[: len(expected)]) == expected


@needs_ptb
def test_ptb_checksums_pass():
    for split, md5 in PTB_MD5.items():
        ptb_module.check_md5(ptb_path(split), md5)


@needs_ptb
def test_ptb_file_with_one_changed_byte_fails_the_checksum(tmp_path, offline):
    copy = tmp_path / "ptb"
    copy.mkdir()
    for split in ("train", "valid", "test"):
        shutil.copy(ptb_path(split), copy)
    damaged = copy / "ptb.valid.txt"
    damaged.chmod(0o644)
    data = bytearray(damaged.read_bytes())
    data[1000] = ord("#") if data[1000] != ord("#") else ord("%")
    damaged.write_bytes(bytes(data))
    with pytest.raises(
        GatedRNNError, match=r"ptb\.valid\.txt has the wrong md5 \(.*expected aa0affc0.*download it again"
    ):
        load_ptb(tmp_path)
    assert len(load_ptb(tmp_path, verify=False).vocab) == 10_000


def test_missing_ptb_without_network_says_where_to_put_the_files(tmp_path, offline):
    with pytest.raises(GatedRNNError) as error:
        load_ptb(tmp_path / "nowhere")
    message = str(error.value)
    assert "ptb.train.txt is missing" in message and str(tmp_path / "nowhere" / "ptb") in message
    assert "GATEDRNN_DATA" in message and "--data-dir" in message and "\n" not in message


def test_missing_ptb_with_download_off(tmp_path):
    with pytest.raises(GatedRNNError, match="download=False.*GATEDRNN_DATA"):
        load_ptb(tmp_path, download=False)


@needs_ptb
def test_ptb_download_from_a_mirror_lands_checked_in_data_dir_ptb(tmp_path, monkeypatch):
    # A file:// mirror stands in for the network (links: the files may sit in either layout).
    mirror, data_dir = tmp_path / "mirror", tmp_path / "data"
    mirror.mkdir()
    for split in ("train", "valid", "test"):
        (mirror / f"ptb.{split}.txt").symlink_to(ptb_path(split))
    monkeypatch.setattr(ptb_module, "PTB_URL", mirror.as_uri() + "/ptb.{split}.txt")
    corpus = load_ptb(data_dir)
    assert sorted(p.name for p in (data_dir / "ptb").iterdir()) == ["ptb.test.txt", "ptb.train.txt", "ptb.valid.txt"]
    assert corpus.train.size == 929_589 and len(corpus.vocab) == 10_000


def test_download_is_atomic_and_checked(tmp_path):
    source = tmp_path / "source.txt"
    source.write_bytes(b"some words\n" * 100)
    good_md5 = hashlib.md5(source.read_bytes()).hexdigest()
    target = tmp_path / "cache" / "copy.txt"
    previous_umask = os.umask(0o022)
    try:
        ptb_module.download_file(source.as_uri(), target, good_md5)
    finally:
        os.umask(previous_umask)
    assert target.read_bytes() == source.read_bytes()
    assert stat.S_IMODE(target.stat().st_mode) == 0o644  # as any download, not mkstemp's 0600
    with pytest.raises(GatedRNNError, match="md5"):
        ptb_module.download_file(source.as_uri(), tmp_path / "cache" / "bad.txt", "0" * 32)
    assert sorted(p.name for p in target.parent.iterdir()) == ["copy.txt"]  # no temporary left behind


# -- the data directory ---------------------------------------------------------------------
def test_resolve_data_dir_precedence(tmp_path, monkeypatch):
    monkeypatch.setenv("GATEDRNN_DATA", str(tmp_path / "from_env"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert resolve_data_dir(tmp_path / "given") == tmp_path / "given"
    assert resolve_data_dir(str(tmp_path / "given")) == tmp_path / "given"
    assert resolve_data_dir() == tmp_path / "from_env"
    monkeypatch.delenv("GATEDRNN_DATA")
    assert resolve_data_dir() == tmp_path / "xdg" / "gatedrnn"
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert resolve_data_dir() == tmp_path / "home" / ".cache" / "gatedrnn"


# -- any text file --------------------------------------------------------------------------
def write(path, text):
    path.write_text(text, encoding="utf-8")
    return path


def test_word_level_text_splits_in_order(tmp_path):
    path = write(tmp_path / "words.txt", "".join(f"w{i} and more\n" for i in range(20)))  # 80 tokens
    corpus = load_text(path)
    assert (corpus.train.size, corpus.valid.size, corpus.test.size) == (72, 4, 4)
    assert corpus.vocab.id_to_token[:5] == ["<unk>", "w0", "and", "more", "<eos>"]
    assert corpus.vocab.decode(corpus.train[:8]) == ["w0", "and", "more", "<eos>", "w1", "and", "more", "<eos>"]
    # w18, w19 live only in valid / test, so they become <unk>
    assert corpus.vocab.decode(corpus.valid) == ["<unk>", "and", "more", "<eos>"]
    assert corpus.name == "words.txt"


def test_split_fractions_are_honoured(tmp_path):
    path = write(tmp_path / "words.txt", "a b c d e f g h i\n" * 10)  # 100 tokens
    corpus = load_text(path, split=(0.6, 0.3, 0.1))
    assert (corpus.train.size, corpus.valid.size, corpus.test.size) == (60, 30, 10)


def test_char_level_unseen_characters_map_to_the_replacement_character(tmp_path):
    path = write(tmp_path / "chars.txt", "abc\n" * 45 + "xyzé" * 5)  # 180 + 20 characters
    corpus = load_text(path, level="char")
    assert (corpus.train.size, corpus.valid.size, corpus.test.size) == (180, 10, 10)
    assert corpus.vocab.id_to_token == ["\ufffd", "a", "b", "c", "\n"]
    assert corpus.vocab.level == "char" and corpus.vocab.unk_token == "\ufffd"
    assert (corpus.valid == corpus.vocab.unk_id).all() and (corpus.test == 0).all()
    assert "".join(corpus.vocab.decode(corpus.train)) == "abc\n" * 45


def test_char_level_reads_windows_line_ends_as_newlines(tmp_path):
    path = tmp_path / "crlf.txt"
    path.write_bytes(b"ab\r\n" * 50)
    corpus = load_text(path, level="char")
    assert "\r" not in corpus.vocab and corpus.train.size + corpus.valid.size + corpus.test.size == 150


def test_separate_valid_and_test_files(tmp_path):
    train = write(tmp_path / "train.txt", "the cat sat\n")
    valid = write(tmp_path / "valid.txt", "the dog sat\n")
    test = write(tmp_path / "test.txt", "a cat\n")
    corpus = load_text(train, valid_path=valid, test_path=test)
    assert corpus.vocab.decode(corpus.valid) == ["the", "<unk>", "sat", "<eos>"]
    assert corpus.vocab.decode(corpus.test) == ["<unk>", "cat", "<eos>"]
    with pytest.raises(GatedRNNError, match="both valid_path and test_path"):
        load_text(train, valid_path=valid)


def test_empty_file(tmp_path):
    for content in ("", "  \n\n"):
        with pytest.raises(GatedRNNError, match="is empty"):
            load_text(write(tmp_path / "empty.txt", content))


def test_file_that_is_not_utf8(tmp_path):
    path = tmp_path / "latin1.txt"
    path.write_bytes("plain words then café\n".encode("latin-1"))
    with pytest.raises(GatedRNNError, match=r"not UTF-8 \(invalid byte at offset 20\).*iconv"):
        load_text(path)


def test_missing_file(tmp_path):
    with pytest.raises(GatedRNNError, match="does not exist"):
        load_text(tmp_path / "absent.txt")
    with pytest.raises(GatedRNNError, match="is a directory"):
        load_text(tmp_path)


def test_split_too_small(tmp_path):
    path = write(tmp_path / "short.txt", "one two three four five six seven\n")  # 8 tokens
    with pytest.raises(GatedRNNError, match="the valid split would hold 0 word token"):
        load_text(path)


@pytest.mark.parametrize(
    "split, message",
    [
        ((0.8, 0.1, 0.2), "sum to 1"),
        ((1.0, 0.0, 0.0), "> 0"),
        ((1.1, -0.05, -0.05), "> 0"),
        ((0.9, 0.1), "three fractions"),
        ("abc", "three numbers"),
    ],
)
def test_bad_split_fractions(tmp_path, split, message):
    path = write(tmp_path / "words.txt", "a b c d\n" * 50)
    with pytest.raises(GatedRNNError, match=message):
        load_text(path, split=split)


def test_bad_level(tmp_path):
    with pytest.raises(GatedRNNError, match="level must be 'word' or 'char'"):
        load_text(write(tmp_path / "words.txt", "a b\n" * 10), level="byte")
