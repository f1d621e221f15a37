"""`gatedrnn import` and `export`: the run record travels through the torch file unchanged, a
refused import writes nothing, a FIFO is refused without hanging, and import never leaves a
checkpoint gatedrnn's own reader refuses."""

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from helpers.paths import REPO

torch = pytest.importorskip("torch")

from helpers.bad_inputs.interop import CRAFTED  # noqa: E402,I100
from helpers.bad_inputs.rows import Context  # noqa: E402
from helpers.tiny_runs import tiny_word_train_args  # noqa: E402

from gatedrnn import GatedRNNError  # noqa: E402
from gatedrnn.cli import main  # noqa: E402
from gatedrnn.files import TEMPORARY_PREFIX  # noqa: E402
from gatedrnn.interop import export_checkpoint, import_torch_file, read_torch_language_model  # noqa: E402
from gatedrnn.lm import model_from_checkpoint  # noqa: E402

SOURCE = str(REPO / "src")


def write_mixed_case_corpus(directory):
    """Words in two cases (W1 and w1 are one word once lower-cased) and words seen only once
    (<unk> with --min-count 2): a vocabulary that only the recorded data options rebuild."""
    generator = np.random.default_rng(3)
    common = [f"{'W' if i % 2 else 'w'}{i % 6}" for i in range(12)] + ["The", "the", "Dog", "dog"]
    lines = [" ".join(generator.choice(common, size=8)) + f" once{i}" for i in range(120)]
    path = Path(directory) / "mixed.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def word_run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("word")
    assert main(tiny_word_train_args(write_mixed_case_corpus(tmp), tmp / "run", "--lowercase", "--min-count", "2")) == 0
    return tmp / "run" / "best.npz"


def run_cli(capsys, *args):
    capsys.readouterr()
    status = main([str(arg) for arg in args])
    captured = capsys.readouterr()
    assert status == 0, captured.err
    return captured.out


def test_the_run_record_survives_export_and_import(word_run, tmp_path, capsys):
    _, _, original = model_from_checkpoint(word_run)
    assert original["run"]["data"]["lowercase"] and original["run"]["data"]["min_count"] == 2
    exported, imported = tmp_path / "model.pt", tmp_path / "imported.npz"
    run_cli(capsys, "export", word_run, exported)
    assert torch.load(exported, weights_only=True)["run"] == original["run"]
    run_cli(capsys, "import", exported, imported)
    _, _, metadata = model_from_checkpoint(imported)
    assert metadata["run"] == dict(original["run"], imported_from=str(exported.resolve()))


def test_an_imported_model_evaluates_and_generates_as_the_original(word_run, tmp_path, capsys):
    exported, imported = tmp_path / "model.pt", tmp_path / "imported.npz"
    run_cli(capsys, "export", word_run, exported)
    run_cli(capsys, "import", exported, imported)
    for split in ("test", "valid"):
        original = run_cli(capsys, "eval", word_run, "--split", split)
        assert run_cli(capsys, "eval", imported, "--split", split) == original
    sample = ("--prompt", "W1 The", "--length", "12", "--seed", "0")
    theirs = run_cli(capsys, "generate", imported, *sample)
    assert theirs == run_cli(capsys, "generate", word_run, *sample)
    # The prompt is lower-cased as the training text was, so no word of it is unknown.
    capsys.readouterr()
    assert main(["generate", str(imported), *sample]) == 0
    assert "not in the model's vocabulary" not in capsys.readouterr().err


def _exported_without_run(checkpoint, directory, name):
    """``checkpoint`` exported (to directory/model.pt), then saved again as ``name`` without its
    run record, as an old export or a file re-saved in PyTorch would be; returns that path."""
    exported = directory / "model.pt"
    export_checkpoint(checkpoint, exported)
    document = torch.load(exported, weights_only=True)
    del document["run"]
    torch.save(document, directory / name)
    return directory / name


def test_a_file_exported_before_the_run_record_imports_with_an_empty_one(word_run, tmp_path):
    import_torch_file(_exported_without_run(word_run, tmp_path, "old.pt"), tmp_path / "deep" / "er" / "old.npz")
    _, _, metadata = model_from_checkpoint(tmp_path / "deep" / "er" / "old.npz")
    assert metadata["run"] == dict(imported_from=str((tmp_path / "old.pt").resolve()))


def test_importing_a_file_without_its_run_record_says_what_is_lost(word_run, tmp_path, capsys):
    _exported_without_run(word_run, tmp_path, "resaved.pt")
    capsys.readouterr()
    assert main(["import", str(tmp_path / "resaved.pt"), str(tmp_path / "resaved.npz")]) == 0
    warning = capsys.readouterr().err.strip()
    assert warning.startswith("gatedrnn: warning: ") and "carries no run record" in warning
    assert len(warning.splitlines()) == 1
    assert main(["import", str(tmp_path / "model.pt"), str(tmp_path / "whole.npz")]) == 0
    assert capsys.readouterr().err == ""


