"""What the task doors record and build (probe 3): the settings that ran are in the results, and a
model's flags are the bools it was built with. The refusals are rows of tests/helpers/bad_inputs/seq.py."""

import numpy as np

from gatedrnn.seq import Seq2Seq, run_forecast, run_task

QUIET = dict(echo=lambda *_: None, progress=False)
TINY = dict(hidden_size=4, epochs=1, batch_size=4, train_count=8, valid_count=6, test_count=4, **QUIET)


def test_seq2seq_records_its_flags_as_bools():
    model = Seq2Seq(8, hidden_size=4, embedding_size=4, peeky=np.bool_(True), bidirectional=np.bool_(False))
    flags = {name: model.config[name] for name in ("reverse_source", "peeky", "input_feeding", "bidirectional")}
    assert flags == dict(reverse_source=False, peeky=True, input_feeding=False, bidirectional=False)
    assert all(type(value) is bool for value in flags.values())


def test_tagging_results_record_the_clip_and_every_count():
    for task in ("brackets", "neighbours"):
        result = run_task(task, **TINY)
        recorded = {name: result[name] for name in ("clip", "train_count", "valid_count", "test_count")}
        assert recorded == dict(clip=1.0, train_count=8, valid_count=6, test_count=4), task
    assert run_task("brackets", **TINY)["model"]["pooling"] == "last"  # left out: the classifier's default


def test_forecast_results_record_every_count():
    result = run_forecast(length=5, **TINY)
    assert [result[name] for name in ("train_count", "valid_count", "test_count")] == [8, 6, 4]
