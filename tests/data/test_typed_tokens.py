"""A prompt or stop typed to a model is read as its training text was, its last line left open."""

import pytest

from gatedrnn.data.tokens import typed_tokens, word_tokens


@pytest.mark.parametrize(
    "text, tokens",
    [
        ("red cat", ["red", "cat"]),  # the sample continues the line
        ("red cat\n", ["red", "cat", "<eos>"]),
        ("red\ncat", ["red", "<eos>", "cat"]),
        ("red\r\ncat\r\n", ["red", "<eos>", "cat", "<eos>"]),  # as read_utf8 reads a file
        ("\n", ["<eos>"]),
        ("\n\n", ["<eos>", "<eos>"]),
        ("  ", []),
        ("", []),
    ],
)
def test_word_level_line_ends_are_eos(text, tokens):
    assert typed_tokens(text, "word") == tokens


@pytest.mark.parametrize("text", ["a b\n", "a\n\nb c\n", "\n"])
def test_a_text_ending_with_a_newline_reads_as_training_reads_it(text):
    assert typed_tokens(text, "word") == word_tokens(text)


def test_character_level_keeps_every_character():
    assert typed_tokens("ab\r\n c", "char") == ["a", "b", "\n", " ", "c"]
