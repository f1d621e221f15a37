"""The book's parameter format: Deep Learning from Scratch 2's Rnnlm and BetterRnnlm, both ways.

The book keeps a model's weights as a list, ``model.params``, and saves it with pickle as
float16 arrays (``BaseModel.save_params``). Its layout differs from gatedrnn's (PyTorch's) in
three ways:

- matrices are (in, out): the LSTM's ``Wx`` (D, 4H) and ``Wh`` (H, 4H), the output layer's
  ``W`` (H, V); gatedrnn stores (out, in), so each is the other's transpose;
- its LSTM cuts A = x Wx + h Wh + b into the gates in the order **f, g, i, o**; gatedrnn
  stacks them **i, f, g, o**;
- it has one bias b per gate where gatedrnn has b_ih + b_hh (with ``init="book"`` b_hh is
  held at zero, so the two agree).

The lists, in the book's order (ch06/rnnlm.py and ch06/better_rnnlm.py)::

    Rnnlm        [embed_W (V, D), Wx (D, 4H), Wh (H, 4H), b (4H,), affine_W (H, V), affine_b (V,)]
    BetterRnnlm  [embed_W, Wx1, Wh1, b1, Wx2, Wh2, b2, affine_W (D, V) = embed_Wᵀ, affine_b]

``to_book(model)`` gives such a list; ``from_book(params)`` builds the LanguageModel (preset
``rnnlm`` or ``better-rnnlm``) that computes the same function. Its token ids are the book's:
the book numbers PTB's words by first appearance in ptb.train.txt, with newlines as
``<eos>`` (its dataset/ptb.py), where gatedrnn's PTB vocabulary puts ``<unk>`` first; read a
split with :func:`book_ptb_vocabulary` to feed the book's weights the ids they were trained on.
``load_book_params(path)`` reads a ``.pkl`` written by the book without running any code from it: its unpickler accepts
only NumPy arrays and lists, and refuses anything else in one line.
"""

import io
import pickle

import numpy as np

from ..errors import GatedRNNError
from ..files import atomic_write_bytes
from .model import LanguageModel
from .presets import get_preset

# Rows of gatedrnn's [i | f | g | o] taken from the book's [f | g | i | o], gate by gate.
BOOK_GATE_OF = (2, 0, 1, 3)  # gatedrnn's gate k is the book's gate BOOK_GATE_OF[k]
MODELS = {6: "rnnlm", 9: "better-rnnlm"}  # the book's list length → preset
BOOK_NAMES = {"rnnlm": "Rnnlm", "better-rnnlm": "BetterRnnlm"}


# -- gate order ---------------------------------------------------------------------------
def gates_from_book(columns):
    """The book's (…, 4H) [f | g | i | o] → gatedrnn's (…, 4H) [i | f | g | o], on the last axis."""
    blocks = np.split(columns, 4, axis=-1)
    return np.concatenate([blocks[k] for k in BOOK_GATE_OF], axis=-1)


def gates_to_book(columns):
    """gatedrnn's (…, 4H) [i | f | g | o] → the book's [f | g | i | o] (inverse of gates_from_book)."""
    blocks = np.split(columns, 4, axis=-1)
    book_order = [None] * 4
    for ours, theirs in enumerate(BOOK_GATE_OF):
        book_order[theirs] = blocks[ours]
    return np.concatenate(book_order, axis=-1)


# -- both directions ----------------------------------------------------------------------
def to_book(model):
    """A LanguageModel's weights as the book's ``params`` list (float32, see the module docstring).

    The model must be one the book has: an LSTM language model with embedding size = hidden
    size for BetterRnnlm (2 layers, tied weights) or 1 layer untied for Rnnlm, with biases.
    """
    preset = _book_model_of(model.config)
    arrays = dict(model.state_dict())
    params = [arrays["embed.weight"]]
    for layer in range(model.config.num_layers):
        w_ih, w_hh = arrays[f"rnn.weight_ih_l{layer}"], arrays[f"rnn.weight_hh_l{layer}"]
        bias = arrays[f"rnn.bias_ih_l{layer}"] + arrays[f"rnn.bias_hh_l{layer}"]
        params += [gates_to_book(w_ih.T), gates_to_book(w_hh.T), gates_to_book(bias)]
    decoder = arrays["embed.weight"] if model.config.tie_weights else arrays["decoder.weight"]
    params += [decoder.T, arrays["decoder.bias"]]
    assert len(params) == {"rnnlm": 6, "better-rnnlm": 9}[preset]
    return [np.array(p, dtype=np.float32) for p in params]


