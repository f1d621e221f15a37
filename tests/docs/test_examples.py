"""The scripts in examples/ run as a user runs them, and the docs quote them as they are."""

import re

from helpers.paths import REPO, load_script

EXAMPLE = REPO / "examples" / "train_from_python.py"
LANGUAGE_MODELS = REPO / "docs" / "language-models.md"


def write_splits(directory):
    """Small stand-ins for the docstring splits the example writes from the standard library."""
    directory.mkdir(parents=True)
    sentence = "return the value of the given name or none if it is not found\n"
    for name, repeats in (("train.txt", 120), ("valid.txt", 12), ("test.txt", 12)):
        (directory / name).write_text(sentence * repeats, encoding="utf-8")


def test_train_from_python_trains_into_a_new_directory_each_time(tmp_path, monkeypatch, capsys):
    example = load_script(EXAMPLE, "train_from_python")
    monkeypatch.chdir(tmp_path)
    write_splits(tmp_path / example.DATA)  # present, so the example does not read the standard library
    example.main()
    example.main()
    printed = capsys.readouterr().out
    assert printed.count("test perplexity") == 2 and "sample: return the" in printed
    assert (tmp_path / "runs" / "docstrings" / "best.npz").is_file()
    assert (tmp_path / "runs" / "docstrings-2" / "results.json").is_file()


def test_the_docs_quote_the_example_as_it_is():
    """Each line of docs/language-models.md's excerpt stands in the example, in the same order."""
    page = LANGUAGE_MODELS.read_text(encoding="utf-8")
    excerpt = next(block for block in re.findall(r"```python\n(.*?)```", page, re.S) if "TrainingRun(" in block)
    example = [line.strip() for line in EXAMPLE.read_text(encoding="utf-8").splitlines()]
    position = 0
    for line in filter(None, (line.strip() for line in excerpt.splitlines())):
        assert line in example[position:], (
            f"docs/language-models.md quotes {line!r}, not in the example (or out of order)"
        )
        position = example.index(line, position) + 1
