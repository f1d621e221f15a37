"""`gatedrnn generate`: the same warning at both levels when the prompt holds what the vocabulary does not."""

import pytest
from helpers.tiny_runs import tiny_train_args, tiny_word_train_args, write_corpus, write_text

from gatedrnn.cli import main


@pytest.fixture(scope="module")
def checkpoints(tmp_path_factory):
    """{level: best.npz} of a tiny character run (a pangram, lowercase) and a tiny word run (w0 … w39)."""
    directory = tmp_path_factory.mktemp("generate")
    assert main(tiny_train_args(write_text(directory), directory / "char", "--no-progress")) == 0
    assert main(tiny_word_train_args(write_corpus(directory), directory / "word")) == 0
    return {level: directory / level / "best.npz" for level in ("char", "word")}


def _warnings(err):
    return [line for line in err.splitlines() if line.startswith("gatedrnn: warning: not in the model's vocabulary")]


def test_a_character_model_warns_of_the_characters_it_reads_as_unknown(checkpoints, capsys):
    # it read them as the unknown character in silence, where a word model warned
    assert main(["generate", str(checkpoints["char"]), "--prompt", "the QUIQUE", "--length", "2", "--seed", "0"]) == 0
    (line,) = _warnings(capsys.readouterr().err)
    assert line.startswith("gatedrnn: warning: not in the model's vocabulary, read as \ufffd: 'Q', 'U', 'I', 'E';")
    assert line.endswith("the vocabulary is lowercase: write the prompt in lowercase")


def test_a_long_list_of_unknown_characters_is_shortened(checkpoints, capsys):
    assert main(["generate", str(checkpoints["char"]), "--prompt", "ABCDEFGHIJKLMNOP", "--length", "1"]) == 0
    (line,) = _warnings(capsys.readouterr().err)
    assert "'A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'I', 'J' and 6 more;" in line


def test_a_word_model_warns_in_the_same_words(checkpoints, capsys):
    assert main(["generate", str(checkpoints["word"]), "--prompt", "zebra w1 yak zebra", "--length", "1"]) == 0
    assert _warnings(capsys.readouterr().err) == [
        "gatedrnn: warning: not in the model's vocabulary, read as <unk>: 'zebra', 'yak'"
    ]


def test_a_known_prompt_gives_no_warning(checkpoints, capsys):
    assert main(["generate", str(checkpoints["char"]), "--prompt", "the dog", "--length", "1", "--seed", "0"]) == 0
    assert _warnings(capsys.readouterr().err) == []