def from_book(params, dtype=np.float32):
    """The LanguageModel that computes what the book's model with ``params`` computes.

    ``params``: the book's list (6 arrays: Rnnlm; 9: BetterRnnlm), or the path of a ``.pkl``
    the book saved (read with :func:`load_book_params`). Sizes come from the arrays; the rest
    of the configuration is the preset's (``rnnlm`` or ``better-rnnlm``), dropout included.
    """
    if not isinstance(params, (list, tuple)):
        params = load_book_params(params)
    preset = MODELS.get(len(params))
    if preset is None:
        raise GatedRNNError(f"the book's Rnnlm has 6 parameter arrays and BetterRnnlm 9; got {len(params)}")
    arrays = [np.asarray(p) for p in params]
    embed = arrays[0]
    _check_shape("embed_W", embed, 2)
    _check_shape("Wh1", arrays[2], 2)
    vocab, embedding = embed.shape
    hidden = arrays[2].shape[0]
    config = get_preset(preset).model.replace(vocab_size=vocab, embedding_size=embedding, hidden_size=hidden)
    model = LanguageModel(config, dtype=dtype)
    state = {"embed.weight": embed}
    for layer in range(config.num_layers):
        w_x, w_h, bias = arrays[1 + 3 * layer : 4 + 3 * layer]
        width_in = embedding if layer == 0 else hidden
        for name, array, shape in (
            (f"Wx{layer + 1}", w_x, (width_in, 4 * hidden)),
            (f"Wh{layer + 1}", w_h, (hidden, 4 * hidden)),
            (f"b{layer + 1}", bias, (4 * hidden,)),
        ):
            _check_shape(name, array, len(shape), shape)
        state[f"rnn.weight_ih_l{layer}"] = gates_from_book(w_x).T
        state[f"rnn.weight_hh_l{layer}"] = gates_from_book(w_h).T
        state[f"rnn.bias_ih_l{layer}"] = gates_from_book(bias)
        state[f"rnn.bias_hh_l{layer}"] = np.zeros(4 * hidden, embed.dtype)
    affine_w, affine_b = arrays[-2:]
    _check_shape("affine_W", affine_w, 2, (hidden, vocab))
    _check_shape("affine_b", affine_b, 1, (vocab,))
    if config.tie_weights:
        if not np.array_equal(affine_w, embed.T):
            raise GatedRNNError(
                "BetterRnnlm ties its output weights to the embedding, but affine_W is not embed_Wᵀ "
                "in these params; they are not a BetterRnnlm's"
            )
    else:
        state["decoder.weight"] = affine_w.T
    state["decoder.bias"] = affine_b
    model.load_state_dict({name: np.ascontiguousarray(array, dtype=dtype) for name, array in state.items()})
    return model


def _book_model_of(config):
    """``rnnlm`` or ``better-rnnlm``: which of the book's models has this configuration's shape."""
    if config.cell != "lstm":
        raise GatedRNNError(f"the book's language models are LSTMs; this one is {config.cell}")
    if config.num_layers == 1 and not config.tie_weights:
        return "rnnlm"
    if config.num_layers == 2 and config.tie_weights:
        return "better-rnnlm"
    raise GatedRNNError(
        f"the book has Rnnlm (1 layer, untied) and BetterRnnlm (2 layers, tied); this model has "
        f"{config.num_layers} layer(s), tie_weights={config.tie_weights}"
    )


