"""The gate of ``run_task`` and ``run_transduction``: every argument checked, in one line each.

The command line parses its options into the right types, but the same functions are called
from Python, where a string, a list or a NumPy scalar may arrive. Each check raises
GatedRNNError naming the argument, the value and what it should be; NumPy integers and floats
are accepted and returned as Python ones (they end up in a results JSON). Each function
returns the arguments checked, as a dict, in the types the code below them expects.
"""

from collections.abc import Callable, Iterable
from typing import Any

from ..arguments import choice, flag, function, positive, probability, whole
from ..errors import GatedRNNError
from ..layers import RECURRENT_LAYERS
from ..layers.attention import SCORES
from ..memory import available_bytes, describe_available, describe_bytes
from ..rng import check_seed
from ..training import NONFINITE_POLICIES, check_clip

# The fix for a count whose default is None: the task picks it (seq2seq_training.transduction_defaults).
TASKS_OWN = "leave it out for the task's own"


def check_common(
    options: dict[str, Any],
    counts: dict[str, int],
    defaults: dict[str, Any],
    probabilities: Iterable[str] = (),
    flags: Iterable[str] = (),
    positives: Iterable[str] = (),
) -> dict[str, Any]:
    """Check ``options`` in place by kind: counts {name: minimum}, then the rest by name.

    ``defaults`` are what the task's run function takes when an argument is left out (its
    signature's, :func:`signature_defaults`, the single source of ``gatedrnn task``'s too): the
    messages give them as the fix. ``seed`` and ``clip``, when among the options, are checked
    by name as train checks them (gatedrnn.rng.check_seed, gatedrnn.training.check_clip), so
    callers list them under no kind.
    """
    if "seed" in options:
        options["seed"] = check_seed(options["seed"])
    if "clip" in options:
        options["clip"] = check_clip(options["clip"], defaults.get("clip"))
    for name, minimum in counts.items():
        if options.get(name) is not None:
            options[name] = whole(name, options[name], minimum, _default(defaults, name))
    for name in probabilities:
        options[name] = probability(name, options[name], _default(defaults, name))
    for name in flags:
        options[name] = flag(name, options[name])
    for name in positives:
        options[name] = positive(name, options[name], _default(defaults, name))
    options["cell"] = choice("cell", options["cell"], RECURRENT_LAYERS)
    options["on_nonfinite"] = choice("on_nonfinite", options["on_nonfinite"], NONFINITE_POLICIES)
    options["echo"] = function("echo", options["echo"])
    return options


# What each argument of the training loops (fit, fit_transduction, fit_regressor) is: its check,
# called as check(name, value, default), in the words check_common gives the same kind.
LOOP_CHECKS: dict[str, Callable[[str, Any, Any], Any]] = dict(
    epochs=lambda name, value, default: whole(name, value, 1, default),
    batch_size=lambda name, value, default: whole(name, value, 1, default),
    lr=positive,
    teacher_forcing=probability,
    # None, like 0, turns clipping off; a negative one would fail only inside the first step.
    clip=lambda name, value, default: None if value is None else check_clip(value, default),
    progress=lambda name, value, default: flag(name, value),
    echo=lambda name, value, default: function(name, value),
    on_nonfinite=lambda name, value, default: choice(name, value, NONFINITE_POLICIES),
    seed=lambda name, value, default: check_seed(value, default),
)


def check_loop(defaults: dict[str, Any], **options: Any) -> dict[str, Any]:
    """A training loop's arguments, checked before its first step (each by LOOP_CHECKS), so a
    public loop refuses what run_task and run_transduction refuse, in the same line, and
    never after an epoch of work. ``defaults``: the loop's signature's (the fixes' examples;
    an argument without one, such as epochs, gets no example). Returns them checked."""
    return {name: LOOP_CHECKS[name](name, value, defaults.get(name)) for name, value in options.items()}


