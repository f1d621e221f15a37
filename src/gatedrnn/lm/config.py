"""The settings of a language model and of its training, each defined once.

:class:`ModelConfig` and :class:`TrainConfig` are frozen dataclasses. Each field carries its
default, its help text and its bounds; the instance checks every field when it is made, so
a config that exists is a config that can train. Everything else reads from here: presets
are instances (gatedrnn.lm.presets), the ``gatedrnn train`` options are generated from the
fields (gatedrnn.cli.options), and a checkpoint stores ``asdict(config)``.

    ModelConfig(vocab_size=10_000, hidden_size=100, embedding_size=100, num_layers=1)
    TrainConfig(epochs=1, lr=2e-3, optimizer="adam")
    config.replace(lr=1.0)            # a new, checked copy with one field changed
"""

import dataclasses
import math
from collections.abc import Callable, Mapping
from dataclasses import Field, dataclass, field
from typing import Any, ClassVar, TypeVar

from .. import optim
from .. import rng as _rng
from ..arguments import positive, spelled, whole
from ..errors import GatedRNNError, is_finite_number, is_whole_number, short_repr
from ..layers.recurrent import check_residual_depth
from ..layers.registry import RECURRENT_LAYERS
from ..lr_schedule import check_step_schedule
from ..training import CLIP_HELP, NONFINITE_POLICIES, check_clip
from ..typing import IntArray
from .adaptive_cutoffs import AUTO, DEFAULT_DIV_VALUE, auto_cutoffs, check_adaptive_softmax, parse_adaptive_softmax

CELLS = tuple(RECURRENT_LAYERS)  # every registered cell (gatedrnn.layers.registry)
INIT_SCHEMES = ("pytorch", "uniform", "book")
OPTIMIZERS = tuple(optim.OPTIMIZERS)  # every registered optimizer (gatedrnn.optim)
SCHEDULES = ("constant", "plateau", "step")
# No trained language model has a weight this large; the checkpoint reader refuses a file that
# does (corrupt or crafted: it would only print "perplexity nan"), so nothing may start there.
LARGEST_PLAUSIBLE_WEIGHT = 1e6

CheckedT = TypeVar("CheckedT", bound="_Checked")


def setting(
    default: Any,
    help: str,
    low: float | None = None,
    low_open: bool = False,
    high: float | None = None,
    high_open: bool = False,
    choices: tuple[str, ...] | None = None,
    added_later: bool = False,
    parse: Callable[[str], Any] | None = None,
    check: Callable[[Any, Any], Any] | None = None,
    option: bool = True,
) -> Any:
    """A dataclass field with its help text and bounds in ``metadata`` (read by check and the CLI).

    ``added_later``: the field came after checkpoints were first written; a saved settings
    dict without it gets the default (which must then mean "as before the field existed").
    ``parse``: how the command line turns the option's text into a value, for a field whose
    type is not one of int, float, str and bool (the config checks the value it gives).
    ``check(value, default)``: the function that refuses a bad value in place of the bounds, for
    a setting other doors check too (gatedrnn.rng.check_seed, gatedrnn.training.check_clip), so
    that all say the same line, each door's default as its example.
    ``option``: ``gatedrnn train`` has a flag for it (``--hidden-size`` for hidden_size), which
    a refusal names beside the keyword; vocab_size, which the corpus sets, has none.
    """
    return field(
        default=default,
        metadata=dict(
            help=help,
            low=low,
            low_open=low_open,
            high=high,
            high_open=high_open,
            choices=choices,
            added_later=added_later,
            parse=parse,
            check=check,
            option=option,
        ),
    )