def _check_shape(name, array, ndim, shape=None):
    if (
        not isinstance(array, np.ndarray)
        or array.dtype.kind != "f"
        or array.ndim != ndim
        or (shape is not None and array.shape != tuple(shape))
    ):
        wanted = f"shape {tuple(shape)}" if shape is not None else f"{ndim} dimensions"
        got = f"{array.dtype} of shape {array.shape}" if isinstance(array, np.ndarray) else type(array).__name__
        raise GatedRNNError(f"the book's {name} should be a float array of {wanted}, got {got}")


def book_ptb_vocabulary(data_dir=None):
    """PTB's vocabulary in the book's id order: first appearance in ptb.train.txt, newlines as <eos>.

    The book's saved parameters index their embedding and output rows by these ids, so
    evaluate them on ``vocab.encode(words)`` of this vocabulary (``read_book_ptb_split``).
    """
    from ..data import Vocabulary

    return Vocabulary(dict.fromkeys(read_book_ptb_split("train", data_dir)), unk_token="<unk>", level="word")


def read_book_ptb_split(split, data_dir=None):
    """The words of a PTB split as the book reads them: newlines replaced by <eos>, then split."""
    from ..data.paths import resolve_data_dir
    from ..data.ptb import ptb_file

    path = ptb_file(resolve_data_dir(data_dir), split, download=False)
    with open(path, encoding="utf-8") as handle:
        return handle.read().replace("\n", "<eos>").strip().split()


# -- the .pkl files ----------------------------------------------------------------------
# What a list of NumPy arrays needs from a pickle: numpy's array and dtype reconstructors.
# (numpy.core was renamed numpy._core in NumPy 2; files from either name these.)
ALLOWED_GLOBALS = {
    ("numpy.core.multiarray", "_reconstruct"),
    ("numpy._core.multiarray", "_reconstruct"),
    ("numpy.core.numeric", "_frombuffer"),
    ("numpy._core.numeric", "_frombuffer"),  # pickle protocol 5
    ("numpy", "ndarray"),
    ("numpy", "dtype"),
}


class _ArraysOnlyUnpickler(pickle.Unpickler):
    """An unpickler that can build NumPy arrays and nothing else that needs a global.

    Lists, tuples, numbers and strings need no global; every other global (a function, a
    class, ``os.system``) is refused before it is looked up, so no code from the file runs.
    """

    def find_class(self, module, name):
        if (module, name) in ALLOWED_GLOBALS:
            return super().find_class(module, name)
        raise GatedRNNError(
            f"this .pkl asks for {module}.{name}; a parameter file of the book holds only NumPy "
            "arrays, so it is refused unread"
        )


def load_book_params(path):
    """The list of float arrays in a ``.pkl`` saved by the book's ``save_params`` (float16 there).

    Safe on untrusted files: see _ArraysOnlyUnpickler. Returns float arrays as stored.
    """
    try:
        data = open(path, "rb").read()
    except FileNotFoundError:
        raise GatedRNNError(f"{path} does not exist; give the .pkl written by the book's save_params") from None
    try:
        params = _ArraysOnlyUnpickler(io.BytesIO(data)).load()
    except GatedRNNError as error:
        raise GatedRNNError(f"{path}: {error}") from None
    except Exception as error:  # a truncated or foreign file: pickle raises many kinds
        raise GatedRNNError(
            f"{path} is not a readable pickle ({type(error).__name__}: {error}); give the .pkl "
            "written by the book's save_params"
        ) from None
    if not isinstance(params, (list, tuple)) or not all(isinstance(p, np.ndarray) for p in params):
        raise GatedRNNError(f"{path} holds a {type(params).__name__}, not the book's list of NumPy arrays")
    if not all(p.dtype.kind == "f" for p in params):
        kinds = sorted({str(p.dtype) for p in params if p.dtype.kind != "f"})
        raise GatedRNNError(f"{path} holds arrays of dtype {', '.join(kinds)}; the book's parameters are floats")
    return list(params)


def save_book_params(model, path):
    """Write ``to_book(model)`` as the book's ``save_params`` does (a pickled list of float16
    arrays), so that the book's ``model.load_params(path)`` loads it. Written atomically."""
    params = [p.astype(np.float16) for p in to_book(model)]
    atomic_write_bytes(path, pickle.dumps(params, protocol=3))
