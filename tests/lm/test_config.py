"""ModelConfig and TrainConfig: every field checked once, on construction; presets are instances."""

import dataclasses
import re

import numpy as np
import pytest

from gatedrnn import GatedRNNError
from gatedrnn.cli import main
from gatedrnn.lm import PRESETS, LanguageModel, ModelConfig, TrainConfig, get_preset


@pytest.mark.parametrize(
    "config_class, change, problem",
    [
        (TrainConfig, dict(lr=0), "lr must be a finite number > 0"),
        (TrainConfig, dict(lr=float("nan")), "lr must be a finite number"),
        (TrainConfig, dict(lr_decay=float("inf")), "lr_decay (--lr-decay) must be a finite number"),
        (TrainConfig, dict(lr_decay=0.5), "lr_decay (--lr-decay) must be ≥ 1"),
        (TrainConfig, dict(decay_start=-3), "decay_start (--decay-start) must be a whole number ≥ 0"),
        (TrainConfig, dict(seed=-1), "seed must be a whole number ≥ 0"),
        (TrainConfig, dict(batch_size=2.5), "batch_size (--batch-size) must be a whole number ≥ 1"),
        (TrainConfig, dict(batch_size=True), "batch_size (--batch-size) must be a whole number ≥ 1"),
        (TrainConfig, dict(schedule="cosine"), "unknown schedule 'cosine'"),
        (TrainConfig, dict(optimizer="lion"), "unknown optimizer"),
        (TrainConfig, dict(loss_sum_over_time="yes"), "loss_sum_over_time must be True or False"),
        (ModelConfig, dict(embedding_size=-3), "embedding_size (--embedding-size) must be a whole number ≥ 1"),
        (ModelConfig, dict(dropout="0.5"), "dropout must be a finite number"),
        (ModelConfig, dict(dropout=1.0), "dropout must be in [0, 1)"),
        (ModelConfig, dict(cell="transformer"), "unknown cell"),
        (ModelConfig, dict(hidden_size=100, embedding_size=50), "tied weights need embedding_size == hidden_size"),
        (ModelConfig, dict(vocab_size=0), "vocab_size must be ≥ 1"),
    ],
)
def test_a_bad_field_is_refused_with_one_line(config_class, change, problem):
    with pytest.raises(GatedRNNError, match=re.escape(problem)) as info:
        config_class(**change)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize(
    "config_class, change, message",
    [
        (TrainConfig, dict(lr=0), "lr must be a finite number > 0, got 0; pass a value > 0, such as 20"),
        (
            TrainConfig,
            dict(seq_len=2.5),
            "seq_len (--seq-len) must be a whole number ≥ 1, got 2.5; pass a whole number ≥ 1, such as 35",
        ),
        (ModelConfig, dict(dropout=1.0), "dropout must be in [0, 1), got 1.0; pass a value in [0, 1), such as 0.5"),
        (ModelConfig, dict(vocab_size=0), "vocab_size must be ≥ 1, got 0; pass a value ≥ 1"),
    ],
)
def test_a_refusal_says_the_fix_with_the_default_as_its_example(config_class, change, message):
    with pytest.raises(GatedRNNError) as info:
        config_class(**change)
    assert str(info.value) == message


def test_configs_are_frozen_and_replace_checks_again():
    config = TrainConfig()
    with pytest.raises(dataclasses.FrozenInstanceError):
        config.lr = 1.0
    assert config.replace(lr=1.0).lr == 1.0 and config.lr == 20.0
    with pytest.raises(GatedRNNError, match="lr must be a finite number > 0"):
        config.replace(lr=-1.0)
    with pytest.raises(GatedRNNError, match="no setting learning_rate"):
        config.replace(learning_rate=1.0)


