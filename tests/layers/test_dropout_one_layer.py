"""dropout with one recurrent layer does nothing (it acts between layers): a warning, as PyTorch
gives, pointing at the caller's line; gatedrnn's own models with one layer do not trigger it."""

import warnings

import pytest

from gatedrnn import GRU, LSTM, RNN
from gatedrnn.lm import LanguageModel, ModelConfig
from gatedrnn.seq.models import SequenceClassifier


@pytest.mark.parametrize("cell", [RNN, LSTM, GRU])
def test_dropout_with_one_layer_warns_at_the_callers_line(cell):
    with pytest.warns(UserWarning, match="dropout=0.5 does nothing with num_layers=1") as caught:
        cell(3, 4, dropout=0.5)
    assert caught[0].filename == __file__


@pytest.mark.parametrize("cell", [RNN, LSTM, GRU])
def test_no_warning_where_the_dropout_acts(cell):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        cell(3, 4, num_layers=2, dropout=0.5)
        cell(3, 4, dropout=0.0)


def test_one_layer_models_use_their_dropout_elsewhere_without_a_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model = LanguageModel(ModelConfig(vocab_size=6, embedding_size=4, hidden_size=4, num_layers=1, dropout=0.5))
        SequenceClassifier(vocab_size=6, embedding_size=4, hidden_size=4, num_classes=2, dropout=0.5)
    assert model.embed_dropout.p == 0.5 and model.rnn.dropout == 0.0