def _default(defaults: dict[str, Any], name: str) -> Any:
    """The example a refusal of ``name`` gives: its default, or how to get the task's own."""
    default = defaults.get(name)
    return TASKS_OWN if default is None else default


def check_task_options(defaults: dict[str, Any], **options: Any) -> dict[str, Any]:
    """run_task's arguments, checked (see the module docstring); ``defaults``: run_task's."""
    from .models import POOLINGS
    from .tasks import TASKS

    options["task"] = choice("task", options["task"], TASKS)
    options["pooling"] = choice("pooling", options["pooling"], POOLINGS, none_allowed=True)
    if options["pooling"] is not None and TASKS[options["task"]]["kind"] != "classify":
        # A tagger reads out every step: a pooling given would change nothing, yet look as if it had.
        raise GatedRNNError(
            f"pooling makes a classifier's one vector of a sequence; {options['task']} tags every step "
            "and pools nothing: leave pooling out"
        )
    check_common(
        options,
        dict(hidden_size=1, epochs=1, batch_size=1, train_count=1, valid_count=1, test_count=1),
        defaults,
        flags=("bidirectional", "progress"),
        positives=("lr",),
    )
    directions = 2 if options["bidirectional"] else 1
    check_memory(
        options["task"],
        recurrent_bytes(options["cell"], 16, options["hidden_size"], directions),
        activation_bytes(options["cell"], options["batch_size"], 64, options["hidden_size"] * directions),
    )
    return options


def check_transduction_options(defaults: dict[str, Any], **options: Any) -> dict[str, Any]:
    """run_transduction's arguments, checked (see the module docstring); ``defaults``: the task's
    (seq2seq_training.transduction_defaults)."""
    from .initialisation import check_init
    from .transduction_tasks import TRANSDUCTION_TASKS

    options["task"] = choice("task", options["task"], TRANSDUCTION_TASKS)
    options["attention"] = choice("attention", options["attention"], SCORES, none_allowed=True)
    options["init"] = check_init(options["init"])
    check_common(
        options,
        dict(embedding_size=1, hidden_size=1, epochs=1, batch_size=1, beam_width=1, train_count=1, test_count=1),
        defaults,
        probabilities=("teacher_forcing",),
        positives=("lr",),
        flags=("reverse_source", "peeky", "input_feeding", "bidirectional", "progress", "keep_model"),
    )
    E, H = options["embedding_size"], options["hidden_size"]
    # Encoder and decoder, the decoder's input up to E + H wide (peeky, input feeding).
    parameters = recurrent_bytes(options["cell"], E, H, 2 if options["bidirectional"] else 1) + recurrent_bytes(
        options["cell"], E + H, H, 1
    )
    check_memory(options["task"], parameters, activation_bytes(options["cell"], options["batch_size"], 64, 2 * H))
    return options


def recurrent_bytes(cell: str, input_size: int, hidden_size: int, directions: int) -> int:
    """float32 bytes of one recurrent layer's weights, times 4: the weights, their gradients and
    Adam's two buffers."""
    gates = RECURRENT_LAYERS[cell].gate_count
    return 4 * 4 * directions * gates * hidden_size * (input_size + hidden_size + 2)


def activation_bytes(cell: str, batch_size: int, steps: int, width: int) -> int:
    """float32 bytes of what one batch's forward keeps for backward: a few gate-wide arrays per
    step (``steps``: a generous length for the tasks' sequences)."""
    return 4 * 2 * batch_size * steps * (RECURRENT_LAYERS[cell].gate_count + 2) * width


def check_memory(task: str, parameter_bytes: int, batch_bytes: int) -> None:
    """GatedRNNError before anything is built when the model and one batch cannot fit."""
    available = available_bytes()
    needed = parameter_bytes + batch_bytes
    if available is not None and needed > available:
        raise GatedRNNError(
            f"the {task} model and one batch need about {describe_bytes(needed)}; "
            f"{describe_available(available)}: choose a smaller hidden_size or batch_size"
        )
