"""Build the API reference: HTML from the docstrings, with pdoc, into docs/api/.

    python docs/build_api.py                  # docs/api/index.html, 10–20 seconds
    python docs/build_api.py --output DIR     # somewhere else

The build fails (exit status 1, each warning printed) if pdoc warns about anything: a name in an
``__all__`` that does not resolve, a module that does not import, an annotation it cannot read.
A warning is a page that says less than the code, so CI treats it as an error. docs/api.md says
what the reference covers and how to read it.

Documents the checkout this file sits in (its ``src/``), whether or not that is the gatedrnn
installed. ``gatedrnn.interop.TorchLanguageModel`` is a torch.nn.Module made on first use, so the
build needs torch (``pip install -e ".[docs,torch]"``).
"""

import argparse
import importlib
import os
import shutil
import sys
import warnings
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent
DEFAULT_OUTPUT = REPOSITORY / "docs" / "api"

# The package as its __all__ presents it (the exported names and the subpackages layers, optim,
# data, lm, seq, lab, interop, ...), plus the library modules docs/architecture.md names as the
# one place of a default: errors, the seed, threads, the update step, the schedule, files.
MODULES = (
    "gatedrnn",
    "gatedrnn.errors",
    "gatedrnn.rng",
    "gatedrnn.threads",
    "gatedrnn.training",
    "gatedrnn.lr_schedule",
    "gatedrnn.checkpoint",
    "gatedrnn.files",
)

# Packages whose names in __all__ are made on first use (PEP 562 __getattr__). pdoc reads a
# module's __dict__, so each such name is looked up once here; the lookup is what a user's
# ``gatedrnn.LSTM`` or ``gatedrnn.interop.TorchLanguageModel`` does.
LAZY_PACKAGES = ("gatedrnn", "gatedrnn.interop")


def resolve_lazy_names(package_name):
    """Put every name of ``package.__all__`` into the package's namespace, as a first use would."""
    package = importlib.import_module(package_name)
    for name in package.__all__:
        if name not in vars(package):
            setattr(package, name, getattr(package, name))


def is_earlier_build(directory):
    """True if ``directory`` is missing, empty, or holds a pdoc build (its index and search files)."""
    if not directory.exists():
        return True
    if not directory.is_dir():
        return False
    names = {entry.name for entry in directory.iterdir()}
    return not names or {"index.html", "search.js"} <= names


def build(output, modules=MODULES, lazy_packages=LAZY_PACKAGES):
    """Render ``modules`` into ``output``; return the warnings pdoc (or an import) raised.

    The pages go to a sibling directory first and replace ``output`` only when the build is
    done, so a failed build leaves the last good reference in place and no stale page of a
    module that no longer exists survives a good one.
    """
    import pdoc
    import pdoc.render

    from gatedrnn import __version__

    pdoc.render.configure(
        docformat="restructuredtext",  # the docstrings' ``literals`` and :func:`roles`
        footer_text=f"gatedrnn {__version__}",
        show_source=True,
    )
    staging = output.with_name(output.name + ".building")
    shutil.rmtree(staging, ignore_errors=True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for package in lazy_packages:
            resolve_lazy_names(package)
        pdoc.pdoc(*modules, output_directory=staging)
    if caught:
        shutil.rmtree(staging, ignore_errors=True)
        return caught
    shutil.rmtree(output, ignore_errors=True)
    staging.rename(output)
    return []


def main(argv=None):
    parser = argparse.ArgumentParser(description="Build gatedrnn's API reference with pdoc; fail on any warning.")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help=f"default: {DEFAULT_OUTPUT}")
    args = parser.parse_args(argv)
    output = args.output.resolve()
    if not is_earlier_build(output):
        print(
            f"build_api: {output} holds files that are not an API build; give an empty or new --output", file=sys.stderr
        )
        return 2
    try:
        import torch  # noqa: F401 (TorchLanguageModel is documented from the class torch makes)
    except ImportError:
        print(
            "build_api: the reference documents gatedrnn.interop.TorchLanguageModel, which needs torch: "
            'pip install -e ".[docs,torch]"',
            file=sys.stderr,
        )
        return 2
    os.environ.setdefault("MPLBACKEND", "Agg")
    sys.path.insert(0, str(REPOSITORY / "src"))
    caught = build(output)
    if caught:
        print(f"build_api: pdoc warned {len(caught)} time(s); nothing written:", file=sys.stderr)
        for warning in caught:
            print(f"  {warning.category.__name__}: {warning.message}", file=sys.stderr)
        return 1
    print(f"build_api: {output / 'index.html'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