class _Checked:
    """Validation on construction, from the fields' metadata, plus ``replace`` and ``from_dict``."""

    __dataclass_fields__: ClassVar[dict[str, Field[Any]]]  # every subclass is a dataclass

    def __post_init__(self) -> None:
        for spec in dataclasses.fields(self):
            value = getattr(self, spec.name)
            _check_field(type(self).__name__, spec, value)
            # NumPy scalars (np.int64(4), np.float32(0.1)) are accepted and stored as Python
            # numbers: a checkpoint's JSON, and every comparison with a saved config, then agree.
            object.__setattr__(self, spec.name, _plain(spec.type, value))
        self._check_together()

    def _check_together(self) -> None:
        """Rules across fields; subclasses add theirs."""

    def replace(self: CheckedT, **changes: Any) -> CheckedT:
        """A copy with ``changes`` applied, checked again."""
        unknown = sorted(set(changes) - {spec.name for spec in dataclasses.fields(self)})
        if unknown:
            raise GatedRNNError(
                f"{type(self).__name__} has no setting {', '.join(unknown)}; "
                f"known: {', '.join(spec.name for spec in dataclasses.fields(self))}"
            )
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        """The fields as a dict of JSON values (what a checkpoint stores)."""
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls: type[CheckedT], values: Mapping[str, Any], source: str = "the settings") -> CheckedT:
        """Rebuild from ``to_dict()`` output (e.g. a checkpoint's), refusing unknown or missing keys.

        Every value is checked as a constructor argument is (type, then bounds), and a refusal
        names ``source``: a checkpoint's settings are data from a file, and may be anything.
        """
        if not isinstance(values, dict):
            raise GatedRNNError(
                f"{source} must be a JSON object of {cls.__name__} fields, got "
                f"{type(values).__name__}; the file is corrupt or was not written by gatedrnn"
            )
        names = {spec.name for spec in dataclasses.fields(cls)}
        optional = {spec.name for spec in dataclasses.fields(cls) if spec.metadata["added_later"]}
        unknown, missing = sorted(map(str, set(values) - names)), sorted(names - set(values) - optional)
        if unknown or missing:
            shown = [name if len(name) <= 40 else name[:37] + "..." for name in unknown[:5]]
            raise GatedRNNError(
                f"{source} do not fit {cls.__name__}: unknown {shown}, missing {missing}; "
                "the file is corrupt or was written by another version of gatedrnn"
            )
        try:
            return cls(**values)
        except GatedRNNError as error:
            raise GatedRNNError(f"{source}: {error}") from None


def _check_field(owner: str, spec: Field[Any], value: Any) -> None:
    meta, kind, name = spec.metadata, spec.type, spec.name
    if value is None and spec.default is None:
        return
    if meta["check"] is not None:
        meta["check"](value, spec.default)
        return
    if kind is bool:
        if not isinstance(value, bool):
            raise GatedRNNError(f"{name} must be True or False, got {short_repr(value)}")
        return
    if kind is str:
        if not isinstance(value, str) or value not in meta["choices"]:
            raise GatedRNNError(f"unknown {name} {short_repr(value)}; choose one of {', '.join(meta['choices'])}")
        return
    low, high = meta["low"], meta["high"]
    # The two commonest kinds are refused in the words task, lab and demo use (gatedrnn.arguments).
    shown = spelled(name) if meta["option"] else name
    if meta["option"] and kind is int and low is not None and high is None and not meta["low_open"]:
        whole(name, value, low, spec.default)
        return
    if meta["option"] and kind is float and low == 0 and high is None and meta["low_open"]:
        positive(name, value, spec.default)
        return
    if kind is int and not is_whole_number(value, -math.inf):
        raise GatedRNNError(f"{shown} must be a whole number, got {short_repr(value)}; pass an int{_example(spec)}")
    if kind is float and not is_finite_number(value):
        raise GatedRNNError(f"{shown} must be a finite number, got {short_repr(value)}; pass a float{_example(spec)}")
    too_low = low is not None and (value <= low if meta["low_open"] else value < low)
    too_high = high is not None and (value >= high if meta["high_open"] else value > high)
    if too_low or too_high:
        bounds = describe_bounds(meta)
        raise GatedRNNError(f"{shown} must be {bounds}, got {short_repr(value)}; pass a value {bounds}{_example(spec)}")


