"""How an encoder–decoder's weights start: the layers' PyTorch-style defaults, or the book's scheme.

* ``"pytorch"``: each layer keeps what it drew when built — embeddings N(0, 1), recurrent
  and linear weights and biases U(-1/√fan, 1/√fan).
* ``"book"`` (Deep Learning from Scratch 2, chapters 7 and 8, as ``init="book"`` of the
  language models): embeddings N(0, 0.01²), every weight matrix N(0, 1/fan_in), i.e.
  randn / √fan_in, every bias zero; an LSTM or RNN holds b_hh at zero so that each gate has
  the book's one bias b (only b_ih + b_hh enters those cells; two zero copies would get the
  same update and move the sum at twice the rate).

Why it matters here: a PyTorch embedding row has norm ≈ √E (4 for E = 16), a book one ≈ 0.04,
so with the defaults the first gate pre-activations are dominated by the input rather than by
the recurrence, and which seeds escape the long early plateau of addition depends on the
draw; docs/seq2seq.md has the seed table.

The draws are the library's initialisers (gatedrnn.init.normal_, zeros_) from the seeded
generator, in ``named_parameters`` order, so one seed gives one model.
"""

from typing import TypeVar

import numpy as np

from .. import init as _init
from .. import rng as _rng
from ..core import Module
from ..errors import GatedRNNError, short_repr
from ..layers import Embedding

ModuleT = TypeVar("ModuleT", bound=Module)

SEQ2SEQ_INITS = ("pytorch", "book")
# The book's: at its settings it trains reversed + peeky addition on every seed tried, where
# the PyTorch-style defaults leave some seeds on a long plateau (docs/seq2seq.md, the seed table).
DEFAULT_INIT = "book"
BOOK_EMBEDDING_STD = 0.01


def check_init(init: object) -> str:
    """``init`` if it is one of SEQ2SEQ_INITS, else GatedRNNError in one line."""
    if not isinstance(init, str) or init not in SEQ2SEQ_INITS:
        raise GatedRNNError(f"unknown init {short_repr(init)}; choose one of {', '.join(SEQ2SEQ_INITS)}")
    return init


def initialise(model: ModuleT, init: str, rng: np.random.Generator | None = None) -> ModuleT:
    """Re-draw ``model``'s weights by ``init`` (checked); "pytorch" leaves them as built. Returns the model."""
    if check_init(init) == "book":
        book_init_(model, rng)
    return model


def book_init_(model: ModuleT, rng: np.random.Generator | None = None) -> ModuleT:
    """The book's scheme, in place: embeddings N(0, 0.01²); weights W (out, in) N(0, 1/in);
    biases 0; b_hh of LSTM/RNN layers frozen at 0 (one bias per gate)."""
    generator = _rng.generator() if rng is None else rng
    embeddings = {id(module.weight) for module in model.modules() if isinstance(module, Embedding)}
    for name, param in model.named_parameters():
        if id(param) in embeddings:
            _init.normal_(param, 0.0, BOOK_EMBEDDING_STD, rng=generator)
        elif "bias" in name.rsplit(".", 1)[-1]:
            _init.zeros_(param)
        else:  # (out, in) matrices; a vector (additive attention's v) has fan_in = its length
            _init.normal_(param, 0.0, 1.0 / np.sqrt(param.shape[-1]), rng=generator)
    _freeze_redundant_biases(model)
    return model


def _freeze_redundant_biases(model: Module) -> None:
    """b_hh frozen at zero wherever only b_ih + b_hh enters the cell (LSTM, RNN; not GRU)."""
    for module in model.modules():
        if getattr(type(module), "summed_biases", False):
            for name, param in module.named_parameters():
                if name.rsplit(".", 1)[-1].startswith("bias_hh"):
                    param.requires_grad = False
