"""Whole language models to and from PyTorch: to_torch/from_torch, TorchLanguageModel's logits
against gatedrnn's to 1e-5, and `gatedrnn export` / `gatedrnn import` round trips."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from helpers.tiny_runs import tiny_train_args, write_text  # noqa: E402

import gatedrnn  # noqa: E402
from gatedrnn import GatedRNNError  # noqa: E402
from gatedrnn.cli import main  # noqa: E402
from gatedrnn.interop import TorchLanguageModel, from_torch, to_torch  # noqa: E402
from gatedrnn.lm import LanguageModel, ModelConfig, model_from_checkpoint  # noqa: E402


@pytest.mark.parametrize(
    "config",
    [
        dict(cell="lstm", num_layers=1, tie_weights=False),
        dict(cell="lstm", num_layers=2, tie_weights=True, dropout=0.5),
        dict(cell="gru", num_layers=2, tie_weights=False),
        dict(cell="rnn", num_layers=1, tie_weights=True),
    ],
)
def test_logits_and_state_match_both_ways(config):
    gatedrnn.seed(1)
    model = LanguageModel(ModelConfig(vocab_size=40, embedding_size=12, hidden_size=12, **config))
    model.eval()
    module = to_torch(model)
    module.eval()
    assert isinstance(module, TorchLanguageModel) and module.config == model.config.to_dict()
    ids = np.random.default_rng(0).integers(0, 40, (3, 7))
    ours, our_state = model(ids)
    with torch.no_grad():
        theirs, their_state = module(torch.from_numpy(ids))
    np.testing.assert_allclose(ours, theirs.numpy(), rtol=1e-5, atol=1e-5)
    for a, b in zip(
        our_state if isinstance(our_state, tuple) else (our_state,),
        their_state if isinstance(their_state, tuple) else (their_state,),
        strict=False,
    ):
        np.testing.assert_allclose(a, b.numpy(), rtol=1e-5, atol=1e-5)
    back = from_torch(module)
    assert isinstance(back, LanguageModel) and back.config == model.config
    for (name, a), (_, b) in zip(model.named_parameters(), back.named_parameters(), strict=True):
        np.testing.assert_array_equal(a.data, b.data, err_msg=name)


@pytest.fixture(scope="module")
def checkpoint(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("run")
    out = tmp / "run"
    assert main(tiny_train_args(write_text(tmp), out, "--no-progress")) == 0
    return out / "best.npz"


def test_export_then_torch_alone_then_import(checkpoint, tmp_path, capsys):
    exported = tmp_path / "model.pt"
    assert main(["export", str(checkpoint), str(exported)]) == 0
    saved = torch.load(exported, weights_only=True)  # no pickled code needed
    module = TorchLanguageModel(saved["config"])
    module.load_state_dict(saved["state_dict"])
    module.eval()
    model, vocab, _ = model_from_checkpoint(checkpoint)
    model.eval()
    ids = vocab.encode(list("the lazy dog"))[None]
    with torch.no_grad():
        np.testing.assert_allclose(module(torch.from_numpy(ids))[0].numpy(), model(ids)[0], rtol=1e-5, atol=1e-5)
    assert saved["vocab"]["tokens"] == vocab.to_dict()["tokens"]
    # "trained further in PyTorch": change a weight, import, and find the change in gatedrnn
    with torch.no_grad():
        module.decoder.bias += 1.0
    saved["state_dict"] = module.state_dict()
    torch.save(saved, tmp_path / "tuned.pt")
    imported = tmp_path / "tuned.npz"
    assert main(["import", str(tmp_path / "tuned.pt"), str(imported)]) == 0
    tuned, tuned_vocab, metadata = model_from_checkpoint(imported)
    np.testing.assert_allclose(tuned.decoder.bias.data, model.decoder.bias.data + 1.0, rtol=1e-6)
    assert metadata["run"]["imported_from"].endswith("tuned.pt")
    capsys.readouterr()
    assert main(["generate", str(imported), "--prompt", "the ", "--length", "10", "--seed", "0"]) == 0
    assert capsys.readouterr().out.startswith("the ")


def test_nothing_is_overwritten_and_foreign_files_are_refused(checkpoint, tmp_path, capsys):
    existing = tmp_path / "there.pt"
    existing.write_bytes(b"keep me")
    assert main(["export", str(checkpoint), str(existing)]) == 2
    assert "already exists" in capsys.readouterr().err and existing.read_bytes() == b"keep me"
    torch.save({"weights": torch.zeros(3)}, tmp_path / "other.pt")
    assert main(["import", str(tmp_path / "other.pt"), str(tmp_path / "x.npz")]) == 2
    assert "not a gatedrnn language model" in capsys.readouterr().err
    (tmp_path / "junk.pt").write_bytes(b"not a torch file")
    assert main(["import", str(tmp_path / "junk.pt"), str(tmp_path / "y.npz")]) == 2
    assert "weights_only" in capsys.readouterr().err
    assert not (tmp_path / "x.npz").exists() and not (tmp_path / "y.npz").exists()


def test_reset_before_gru_has_no_torch_counterpart():
    from gatedrnn.layers import GRU

    with pytest.raises(GatedRNNError, match="no PyTorch counterpart"):
        to_torch(GRU(3, 4, reset_after=False))
