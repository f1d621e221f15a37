"""Where the tests find the Penn Treebank: where the library would, so the two never disagree.

The data directory is ``$GATEDRNN_DATA`` when it is set (read as the library reads it); else
the shared folder beside the repository, then the library's own default (the user cache).
In each, the library's lookup (``gatedrnn.data.ptb.find_ptb_file``) takes the files from
``<dir>/ptb/`` or from ``<dir>`` itself, the two layouts the README allows. A test that needs
PTB is skipped with a reason naming every folder looked in and how to point the tests at it.
"""

import os

import pytest

from gatedrnn.data.paths import DATA_ENV_VAR, resolve_data_dir
from gatedrnn.data.ptb import SPLITS, find_ptb_file, ptb_folders
from helpers.paths import REPO

SHARED_DATA = REPO.parent / "shared" / "data"


def candidate_data_dirs():
    """The data directories to try, in order (absolute: a relative setting is read from here)."""
    if os.environ.get(DATA_ENV_VAR):
        return [resolve_data_dir().resolve()]  # the user's setting, and nothing behind their back
    return [SHARED_DATA, resolve_data_dir().resolve()]


def locate_ptb(data_dirs):
    """(data_dir, {split: path}) for the first directory in which the library finds all three
    splits; (data_dirs[0], None) when none holds them."""
    for data_dir in data_dirs:
        files = {split: find_ptb_file(data_dir, split) for split in SPLITS}
        if all(files.values()):
            return data_dir, files
    return data_dirs[0], None


def skip_reason(data_dirs):
    """One line: every folder looked in, and how to point the tests at the files."""
    folders = ", ".join(str(folder) for data_dir in data_dirs for folder in ptb_folders(data_dir))
    return (
        f"Penn Treebank files (ptb.train.txt, ptb.valid.txt, ptb.test.txt) not found; looked in {folders}; "
        f"set {DATA_ENV_VAR} to the folder that holds them or their ptb/ folder"
    )


DATA_DIRS = candidate_data_dirs()
DATA_DIR, PTB_FILES = locate_ptb(DATA_DIRS)  # DATA_DIR is what a test passes as --data-dir
PTB_DIR = PTB_FILES["train"].parent if PTB_FILES else DATA_DIR / "ptb"  # the folder holding the files
SKIP_REASON = skip_reason(DATA_DIRS)
needs_ptb = pytest.mark.skipif(PTB_FILES is None, reason=SKIP_REASON)


def ptb_path(split):
    """The file of one split ("train", "valid" or "test"); only in tests marked ``needs_ptb``."""
    return PTB_FILES[split]


def skip_without_ptb():
    """For fixtures (a mark does not reach them): skip, saying where PTB was looked for."""
    if PTB_FILES is None:
        pytest.skip(SKIP_REASON)


def describe():
    """One line for pytest's header: where PTB was found, or where it was looked for."""
    if PTB_FILES is None:
        return "PTB: " + SKIP_REASON
    return f"PTB: {PTB_DIR} (data directory {DATA_DIR})"
