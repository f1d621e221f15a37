"""load_text reads in pieces and two passes: the same tokens, vocabulary, ids and splits as reading whole.

The reference below is the straightforward reading: the whole file decoded (read_utf8), cut
into tokens by word_tokens / char_tokens, the vocabulary chosen with a Counter and a sort,
the ids looked up one by one. Tiny pieces (a few bytes) put a piece boundary inside every
kind of thing that could be cut: a multi-byte character, a "\\r\\n", a word, a "Σ".
"""

import math
from collections import Counter

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import gatedrnn.data.pieces as pieces_module
from gatedrnn.data import load_text
from gatedrnn.data.tokens import char_tokens, read_utf8, word_tokens
from gatedrnn.errors import GatedRNNError

TRICKY = [
    "\ufeffThe cat\r\nsat ΟΔΟΣ on\r\n\r\nthe MAT\n\n  \tend",  # BOM, CRLF, empty lines, Σ, no final \n
    "İstanbul ΣΑΣ σας\nÅngström naïve café 日本語 テキスト\n",  # lower() that changes lengths, final sigma
    "one\rtwo\x85three\u2028four\x0bfive\n<unk> <eos> \ufffd\n",  # whitespace that is not a line end, literals
    "a\n\n\n" * 5 + "b",  # runs of empty lines, no final newline
    "😀x😀 y😀\r\n" * 7,  # 4-byte characters
    "ΑΣ\n" * 3 + "ΣΣΣ ΣΑ" * 4,
]
ALPHABET = "ab Σσ\n\r\t\u00e9\u65e5\U0001f600İ\ufeff"


def reference(path, level, split=(0.9, 0.05, 0.05), lowercase=False, min_count=1, max_vocab=None):
    """(tokens of train/valid/test, vocabulary tokens) read the straightforward way."""
    text = read_utf8(path)
    text = text.lower() if lowercase else text
    tokens = word_tokens(text) if level == "word" else char_tokens(text)
    n = len(tokens)
    train_end = round(n * split[0])
    valid_end = train_end + round(n * split[1])
    train = tokens[:train_end]
    unk = "<unk>" if level == "word" else "\ufffd"
    counts = Counter(train)
    first = list(dict.fromkeys(train))
    candidates = [t for t in first if counts[t] >= min_count and t != unk]
    if max_vocab is not None:
        kept = set(sorted(candidates, key=lambda t: (-counts[t], first.index(t)))[: max(max_vocab - 1, 0)])
        candidates = [t for t in candidates if t in kept]
    vocab = [unk] + candidates
    return (train, tokens[train_end:valid_end], tokens[valid_end:]), vocab


def assert_same_as_reference(path, level, **options):
    corpus = load_text(path, level=level, **options)
    splits, vocab = reference(path, level, **options)
    assert corpus.vocab.id_to_token == vocab
    index = {token: i for i, token in enumerate(vocab)}
    for ids, tokens in zip((corpus.train, corpus.valid, corpus.test), splits, strict=True):
        assert ids.dtype == np.int64
        assert ids.tolist() == [index.get(token, 0) for token in tokens]


@pytest.mark.parametrize("piece_bytes", [1, 2, 3, 7, 1 << 20])
@pytest.mark.parametrize("level", ["word", "char"])
@pytest.mark.parametrize("lowercase", [False, True])
def test_pieces_give_the_tokens_of_the_whole_text(tmp_path, monkeypatch, piece_bytes, level, lowercase):
    monkeypatch.setattr(pieces_module, "PIECE_BYTES", piece_bytes)
    for number, text in enumerate(TRICKY):
        path = tmp_path / f"text{number}.txt"
        path.write_bytes((text * 2).encode("utf-8"))
        assert_same_as_reference(path, level, lowercase=lowercase, split=(0.5, 0.25, 0.25))


