"""The recurrent cells gatedrnn can name: one tuple, from which every list of cells is read.

A cell is a subclass of :class:`~gatedrnn.layers.recurrent.Recurrent` in a file of its own that
says, as class attributes, what the rest of gatedrnn needs to know about it::

    name           "lstm"         ModelConfig.cell, ``--cell``, the seq models' cell
    gate_count     4              G: rows of its weight matrices per hidden unit (G·H, …)
    state_names    ("h", "c")     the arrays of its state; a checkpoint carries one array per name
    torch_name     "LSTM"         its ``torch.nn`` class (gatedrnn.interop); None: PyTorch has none
    torch_options  ()             constructor arguments beyond Recurrent's that the torch class
                                  takes by the same name (the RNN's "nonlinearity")
    summed_biases  True           b_ih and b_hh enter only as b_ih + b_hh, so a language model
                                  holds b_hh at zero (the book's one bias per gate)

Read from here: the cells of ModelConfig (gatedrnn.lm.config.CELLS) and so ``gatedrnn train
--cell``; the carried state arrays of a run checkpoint (gatedrnn.lm.checkpoint_schema);
``gatedrnn task --cell`` and the seq models; the torch classes of gatedrnn.interop.

Adding a cell: its file in this package, and its class in :data:`CELL_CLASSES`.
"""

from ..errors import GatedRNNError
from ..registry import registry
from .gru import GRU
from .lstm import LSTM
from .recurrent import Recurrent
from .rnn import RNN

# Every recurrent cell a setting can name, in the order --help lists them (the first is the default's).
CELL_CLASSES: tuple[type[Recurrent], ...] = (LSTM, GRU, RNN)

RECURRENT_LAYERS = registry(CELL_CLASSES, "recurrent cell")  # name → class: "lstm" → LSTM, …


def cell_class(name: str) -> type[Recurrent]:
    """The registered cell class called ``name``; a one-line GatedRNNError naming the choices otherwise."""
    if not isinstance(name, str) or name not in RECURRENT_LAYERS:
        raise GatedRNNError(f"unknown cell {name!r}; choose one of {', '.join(RECURRENT_LAYERS)}")
    return RECURRENT_LAYERS[name]


def state_part_counts() -> dict[str, int]:
    """{cell name: how many arrays make up its state} — 2 for the LSTM's (h, c), 1 for an h alone."""
    return {name: len(cls.state_names) for name, cls in RECURRENT_LAYERS.items()}


def cells_by_torch_name() -> dict[str, type[Recurrent]]:
    """{torch.nn class name: cell class} of the cells PyTorch has ("LSTM" → LSTM, …)."""
    return {cls.torch_name: cls for cls in RECURRENT_LAYERS.values() if cls.torch_name}