def _example(spec: Field[Any]) -> str:
    """', such as 650': the field's default, the fix a refusal suggests (empty when it has none)."""
    return "" if spec.default is None else f", such as {spec.default:g}"


def _plain(kind: Any, value: Any) -> Any:
    """``value`` as the field's Python type: int for int fields, float for float fields."""
    if value is None or kind not in (int, float):
        return value
    return kind(value)


def describe_bounds(meta: Mapping[str, Any]) -> str:
    """'≥ 1', '> 0', 'in [0, 1)' …, from a field's metadata."""
    low, high = meta["low"], meta["high"]
    if low is not None and high is not None:
        return f"in {'(' if meta['low_open'] else '['}{low:g}, {high:g}{')' if meta['high_open'] else ']'}"
    if low is not None:
        return f"{'>' if meta['low_open'] else '≥'} {low:g}"
    return f"{'<' if meta['high_open'] else '≤'} {high:g}"


@dataclass(frozen=True)
class ModelConfig(_Checked):
    """The shape of a :class:`~gatedrnn.lm.model.LanguageModel`.

    ``vocab_size`` is None in presets, where the corpus decides it; a model needs it set.
    """

    vocab_size: int = setting(None, "V, tokens in the vocabulary (taken from the corpus)", low=1, option=False)
    embedding_size: int = setting(650, "E, the width of each token's vector", low=1)
    hidden_size: int = setting(650, "H, units per recurrent layer", low=1)
    num_layers: int = setting(2, "recurrent layers stacked", low=1)
    cell: str = setting("lstm", "the recurrent cell", choices=CELLS)
    dropout: float = setting(
        0.5,
        "dropout probability on the embeddings, between layers and before the read-out (never on h → h)",
        low=0.0,
        high=1.0,
        high_open=True,
    )
    locked_dropout: bool = setting(False, "one dropout mask per sequence, shared over time (variational)")
    recurrent_dropout: float = setting(
        0.0,
        "dropout on h_{t-1} entering the recurrent product, one mask per sequence (Gal & Ghahramani 2016)",
        low=0.0,
        high=1.0,
        high_open=True,
        added_later=True,
    )
    weight_drop: float = setting(
        0.0,
        "DropConnect on W_hh, one mask per window (Merity et al. 2018)",
        low=0.0,
        high=1.0,
        high_open=True,
        added_later=True,
    )
    embedding_dropout: float = setting(
        0.0, "drop whole embedding rows (word types) per window", low=0.0, high=1.0, high_open=True, added_later=True
    )
    activation_reg: float = setting(
        0.0,
        "AR: α of the penalty α·mean(h²) on the last layer's outputs after dropout, added to the "
        "training loss (Merity et al. 2017; 2 in their PTB model)",
        low=0.0,
        added_later=True,
    )
    temporal_activation_reg: float = setting(
        0.0,
        "TAR: β of the penalty β·mean((h_t − h_{t-1})²) on the last layer's outputs before dropout, "
        "added to the training loss (Merity et al. 2017; 1 in their PTB model)",
        low=0.0,
        added_later=True,
    )
    residual: bool = setting(
        False,
        "add each recurrent layer's input to its output, for layers 2 … L (skip connections; needs num_layers ≥ 2)",
        added_later=True,
    )
    tie_weights: bool = setting(True, "share the embedding matrix with the read-out (needs E == H)")
    init: str = setting(
        "pytorch",
        "initial weights: pytorch (the layers' defaults), uniform "
        "(U(-init_scale, init_scale), Zaremba et al.) or book (Deep Learning "
        "from Scratch 2)",
        choices=INIT_SCHEMES,
    )
    init_scale: float = setting(0.1, "the bound of init=uniform", low=0.0, low_open=True, high=LARGEST_PLAUSIBLE_WEIGHT)
    adaptive_softmax: tuple[int, ...] | str | None = setting(
        None,
        "read out through an adaptive softmax (Grave et al. 2017) with these cutoffs, e.g. 2000,6000, or "
        f"{AUTO} (the ids that cover 80 and 95 percent of the training tokens); the vocabulary is then "
        "numbered by frequency; needs --no-tie-weights",
        added_later=True,
        parse=parse_adaptive_softmax,
    )
    # Any div_value > 0, as gatedrnn's layer and torch's take it: below 1 the projections are wider
    # than H (never useful, but a torch model built so must come back through from_torch); the
    # cluster widths it leaves are checked with the cutoffs. Unused without an adaptive softmax.
    adaptive_div_value: float = setting(
        DEFAULT_DIV_VALUE,
        "each tail cluster k = 0, 1, … of the adaptive softmax projects the H features to H // div^(k+1) "
        "(torch's div_value; unused without --adaptive-softmax)",
        low=0.0,
        low_open=True,
        added_later=True,
    )

    def _check_together(self) -> None:
        check_residual_depth("ModelConfig", self.residual, self.num_layers)
        if self.tie_weights and self.embedding_size != self.hidden_size:
            raise GatedRNNError(
                f"tied weights need embedding_size == hidden_size, got {self.embedding_size} and "
                f"{self.hidden_size}; set them equal or turn tying off"
            )
        cutoffs = check_adaptive_softmax(
            self.adaptive_softmax, self.vocab_size, self.hidden_size, self.tie_weights, self.adaptive_div_value
        )
        object.__setattr__(self, "adaptive_softmax", cutoffs)  # a list (JSON) or NumPy ints → a tuple of int

    def for_corpus(self, vocab_size: int, train_ids: IntArray) -> "ModelConfig":
        """This config for a corpus: ``vocab_size`` set and ``adaptive_softmax="auto"`` turned into the
        cutoffs of ``train_ids`` (int (n,), a vocabulary numbered by frequency; gatedrnn.lm.adaptive_cutoffs)."""
        cutoffs = self.adaptive_softmax
        if cutoffs == AUTO:
            cutoffs = auto_cutoffs(train_ids, int(vocab_size), self.hidden_size, self.adaptive_div_value)
        return self.replace(vocab_size=vocab_size, adaptive_softmax=cutoffs)


