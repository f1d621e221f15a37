"""An adaptive softmax needs ids by frequency: every door that takes a ready corpus checks it."""

import numpy as np
import pytest

from gatedrnn.errors import GatedRNNError
from gatedrnn.lm import LanguageModel, ModelConfig, TrainConfig, Trainer, TrainingRun, load_corpus

WORDS = "a b c d e f g h i j k l m n o p".split()


def _text(tmp_path):
    """Rare words first, so that order of appearance and order of frequency differ."""
    path = tmp_path / "words.txt"
    rng = np.random.default_rng(0)
    common = " ".join(rng.choice(WORDS[8:], size=400))
    path.write_text(" ".join(WORDS[:8]) + "\n" + common + "\n")
    return path


def _adaptive(vocab_size=None):
    return ModelConfig(
        embedding_size=16,
        hidden_size=16,
        num_layers=1,
        dropout=0.0,
        tie_weights=False,
        adaptive_softmax=(5, 10),
        vocab_size=vocab_size,
    )


def _training():
    return TrainConfig(epochs=1, batch_size=2, seq_len=5, eval_batch_size=2)


def test_a_trainer_refuses_an_adaptive_softmax_over_ids_in_order_of_appearance(tmp_path):
    corpus = load_corpus(text=str(_text(tmp_path)))
    with pytest.raises(GatedRNNError, match="vocab_order='frequency'"):
        Trainer(LanguageModel(_adaptive(len(corpus.vocab))), corpus, _training(), tmp_path / "run", progress=False)


def test_a_training_run_refuses_such_a_corpus_when_it_is_made(tmp_path):
    corpus = load_corpus(text=str(_text(tmp_path)))
    with pytest.raises(GatedRNNError, match="numbered by frequency"):
        TrainingRun(tmp_path / "run", corpus, _adaptive(), _training(), progress=False)
    assert not (tmp_path / "run").exists()


def test_load_corpus_numbers_by_frequency_when_asked_and_the_trainer_takes_it(tmp_path):
    corpus = load_corpus(text=str(_text(tmp_path)), vocab_order="frequency")
    counts = np.bincount(corpus.train, minlength=len(corpus.vocab))
    text_ids = [corpus.vocab.token_to_id[word] for word in WORDS]
    assert list(counts[sorted(text_ids)]) == sorted(counts[text_ids], reverse=True)
    Trainer(LanguageModel(_adaptive(len(corpus.vocab))), corpus, _training(), tmp_path / "run", progress=False)
