"""Where the data sets live: outside the package, in a folder the user chooses or a per-user cache."""

import os
from pathlib import Path

DATA_ENV_VAR = "GATEDRNN_DATA"


def resolve_data_dir(data_dir=None):
    """The data directory, first of: ``data_dir`` (e.g. ``--data-dir``), ``$GATEDRNN_DATA``,
    ``$XDG_CACHE_HOME/gatedrnn``, ``~/.cache/gatedrnn``.

    Returns a :class:`pathlib.Path` (``~`` expanded); the directory need not exist yet.
    Empty strings count as unset, as a shell's ``GATEDRNN_DATA=`` means "no value".
    """
    if data_dir:
        return Path(data_dir).expanduser()
    from_env = os.environ.get(DATA_ENV_VAR)
    if from_env:
        return Path(from_env).expanduser()
    return user_cache_dir() / "gatedrnn"


def user_cache_dir():
    """``$XDG_CACHE_HOME`` when set to an absolute path (as the XDG spec requires), else ``~/.cache``."""
    xdg = os.environ.get("XDG_CACHE_HOME")
    if xdg and Path(xdg).is_absolute():
        return Path(xdg)
    return Path.home() / ".cache"