def test_from_dict_round_trips_and_refuses_unknown_or_missing_keys():
    config = ModelConfig(vocab_size=50, hidden_size=32, embedding_size=32)
    assert ModelConfig.from_dict(config.to_dict()) == config
    with pytest.raises(GatedRNNError, match="unknown \\['colour'\\]"):
        ModelConfig.from_dict({**config.to_dict(), "colour": "red"})
    with pytest.raises(GatedRNNError, match="missing \\['cell'\\]"):
        ModelConfig.from_dict({k: v for k, v in config.to_dict().items() if k != "cell"})
    with pytest.raises(GatedRNNError, match="must be a JSON object"):
        ModelConfig.from_dict([1, 2])


def test_every_preset_is_a_checked_instance():
    for name, preset in PRESETS.items():
        assert preset.name == name
        assert isinstance(preset.model, ModelConfig) and isinstance(preset.training, TrainConfig)
        assert preset.model.vocab_size is None


def test_better_rnnlm_vd_is_the_books_recipe_with_the_regularisers_only():
    """One definition of the book's recipe: the -vd preset changes the regularisers and nothing else."""
    book, vd = get_preset("better-rnnlm"), get_preset("better-rnnlm-vd")
    assert vd.training == book.training
    changed = {key for key, value in vd.model.to_dict().items() if book.model.to_dict()[key] != value}
    assert changed == {"locked_dropout", "weight_drop"}
    assert vd.model.locked_dropout and vd.model.dropout == book.model.dropout == 0.5


def test_the_model_needs_a_vocabulary_size_and_a_config():
    with pytest.raises(GatedRNNError, match="no vocab_size"):
        LanguageModel(ModelConfig())
    with pytest.raises(GatedRNNError, match="needs a ModelConfig"):
        LanguageModel(dict(vocab_size=10))
    model = LanguageModel(get_preset("rnnlm").model.replace(vocab_size=30))
    assert model.config.vocab_size == 30 and model.embed.weight.shape == (30, 100)


def test_train_options_are_generated_from_the_fields_and_show_the_preset(capsys):
    with pytest.raises(SystemExit):
        main(["train", "--preset", "better-rnnlm", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    for spec in dataclasses.fields(TrainConfig):
        assert "--" + spec.name.replace("_", "-") in text
    for spec in dataclasses.fields(ModelConfig):
        if spec.name != "vocab_size":
            assert "--" + spec.name.replace("_", "-") in text
    assert "(preset better-rnnlm: 650)" in text and "(preset better-rnnlm: plateau)" in text


def test_a_bad_option_stops_before_anything_is_written(tmp_path, capsys):
    out = tmp_path / "run"
    code = main(["train", "--text", str(tmp_path / "missing.txt"), "--seed", "-1", "--out", str(out)])
    assert code == 2 and "seed must be a whole number ≥ 0" in capsys.readouterr().err
    assert not out.exists()


def test_trainer_takes_a_train_config(tmp_path):
    from gatedrnn.data import load_text
    from gatedrnn.lm import Trainer

    path = tmp_path / "t.txt"
    path.write_text("abc def ghi\n" * 200)
    corpus = load_text(path)
    model = LanguageModel(
        ModelConfig(vocab_size=len(corpus.vocab), embedding_size=8, hidden_size=8, num_layers=1, dropout=0.0)
    )
    with pytest.raises(GatedRNNError, match="needs a TrainConfig"):
        Trainer(model, corpus, dict(epochs=1, lr=2e-3, optimizer="adam"), tmp_path / "run")
    with pytest.raises(GatedRNNError, match="log_interval must be a whole number ≥ 1"):
        Trainer(model, corpus, TrainConfig(), tmp_path / "run", log_interval=0)
    trainer = Trainer(
        model,
        corpus,
        TrainConfig(epochs=1, lr=2e-3, optimizer="adam", batch_size=4, seq_len=8),
        tmp_path / "run",
        progress=False,
        echo=lambda *_: None,
    )
    summary = trainer.fit()
    assert np.isfinite(summary["valid_ppl"]) and (tmp_path / "run" / "best.npz").exists()