@dataclass(frozen=True)
class TrainConfig(_Checked):
    """How a language model is trained with truncated BPTT (gatedrnn.lm.trainer)."""

    batch_size: int = setting(20, "N, parallel streams per window", low=1)
    seq_len: int = setting(35, "T, the truncated-BPTT window", low=1)
    epochs: int = setting(4, "passes over the training split", low=1)
    optimizer: str = setting("sgd", "the update rule", choices=OPTIMIZERS)
    lr: float = setting(20.0, "the learning rate", low=0.0, low_open=True)
    clip: float = setting(0.25, CLIP_HELP, low=0.0, check=check_clip)
    schedule: str = setting(
        "constant",
        "learning rate: constant, plateau (÷ lr_decay when validation "
        "worsens) or step (÷ lr_decay every epoch from decay_start)",
        choices=SCHEDULES,
    )
    lr_decay: float = setting(4.0, "divisor of the learning rate when the schedule decays it", low=1.0)
    decay_start: int = setting(0, "step schedule: the first epoch (0-based) that decays", low=0)
    loss_sum_over_time: bool = setting(False, "sum the loss over the window's T steps (Zaremba et al.)")
    eval_batch_size: int = setting(10, "streams evaluated in parallel", low=1)
    seed: int = setting(0, "random seed for weights and dropout masks", low=0, check=_rng.check_seed)
    on_nonfinite: str = setting(
        "error", "a nan/inf loss or gradient: error stops, skip skips that update", choices=NONFINITE_POLICIES
    )

    def _check_together(self) -> None:
        # lr_decay ** k overflows, or the rate underflows to 0, long before a run ends when the
        # divisor is huge or the epochs many: refuse that here, not at epoch k (gatedrnn.lr_schedule).
        if self.schedule == "step":
            check_step_schedule(self.lr, self.lr_decay, self.decay_start, self.epochs)
        elif self.schedule == "plateau":  # at most one division after each epoch but the last
            check_step_schedule(self.lr, self.lr_decay, 1, self.epochs)