@pytest.mark.parametrize("level", ["word", "char"])
def test_cut_offs_and_splits_match_the_reference(tmp_path, monkeypatch, level):
    monkeypatch.setattr(pieces_module, "PIECE_BYTES", 5)
    path = tmp_path / "text.txt"
    path.write_text("".join(TRICKY) * 3, encoding="utf-8")
    for options in (
        dict(min_count=2),
        dict(max_vocab=5),
        dict(min_count=3, max_vocab=4),
        dict(split=(0.6, 0.3, 0.1), lowercase=True),
    ):
        assert_same_as_reference(path, level, **options)


@settings(max_examples=60, deadline=None)
@given(
    text=st.text(alphabet=ALPHABET, min_size=1, max_size=60),
    piece_bytes=st.integers(1, 9),
    level=st.sampled_from(["word", "char"]),
    lowercase=st.booleans(),
)
def test_any_text_reads_the_same_in_pieces(tmp_path_factory, text, piece_bytes, level, lowercase):
    path = tmp_path_factory.mktemp("pieces") / "text.txt"
    path.write_bytes(text.encode("utf-8"))
    split = (0.5, 0.25, 0.25)
    splits, _ = reference(path, level, split, lowercase=lowercase)
    readable = read_utf8(path).strip() and min(len(tokens) for tokens in splits) >= 2
    pieces_module.PIECE_BYTES, saved = piece_bytes, pieces_module.PIECE_BYTES
    try:
        if not readable:
            with pytest.raises(GatedRNNError):
                load_text(path, level=level, lowercase=lowercase, split=split)
            return
        assert_same_as_reference(path, level, lowercase=lowercase, split=split)
    finally:
        pieces_module.PIECE_BYTES = saved


def test_separate_valid_and_test_files_match_the_reference(tmp_path, monkeypatch):
    monkeypatch.setattr(pieces_module, "PIECE_BYTES", 4)
    files = []
    for name, text in zip(("train", "valid", "test"), TRICKY, strict=False):
        files.append(tmp_path / f"{name}.txt")
        files[-1].write_text(text, encoding="utf-8")
    corpus = load_text(files[0], valid_path=files[1], test_path=files[2])
    train_tokens = word_tokens(read_utf8(files[0]))
    assert corpus.vocab.id_to_token == ["<unk>"] + [t for t in dict.fromkeys(train_tokens) if t != "<unk>"]
    for ids, path in zip((corpus.train, corpus.valid, corpus.test), files, strict=True):
        assert corpus.vocab.decode(ids) == [t if t in corpus.vocab else "<unk>" for t in word_tokens(read_utf8(path))]


def test_a_bad_byte_is_reported_at_its_offset_in_the_file(tmp_path, monkeypatch):
    monkeypatch.setattr(pieces_module, "PIECE_BYTES", 3)
    path = tmp_path / "bad.txt"
    path.write_bytes("héllo wörld ".encode() * 3 + b"ab\xc3x")
    offset = len("héllo wörld ".encode() * 3) + 2
    with pytest.raises(GatedRNNError, match=f"not UTF-8 \\(invalid byte at offset {offset}\\)"):
        load_text(path)


def test_a_file_that_changes_between_the_passes_is_refused(tmp_path, monkeypatch):
    import gatedrnn.data.token_ids as token_ids

    path = tmp_path / "text.txt"
    path.write_text("a b c d e f g h i j k l m n o p q r s t\n" * 5, encoding="utf-8")
    original = token_ids.TokenIdReading.count

    def count_then_edit(self):
        original(self)
        path.write_text("other words entirely\n" * 5, encoding="utf-8")

    monkeypatch.setattr(token_ids.TokenIdReading, "count", count_then_edit)
    with pytest.raises(GatedRNNError, match="changed while it was being read"):
        load_text(path)


def test_splits_are_consecutive_views_of_one_array(tmp_path):
    path = tmp_path / "text.txt"
    path.write_text("x y z\n" * 40, encoding="utf-8")
    corpus = load_text(path)
    n = corpus.train.size + corpus.valid.size + corpus.test.size
    assert corpus.train.size == round(n * 0.9) and corpus.valid.size == round(n * 0.05)
    assert math.isclose(n, 40 * 4)
