"""How much memory generated task data takes, checked before it is generated.

The synthetic tasks hold their examples as Python objects: a string or a list of ints per
example, a NumPy array per sequence, and padded id arrays built from them. A count typed
with one zero too many (``--train-count 1e8``) would fill memory for minutes and end in a
MemoryError; :func:`check_examples_fit` refuses it first, in one line, with the estimate and
the budget (gatedrnn.memory).
"""

from typing import Any

from ..arguments import spelled
from ..errors import GatedRNNError, check_whole_number
from ..memory import available_bytes, describe_available, describe_bytes
from ..typing import IntLike

# Per example: a few Python objects (a str or list per side, an array's header, list slots) …
OBJECT_BYTES_PER_EXAMPLE = 250
# … and per position of the longest source and target: a list slot, a Python int or character,
# and the padded int64 arrays built from them (inputs and outputs).
BYTES_PER_POSITION = 32


def examples_bytes(count: IntLike, longest_source: IntLike, longest_target: IntLike) -> int:
    """Bytes ``count`` examples of at most these lengths take, about."""
    return int(count) * (OBJECT_BYTES_PER_EXAMPLE + BYTES_PER_POSITION * (int(longest_source) + int(longest_target)))


def check_examples_fit(
    task: str, counts: dict[str, Any], longest_source: IntLike, longest_target: IntLike
) -> list[int]:
    """GatedRNNError unless the examples of ``counts`` ({"train_count": n, …}) fit in memory.

    Each count must be a whole number ≥ 1 (NumPy integers and floats with whole values
    accepted, as everywhere); the option to lower is named in the refusal.
    """
    for name, count in counts.items():
        check_whole_number(name, count, 1)
    total = sum(int(count) for count in counts.values())
    needed, available = examples_bytes(total, longest_source, longest_target), available_bytes()
    if available is not None and needed > available:
        shown = ", ".join(f"{name} {int(count):,}" for name, count in counts.items())
        raise GatedRNNError(
            f"the {task} task's examples ({shown}) need about {describe_bytes(needed)}; "
            f"{describe_available(available)}: lower {' or '.join(map(spelled, counts))}"
        )
    return [int(count) for count in counts.values()]
