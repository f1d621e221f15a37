"""Limits and a used directory are checked before a run loads data, claims its directory or prints."""

import math

import pytest

from gatedrnn.errors import GatedRNNError
from gatedrnn.lm import DataSettings, LanguageModel, ModelConfig, TrainConfig, Trainer, TrainingRun, load_corpus

BAD_LIMITS = [dict(max_steps=0), dict(max_steps=True), dict(time_limit=math.nan), dict(time_limit=-1.0)]


def _text(tmp_path):
    path = tmp_path / "words.txt"
    path.write_text("the cat sat on the mat and the dog sat on the log\n" * 20)
    return path


def _training():
    return TrainConfig(epochs=1, batch_size=2, seq_len=5, eval_batch_size=2)


def _model_config():
    return ModelConfig(embedding_size=4, hidden_size=4, num_layers=1, dropout=0.0)


@pytest.mark.parametrize("limits", BAD_LIMITS, ids=str)
def test_a_training_run_refuses_a_bad_limit_before_it_loads_or_prints(tmp_path, limits):
    lines = []
    run = TrainingRun(
        tmp_path / "run",
        DataSettings(text=str(_text(tmp_path))),
        _model_config(),
        _training(),
        echo=lines.append,
        progress=False,
    )
    with pytest.raises(GatedRNNError, match="max_steps|time_limit"):
        run.train(**limits)
    assert lines == []
    assert run.trainer is None  # nothing was built: the corpus was not read
    assert not (tmp_path / "run").exists()


@pytest.mark.parametrize("limits", BAD_LIMITS, ids=str)
def test_a_trainer_refuses_a_bad_limit_before_it_claims_its_directory(tmp_path, limits):
    corpus = load_corpus(text=str(_text(tmp_path)))
    model = LanguageModel(_model_config().replace(vocab_size=len(corpus.vocab)))
    trainer = Trainer(model, corpus, _training(), tmp_path / "run", progress=False, echo=lambda line: None)
    with pytest.raises(GatedRNNError, match="max_steps|time_limit"):
        trainer.fit(**limits)
    assert not (tmp_path / "run").exists()  # claiming would have made it


def test_a_bad_limit_is_named_before_the_directory_is_looked_at(tmp_path):
    """The argument of this call is wrong whatever the directory holds: it is the error reported."""
    corpus = load_corpus(text=str(_text(tmp_path)))
    model = LanguageModel(_model_config().replace(vocab_size=len(corpus.vocab)))
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "run.lock").write_text("held by someone else")
    trainer = Trainer(model, corpus, _training(), busy, progress=False, echo=lambda line: None)
    with pytest.raises(GatedRNNError, match="max_steps"):
        trainer.fit(max_steps=0)
    assert (busy / "run.lock").read_text() == "held by someone else"


def test_a_training_run_refuses_a_finished_runs_directory_when_made_and_says_it_finished(tmp_path):
    data = DataSettings(text=str(_text(tmp_path)))
    TrainingRun(tmp_path / "run", data, _model_config(), _training(), progress=False, echo=lambda line: None).train()
    with pytest.raises(GatedRNNError, match="it finished .results.json holds its scores.: choose another --out"):
        TrainingRun(tmp_path / "run", data, _model_config(), _training())
    TrainingRun(tmp_path / "run", data, _model_config(), _training(), resume=True)  # nothing to refuse
