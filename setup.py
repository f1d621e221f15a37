"""setuptools' build, plus the one thing pyproject.toml cannot say: a wheel built from a git
checkout records the commit it was built from (gatedrnn/_built_from.json), so that a results
file written by an installed copy still names its code (gatedrnn/provenance.py reads it).

Everything else about the package is in pyproject.toml.
"""

import importlib.util
import json
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

SOURCE = Path(__file__).resolve().parent / "src" / "gatedrnn"


def _provenance():
    """gatedrnn/provenance.py on its own: importing gatedrnn would need its dependencies, which a
    build need not have. One definition of how the commit is read, for the build and for runs."""
    spec = importlib.util.spec_from_file_location("gatedrnn_provenance_at_build", SOURCE / "provenance.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class BuildRecordingTheCommit(build_py):
    """build_py, then the commit and whether tracked files differed, beside the built package."""

    def run(self):
        super().run()
        if self.editable_mode:
            return  # an editable install runs from the checkout, where git answers directly
        provenance = _provenance()
        record = Path(self.build_lib) / "gatedrnn" / provenance.BUILT_FROM
        commit, dirty = provenance._git_commit(SOURCE)
        if commit is None:  # built from a copy without git (an sdist): nothing to claim
            record.unlink(missing_ok=True)  # nor an earlier build's claim left in build/
            return
        record.write_text(json.dumps({"commit": commit, "dirty": dirty}) + "\n")


setup(cmdclass={"build_py": BuildRecordingTheCommit})