@pytest.fixture(scope="module")
def small_checkpoint(tmp_path_factory):
    from helpers.tiny_runs import write_corpus

    tmp = tmp_path_factory.mktemp("small")
    assert main(tiny_word_train_args(write_corpus(tmp), tmp / "run")) == 0
    return tmp / "run" / "best.npz"


@pytest.mark.parametrize("name", sorted(CRAFTED))
def test_a_refused_torch_file_writes_nothing(name, small_checkpoint, tmp_path):
    make, fragment = CRAFTED[name]
    context = Context(run=small_checkpoint.parent, corpus=None, checkpoint=small_checkpoint, tmp=tmp_path)
    source = make(context)
    before = sorted(os.listdir(tmp_path))
    with pytest.raises(GatedRNNError, match=None) as refused:
        import_torch_file(source, tmp_path / "new" / "imported.npz")
    assert fragment in str(refused.value)
    assert sorted(os.listdir(tmp_path)) == before, "a refused import left a file or directory behind"


def test_import_reads_its_checkpoint_back_before_placing_it(small_checkpoint, tmp_path, monkeypatch):
    """Whatever the reader refuses (here: everything) is not left behind, not even its scratch copy."""
    import gatedrnn.lm

    def refuse(path):
        raise GatedRNNError(f"{path}: refused by the reader")

    exported = tmp_path / "model.pt"
    export_checkpoint(small_checkpoint, exported)
    monkeypatch.setattr(gatedrnn.lm, "model_from_checkpoint", refuse)
    with pytest.raises(GatedRNNError, match="cannot read back .*imported.npz: refused by the reader"):
        import_torch_file(exported, tmp_path / "imported.npz")
    assert sorted(os.listdir(tmp_path)) == ["model.pt"]
    assert not any(name.startswith(TEMPORARY_PREFIX) for name in os.listdir(tmp_path))


def test_what_is_read_is_what_was_exported(small_checkpoint, tmp_path):
    exported = tmp_path / "model.pt"
    export_checkpoint(small_checkpoint, exported)
    loaded = read_torch_language_model(exported)
    model, vocab, metadata = model_from_checkpoint(small_checkpoint)
    assert loaded.vocab.to_dict() == vocab.to_dict() and loaded.run == metadata["run"]
    for (name, ours), (_, theirs) in zip(model.named_parameters(), loaded.model.named_parameters(), strict=True):
        np.testing.assert_array_equal(ours.data, theirs.data, err_msg=name)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes on this system")
def test_import_from_a_fifo_is_refused_without_hanging(tmp_path):
    fifo = tmp_path / "model.pt"
    os.mkfifo(fifo)
    code = (
        "import sys; from gatedrnn.cli import main; "
        f"sys.exit(main(['import', {str(fifo)!r}, {str(tmp_path / 'out.npz')!r}]))"
    )
    environment = dict(os.environ, PYTHONPATH=SOURCE + os.pathsep + os.environ.get("PYTHONPATH", ""))
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=environment)
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and f"torch file {fifo} is a FIFO (named pipe)" in lines[0], done.stderr
    assert sorted(os.listdir(tmp_path)) == ["model.pt"]


def test_a_torch_file_larger_than_memory_is_refused_before_it_is_read(small_checkpoint, tmp_path, monkeypatch):
    import gatedrnn.memory

    exported = tmp_path / "model.pt"
    export_checkpoint(small_checkpoint, exported)
    monkeypatch.setattr(gatedrnn.memory, "available_bytes", lambda: 1000)
    monkeypatch.setattr(torch, "load", lambda *args, **kwargs: pytest.fail("the file was read"))
    with pytest.raises(GatedRNNError, match="more than the 1,000 bytes this process may still allocate"):
        import_torch_file(exported, tmp_path / "imported.npz")
    assert not (tmp_path / "imported.npz").exists()


def test_a_torch_file_given_as_a_checkpoint_says_to_import_it(small_checkpoint, tmp_path, capsys):
    exported = tmp_path / "model.pt"
    export_checkpoint(small_checkpoint, exported)
    for command in ("eval", "generate"):
        capsys.readouterr()
        assert main([command, str(exported)]) == 2
        err = capsys.readouterr().err.strip()
        assert "is a PyTorch file (torch.save), not a gatedrnn checkpoint" in err
        assert f"gatedrnn import {exported} model.npz" in err and len(err.splitlines()) == 1


def test_an_import_without_its_run_record_scores_texts_but_has_no_splits(word_run, tmp_path, capsys):
    import_torch_file(_exported_without_run(word_run, tmp_path, "bare.pt"), tmp_path / "bare.npz")
    text = tmp_path / "text.txt"
    text.write_text("w1 w2 the dog\n" * 20)
    assert "perplexity" in run_cli(capsys, "eval", tmp_path / "bare.npz", "--text", text)
    assert main(["eval", str(tmp_path / "bare.npz"), "--split", "valid"]) == 2  # not the Penn Treebank's
    err = capsys.readouterr().err
    assert "was imported without a record of its data, so it has no splits to score" in err
