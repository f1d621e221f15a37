"""The top-level namespace: what ``dir(gatedrnn)`` and tab completion offer is the public API."""

import gatedrnn


def test_dir_lists_the_public_names_and_not_the_files_own_helpers():
    names = dir(gatedrnn)
    assert {"LSTM", "GRU", "clip_grad_norm", "lm", "seq", "__version__"} <= set(names)
    assert not {"Any", "TYPE_CHECKING", "importlib"} & set(names)


def test_every_listed_name_resolves():
    for name in gatedrnn.__all__:
        assert getattr(gatedrnn, name) is not None, name
