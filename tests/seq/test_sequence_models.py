"""Padded batches, many-to-one classification and many-to-many tagging."""

import json

import numpy as np
import pytest

import gatedrnn
from gatedrnn import GatedRNNError
from gatedrnn.cli import main
from gatedrnn.data import BucketBatches, pad_sequences
from gatedrnn.gradcheck import numerical_gradient, relative_error
from gatedrnn.layers import SoftmaxCrossEntropy
from gatedrnn.seq.models import SequenceClassifier, SequenceTagger
from gatedrnn.seq.tasks import brackets, is_balanced, neighbours


def test_pad_sequences():
    padded, lengths = pad_sequences([np.array([1, 2, 3]), np.array([4]), np.array([5, 6])], padding_value=-1)
    np.testing.assert_array_equal(padded, [[1, 2, 3], [4, -1, -1], [5, 6, -1]])
    np.testing.assert_array_equal(lengths, [3, 1, 2])
    features, _ = pad_sequences([np.ones((2, 3)), np.ones((4, 3))])
    assert features.shape == (2, 4, 3) and np.all(features[0, 2:] == 0)
    with pytest.raises(GatedRNNError, match="empty"):
        pad_sequences([np.array([1]), np.array([], dtype=int)])
    with pytest.raises(GatedRNNError, match="feature shapes"):
        pad_sequences([np.ones((2, 3)), np.ones((2, 4))])


def test_bucket_batches_group_similar_lengths_and_cover_everything():
    generator = np.random.default_rng(0)
    sequences = [np.arange(int(n)) for n in generator.integers(1, 50, 200)]
    labels = list(range(200))
    batches = BucketBatches(sequences, labels, batch_size=16, seed=1)
    seen = []
    for inputs, lengths, targets in batches:
        assert lengths.max() - lengths.min() <= 10  # sorted by length, so little padding
        assert inputs.shape == (len(lengths), lengths.max())
        seen.extend(targets.tolist())
    assert sorted(seen) == labels
    first, second = [t.tolist() for _, _, t in batches], [t.tolist() for _, _, t in batches]
    assert first != second  # a fresh batch order every pass


def test_tag_targets_are_padded_with_ignore_index():
    batches = BucketBatches(
        [np.array([1, 2]), np.array([3])], [np.array([0, 1]), np.array([1])], batch_size=2, shuffle=False
    )
    _, lengths, tags = next(iter(batches))
    assert tags.tolist() == [[1, -100], [0, 1]] and lengths.tolist() == [1, 2]


def test_generated_tasks_are_what_they_say():
    sequences, labels = brackets(300, seed=3)
    assert all(is_balanced(s) == bool(y) for s, y in zip(sequences, labels, strict=True))
    assert all(np.sum(s == 0) == np.sum(s == 1) for s in sequences)  # counting cannot decide
    digits, tags = neighbours(50, seed=3)
    for d, t in zip(digits, tags, strict=True):
        padded = [-1, *d.tolist(), -1]
        assert t.tolist() == [int(padded[i + 2] > padded[i]) for i in range(len(d))]


@pytest.mark.parametrize("pooling", ["last", "mean", "max"])
@pytest.mark.parametrize("cell, bidirectional", [("lstm", False), ("gru", True), ("rnn", True)])
def test_classifier_gradients(pooling, cell, bidirectional):
    gatedrnn.seed(0)
    model = SequenceClassifier(
        5, 3, embedding_size=3, hidden_size=4, num_layers=2, cell=cell, bidirectional=bidirectional, pooling=pooling
    ).to(np.float64)
    ids = np.array([[1, 2, 3, 4], [0, 4, 0, 0], [2, 2, 1, 0]])
    lengths = np.array([4, 2, 3])
    labels = np.array([0, 2, 1])
    criterion = SoftmaxCrossEntropy()

    def loss():
        return criterion(model(ids, lengths), labels)

    loss()
    model.zero_grad()
    model.backward(criterion.backward())
    for name, param in model.named_parameters():
        assert relative_error(param.grad, numerical_gradient(loss, param.data)) < 1e-6, name


def test_tagger_gradients_ignore_padding():
    gatedrnn.seed(0)
    model = SequenceTagger(5, 3, embedding_size=3, hidden_size=4, bidirectional=True).to(np.float64)
    ids = np.array([[1, 2, 3], [4, 0, 0]])
    lengths = np.array([3, 1])
    tags = np.array([[0, 2, 1], [1, -100, -100]])
    criterion = SoftmaxCrossEntropy()

    def loss():
        return criterion(model(ids, lengths), tags)

    loss()
    model.zero_grad()
    model.backward(criterion.backward())
    for name, param in model.named_parameters():
        assert relative_error(param.grad, numerical_gradient(loss, param.data)) < 1e-6, name
    # What sits in the padding cannot change anything.
    before = model(ids, lengths)[0]
    assert np.array_equal(model(np.array([[1, 2, 3], [4, 3, 3]]), lengths)[0], before)


def test_unknown_pooling_and_cell():
    with pytest.raises(GatedRNNError, match="pooling"):
        SequenceClassifier(3, 2, pooling="median")
    with pytest.raises(GatedRNNError, match="cell"):
        SequenceTagger(3, 2, cell="transformer")


@pytest.mark.slow
def test_bidirectional_tagger_beats_one_way(tmp_path):
    results = {}
    for bidirectional in (False, True):
        path = tmp_path / f"{bidirectional}.json"
        args = [
            "task",
            "neighbours",
            "--epochs",
            "3",
            "--train-count",
            "1500",
            "--hidden-size",
            "32",
            "--no-progress",
            "--results",
            str(path),
        ] + (["--bidirectional"] if bidirectional else [])
        assert main(args) == 0
        results[bidirectional] = json.loads(path.read_text())["test_accuracy"]
    assert results[False] < 0.85 and results[True] > 0.95, results


@pytest.mark.slow
def test_classifier_learns_brackets():
    from gatedrnn.seq import run_task

    result = run_task("brackets", epochs=3, train_count=2000, hidden_size=32, progress=False, echo=lambda *_: None)
    assert result["test_accuracy"] > 0.9
