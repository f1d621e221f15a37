"""What the task doors record and build (probe 3): the settings that ran are in the results, and a
model's flags are the bools it was built with. The refusals are rows of tests/helpers/bad_inputs/seq.py."""

import numpy as np

from gatedrnn.seq import Seq2Seq


def test_seq2seq_records_its_flags_as_bools():
    model = Seq2Seq(8, hidden_size=4, embedding_size=4, peeky=np.bool_(True), bidirectional=np.bool_(False))
    flags = {name: model.config[name] for name in ("reverse_source", "peeky", "input_feeding", "bidirectional")}
    assert flags == dict(reverse_source=False, peeky=True, input_feeding=False, bidirectional=False)
    assert all(type(value) is bool for value in flags.values())
