"""Word-level training on your own text: --data DIR / --valid-text / --test-text, --lowercase,
--min-count, --max-vocab; eval and generate reusing what the checkpoint records."""

import numpy as np
import pytest

from gatedrnn import GatedRNNError
from gatedrnn.cli import main
from gatedrnn.data import Vocabulary, load_text
from gatedrnn.lm.run_checkpoint import load_run_checkpoint

SENTENCES = [
    "The cat sat on the mat.",
    "A dog ran in the park.",
    "The cat saw the dog.",
    "the mat was red and the park was green.",
    "A rare zebra appeared once.",
]


def write_data_dir(directory):
    directory.mkdir()
    rng = np.random.default_rng(0)
    for name, count in (("train.txt", 300), ("valid.txt", 40), ("test.txt", 40)):
        lines = [SENTENCES[i] for i in rng.integers(0, 4, count)]  # the zebra line only once, below
        if name == "train.txt":
            lines.append(SENTENCES[4])
        (directory / name).write_text("\n".join(lines) + "\n")
    return directory


def test_vocabulary_cutoffs():
    tokens = "a b a c a b d".split()
    assert Vocabulary.build(tokens, unk_token="<unk>", min_count=2).id_to_token == ["<unk>", "a", "b"]
    assert Vocabulary.build(tokens, unk_token="<unk>", max_size=3).id_to_token == ["<unk>", "a", "b"]
    assert Vocabulary.build(tokens, unk_token="<unk>", max_size=4).id_to_token == ["<unk>", "a", "b", "c"]
    with pytest.raises(GatedRNNError, match="need an unk_token"):
        Vocabulary.build(tokens, min_count=2)


def test_load_text_lowercases_and_cuts(tmp_path):
    data = write_data_dir(tmp_path / "data")
    corpus = load_text(
        data / "train.txt", valid_path=data / "valid.txt", test_path=data / "test.txt", lowercase=True, min_count=2
    )
    assert "The" not in corpus.vocab and "the" in corpus.vocab
    assert "zebra" not in corpus.vocab  # seen once
    plain = load_text(data / "train.txt", valid_path=data / "valid.txt", test_path=data / "test.txt")
    assert "The" in plain.vocab and "zebra" in plain.vocab


def test_cli_data_dir_run_then_eval_and_generate_from_the_checkpoint(tmp_path, capsys):
    data = write_data_dir(tmp_path / "data")
    out = tmp_path / "run"
    assert (
        main(
            [
                "train",
                "--data",
                str(data),
                "--level",
                "word",
                "--lowercase",
                "--min-count",
                "2",
                "--hidden-size",
                "16",
                "--embedding-size",
                "16",
                "--epochs",
                "2",
                "--batch-size",
                "4",
                "--seq-len",
                "8",
                "--eval-batch-size",
                "2",
                "--optimizer",
                "adam",
                "--lr",
                "0.01",
                "--out",
                str(out),
                "--no-progress",
            ]
        )
        == 0
    )
    printed = capsys.readouterr().out
    assert "changed here: embedding_size=16, hidden_size=16" in printed
    recorded = load_run_checkpoint(out / "best.npz").metadata["run"]["data"]
    assert recorded["lowercase"] is True and recorded["min_count"] == 2
    assert recorded["valid_text"].endswith("valid.txt") and recorded["test_text"].endswith("test.txt")
    # eval finds the files itself
    assert main(["eval", str(out / "best.npz")]) == 0
    assert "perplexity" in capsys.readouterr().out
    # generate lowercases the prompt as the training text was: no unknown-word warning for "The"
    assert main(["generate", str(out / "best.npz"), "--prompt", "The Cat", "--length", "5", "--seed", "0"]) == 0
    assert "warning" not in capsys.readouterr().err
    # a moved text is named, with the flag that says where it is now
    (data / "test.txt").rename(tmp_path / "moved.txt")
    assert main(["eval", str(out / "best.npz")]) == 2
    assert "test.txt, which is not there any more; give its place with --test-text FILE" in capsys.readouterr().err
    assert main(["eval", str(out / "best.npz"), "--test-text", str(tmp_path / "moved.txt")]) == 0


@pytest.mark.parametrize(
    "extra, problem",
    [
        (["--valid-text", "v.txt"], "give both --valid-text and --test-text"),
        (["--lowercase"], "apply to a text corpus"),
        (["--min-count", "0"], "--min-count must be a whole number ≥ 1"),
    ],
)
def test_cli_text_option_mistakes(tmp_path, capsys, extra, problem):
    args = ["train", "--out", str(tmp_path / "run"), "--data-dir", str(tmp_path), *extra]
    assert main(args) == 2
    assert problem in capsys.readouterr().err
    assert not (tmp_path / "run").exists()


def test_cli_data_dir_must_hold_the_three_files(tmp_path, capsys):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "train.txt").write_text("a b c\n")
    assert main(["train", "--data", str(tmp_path / "data"), "--out", str(tmp_path / "run")]) == 2
    assert "missing: valid.txt, test.txt" in capsys.readouterr().err


def test_a_text_run_goes_to_a_directory_named_after_its_text(tmp_path, capsys):
    data = write_data_dir(tmp_path / "mydata")
    assert main(["train", "--data", str(data), "--dry-run"]) == 0
    assert "run.out = runs/mydata" in capsys.readouterr().out
    assert main(["train", "--text", str(data / "train.txt"), "--dry-run"]) == 0
    assert "run.out = runs/train" in capsys.readouterr().out
    assert main(["train", "--dry-run"]) == 0
    assert "run.out = runs/rnnlm" in capsys.readouterr().out
