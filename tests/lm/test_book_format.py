"""The book's parameter lists and .pkl files: to_book / from_book round trips, the same
function as the book's own forward pass (written out here), and a loader that runs no code."""

import os
import pickle

import numpy as np
import pytest

from gatedrnn import GatedRNNError
from gatedrnn.lm import LanguageModel, from_book, get_preset, load_book_params, save_book_params, to_book
from gatedrnn.lm.book import gates_from_book, gates_to_book

V, D, H = 30, 8, 8


def book_like_model(preset, seed=0):
    import gatedrnn

    gatedrnn.seed(seed)
    model = LanguageModel(
        get_preset(preset).model.replace(vocab_size=V, embedding_size=D, hidden_size=H), dtype=np.float64
    )
    model.eval()
    return model


def book_forward(params, ids):
    """The book's Rnnlm/BetterRnnlm predict(), dropout off, from its params list: x Wx + h Wh + b,
    cut as f, g, i, o; scores = h affine_W + affine_b."""
    sigmoid = lambda x: 1 / (1 + np.exp(-x))  # noqa: E731
    xs = params[0][ids]
    layers = (len(params) - 3) // 3
    for layer in range(layers):
        w_x, w_h, b = params[1 + 3 * layer : 4 + 3 * layer]
        hidden = w_h.shape[0]
        h = np.zeros((ids.shape[0], hidden))
        c = np.zeros_like(h)
        outputs = []
        for t in range(ids.shape[1]):
            a = xs[:, t] @ w_x + h @ w_h + b
            f, g, i, o = (a[:, k * hidden : (k + 1) * hidden] for k in range(4))
            f, g, i, o = sigmoid(f), np.tanh(g), sigmoid(i), sigmoid(o)
            c = f * c + g * i
            h = o * np.tanh(c)
            outputs.append(h)
        xs = np.stack(outputs, axis=1)
    return xs @ params[-2] + params[-1]


def test_gate_order_round_trip():
    columns = np.arange(8.0)  # H = 2: book [f f g g i i o o] → ours [i i f f g g o o]
    assert gates_from_book(columns).tolist() == [4, 5, 0, 1, 2, 3, 6, 7]
    assert np.array_equal(gates_to_book(gates_from_book(columns)), columns)


@pytest.mark.parametrize("preset, length", [("rnnlm", 6), ("better-rnnlm", 9)])
def test_to_book_computes_what_the_model_computes(preset, length):
    model = book_like_model(preset)
    ids = np.random.default_rng(1).integers(0, V, (3, 5))
    params = [p.astype(np.float64) for p in to_book(model)]
    assert len(params) == length
    np.testing.assert_allclose(book_forward(params, ids), model(ids)[0], rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("preset", ["rnnlm", "better-rnnlm"])
def test_from_book_builds_the_same_function(preset):
    rng = np.random.default_rng(2)
    shapes = [(V, D), (D, 4 * H), (H, 4 * H), (4 * H,)]
    if preset == "better-rnnlm":
        shapes += [(H, 4 * H), (H, 4 * H), (4 * H,)]
    params = [rng.standard_normal(shape) * 0.3 for shape in shapes]
    params += [
        params[0].T.copy() if preset == "better-rnnlm" else rng.standard_normal((H, V)) * 0.3,
        rng.standard_normal(V) * 0.1,
    ]
    model = from_book(params, dtype=np.float64)
    model.eval()
    ids = rng.integers(0, V, (2, 6))
    np.testing.assert_allclose(model(ids)[0], book_forward(params, ids), rtol=1e-10, atol=1e-12)
    for ours, theirs in zip(to_book(model), params, strict=True):  # and back
        np.testing.assert_allclose(ours, theirs, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("preset", ["rnnlm", "better-rnnlm"])
def test_pkl_written_as_the_book_does_loads_back(tmp_path, preset):
    model = book_like_model(preset)
    path = tmp_path / f"{preset}.pkl"
    save_book_params(model, path)
    with open(path, "rb") as f:  # the book's load_params: pickle.load, then astype('f')
        params = [p.astype("f") for p in pickle.load(f)]
    assert all(p.dtype == np.float32 for p in params)
    loaded = load_book_params(path)
    assert [p.dtype for p in loaded] == [np.float16] * len(params)
    rebuilt = from_book(path)
    for (name, a), (_, b) in zip(model.named_parameters(), rebuilt.named_parameters(), strict=True):
        np.testing.assert_allclose(a.data, b.data, atol=2e-3, rtol=2e-3, err_msg=name)  # float16 on disk


class RunsCode:
    def __reduce__(self):
        return (os.system, ("echo pwned > /dev/null",))


@pytest.mark.parametrize(
    "content, problem",
    [
        ([np.zeros(3), RunsCode()], "asks for (posix|os).system"),
        ({"W": np.zeros(3)}, "holds a dict"),
        ([np.zeros(3, dtype=np.int64)], "dtype int64"),
        ([np.array([object()], dtype=object)], "asks for builtins.object"),
    ],
)
def test_loader_refuses_anything_but_arrays(tmp_path, content, problem):
    path = tmp_path / "evil.pkl"
    path.write_bytes(pickle.dumps(content, protocol=3))
    with pytest.raises(GatedRNNError, match=problem):
        load_book_params(path)


def test_loader_explains_truncated_and_missing_files(tmp_path):
    path = tmp_path / "cut.pkl"
    path.write_bytes(pickle.dumps([np.zeros(40)], protocol=3)[:30])
    with pytest.raises(GatedRNNError, match="not a readable pickle"):
        load_book_params(path)
    with pytest.raises(GatedRNNError, match="does not exist"):
        load_book_params(tmp_path / "missing.pkl")


def test_from_book_refuses_lists_that_are_no_book_model():
    with pytest.raises(GatedRNNError, match="6 parameter arrays and BetterRnnlm 9; got 4"):
        from_book([np.zeros((2, 2))] * 4)
    params = [
        np.zeros((V, D)),
        np.zeros((D, 4 * H)),
        np.zeros((H, 4 * H)),
        np.zeros(4 * H),
        np.zeros((H, V + 1)),
        np.zeros(V),
    ]
    with pytest.raises(GatedRNNError, match=r"affine_W should be a float array of shape \(8, 30\)"):
        from_book(params)


def test_to_book_refuses_models_the_book_does_not_have():
    model = LanguageModel(get_preset("rnnlm").model.replace(vocab_size=V, cell="gru"))
    with pytest.raises(GatedRNNError, match="LSTMs"):
        to_book(model)


def test_book_ptb_vocabulary_numbers_words_as_the_book_does():
    from helpers.ptb_data import DATA_DIR, skip_without_ptb

    skip_without_ptb()
    from gatedrnn.lm import book_ptb_vocabulary
    from gatedrnn.lm.book import read_book_ptb_split

    vocab = book_ptb_vocabulary(DATA_DIR)
    words = read_book_ptb_split("train", DATA_DIR)
    assert len(vocab) == 10_000 and vocab.id_to_token[:2] == words[:2] and vocab.unk_token == "<unk>"
    first_eos = words.index("<eos>")
    assert vocab.encode(["<eos>"])[0] == len(set(words[:first_eos]))  # a new id at its first appearance
