"""The doors ``gatedrnn export`` and ``gatedrnn import``: a checkpoint to a torch file and back.

Both refuse an output path that exists (nothing is overwritten) or cannot be written, before
reading anything. The checkpoint's run record (``metadata["run"]``: what the model was trained
on, which ``eval`` and ``generate`` read) travels through the torch file unchanged; import adds
only ``imported_from``.

Import never leaves a checkpoint that gatedrnn's own reader would refuse: it writes the
checkpoint in a scratch directory beside the target, reads it back with
``gatedrnn.lm.model_from_checkpoint`` (as eval and generate will), and only then links it into
place (a link cannot replace a file that appeared meanwhile).
"""

import os
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import GatedRNNError
from .torch_file import TorchFile, read_torch_language_model, save_torch_language_model

if TYPE_CHECKING:
    from ..data.vocab import Vocabulary
    from ..lm.model import LanguageModel

StrPath = str | os.PathLike[str]


def export_checkpoint(checkpoint: StrPath, torch_file: StrPath) -> "tuple[LanguageModel, Vocabulary]":
    """Write the language model of ``checkpoint`` (with its vocabulary, training settings and run
    record) as the torch file ``torch_file``. Returns ``(model, vocab)``."""
    from ..lm import model_from_checkpoint
    from ..lm.run_checkpoint import training_config_of

    check_new_output(torch_file, "output", "model.pt")
    model, vocab, metadata = model_from_checkpoint(checkpoint)
    training = training_config_of(metadata, checkpoint) if "training" in metadata else None
    save_torch_language_model(model, vocab, torch_file, training, run=metadata.get("run") or {})
    return model, vocab


def import_torch_file(torch_file: StrPath, checkpoint: StrPath) -> TorchFile:
    """Write the model of ``torch_file`` (from :func:`export_checkpoint`, maybe trained further in
    PyTorch) as a gatedrnn checkpoint at ``checkpoint``. Returns the :class:`TorchFile` read."""
    check_new_output(checkpoint, "output", "imported.npz")
    loaded = read_torch_language_model(torch_file)
    run = dict(loaded.run, imported_from=str(Path(torch_file).resolve()))
    _write_checkpoint_readers_accept(Path(checkpoint), loaded, run, torch_file)
    return loaded


def check_new_output(path: Any, what: str, example: str = "model.pt") -> None:
    """GatedRNNError unless ``path`` is free (not even a dangling link) and its directory writable.

    ``what`` names the path in the refusal; ``example`` is a name to offer when it is no path at
    all ('' would otherwise be read as the current directory, ". already exists").
    """
    from ..arguments import path_argument
    from ..lm.run_directory import check_results_file

    path = Path(path_argument(what, path, example))
    if path.exists() or path.is_symlink():
        raise GatedRNNError(f"{path} already exists; choose another name (nothing is overwritten)")
    # Writable, and outside every training run's directory, as a --results file is: a file
    # added there would be taken for one of the run's own by whoever reads or cleans it next.
    check_results_file(path, what)


def _write_checkpoint_readers_accept(path, loaded, run, source):
    from ..files import TEMPORARY_PREFIX, describe_os_error
    from ..lm import model_from_checkpoint
    from ..lm.run_checkpoint import save_model_checkpoint

    # The scratch directory goes in the nearest existing ancestor, so that a refused import
    # creates no directory either; the parents are made only once the file has been read back.
    anchor = next(p for p in (path.parent, *path.parent.parents) if p.exists())
    scratch = Path(tempfile.mkdtemp(dir=anchor, prefix=TEMPORARY_PREFIX))
    try:
        candidate = scratch / path.name
        save_model_checkpoint(candidate, loaded.model, loaded.vocab, loaded.training, run_info=run)
        try:
            model_from_checkpoint(candidate)
        except GatedRNNError as error:
            reason = str(error).replace(str(candidate), str(path))
            raise GatedRNNError(
                f"{source} would give a checkpoint gatedrnn cannot read back ({reason}); nothing was written"
            ) from None
        path.parent.mkdir(parents=True, exist_ok=True)
        _link_into_place(candidate, path)
    except OSError as error:
        raise GatedRNNError(f"cannot write {path}: {describe_os_error(error)}") from None
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _link_into_place(candidate, path):
    try:
        os.link(candidate, path)
    except FileExistsError:
        raise GatedRNNError(f"{path} appeared while importing; choose another name (nothing is overwritten)") from None
    except OSError:  # a filesystem without hard links: check, then rename
        if path.exists() or path.is_symlink():
            raise GatedRNNError(
                f"{path} appeared while importing; choose another name (nothing is overwritten)"
            ) from None
        os.replace(candidate, path)
