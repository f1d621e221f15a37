"""Where the repository is, for tests that read its files (README, docs, src) from any working directory."""

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SRC = REPO / "src"


def load_script(path, name):
    """The Python file ``path`` (a benchmark or docs script, not a package module) imported as ``name``."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
