"""TBPTTBatches: the stream layout, state carry-over between windows, the remainder, resuming."""

import numpy as np
import pytest

from gatedrnn.data import TBPTTBatches
from gatedrnn.errors import GatedRNNError


def test_streams_are_contiguous_rows_with_targets_shifted_by_one():
    ids = np.arange(23)  # L = 22 // 4 = 5
    batches = TBPTTBatches(ids, batch_size=4, seq_len=5)
    ((inputs, targets),) = list(batches)
    assert inputs.dtype == targets.dtype == np.int64
    assert inputs.tolist() == [[0, 1, 2, 3, 4], [5, 6, 7, 8, 9], [10, 11, 12, 13, 14], [15, 16, 17, 18, 19]]
    np.testing.assert_array_equal(targets, inputs + 1)
    # stream n reads tokens n·L … n·L + L - 1
    np.testing.assert_array_equal(inputs[:, 0], np.arange(4) * 5)


def test_each_window_continues_where_the_last_one_ended():
    ids = np.arange(1001)
    batches = TBPTTBatches(ids, batch_size=10, seq_len=7)  # L = 100, windows of 7, last of 2
    windows = list(batches)
    for (inputs, targets), (next_inputs, _) in zip(windows, windows[1:], strict=False):
        np.testing.assert_array_equal(inputs[:, -1] + 1, next_inputs[:, 0])
        np.testing.assert_array_equal(targets[:, -1], next_inputs[:, 0])
    for inputs, targets in windows:
        np.testing.assert_array_equal(targets, inputs + 1)
    # every stream, read across its windows, is one stretch of the corpus
    rows = np.concatenate([inputs for inputs, _ in windows], axis=1)
    np.testing.assert_array_equal(rows, np.arange(1000).reshape(10, 100))


def test_remainder_gives_a_short_last_window_and_few_dropped_tokens():
    ids = np.arange(108)  # 107 targets, N = 5: L = 21, 2 dropped
    batches = TBPTTBatches(ids, batch_size=5, seq_len=8)
    assert batches.stream_length == 21 and batches.tokens_per_epoch == 105 and batches.dropped_tokens == 2
    shapes = [inputs.shape for inputs, _ in batches]
    assert len(batches) == 3 and shapes == [(5, 8), (5, 8), (5, 5)]
    covered = np.concatenate([targets.ravel() for _, targets in batches])
    assert covered.size == batches.tokens_per_epoch
    # every target except the last `dropped_tokens` ids is predicted exactly once
    np.testing.assert_array_equal(np.sort(covered), np.arange(1, 106))


def test_exact_fit_drops_nothing():
    batches = TBPTTBatches(np.arange(41), batch_size=4, seq_len=5)
    assert batches.dropped_tokens == 0 and len(batches) == 2 and batches.tokens_per_epoch == 40


def test_windows_resume_from_a_given_window():
    batches = TBPTTBatches(np.arange(201), batch_size=4, seq_len=6)
    everything = list(batches.windows())
    resumed = list(batches.windows(start=5))
    assert [index for index, _, _ in resumed] == list(range(5, len(batches)))
    for (_, inputs, targets), (_, expected_inputs, expected_targets) in zip(resumed, everything[5:], strict=True):
        np.testing.assert_array_equal(inputs, expected_inputs)
        np.testing.assert_array_equal(targets, expected_targets)
    assert list(batches.windows(start=len(batches))) == []


def test_windows_are_copies_so_callers_cannot_damage_the_data():
    batches = TBPTTBatches(np.arange(21), batch_size=2, seq_len=5)
    inputs, _ = next(iter(batches))
    inputs[:] = -1
    assert next(iter(batches))[0].min() == 0


@pytest.mark.parametrize(
    "n, batch_size, seq_len, message",
    [
        (100, 0, 5, "batch_size must be"),
        (100, 4, 0, "seq_len must be"),
        (100, 2.5, 5, "batch_size must be"),
        (5, 5, 3, r"batch_size \(--batch-size\) 5 is too large for the ids \(5 tokens"),
        (1, 1, 3, r"too few tokens in the ids \(1\).*use a longer text$"),
    ],
)
def test_bad_arguments_raise_one_clear_error(n, batch_size, seq_len, message):
    with pytest.raises(GatedRNNError, match=message):
        TBPTTBatches(np.arange(n), batch_size, seq_len)


def test_resume_window_out_of_range():
    batches = TBPTTBatches(np.arange(21), batch_size=2, seq_len=5)
    with pytest.raises(GatedRNNError, match="out of range"):
        list(batches.windows(start=3))
