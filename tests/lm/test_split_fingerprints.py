"""Every split's tokens are fingerprinted: eval refuses an edited file, a resume refuses other
validation or test data or other data options, and a file that only moved still works."""

import shutil

import numpy as np
import pytest
from helpers.tiny_runs import tiny_word_train_args

from gatedrnn.cli import main
from gatedrnn.errors import GatedRNNError
from gatedrnn.lm.data_settings import check_same_data
from gatedrnn.lm.run_checkpoint import load_run_checkpoint, model_from_checkpoint


def _lines(seed, count, capitals=False):
    """``count`` lines of 8 words drawn from a small vocabulary (optionally with capitals)."""
    words = ["the", "cat", "sat", "on", "a", "mat", "dog", "ran"] + (["Big", "Red"] if capitals else [])
    generator = np.random.default_rng(seed)
    return "".join(" ".join(generator.choice(words, size=8)) + "\n" for _ in range(count))


@pytest.fixture
def three_files(tmp_path):
    paths = {}
    for seed, (split, count) in enumerate((("train", 200), ("valid", 40), ("test", 40))):
        paths[split] = tmp_path / f"{split}.txt"
        paths[split].write_text(_lines(seed, count, capitals=split == "valid"))
    return paths


def _files_args(paths, out, *extra):
    return tiny_word_train_args(
        paths["train"], out, "--valid-text", str(paths["valid"]), "--test-text", str(paths["test"]), *extra
    )


def _run(arguments, capsys):
    code = main([str(a) for a in arguments])
    captured = capsys.readouterr()
    return code, captured.out, captured.err.strip()


def test_the_record_holds_the_validation_and_test_fingerprints(three_files, tmp_path, capsys):
    assert _run(_files_args(three_files, tmp_path / "run"), capsys)[0] == 0
    record = load_run_checkpoint(tmp_path / "run" / "best.npz").metadata["run"]["data"]
    assert set(record["split_fingerprints"]) == {"valid", "test"}
    assert all(value.startswith("sha256:") for value in record["split_fingerprints"].values())


def test_eval_refuses_a_test_file_edited_since_training(three_files, tmp_path, capsys):
    assert _run(_files_args(three_files, tmp_path / "run"), capsys)[0] == 0
    checkpoint = tmp_path / "run" / "best.npz"
    assert _run(["eval", checkpoint], capsys)[0] == 0
    with open(three_files["test"], "a") as handle:
        handle.write("dog dog dog\n")
    code, _, err = _run(["eval", checkpoint], capsys)
    assert code == 2 and len(err.splitlines()) == 1
    assert "test.txt has changed since the model was trained: its test tokens differ" in err
    assert _run(["eval", checkpoint, "--split", "valid"], capsys)[0] == 0  # the other splits are still the run's


def test_eval_refuses_the_test_part_of_one_text_edited(tmp_path, capsys):
    """One file split 90/5/5: an edit inside the last 5% leaves the training tokens alone."""
    text = tmp_path / "one.txt"
    text.write_text(_lines(3, 300))
    assert _run(tiny_word_train_args(text, tmp_path / "run"), capsys)[0] == 0
    lines = text.read_text().splitlines(keepends=True)
    text.write_text("".join(lines[:-1]) + "the the the the the the the the\n")
    code, _, err = _run(["eval", tmp_path / "run" / "best.npz", "--split", "test"], capsys)
    assert code == 2 and "its test tokens differ from the run's" in err
    assert _run(["eval", tmp_path / "run" / "best.npz", "--split", "train"], capsys)[0] == 0


