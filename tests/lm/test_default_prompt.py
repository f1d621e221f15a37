"""generate without --prompt starts from text the model knows, never from an unknown token."""

from helpers.tiny_runs import tiny_train_args

from gatedrnn.cli import main
from gatedrnn.data import Vocabulary
from gatedrnn.lm.generate import default_prompt


def test_the_books_the_when_the_vocabulary_knows_it():
    assert default_prompt(Vocabulary.build("the cat <eos>".split(), unk_token="<unk>")) == "the"
    assert default_prompt(Vocabulary.build(list("the\n"), level="char")) == "the"


def test_a_line_end_when_it_does_not():
    assert default_prompt(Vocabulary.build("red cat <eos>".split(), unk_token="<unk>")) == "\n"
    assert default_prompt(Vocabulary.build(list("abc\n"), level="char")) == "\n"


def test_else_the_first_known_token():
    assert default_prompt(Vocabulary.build(["red", "cat"], unk_token="<unk>")) == "red"
    assert default_prompt(Vocabulary.build(list("abc"), level="char")) == "a"


def test_the_cli_prints_no_warning_for_a_char_model_without_t(tmp_path, capsys):
    text = tmp_path / "abc.txt"
    text.write_text("abc cab bca\n" * 200)
    args = tiny_train_args(text, tmp_path / "run")
    assert main(args) == 0
    capsys.readouterr()
    assert main(["generate", str(tmp_path / "run" / "best.npz"), "--length", "5", "--seed", "1"]) == 0
    printed = capsys.readouterr()
    assert "warning" not in printed.err
    assert printed.out.startswith("\n")
