"""Which existing files gatedrnn may write over: only the ones it wrote itself.

A results file, a figure or a page that a command writes to a path the user names may already
exist. Running the command again should replace its own earlier output, and must not replace
anything else (a checkpoint, the training text, a user's notes or picture). So every file of
these kinds carries a mark, and a path that exists without the mark is refused:

- results (JSON): an object with ``"finished"`` and ``"machine"``, as every results document has;
- figure (PNG): a ``tEXt`` chunk ``Software`` that starts with ``gatedrnn`` (:data:`PNG_METADATA`,
  which :func:`gatedrnn.figures.save_figure` writes);
- page (HTML): the ``<meta name="generator" content="gatedrnn">`` tag (:data:`HTML_GENERATOR_TAG`).
"""

import json
import os
import struct
from pathlib import Path

from .errors import GatedRNNError
from .files import check_regular_file

GENERATOR = "gatedrnn"
PNG_METADATA = {"Software": GENERATOR}
HTML_GENERATOR_TAG = f'<meta name="generator" content="{GENERATOR}">'
# A results document is a summary: a few hundred kilobytes at most (histories included).
LARGEST_RESULTS_FILE = 10 * 2**20
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# The head of a page that holds the generator tag: the tag sits in <head>, near the top.
PAGE_HEAD_BYTES = 4096


def is_results_document(path):
    """Whether ``path`` holds a results document gatedrnn wrote (a JSON object with "finished"
    and "machine")."""
    try:
        with open(path, "rb") as handle:
            text = handle.read(LARGEST_RESULTS_FILE + 1)
        document = json.loads(text) if len(text) <= LARGEST_RESULTS_FILE else None
    except (OSError, ValueError, RecursionError):
        return False
    return isinstance(document, dict) and "finished" in document and "machine" in document


def is_own_figure(path):
    """Whether ``path`` is a PNG whose ``Software`` text chunk names gatedrnn.

    A PNG is the 8-byte signature, then chunks: length (4 bytes, big-endian), type (4),
    data (length bytes), CRC (4). Text chunks come before the image data (IDAT), so the
    walk stops there.
    """
    try:
        with open(path, "rb") as handle:
            if handle.read(8) != PNG_SIGNATURE:
                return False
            return _software_chunk_names_gatedrnn(handle)
    except OSError:
        return False


def _software_chunk_names_gatedrnn(handle):
    while True:
        head = handle.read(8)
        if len(head) < 8:
            return False
        length, kind = struct.unpack(">I4s", head)
        if kind in (b"IDAT", b"IEND"):
            return False
        data = handle.read(length)
        handle.seek(4, os.SEEK_CUR)  # the CRC
        if kind == b"tEXt" and data.startswith(b"Software\x00"):
            return data[len(b"Software\x00") :].startswith(GENERATOR.encode())


def is_own_page(path):
    """Whether ``path`` is an HTML page gatedrnn wrote (its head holds the generator tag)."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(PAGE_HEAD_BYTES)
    except OSError:
        return False
    return HTML_GENERATOR_TAG.encode() in head


KINDS = {
    "results": (is_results_document, "a gatedrnn results file"),
    "figure": (is_own_figure, "a figure gatedrnn drew"),
    "page": (is_own_page, "a page gatedrnn wrote"),
}


def check_replaceable(path, option, kind):
    """GatedRNNError if ``path`` exists and is not a file of ``kind`` that gatedrnn wrote.

    ``option`` names the setting in the message (e.g. "--results"); ``kind`` is "results",
    "figure" or "page". A missing path passes: it will be created, as will the missing target
    of a symbolic link (gatedrnn.files.atomic_write_bytes writes through links).
    """
    is_own, described = KINDS[kind]
    if not os.path.exists(path):
        return
    check_regular_file(path, option)
    if not is_own(Path(path)):
        other = f"another {option}" if option.startswith("--") else "another path"  # a flag, or a keyword
        raise GatedRNNError(
            f"{option} {path} exists and is not {described}; choose {other}, or move "
            "that file away first (nothing is overwritten)"
        )


__all__ = ["check_replaceable", "is_results_document", "is_own_figure", "is_own_page", "PNG_METADATA"]