def test_eval_of_the_training_part_of_one_text_hashes_it_once(tmp_path, capsys, monkeypatch):
    """--split train of a one-file run: its training tokens are checked against the record, once."""
    import gatedrnn.lm.data_settings as data_settings

    text = tmp_path / "one.txt"
    text.write_text(_lines(3, 300))
    assert _run(tiny_word_train_args(text, tmp_path / "run"), capsys)[0] == 0
    checkpoint = tmp_path / "run" / "best.npz"
    _, vocab, metadata = model_from_checkpoint(checkpoint)
    hashed, counting = [], data_settings.fingerprint
    monkeypatch.setattr(data_settings, "fingerprint", lambda ids: hashed.append(len(ids)) or counting(ids))
    ids = data_settings.DataSettings(text=str(text)).read_split("train", vocab, metadata["run"]["data"])
    assert hashed == [len(ids)]
    text.write_text("the the the the the the the the\n" + text.read_text())  # an edit inside the training part
    code, _, err = _run(["eval", checkpoint, "--split", "train"], capsys)
    assert code == 2 and "is not the text this model was trained on" in err


def test_eval_scores_a_test_file_that_only_moved(three_files, tmp_path, capsys):
    assert _run(_files_args(three_files, tmp_path / "run"), capsys)[0] == 0
    checkpoint = tmp_path / "run" / "best.npz"
    before = _run(["eval", checkpoint], capsys)[1]
    moved = tmp_path / "elsewhere.txt"
    shutil.move(three_files["test"], moved)
    code, after, err = _run(["eval", checkpoint, "--valid-text", three_files["valid"], "--test-text", moved], capsys)
    assert code == 0, err
    assert after == before


def _start(three_files, tmp_path, capsys, *extra):
    """A two-epoch run stopped after its first validation, to be resumed."""
    out = tmp_path / "run"
    code, _, err = _run(_files_args(three_files, out, "--epochs", "2", "--max-steps", "6", *extra), capsys)
    assert code == 0, err
    return out


def test_a_resume_refuses_another_validation_file(three_files, tmp_path, capsys):
    out = _start(three_files, tmp_path, capsys)
    other = tmp_path / "other_valid.txt"
    other.write_text(_lines(9, 40))
    arguments = tiny_word_train_args(
        three_files["train"], out, "--valid-text", other, "--test-text", three_files["test"], "--epochs", "2"
    )
    code, _, err = _run([*arguments, "--resume"], capsys)
    assert code == 2 and "valid_text=" in err and "whose tokens differ" in err


def test_a_resume_refuses_a_validation_file_edited_in_place(three_files, tmp_path, capsys):
    out = _start(three_files, tmp_path, capsys)
    with open(three_files["valid"], "a") as handle:
        handle.write("cat cat\n")
    code, _, err = _run([*_files_args(three_files, out, "--epochs", "2"), "--resume"], capsys)
    assert code == 2 and "the validation tokens of" in err and "have changed since the run started" in err


def test_a_resume_refuses_another_data_option_even_with_the_same_training_tokens(three_files, tmp_path, capsys):
    """The training text has no capitals, so --lowercase leaves its tokens as they were; it would
    still change the validation tokens and how eval reads a text, so it is refused."""
    out = _start(three_files, tmp_path, capsys)
    code, _, err = _run([*_files_args(three_files, out, "--epochs", "2", "--lowercase"), "--resume"], capsys)
    assert code == 2 and "lowercase=False (now True)" in err


def test_a_resume_from_moved_files_continues(three_files, tmp_path, capsys):
    out = _start(three_files, tmp_path, capsys)
    moved = {}
    for split, path in three_files.items():
        moved[split] = tmp_path / "moved" / path.name
        moved[split].parent.mkdir(exist_ok=True)
        shutil.move(path, moved[split])
    code, _, err = _run([*_files_args(moved, out, "--epochs", "2"), "--resume"], capsys)
    assert code == 0, err


def test_a_record_from_before_split_fingerprints_is_checked_for_its_training_tokens_only():
    saved = dict(kind="text", level="word", text="/a.txt", fingerprint="sha256:1")
    current = dict(saved, valid_text="/other.txt", split_fingerprints={"valid": "sha256:2"})
    check_same_data("last.npz", saved, current)
    with pytest.raises(GatedRNNError, match="training tokens of /a.txt have changed"):
        check_same_data("last.npz", saved, dict(current, fingerprint="sha256:3"))
