"""Probe round 4: the lab reads text as training does, and messages name the right file, option and fix."""

import numpy as np
import pytest

from gatedrnn.lab.units import read_text_start


# -- A3: lab cells --text reads a text as training and eval do -----------------------------
@pytest.mark.parametrize("raw", [b"ab\r\ncd\r\nef", b"\xef\xbb\xbfab\ncd\nef", b"\xef\xbb\xbfab\r\ncd\r\nef"])
def test_lab_text_drops_a_bom_and_reads_crlf_as_lf(tmp_path, raw):
    path = tmp_path / "t.txt"
    path.write_bytes(raw)
    assert read_text_start(path, 100) == "ab\ncd\nef"
    assert read_text_start(path, 4) == "ab\nc"  # counted in the characters the model reads


def test_lab_text_reads_only_the_start_of_a_long_crlf_text(tmp_path):
    path = tmp_path / "t.txt"
    path.write_bytes(b"\xef\xbb\xbf" + "é\r\n".encode() * 1000)
    assert read_text_start(path, 5) == "é\né\né"


# -- C1: a short split names the file it came from, and a fraction only when one was used --
def _write(path, text):
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("short", ["train", "valid", "test"])
def test_a_short_split_file_is_named_and_no_fraction_offered(tmp_path, short):
    from gatedrnn.data import load_text
    from gatedrnn.errors import GatedRNNError

    files = {name: _write(tmp_path / f"{name}.txt", "abcdefgh\n" * 4) for name in ("train", "valid", "test")}
    _write(files[short], "a")
    with pytest.raises(GatedRNNError) as refused:
        load_text(files["train"], level="char", valid_path=files["valid"], test_path=files["test"])
    message = str(refused.value)
    assert message.startswith(f"{files[short]}: the {short} text holds 1 char token(s)"), message
    assert "fraction" not in message


def test_a_split_cut_by_a_fraction_offers_a_larger_one(tmp_path):
    from gatedrnn.data import load_text
    from gatedrnn.errors import GatedRNNError

    path = _write(tmp_path / "short.txt", "abcdefghijklmnopqrst")  # 20 chars: valid 0.05 of it is 1
    with pytest.raises(
        GatedRNNError, match=r"^.*short.txt: the valid split would hold 1 char .* larger valid fraction than 0\.05$"
    ):
        load_text(path, level="char")


# -- C2, C3: a batch too large for its ids; with fewer than 2 tokens only more text helps ------
@pytest.mark.parametrize("tokens", [0, 1])
@pytest.mark.parametrize("option", ["--batch-size", "eval_batch_size"])
def test_fewer_than_two_tokens_ask_for_more_text_not_the_refused_batch(tokens, option):
    from gatedrnn.errors import GatedRNNError
    from gatedrnn.lm.corpora import check_streams_fit

    with pytest.raises(GatedRNNError) as refused:
        check_streams_fit(np.arange(tokens), 1, "one.txt", option)
    message = str(refused.value)
    assert message.endswith("use a longer text") and "one.txt" in message, message
    assert "or less" not in message and "batch_size 1" not in message


def test_tbptt_batches_with_fewer_than_two_tokens_ask_for_more_text():
    from gatedrnn.data.batching import TBPTTBatches
    from gatedrnn.errors import GatedRNNError

    for tokens in (0, 1):
        with pytest.raises(GatedRNNError, match=r"\(an input and its target\); use a longer text$"):
            TBPTTBatches(np.arange(tokens), 1, 5, what="the training split")


def test_batch_too_large_names_the_option_as_both_doors_spell_it():
    from gatedrnn.data.batching import TBPTTBatches
    from gatedrnn.errors import GatedRNNError
    from gatedrnn.lm.corpora import check_streams_fit

    with pytest.raises(GatedRNNError) as refused:
        check_streams_fit(np.arange(3), 10, "the test split", "eval_batch_size")
    assert str(refused.value) == (
        "eval_batch_size (--eval-batch-size) 10 is too large for the test split (3 tokens: each stream needs 2); "
        "use a batch size of 2 or less, or more text"
    )
    with pytest.raises(GatedRNNError) as refused:
        TBPTTBatches(np.arange(486), 1000, 5, what="the training split")
    assert str(refused.value).startswith(
        "batch_size (--batch-size) 1000 is too large for the training split (486 tokens"
    ), refused.value
    # the command line's own flag is kept as it is
    with pytest.raises(GatedRNNError, match=r"^--batch-size 10 is too large for x.txt \(3 tokens"):
        check_streams_fit(np.arange(3), 10, "x.txt", "--batch-size")


