"""A registry: the classes of one extension point, by the names settings and commands use.

Each class declares its own name as a class attribute (``name = "lstm"``). The registry is
built from a tuple of classes written out where the extension point lives
(gatedrnn.layers.registry for recurrent cells, gatedrnn.optim for optimizers), so adding one is
a file of its own and one line in that tuple; every other list of names is read from the
registry, never written out again.
"""

from collections.abc import Iterable
from typing import TypeVar

from .errors import GatedRNNError

ClassT = TypeVar("ClassT", bound=type)


def registry(classes: Iterable[ClassT], kind: str) -> dict[str, ClassT]:
    """{cls.name: cls} in the order of ``classes``; a one-line GatedRNNError for a missing or repeated name.

    ``kind`` ("recurrent cell", "optimizer") names the extension point in the message.
    """
    found: dict[str, ClassT] = {}
    for cls in classes:
        name = getattr(cls, "name", None)
        if not isinstance(name, str) or not name:
            raise GatedRNNError(
                f"{cls.__name__} has no name to be registered as a {kind} under; give the class "
                f"a name attribute such as name = {cls.__name__.lower()!r}"
            )
        if name in found:
            raise GatedRNNError(
                f"two {kind}s are named {name!r}: {found[name].__name__} and {cls.__name__}; "
                "give each class its own name"
            )
        found[name] = cls
    return found
