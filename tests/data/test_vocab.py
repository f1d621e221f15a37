"""Vocabulary: ids in a fixed order, encode/decode round trips, the unknown token, checkpoints."""

import json

import numpy as np
import pytest

from gatedrnn.data import Vocabulary
from gatedrnn.errors import GatedRNNError

WORDS = "the cat sat on the mat <eos> the dog sat <eos>".split()


def test_ids_follow_unk_then_specials_then_first_appearance():
    vocab = Vocabulary.build(WORDS, specials=("<pad>",), unk_token="<unk>")
    assert vocab.id_to_token == ["<unk>", "<pad>", "the", "cat", "sat", "on", "mat", "<eos>", "dog"]
    assert vocab.unk_id == 0 and len(vocab) == 9


def test_frequency_order_puts_the_most_frequent_first_after_unk_and_specials():
    """the ×3, sat ×2, <eos> ×2 (sat seen first), then the words seen once by first appearance."""
    vocab = Vocabulary.build(WORDS, specials=("<pad>",), unk_token="<unk>", order="frequency")
    assert vocab.id_to_token == ["<unk>", "<pad>", "the", "sat", "<eos>", "cat", "on", "mat", "dog"]
    assert Vocabulary.build(WORDS, order="appearance").id_to_token == Vocabulary.build(WORDS).id_to_token


def test_frequency_order_keeps_what_the_cut_offs_keep():
    by_appearance = Vocabulary.build(WORDS, unk_token="<unk>", max_size=4)
    by_frequency = Vocabulary.build(WORDS, unk_token="<unk>", max_size=4, order="frequency")
    assert set(by_frequency.id_to_token) == set(by_appearance.id_to_token)
    assert by_frequency.id_to_token == ["<unk>", "the", "sat", "<eos>"]
    assert Vocabulary.build(WORDS, unk_token="<unk>", min_count=2, order="frequency").id_to_token == [
        "<unk>",
        "the",
        "sat",
        "<eos>",
    ]


def test_frequency_order_survives_a_checkpoint_description():
    vocab = Vocabulary.build(WORDS, unk_token="<unk>", order="frequency")
    restored = Vocabulary.from_dict(json.loads(json.dumps(vocab.to_dict())))
    assert restored.id_to_token == vocab.id_to_token
    assert restored.encode(WORDS).tolist() == vocab.encode(WORDS).tolist()


@pytest.mark.parametrize("order", ["count", None, 1])
def test_an_unknown_order_is_refused(order):
    with pytest.raises(GatedRNNError, match="vocabulary order must be 'appearance' or 'frequency'"):
        Vocabulary.build(WORDS, order=order)


def test_lookup_tables_are_read_only_views():
    vocab = Vocabulary.build(WORDS)
    with pytest.raises(TypeError):
        vocab.token_to_id["cow"] = 9
    vocab.id_to_token.append("cow")
    assert len(vocab) == 7 and "cow" not in vocab


def test_encode_decode_round_trip():
    vocab = Vocabulary.build(WORDS)
    ids = vocab.encode(WORDS)
    assert ids.dtype == np.int64 and ids.shape == (len(WORDS),)
    assert ids.tolist() == [0, 1, 2, 3, 0, 4, 5, 0, 6, 2, 5]
    assert vocab.decode(ids) == WORDS
    assert vocab.token_to_id["mat"] == 4 and vocab.id_to_token[4] == "mat"
    assert "cat" in vocab and "cow" not in vocab


def test_unknown_word_maps_to_unk_when_there_is_one():
    vocab = Vocabulary.build(WORDS, unk_token="<unk>")
    assert vocab.encode(["the", "cow"]).tolist() == [vocab.token_to_id["the"], 0]


def test_unknown_word_without_unk_raises_naming_it():
    vocab = Vocabulary.build(WORDS)
    with pytest.raises(GatedRNNError, match="'cow' is not in the vocabulary") as error:
        vocab.encode(["the", "cow"])
    assert "\n" not in str(error.value)


def test_long_unknown_token_is_shortened_in_the_message():
    vocab = Vocabulary.build(WORDS)
    with pytest.raises(GatedRNNError) as error:
        vocab.encode(["x" * 500])
    assert len(str(error.value)) < 200 and "..." in str(error.value)


def test_decode_refuses_ids_outside_the_vocabulary():
    vocab = Vocabulary.build(WORDS)
    for bad in ([0, len(vocab)], [-1]):
        with pytest.raises(GatedRNNError, match="outside the vocabulary"):
            vocab.decode(bad)
    assert vocab.decode([]) == []


def test_word_vocab_refuses_a_plain_string():
    with pytest.raises(GatedRNNError, match="split the text"):
        Vocabulary.build(WORDS).encode("the cat")


def test_to_dict_from_dict_round_trip_through_json():
    vocab = Vocabulary.build(WORDS, unk_token="<unk>")
    restored = Vocabulary.from_dict(json.loads(json.dumps(vocab.to_dict())))
    assert restored.to_dict() == vocab.to_dict() == {"tokens": vocab.id_to_token, "unk_token": "<unk>", "level": "word"}
    assert restored.encode(WORDS).tolist() == vocab.encode(WORDS).tolist()


def test_char_vocab_round_trip():
    text = "héllo wörld\n¿qué? 🙂\n"
    vocab = Vocabulary.build(text, unk_token="\ufffd", level="char")
    ids = vocab.encode(text)
    assert "".join(vocab.decode(ids)) == text
    assert vocab.encode("hZ").tolist() == [vocab.token_to_id["h"], vocab.unk_id]
    restored = Vocabulary.from_dict(json.loads(json.dumps(vocab.to_dict())))
    assert restored.level == "char" and "".join(restored.decode(ids)) == text


@pytest.mark.parametrize(
    "description, message",
    [
        ({"tokens": ["a", "a"]}, "appears twice"),
        ({"tokens": ["a", 3]}, "not a str"),
        ({"tokens": ["a"], "unk_token": "<unk>"}, "not among"),
        ({"tokens": ["a"], "level": "byte"}, "level"),
        ({"words": ["a"]}, "no 'tokens' list"),
    ],
)
def test_from_dict_refuses_broken_descriptions(description, message):
    with pytest.raises(GatedRNNError, match=message):
        Vocabulary.from_dict(description)


@pytest.mark.parametrize("tokens", [["a", "park"], ["a", ""], ["<unk>", "b"]])
def test_a_character_level_vocabulary_holds_single_characters(tokens):
    with pytest.raises(GatedRNNError, match="a character-level vocabulary holds single characters"):
        Vocabulary(tokens, level="char")
    with pytest.raises(GatedRNNError, match="build it with level='word'"):
        Vocabulary.from_dict(dict(tokens=tokens, unk_token=None, level="char"))
    assert Vocabulary(tokens, level="word").level == "word"