# -- C5: an addition file is used whole unless counts are given; a count too large is spelled --
def _addition_file(path, count):
    lines = [f"{n}+{2 * n}".ljust(7) + "_" + str(3 * n).ljust(4) for n in range(count)]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("ascii"))
    return path


def test_a_small_addition_file_is_used_whole_when_no_counts_are_given(tmp_path):
    from gatedrnn.seq.transduction_tasks import addition

    data = addition(path=_addition_file(tmp_path / "add.txt", 40))  # the book's split: 36 and 4
    assert (len(data.train[0]), len(data.test[0])) == (36, 4)
    data = addition(test_count=3, path=tmp_path / "add.txt")
    assert (len(data.train[0]), len(data.test[0])) == (36, 3)
    assert len(addition(seed=0).train[0]) == 45_000  # generated questions keep the book's sizes


@pytest.mark.parametrize(
    "given, message",
    [
        (dict(train_count=100), "train_count (--train-count) 100 is more than the 36 training pairs of "),
        (dict(test_count=100), "test_count (--test-count) 100 is more than the 4 test pairs of "),
    ],
)
def test_an_addition_count_beyond_the_file_is_named_as_both_doors_spell_it(tmp_path, given, message):
    from gatedrnn.errors import GatedRNNError
    from gatedrnn.seq.transduction_tasks import addition

    path = _addition_file(tmp_path / "add.txt", 40)
    with pytest.raises(GatedRNNError) as refused:
        addition(path=path, **given)
    assert str(refused.value).startswith(message) and "leave it out" in str(refused.value), refused.value


# -- C7: outputs named as the user named them; messages that fit every caller -----------------
@pytest.mark.parametrize("door", ["export", "import"])
@pytest.mark.parametrize("empty", ["", None])
def test_export_and_import_refuse_an_empty_output_as_empty(tmp_path, door, empty):
    from gatedrnn.errors import GatedRNNError
    from gatedrnn.interop import export_checkpoint, import_torch_file

    write = export_checkpoint if door == "export" else import_torch_file
    with pytest.raises(GatedRNNError, match=r"^output must be a path, got (''|None); pass one such as"):
        write(tmp_path / "absent", empty)


def test_an_unwritable_output_is_named_by_its_path_not_the_temporary_file(tmp_path, monkeypatch):
    import tempfile

    from gatedrnn.files import atomic_write_bytes

    target = tmp_path / "model.pt"

    def refused(dir, prefix):  # what mkstemp raises where it may not create a file (/sys as root)
        raise PermissionError(13, "Permission denied", str(tmp_path / f"{prefix}abc123"))

    monkeypatch.setattr(tempfile, "mkstemp", refused)
    with pytest.raises(PermissionError) as failed:
        atomic_write_bytes(target, b"data")
    assert failed.value.filename == str(target)
    assert list(tmp_path.iterdir()) == []


def test_lab_out_that_is_a_dangling_link_is_called_a_link(tmp_path):
    from gatedrnn.errors import GatedRNNError
    from gatedrnn.lab import run_experiment

    link = tmp_path / "lr2"
    link.symlink_to(tmp_path / "missing")
    with pytest.raises(GatedRNNError) as refused:
        run_experiment("scalar", link)
    message = str(refused.value)
    assert message.startswith(f"--out {link} is a symbolic link to {tmp_path / 'missing'}, which does not exist")
    assert "is a file" not in message and not (tmp_path / "missing").exists()


def test_an_out_of_vocabulary_target_is_refused_without_an_argument_evaluate_nll_lacks():
    from gatedrnn.errors import GatedRNNError
    from gatedrnn.lm import LanguageModel, ModelConfig, evaluate_nll

    config = ModelConfig(vocab_size=21, embedding_size=4, hidden_size=4, num_layers=1, dropout=0.0, tie_weights=False)
    with pytest.raises(GatedRNNError) as refused:
        evaluate_nll(LanguageModel(config), np.array([1, 2, 3, 99]), 1, 5)
    message = str(refused.value)
    assert message.startswith("target id 99 is outside [0, 21)") and "ignore_index" not in message, message
